//! Unit tests of settings layering, validation messages and secret handling.

use std::collections::HashMap;
use std::io::Write as _;

use super::*;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn config_file(contents: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("temp file");
    file.write_all(contents.as_bytes())
        .expect("write temp file");
    file
}

fn load_env(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    Settings::load(None, &env(pairs), &Overrides::default())
}

fn error_of(pairs: &[(&str, &str)]) -> String {
    load_env(pairs)
        .expect_err("settings must be rejected")
        .to_string()
}

#[test]
fn defaults_alone_give_the_documented_values() {
    let settings = load_env(&[]).expect("defaults are valid");

    assert_eq!(settings.server.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(settings.server.data_dir, PathBuf::from("./data"));
    assert_eq!(settings.server.shutdown_timeout, Duration::from_secs(10));
    assert_eq!(settings.server.request_timeout, Duration::from_secs(30));
    assert_eq!(settings.exchange.request_timeout, Duration::from_secs(30));
    assert!(settings.database.postgres_url.is_none());
    assert_eq!(settings.database.max_connections, 10);
    assert_eq!(settings.log.format, LogFormat::Human);
    assert_eq!(settings.log.filter, "info");
}

#[test]
fn an_empty_database_url_means_sqlite_in_the_data_dir() {
    let settings = load_env(&[("CHARGEPLAN__SERVER__DATA_DIR", "/var/lib/cp")]).expect("valid");

    let target = settings.store_target();

    assert!(
        matches!(&target, StoreTarget::Sqlite { path } if path == Path::new("/var/lib/cp/chargeplan.db")),
        "{target:?}"
    );
}

#[test]
fn a_postgres_url_selects_postgres_with_the_pool_size() {
    let settings = load_env(&[
        ("CHARGEPLAN__DATABASE__URL", "postgres://cp:pw@db:5432/cp"),
        ("CHARGEPLAN__DATABASE__MAX_CONNECTIONS", "25"),
    ])
    .expect("valid");

    let target = settings.store_target();

    assert!(
        matches!(&target, StoreTarget::Postgres { url, max_connections: 25 } if url == "postgres://cp:pw@db:5432/cp"),
        "{target:?}"
    );
}

#[test]
fn a_config_file_overrides_defaults_and_the_environment_overrides_the_file() {
    let file = config_file(
        "[server]\nlisten = \"0.0.0.0:9000\"\nrequest_timeout_s = 5\n[log]\nformat = \"json\"\n",
    );
    let vars = env(&[("CHARGEPLAN__SERVER__LISTEN", "127.0.0.1:9100")]);

    let settings = Settings::load(Some(file.path()), &vars, &Overrides::default()).expect("valid");

    assert_eq!(
        settings.server.listen.to_string(),
        "127.0.0.1:9100",
        "env beats file"
    );
    assert_eq!(
        settings.server.request_timeout,
        Duration::from_secs(5),
        "file beats defaults"
    );
    assert_eq!(settings.log.format, LogFormat::Json, "file beats defaults");
    assert_eq!(
        settings.server.shutdown_timeout,
        Duration::from_secs(10),
        "defaults fill the rest"
    );
}

#[test]
fn command_line_flags_override_the_environment() {
    let vars = env(&[
        ("CHARGEPLAN__SERVER__LISTEN", "127.0.0.1:9100"),
        ("CHARGEPLAN__SERVER__DATA_DIR", "/from/env"),
    ]);
    let overrides = Overrides {
        listen: Some("127.0.0.1:0".to_owned()),
        data_dir: Some("/from/flag".into()),
    };

    let settings = Settings::load(None, &vars, &overrides).expect("valid");

    assert_eq!(settings.server.listen.to_string(), "127.0.0.1:0");
    assert_eq!(settings.server.data_dir, PathBuf::from("/from/flag"));
}

#[test]
fn environment_variables_use_double_underscores_and_ignore_other_names() {
    let settings = load_env(&[
        ("CHARGEPLAN__LOG__FILTER", "debug"),
        ("CHARGEPLAN_TEST_DATABASE_URL", "postgres://not-a-setting"),
        ("PATH", "/usr/bin"),
    ])
    .expect("only CHARGEPLAN__ variables are settings");

    assert_eq!(settings.log.filter, "debug");
}

#[test]
fn an_invalid_listen_address_names_the_key_and_an_example() {
    let message = error_of(&[("CHARGEPLAN__SERVER__LISTEN", "abc")]);

    assert_eq!(
        message,
        "invalid setting server.listen: \"abc\" is not a socket address (expected e.g. 127.0.0.1:8080)"
    );
}

#[test]
fn an_empty_data_dir_is_rejected() {
    let message = error_of(&[("CHARGEPLAN__SERVER__DATA_DIR", " ")]);

    assert!(
        message.starts_with("invalid setting server.data_dir: must not be empty"),
        "{message}"
    );
}

#[test]
fn timeouts_must_be_whole_seconds_in_range() {
    let shutdown = error_of(&[("CHARGEPLAN__SERVER__SHUTDOWN_TIMEOUT_S", "ten")]);
    let request = error_of(&[("CHARGEPLAN__SERVER__REQUEST_TIMEOUT_S", "0")]);

    assert_eq!(
        shutdown,
        "invalid setting server.shutdown_timeout_s: \"ten\" is not a whole number of seconds from 0 to 3600"
    );
    assert_eq!(
        request,
        "invalid setting server.request_timeout_s: \"0\" is not a whole number of seconds from 1 to 3600"
    );
}

#[test]
fn a_database_url_that_is_not_postgres_is_rejected_without_echoing_it() {
    let message = error_of(&[("CHARGEPLAN__DATABASE__URL", "mysql://root:hunter2@db/cp")]);

    assert!(
        message.starts_with("invalid setting database.url: must be empty"),
        "{message}"
    );
    assert!(
        !message.contains("hunter2"),
        "the URL may hold a password: {message}"
    );
}

#[test]
fn max_connections_must_be_a_positive_whole_number() {
    let message = error_of(&[("CHARGEPLAN__DATABASE__MAX_CONNECTIONS", "0")]);

    assert_eq!(
        message,
        "invalid setting database.max_connections: \"0\" is not a whole number from 1 to 1000"
    );
}

#[test]
fn log_format_must_be_human_or_json() {
    let message = error_of(&[("CHARGEPLAN__LOG__FORMAT", "xml")]);

    assert_eq!(
        message,
        "invalid setting log.format: \"xml\" is not \"human\" or \"json\""
    );
}

#[test]
fn log_filter_must_be_a_valid_directive() {
    let message = error_of(&[("CHARGEPLAN__LOG__FILTER", "info,chargeplan=loud")]);

    assert!(
        message.starts_with("invalid setting log.filter: \"info,chargeplan=loud\""),
        "{message}"
    );
}

#[test]
fn an_unknown_key_in_a_config_file_is_an_error_naming_key_and_file() {
    let file = config_file("[server]\nlistn = \"0.0.0.0:9000\"\n");

    let error = Settings::load(Some(file.path()), &HashMap::new(), &Overrides::default())
        .expect_err("typo must not be ignored");

    let message = error.to_string();
    assert!(
        message.starts_with("unknown setting server.listn (set in "),
        "{message}"
    );
    assert!(
        message.contains(&file.path().display().to_string()),
        "{message}"
    );
}

#[test]
fn an_unknown_section_in_a_config_file_is_an_error() {
    let file = config_file("[sever]\nlisten = \"0.0.0.0:9000\"\n");

    let error = Settings::load(Some(file.path()), &HashMap::new(), &Overrides::default())
        .expect_err("typo must not be ignored");

    assert!(
        error
            .to_string()
            .starts_with("unknown setting sever.listen"),
        "{error}"
    );
}

#[test]
fn an_unknown_environment_variable_names_the_variable() {
    let message = error_of(&[("CHARGEPLAN__SERVER__LISTN", "0.0.0.0:9000")]);

    assert!(
        message.starts_with(
            "unknown setting server.listn (set in the environment as CHARGEPLAN__SERVER__LISTN)"
        ),
        "{message}"
    );
}

#[test]
fn a_missing_config_file_is_an_error() {
    let error = Settings::load(
        Some(Path::new("/nonexistent/chargeplan.toml")),
        &HashMap::new(),
        &Overrides::default(),
    )
    .expect_err("missing file must be reported");

    assert!(
        error.to_string().starts_with("cannot load settings:"),
        "{error}"
    );
}

#[test]
fn debug_output_never_shows_the_database_password() {
    let settings =
        load_env(&[("CHARGEPLAN__DATABASE__URL", "postgres://cp:s3cr3t-pw@db/cp")]).expect("valid");

    let debug = format!("{settings:?}");

    assert!(!debug.contains("s3cr3t-pw"), "{debug}");
    assert!(debug.contains("[REDACTED]"), "{debug}");
}

#[test]
fn the_built_in_defaults_document_every_key() {
    for key in KNOWN_KEYS {
        let (_, name) = key.split_once('.').expect("dotted key");
        let line = DEFAULTS_TOML
            .lines()
            .position(|l| l.starts_with(&format!("{name} =")))
            .unwrap_or_else(|| panic!("{key} missing from config/default.toml"));
        let previous = DEFAULTS_TOML.lines().nth(line - 1).unwrap_or_default();
        assert!(previous.starts_with('#'), "{key} has no comment above it");
    }
}

#[test]
fn texts_go_to_the_console_by_default_and_the_operator_api_is_off() {
    let settings = load_env(&[]).expect("defaults are valid");

    assert!(matches!(settings.sms, SmsSettings::Console { page: false }));
    assert!(settings.api.admin_token_hash().is_none());
    assert_eq!(settings.driver.link_grace, Duration::from_secs(3600));
    assert_eq!(settings.driver.replan_interval, Duration::from_secs(300));
}

#[test]
fn twilio_needs_its_account_token_and_exactly_one_sender() {
    let base = [
        ("CHARGEPLAN__SMS__PROVIDER", "twilio"),
        ("CHARGEPLAN__SMS__TWILIO_ACCOUNT_SID", "AC0123"),
        ("CHARGEPLAN__SMS__TWILIO_AUTH_TOKEN", "the-auth-token"),
    ];
    let no_sender = error_of(&base);
    let mut both = base.to_vec();
    both.extend([
        ("CHARGEPLAN__SMS__TWILIO_FROM", "+15005550006"),
        ("CHARGEPLAN__SMS__TWILIO_MESSAGING_SERVICE_SID", "MG0123"),
    ]);
    let mut good = base.to_vec();
    good.push(("CHARGEPLAN__SMS__TWILIO_FROM", "+15005550006"));

    assert!(no_sender.contains("sms.twilio_from"), "{no_sender}");
    assert!(error_of(&both).contains("exactly one"));
    assert!(error_of(&[("CHARGEPLAN__SMS__PROVIDER", "pigeon")]).contains("sms.provider"));
    let SmsSettings::Twilio(twilio) = load_env(&good).expect("valid").sms else {
        panic!("twilio selected");
    };
    assert_eq!(twilio.api_base, "https://api.twilio.com");
    assert!(
        !format!("{twilio:?}").contains("the-auth-token"),
        "the token is redacted"
    );
}

#[test]
fn a_short_admin_token_is_rejected_without_echoing_it() {
    let message = error_of(&[("CHARGEPLAN__API__ADMIN_TOKEN", "hunter2")]);

    assert!(message.contains("api.admin_token"), "{message}");
    assert!(!message.contains("hunter2"));
    let long = "x".repeat(40);
    let settings = load_env(&[("CHARGEPLAN__API__ADMIN_TOKEN", long.as_str())]).expect("valid");
    assert_eq!(settings.api.admin_token_hash().map(|h| h.len()), Some(64));
}

#[test]
fn the_console_page_is_served_only_when_asked_for() {
    let on = load_env(&[("CHARGEPLAN__SMS__CONSOLE_PAGE", "true")]).expect("valid");
    let bad = error_of(&[("CHARGEPLAN__SMS__CONSOLE_PAGE", "maybe")]);

    assert!(matches!(on.sms, SmsSettings::Console { page: true }));
    assert!(bad.contains("sms.console_page"), "{bad}");
}

#[test]
fn the_public_number_is_validated_and_falls_back_to_the_twilio_sender() {
    let unset = load_env(&[]).expect("valid");
    let set = load_env(&[("CHARGEPLAN__SMS__PUBLIC_NUMBER", "+1 555 010 0000")]).expect("valid");
    let bad = error_of(&[("CHARGEPLAN__SMS__PUBLIC_NUMBER", "555-0100")]);
    let twilio = load_env(&[
        ("CHARGEPLAN__SMS__PROVIDER", "twilio"),
        ("CHARGEPLAN__SMS__TWILIO_ACCOUNT_SID", "AC0123"),
        ("CHARGEPLAN__SMS__TWILIO_AUTH_TOKEN", "the-auth-token"),
        ("CHARGEPLAN__SMS__TWILIO_FROM", "+15005550006"),
    ])
    .expect("valid");
    let service = load_env(&[
        ("CHARGEPLAN__SMS__PROVIDER", "twilio"),
        ("CHARGEPLAN__SMS__TWILIO_ACCOUNT_SID", "AC0123"),
        ("CHARGEPLAN__SMS__TWILIO_AUTH_TOKEN", "the-auth-token"),
        ("CHARGEPLAN__SMS__TWILIO_MESSAGING_SERVICE_SID", "MG0123"),
    ])
    .expect("valid");

    assert_eq!(unset.sms_public_number, None);
    assert_eq!(
        set.sms_public_number.as_ref().map(|n| n.as_e164()),
        Some("+15550100000")
    );
    assert!(bad.contains("sms.public_number"), "{bad}");
    assert!(bad.contains("E.164"), "{bad}");
    assert_eq!(
        twilio.sms_public_number.as_ref().map(|n| n.as_e164()),
        Some("+15005550006")
    );
    assert_eq!(service.sms_public_number, None);
}

#[test]
fn arrival_headroom_is_none_one_port_or_kw_and_anything_else_is_named() {
    use chargeplan_control::arrivals::ArrivalHeadroom;
    let headroom = |value: &str| {
        load_env(&[("CHARGEPLAN__DRIVER__ARRIVAL_HEADROOM", value)])
            .expect("valid")
            .driver
            .arrival_headroom
    };
    assert_eq!(
        load_env(&[]).expect("defaults").driver.arrival_headroom,
        ArrivalHeadroom::None
    );
    assert_eq!(headroom("one_port"), ArrivalHeadroom::OnePort);
    assert_eq!(headroom("7.5"), ArrivalHeadroom::Kw(7.5));
    assert_eq!(
        error_of(&[("CHARGEPLAN__DRIVER__ARRIVAL_HEADROOM", "lots")]),
        "invalid setting driver.arrival_headroom: \"lots\" is not an arrival headroom: give none, one_port, or a number of kW from 0 to 100000"
    );
}

#[test]
fn a_failed_poll_is_retried_after_a_twelfth_of_the_interval_and_vendor_requests_time_out_as_set() {
    let listen: SocketAddr = "127.0.0.1:8080".parse().expect("address");
    let poller = |pairs: &[(&str, &str)]| {
        load_env(pairs)
            .expect("valid")
            .exchange
            .service_config(listen)
            .poller
    };
    assert_eq!(poller(&[]).retry_first, Duration::from_secs(5));
    assert_eq!(
        poller(&[("CHARGEPLAN__EXCHANGE__POLL_INTERVAL_S", "3")]).retry_first,
        Duration::from_millis(250)
    );
    let exchange = load_env(&[("CHARGEPLAN__EXCHANGE__REQUEST_TIMEOUT_S", "4")])
        .expect("valid")
        .exchange;
    assert_eq!(
        exchange.service_config(listen).request_timeout,
        Duration::from_secs(4)
    );
    assert_eq!(
        error_of(&[("CHARGEPLAN__EXCHANGE__REQUEST_TIMEOUT_S", "0")]),
        "invalid setting exchange.request_timeout_s: \"0\" is not a whole number of seconds from 1 to 3600"
    );
}
