use clap_complete::engine::ArgValueCompleter;

use super::cache::Item;
use super::*;

fn values(c: &[CompletionCandidate]) -> Vec<String> {
    c.iter()
        .map(|c| c.get_value().to_string_lossy().into_owned())
        .collect()
}

fn find<'a>(cmd: &'a Command, path: &[&str]) -> &'a Command {
    path.iter().fold(cmd, |c, name| {
        c.find_subcommand(name)
            .unwrap_or_else(|| panic!("no subcommand {name}"))
    })
}

#[test]
fn token_arguments_get_a_completer_and_others_do_not() {
    let mut cmd = command();
    cmd.build();
    for path in [
        ["tokens", "get"],
        ["tokens", "delete"],
        ["tokens", "roll"],
        ["tokens", "update"],
        ["service-tokens", "rotate"],
        ["service-tokens", "refresh"],
        ["api-tokens", "revoke"],
        ["project-tokens", "delete"],
    ] {
        let sub = find(&cmd, &path);
        let completers = sub
            .get_arguments()
            .filter(|a| a.get::<ArgValueCompleter>().is_some())
            .map(|a| a.get_id().to_string())
            .collect::<Vec<_>>();
        // The global --profile and the TOKEN argument.
        assert!(completers.contains(&"profile".to_owned()), "{path:?}");
        assert!(completers.len() >= 2, "{path:?}: {completers:?}");
    }
    let list = find(&cmd, &["tokens", "list"]);
    let with: Vec<_> = list
        .get_arguments()
        .filter(|a| a.get::<ArgValueCompleter>().is_some())
        .map(|a| a.get_id().to_string())
        .collect();
    assert_eq!(with, ["profile"]);
}

#[test]
fn registration_scripts_call_tokenctl_by_name() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = registration(shell).expect(shell);
        assert!(script.contains(VAR), "{shell}");
        assert!(script.contains("tokenctl"), "{shell}");
        assert!(!script.contains("target/"), "{shell}: {script}");
    }
    assert!(registration("tcsh").is_err());
}

#[test]
fn names_then_ids_filtered_by_prefix() {
    let items = vec![
        Item {
            id: "aaa1".into(),
            name: Some("ci-deploy".into()),
        },
        Item {
            id: "bbb2".into(),
            name: Some("Edit zone DNS".into()),
        },
        Item {
            id: "ccc3".into(),
            name: Some("twin".into()),
        },
        Item {
            id: "ddd4".into(),
            name: Some("twin".into()),
        },
        Item {
            id: "eee5".into(),
            name: None,
        },
    ];
    assert_eq!(
        values(&candidates(&items, "")),
        ["ci-deploy", "aaa1", "bbb2", "ccc3", "ddd4", "eee5"]
    );
    assert_eq!(values(&candidates(&items, "c")), ["ci-deploy", "ccc3"]);
    assert_eq!(values(&candidates(&items, "zzz")), Vec::<String>::new());
    let first = &candidates(&items, "ci")[0];
    assert_eq!(
        first.get_help().map(ToString::to_string).as_deref(),
        Some("aaa1")
    );
}

#[test]
fn globals_carry_typed_profile_and_sandbox() {
    let g = globals(&Typed {
        profile: Some("prod".into()),
        sandbox: true,
        project: None,
    })
    .expect("globals");
    assert_eq!(g.profile.as_deref(), Some("prod"));
    assert!(g.sandbox && g.quiet && g.no_input);
    assert_eq!(g.timeout, BUDGET);
}

#[test]
fn hostile_ids_are_not_offered_and_hostile_names_are_shown_escaped() {
    let item = |id: &str, name: Option<&str>| Item {
        id: id.to_owned(),
        name: name.map(str::to_owned),
    };
    let items = [
        item("0123456789abcdef0123456789abcdef", Some("cr\rXX\u{1b}[2J")),
        item("..", Some("dotdot")),
        item("$(id)", Some("subshell")),
        item("`id`\u{1b}[2J", None),
        item("a/b", None),
    ];
    let got = candidates(&items, "");
    assert_eq!(values(&got), ["0123456789abcdef0123456789abcdef"]);
    let help = got[0].get_help().map(|h| h.to_string()).unwrap_or_default();
    assert_eq!(help, "cr\\rXX\\e[2J");
}
