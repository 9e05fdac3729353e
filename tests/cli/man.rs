//! Man pages, rendered from the clap definition with clap_mangen: `tokenctl.1` and one page per
//! subcommand at every level (`tokenctl-tokens.1`, `tokenctl-tokens-list.1`, ...), each with an
//! EXIT STATUS section; `tokenctl.1` also has ENVIRONMENT and FILES. Only the tests build
//! them (`scripts/regen` writes them to `man/`), so the shipped binary carries no roff code.

use clap::{Command, CommandFactory};
use roff::{Roff, bold, roman};

use tokenctl::cli::{Cli, EXIT_CODES};

/// Every variable tokenctl reads, and what for. `generated::every_variable_read_is_documented`
/// checks that src/ reads no TOKENCTL_/vendor variable missing here.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "TOKENCTL_PROFILE",
        "Profile to use when -p/--profile is not given.",
    ),
    (
        "TOKENCTL_TOKEN",
        "The secret of the selected profile, before any other source.",
    ),
    (
        "TOKENCTL_SANDBOX",
        "When set (and not 0 or false), run against the built-in sandbox, as with --sandbox.",
    ),
    (
        "TOKENCTL_CONFIG_DIR",
        "Directory of config.toml and credentials.toml (default: $XDG_CONFIG_HOME/tokenctl).",
    ),
    (
        "TOKENCTL_DATA_DIR",
        "Directory of the sandbox state (default: $XDG_DATA_HOME/tokenctl).",
    ),
    (
        "TOKENCTL_FORCE_TTY",
        "Behave as on a terminal: tables with relative times, prompts read from stdin.",
    ),
    (
        "TOKENCTL_COMPLETE",
        "Set by the completion scripts when they ask tokenctl for candidates; not for other use.",
    ),
    (
        "TOKENCTL_DELIVER_ID, TOKENCTL_DELIVER_NAME, TOKENCTL_DELIVER_VENDOR, TOKENCTL_DELIVER_PROFILE, TOKENCTL_DELIVER_FIELDS",
        "Not read: set for a --deliver exec: command, naming the token it receives on stdin, its vendor and profile, and its fields (TOKEN, or CLIENT_ID,CLIENT_SECRET). Never the values.",
    ),
    ("CLOUDFLARE_API_TOKEN", "Cloudflare API token."),
    (
        "CLOUDFLARE_API_KEY",
        "Cloudflare Global API Key, with CLOUDFLARE_EMAIL (service-tokens; tokens needs an API token).",
    ),
    (
        "CLOUDFLARE_EMAIL",
        "The account email sent with CLOUDFLARE_API_KEY.",
    ),
    (
        "CLOUDFLARE_ACCOUNT_ID",
        "Cloudflare account, when the profile names none.",
    ),
    (
        "CLOUDFLARE_BASE_URL",
        "Cloudflare API base URL, when the profile names none.",
    ),
    ("MAILTRAP_API_TOKEN", "Mailtrap API token."),
    (
        "MAILTRAP_ACCOUNT_ID",
        "Mailtrap account, when the profile names none.",
    ),
    (
        "MAILTRAP_BASE_URL",
        "Mailtrap API base URL, when the profile names none.",
    ),
    ("PREFACTOR_API_TOKEN", "Prefactor API token."),
    (
        "PREFACTOR_BASE_URL",
        "Prefactor API base URL, when the profile names none.",
    ),
    ("MOSQUITTO_API_TOKEN", "Cedalo Pro Mosquitto API token."),
    (
        "MOSQUITTO_URL",
        "Cedalo Pro Mosquitto platform URL, when the profile names none.",
    ),
    (
        "NO_COLOR",
        "When set and not empty, no colour (as --color never).",
    ),
    ("TERM", "dumb turns colour off."),
    (
        "HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY",
        "Proxy for API requests (lower-case names too); not used in sandbox mode.",
    ),
    (
        "XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_CACHE_HOME",
        "Base directories of the files below.",
    ),
    (
        "DBUS_SESSION_BUS_ADDRESS",
        "The session bus through which the OS keyring (Secret Service) is reached on Linux.",
    ),
];

/// The files tokenctl reads and writes.
pub const FILES: &[(&str, &str)] = &[
    (
        "$XDG_CONFIG_HOME/tokenctl/config.toml",
        "Profiles: vendor, base URL, default account and project, where the secret is kept. No \
         secrets. Written 0600. In $TOKENCTL_CONFIG_DIR when set.",
    ),
    (
        "$XDG_CONFIG_HOME/tokenctl/credentials.toml",
        "Secrets of profiles logged in with --insecure-storage, in plain text, 0600. Other \
         secrets live in the OS keyring (service tokenctl, user = profile name).",
    ),
    (
        "$XDG_DATA_HOME/tokenctl/sandbox/",
        "The built-in sandbox's state (state.json, 0600) and its lock file. In \
         $TOKENCTL_DATA_DIR/sandbox when set.",
    ),
    (
        "$XDG_CACHE_HOME/tokenctl/completion/",
        "Shell completion cache: token IDs and names (never secrets) per profile, 0600, \
         offered for 60 seconds. Safe to delete.",
    ),
];

/// `(file name, page)` for the root command and every subcommand, depth first.
pub fn pages() -> Vec<(String, String)> {
    let mut cmd = without_help_subcommand(Cli::command());
    cmd.build();
    let mut out = Vec::new();
    crate::generated::walk(&cmd, &mut |c, depth| out.push(page(c, depth == 0)));
    out
}

