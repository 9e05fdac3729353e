//! Which profile a command uses: a pure function of config.toml, the flags and what the
//! environment holds, so its precedence rules are tested as a table.

use super::{Context, Origin, sandbox_profile_name};
use crate::config::{Config, Profile, Vendor};
use crate::credentials;
use crate::error::CliError;
use crate::output::shell::word;

/// Everything the choice depends on.
pub struct Selection<'a> {
    pub config: &'a Config,
    /// `--profile` / `TOKENCTL_PROFILE`.
    pub profile: Option<&'a str>,
    pub sandbox: bool,
    /// The vendors that serve the noun.
    pub vendors: &'a [Vendor],
    /// The vendors whose credential the environment holds.
    pub in_env: &'a [Vendor],
}

/// Picks the profile, in this order: the named profile (a `sandbox-<vendor>` one in sandbox
/// mode); in sandbox mode, the vendor's sandbox profile; the default profile when it fits; the
/// only profile that fits; with no profile that fits, the environment alone when it holds the
/// credential of exactly one vendor.
pub fn select(s: &Selection) -> Result<(String, Profile, Origin), CliError> {
    let vendors = s.vendors;
    let names: Vec<&str> = vendors.iter().map(|v| v.name()).collect();
    let wanted = names.join(" or ");
    if let Some(name) = s.profile {
        if s.sandbox
            && let Some(v) = vendors.iter().find(|v| name == sandbox_profile_name(**v))
        {
            return Ok((name.to_owned(), Profile::new(*v), Origin::Sandbox));
        }
        let Some(p) = s.config.profiles.get(name) else {
            return Err(CliError::not_configured(format!("no profile named '{name}'"))
                .with_hint(format!(
                    "see `tokenctl profile list`, or add it with `tokenctl profile add {} --vendor {}`",
                    word(name),
                    vendors[0]
                )));
        };
        if !vendors.contains(&p.vendor) {
            return Err(CliError::usage(format!(
                "profile '{name}' is a {} profile, but this command needs a {wanted} profile",
                p.vendor
            )));
        }
        return Ok((name.to_owned(), p.clone(), Origin::Configured));
    }
    if s.sandbox {
        return match vendors {
            [v] => Ok((sandbox_profile_name(*v), Profile::new(*v), Origin::Sandbox)),
            _ => {
                let list: Vec<String> = vendors.iter().map(|v| sandbox_profile_name(*v)).collect();
                Err(
                    CliError::usage(format!("several profiles fit: {}", list.join(", ")))
                        .with_hint(format!(
                            "choose one with -p, e.g. `tokenctl --sandbox -p {} ...`",
                            list[0]
                        )),
                )
            }
        };
    }
    if let Some(d) = &s.config.default_profile
        && let Some(p) = s.config.profiles.get(d)
        && vendors.contains(&p.vendor)
    {
        return Ok((d.clone(), p.clone(), Origin::Configured));
    }
    let fitting: Vec<(&String, &Profile)> = s
        .config
        .profiles
        .iter()
        .filter(|(_, p)| vendors.contains(&p.vendor))
        .collect();
    match fitting.as_slice() {
        [(name, p)] => Ok(((*name).clone(), (*p).clone(), Origin::Configured)),
        [] if s.in_env.len() == 1 => Ok((
            "(environment)".into(),
            Profile::new(s.in_env[0]),
            Origin::EnvOnly,
        )),
        [] => {
            let vars: Vec<&str> = vendors.iter().map(|v| v.token_var()).collect();
            Err(CliError::not_configured(format!(
                "no {wanted} profile and no credential in the environment"
            ))
            .with_hint(format!(
                "set {} (and the account), run `tokenctl auth login --vendor {}`, or try `tokenctl --sandbox`",
                vars.join(" or "),
                vendors[0]
            )))
        }
        many => {
            let names: Vec<&str> = many.iter().map(|(n, _)| n.as_str()).collect();
            Err(CliError::usage(format!(
                "several {wanted} profiles fit: {}",
                names.join(", ")
            ))
            .with_hint(format!(
                "choose one with -p NAME, or set a default with `tokenctl profile use {}`",
                word(names[0])
            )))
        }
    }
}

impl Context {
    /// Picks the profile for a noun served by `vendor` (see [`select`]).
    pub fn select_profile(&self, vendor: Vendor) -> anyhow::Result<(String, Profile, Origin)> {
        self.select_profile_for(&[vendor])
    }

    /// The same, for a noun that several vendors serve (`api-tokens`).
    pub fn select_profile_for(
        &self,
        vendors: &[Vendor],
    ) -> anyhow::Result<(String, Profile, Origin)> {
        let config = self.config_for_selection(vendors)?;
        // With no profile at all, the vendor whose own variable is set (TOKENCTL_TOKEN alone
        // says nothing about the vendor when several fit).
        let in_env: Vec<Vendor> = vendors
            .iter()
            .copied()
            .filter(|v| {
                if vendors.len() == 1 {
                    credentials::from_env(&self.env, *v, &Profile::new(*v)).is_some()
                } else {
                    self.env.non_empty(v.token_var()).is_some()
                }
            })
            .collect();
        Ok(select(&Selection {
            config: &config,
            profile: self.globals.profile.as_deref(),
            sandbox: self.sandbox_mode(),
            vendors,
            in_env: &in_env,
        })?)
    }

