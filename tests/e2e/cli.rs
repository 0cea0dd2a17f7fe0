//! One-shot commands: help, invalid settings, migrate.

use std::io::Write as _;

use crate::helpers::run;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_lists_every_subcommand() {
    let cwd = tempfile::tempdir().expect("cwd");

    let output = run(cwd.path(), &["--help"], &[]);

    assert_eq!(output.status.code(), Some(0));
    let help = text(&output.stdout);
    for command in [
        "serve", "migrate", "demo", "optimize", "sim", "vendor", "replay",
    ] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(command)),
            "{command} missing:\n{help}"
        );
    }
}

#[test]
fn an_invalid_listen_setting_in_the_environment_exits_2_naming_the_key() {
    let cwd = tempfile::tempdir().expect("cwd");

    let output = run(
        cwd.path(),
        &["serve"],
        &[("CHARGEPLAN__SERVER__LISTEN", "abc")],
    );

    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("invalid setting server.listen"), "{stderr}");
    assert!(
        stderr.contains("\"abc\" is not a socket address"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_key_in_a_config_file_exits_2_naming_the_key() {
    let cwd = tempfile::tempdir().expect("cwd");
    let config = cwd.path().join("chargeplan.toml");
    let mut file = std::fs::File::create(&config).expect("config file");
    file.write_all(b"[server]\nlistn = \"127.0.0.1:0\"\n")
        .expect("write config");

    let output = run(cwd.path(), &["--config", "chargeplan.toml", "serve"], &[]);

    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("unknown setting server.listn"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn migrate_on_a_fresh_data_dir_applies_migrations_and_prints_them() {
    let cwd = tempfile::tempdir().expect("cwd");
    let data_dir = cwd.path().join("state");
    let data_dir = data_dir.to_str().expect("UTF-8 path");
    let env = [("CHARGEPLAN__SERVER__DATA_DIR", data_dir)];

    let first = run(cwd.path(), &["migrate"], &env);
    let second = run(cwd.path(), &["migrate"], &env);

    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let printed = text(&first.stdout);
    assert!(
        printed.lines().any(|l| l.starts_with("applied ")),
        "{printed}"
    );
    assert!(printed.contains("sqlite store migrated"), "{printed}");
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    assert!(
        text(&second.stdout).contains("up to date"),
        "{}",
        text(&second.stdout)
    );
}