/// The `help` subcommand has no page of its own, so no page lists it.
fn without_help_subcommand(cmd: Command) -> Command {
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    subs.into_iter()
        .fold(cmd.disable_help_subcommand(true), |c, s| {
            c.mut_subcommand(s, without_help_subcommand)
        })
}

fn page(cmd: &Command, root: bool) -> (String, String) {
    let after = cmd.get_after_long_help().map(ToString::to_string);
    // clap_mangen would run the after-help text together into one paragraph; it is rendered
    // below instead, keeping example lines as they are.
    let man = clap_mangen::Man::new(cmd.clone().after_long_help(None::<&str>)).source(format!(
        "tokenctl {}",
        cmd.get_version().unwrap_or_default()
    ));
    let name = man.get_filename();
    let mut buf = Vec::new();
    man.render(&mut buf).expect("render man page");
    let text = String::from_utf8(buf).expect("utf-8 page");

    let mut extra = Roff::new();
    if let Some(after) = &after {
        after_help(&mut extra, after);
    }
    exit_status(&mut extra);
    if root {
        list("ENVIRONMENT", ENVIRONMENT, &mut extra);
        list("FILES", FILES, &mut extra);
    } else {
        extra.control("SH", ["SEE ALSO"]);
        extra.text([bold("tokenctl"), roman("(1)")]);
    }
    let extra = extra.to_roff();
    let page = match text.find("\n.SH VERSION") {
        Some(at) => format!("{}\n{}{}", &text[..at], extra, &text[at + 1..]),
        None => format!("{text}{extra}"),
    };
    (name, page)
}

/// EXIT STATUS from the table `--help` shows (src/cli.rs `EXIT_CODES`).
fn exit_status(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    for line in EXIT_CODES.lines().skip(1) {
        let line = line.trim();
        let (code, meaning) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        roff.control("TP", []);
        roff.text([bold(code)]);
        roff.text([roman(meaning.trim())]);
    }
}

fn list(title: &str, items: &[(&str, &str)], roff: &mut Roff) {
    roff.control("SH", [title]);
    for (name, what) in items {
        roff.control("TP", []);
        let words: Vec<_> = name
            .split(", ")
            .enumerate()
            .flat_map(|(i, n)| {
                let sep = (i > 0).then(|| roman(", "));
                sep.into_iter().chain([bold(n)])
            })
            .collect();
        roff.text(words);
        roff.text([roman(*what)]);
    }
}

/// The after-help text: "Examples:" blocks become EXAMPLES, other paragraphs NOTES; indented
/// lines (commands) are kept as they are. The exit-code table is left out: EXIT STATUS has it.
fn after_help(roff: &mut Roff, text: &str) {
    let blocks: Vec<&str> = text.split("\n\n").collect();
    let (examples, notes): (Vec<&str>, Vec<&str>) = blocks
        .into_iter()
        .filter(|b| !b.starts_with("Exit codes:"))
        .partition(|b| b.starts_with("Examples:"));
    if !notes.is_empty() {
        roff.control("SH", ["NOTES"]);
        for block in notes {
            block_text(roff, block);
        }
    }
    if !examples.is_empty() {
        roff.control("SH", ["EXAMPLES"]);
        for block in examples {
            block_text(
                roff,
                block
                    .trim_start_matches("Examples:")
                    .trim_start_matches('\n'),
            );
        }
    }
}

fn block_text(roff: &mut Roff, block: &str) {
    let mut lines = block.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with(char::is_whitespace) {
            roff.control("PP", [])
                .control("RS", ["4"])
                .control("nf", []);
            roff.text([roman(line.trim())]);
            while let Some(next) = lines.next_if(|l| l.starts_with(char::is_whitespace)) {
                roff.text([roman(next.trim())]);
            }
            roff.control("fi", []).control("RE", []);
        } else {
            roff.control("PP", []);
            roff.text([roman(line)]);
            while let Some(next) = lines.next_if(|l| !l.starts_with(char::is_whitespace)) {
                roff.text([roman(next)]);
            }
        }
    }
}

#[test]
fn pages_have_the_sections_and_one_page_per_command() {
    let pages = pages();
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    for wanted in [
        "tokenctl.1",
        "tokenctl-tokens.1",
        "tokenctl-tokens-list.1",
        "tokenctl-service-tokens-rotate.1",
        "tokenctl-api-tokens-revoke.1",
        "tokenctl-project-tokens-delete.1",
        "tokenctl-completion.1",
        "tokenctl-sandbox-serve.1",
    ] {
        assert!(names.contains(&wanted), "{wanted} missing from {names:?}");
    }
    assert!(!names.iter().any(|n| n.contains("-help")), "{names:?}");
    let root = &pages[0].1;
    for section in [".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", ".SH FILES"] {
        assert!(root.contains(section), "tokenctl.1 lacks {section}");
    }
    for var in ["TOKENCTL_PROFILE", "CLOUDFLARE_API_TOKEN", "NO_COLOR"] {
        assert!(root.contains(&format!("\\fB{var}\\fR")), "{var}");
    }
    assert!(root.contains("completion"));
    for (name, page) in &pages {
        assert!(page.contains(".SH \"EXIT STATUS\""), "{name}");
        assert!(page.contains("outcome unknown"), "{name}");
        assert!(!page.contains(".SH EXTRA"), "{name}");
    }
    let list = &pages
        .iter()
        .find(|(n, _)| n == "tokenctl-tokens-list.1")
        .expect("page")
        .1;
    assert!(list.contains(".SH EXAMPLES"));
    assert!(
        list.contains("tokenctl tokens list \\-\\-status disabled"),
        "{list}"
    );
}
