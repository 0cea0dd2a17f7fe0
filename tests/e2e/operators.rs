//! `chargeplan operator` and `chargeplan token` as an operator runs them: accounts and tokens
//! made on the command line work against the running server at once, a site operator sees
//! only their sites, a revoked token stops working, and bad input exits non-zero with the
//! reason and changes nothing.

use std::io::Write as _;
use std::process::{Output, Stdio};

use serde_json::{Value, json};

use crate::helpers::{chargeplan, run, spawn_app};

/// Runs a one-shot command on the store in `data_dir`, named with `--data-dir` as `serve`
/// takes it (no setting in the environment), from another working directory.
fn cli(data_dir: &str, args: &[&str]) -> Output {
    let cwd = tempfile::tempdir().expect("cwd");
    let with_dir: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--data-dir", data_dir])
        .collect();
    run(cwd.path(), &with_dir, &[])
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `token create` and the token it prints (its only stdout line).
fn new_token(data_dir: &str, operator: &str) -> String {
    let output = cli(
        data_dir,
        &["token", "create", "--operator", operator, "--label", "e2e"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let token = stdout(&output).trim().to_owned();
    assert_eq!(token.len(), 43, "one 256-bit token: {token:?}");
    token
}

async fn call(
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("HTTP request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_and_tokens_made_on_the_command_line_work_against_the_running_server() {
    let data = tempfile::tempdir().expect("data dir");
    let data_dir = data.path().to_str().expect("UTF-8 path");
    let created = cli(
        data_dir,
        &["operator", "create", "--name", "Root", "--role", "admin"],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(
        stdout(&created).contains("root (admin: every site)"),
        "{}",
        stdout(&created)
    );
    let root = new_token(data_dir, "root");

    let app = spawn_app(data.path(), &[]);
    for site in ["lot-a", "lot-b"] {
        let url = format!("{}/api/v1/sites/{site}", app.address);
        let body = json!({"name": site, "time_zone": "America/Los_Angeles", "slot_minutes": 5});
        let (status, answer) = call(reqwest::Method::PUT, &url, &root, Some(body)).await;
        assert!(status == 200 || status == 201, "{status} {answer}");
    }

    // While the server runs: a site operator of lot-a, with a token and a password.
    let mut create = chargeplan(data.path())
        .args([
            "operator",
            "create",
            "--name",
            "alice",
            "--role",
            "site-operator",
        ])
        .args(["--site", "lot-a", "--password-stdin"])
        .args(["--data-dir", data_dir])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start operator create");
    create
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a long enough password\n")
        .expect("password written");
    let created = create.wait_with_output().expect("operator create");
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(!stdout(&created).contains("a long enough password"));
    let alice = new_token(data_dir, "alice");

    let sites = format!("{}/api/v1/sites", app.address);
    let (status, listed) = call(reqwest::Method::GET, &sites, &alice, None).await;
    assert_eq!(status, 200, "{listed}");
    let ids: Vec<&str> = listed["sites"]
        .as_array()
        .expect("sites")
        .iter()
        .filter_map(|site| site["id"].as_str())
        .collect();
    assert_eq!(ids, ["lot-a"], "alice sees only her site");
    let other = format!("{}/api/v1/sites/lot-b", app.address);
    assert_eq!(
        call(reqwest::Method::GET, &other, &alice, None).await.0,
        404
    );
    let (status, _) = call(reqwest::Method::GET, &other, &root, None).await;
    assert_eq!(status, 200, "the admin sees every site");

    // Listing shows ids and labels, never the tokens; revoking one stops it at once.
    let listed = cli(data_dir, &["token", "list", "--operator", "alice"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let listing = stdout(&listed);
    assert!(!listing.contains(&alice), "a token list never shows tokens");
    let id = listing
        .lines()
        .nth(1)
        .and_then(|line| line.split_whitespace().next())
        .expect("a token row")
        .to_owned();
    let revoked = cli(data_dir, &["token", "revoke", &id]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    let (status, answer) = call(reqwest::Method::GET, &sites, &alice, None).await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["error"]["message"], "this API token was revoked");
    let again = cli(data_dir, &["token", "revoke", &id]);
    assert!(!again.status.success(), "revoking twice is an error");
}

#[test]
fn bad_operator_input_exits_non_zero_with_the_reason_and_creates_nothing() {
    let data = tempfile::tempdir().expect("data dir");
    let data_dir = data.path().to_str().expect("UTF-8 path");
    let cases: [(&[&str], &str); 4] = [
        (
            &["operator", "create", "--name", "x", "--role", "boss"],
            "--role",
        ),
        (
            &[
                "operator",
                "create",
                "--name",
                "x",
                "--role",
                "site-operator",
                "--site",
                "nowhere",
            ],
            "--site",
        ),
        (
            &[
                "operator",
                "create",
                "--name",
                "Bad Name!",
                "--role",
                "admin",
            ],
            "name",
        ),
        (
            &["token", "create", "--operator", "nobody"],
            "no operator named",
        ),
    ];
    for (args, reason) in cases {
        let output = cli(data_dir, args);
        assert!(!output.status.success(), "{args:?} must fail");
        let said = format!("{}{}", stderr(&output), stdout(&output));
        assert!(said.contains(reason), "{args:?}: {said}");
    }
    let listed = cli(data_dir, &["operator", "list"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(stdout(&listed).trim(), "", "no operator was created");
}