    /// config.toml for choosing a profile. Without a usable HOME there is none, and a
    /// credential in the environment alone still does (CI jobs often run without HOME).
    fn config_for_selection(&self, vendors: &[Vendor]) -> anyhow::Result<Config> {
        if let Err(e) = self.paths.check_config() {
            let from_env = vendors
                .iter()
                .any(|v| credentials::from_env(&self.env, *v, &Profile::new(*v)).is_some());
            return match self.globals.profile {
                None if from_env => Ok(Config::default()),
                _ => Err(e.into()),
            };
        }
        self.config()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Exit;
    use crate::vendor::Noun;

    fn config(profiles: &[(&str, Vendor)], default: Option<&str>) -> Config {
        let mut c = Config {
            default_profile: default.map(str::to_owned),
            ..Config::default()
        };
        for (name, v) in profiles {
            c.profiles.insert((*name).to_owned(), Profile::new(*v));
        }
        c
    }

    /// What the choice was: the profile's name and where it came from, or the exit code.
    type Outcome<'a> = Result<(&'a str, Origin), Exit>;

    /// One row: what it shows, the profiles, the default, `-p`, sandbox mode, the noun's
    /// vendors, the vendors whose credential the environment holds, and the outcome.
    type Case<'a> = (
        &'a str,
        &'a [(&'a str, Vendor)],
        Option<&'a str>,
        Option<&'a str>,
        bool,
        &'a [Vendor],
        &'a [Vendor],
        Outcome<'a>,
    );

    #[test]
    fn precedence() {
        use Origin::{Configured, EnvOnly, Sandbox};
        // A noun one vendor serves, and a noun two vendors share.
        let [cf] = Noun::Tokens.vendors()[..] else {
            panic!("one vendor serves tokens")
        };
        let [mt, pf] = Noun::ApiTokens.vendors()[..] else {
            panic!("two vendors serve api-tokens")
        };
        let sandbox_cf = sandbox_profile_name(cf);
        let sandbox_cf = sandbox_cf.as_str();
        let two_cf = [("a", cf), ("b", cf)];
        #[rustfmt::skip]
        let cases: &[Case] = &[
            // what,                          profiles,          default,    -p,                  sandbox, vendors,  in_env, outcome
            ("-p names a profile",            &two_cf,           Some("a"),  Some("b"),           false, &[cf],     &[],    Ok(("b", Configured))),
            ("-p over the sandbox",           &[("a", cf)],      None,       Some("a"),           true,  &[cf],     &[],    Ok(("a", Configured))),
            ("-p names a sandbox profile",    &[],               None,       Some(sandbox_cf), true, &[cf], &[], Ok((sandbox_cf, Sandbox))),
            ("sandbox profiles only in sandbox mode", &[],       None,       Some(sandbox_cf), false, &[cf], &[], Err(Exit::NotConfigured)),
            ("-p unknown",                    &two_cf,           None,       Some("c"),           false, &[cf],     &[cf],  Err(Exit::NotConfigured)),
            ("-p of another vendor",          &[("m", mt)],      None,       Some("m"),           false, &[cf],     &[],    Err(Exit::Usage)),
            ("sandbox over config",           &two_cf,           Some("a"),  None,                true,  &[cf],     &[],    Ok((sandbox_cf, Sandbox))),
            ("sandbox, several vendors",      &[],               None,       None,                true,  &[mt, pf], &[],    Err(Exit::Usage)),
            ("default profile",               &two_cf,           Some("a"),  None,                false, &[cf],     &[],    Ok(("a", Configured))),
            ("default of another vendor",     &[("m", mt), ("a", cf)], Some("m"), None,           false, &[cf],     &[],    Ok(("a", Configured))),
            ("the only fitting profile",      &[("m", mt), ("a", cf)], None, None,                false, &[cf],     &[cf],  Ok(("a", Configured))),
            ("several fit",                   &two_cf,           None,       None,                false, &[cf],     &[],    Err(Exit::Usage)),
            ("environment alone",             &[("m", mt)],      None,       None,                false, &[cf],     &[cf],  Ok(("(environment)", EnvOnly))),
            ("nothing at all",                &[],               None,       None,                false, &[cf],     &[],    Err(Exit::NotConfigured)),
            ("environment of two vendors",    &[],               None,       None,                false, &[mt, pf], &[mt, pf], Err(Exit::NotConfigured)),
            ("environment of one of two",     &[],               None,       None,                false, &[mt, pf], &[pf],  Ok(("(environment)", EnvOnly))),
        ];
        for (what, profiles, default, profile, sandbox, vendors, in_env, want) in cases {
            let c = config(profiles, *default);
            let got = select(&Selection {
                config: &c,
                profile: *profile,
                sandbox: *sandbox,
                vendors,
                in_env,
            });
            match (got, want) {
                (Ok((name, _, origin)), Ok((want_name, want_origin))) => {
                    assert_eq!(
                        (name.as_str(), origin),
                        (*want_name, *want_origin),
                        "{what}"
                    )
                }
                (Err(e), Err(code)) => assert_eq!(e.exit, *code, "{what}: {}", e.message),
                (got, want) => panic!(
                    "{what}: got {:?}, want {want:?}",
                    got.map(|(n, _, o)| (n, o)).map_err(|e| e.message)
                ),
            }
        }
    }

    #[test]
    fn the_environment_profile_is_of_the_vendor_whose_credential_it_holds() {
        let [mt, pf] = Noun::ApiTokens.vendors()[..] else {
            panic!("two vendors serve api-tokens")
        };
        let c = Config::default();
        let (_, p, _) = select(&Selection {
            config: &c,
            profile: None,
            sandbox: false,
            vendors: &[mt, pf],
            in_env: &[pf],
        })
        .expect("selected");
        assert_eq!(p.vendor, pf);
    }
}
