//! `chargeplan sim` and `chargeplan vendor`: a simulated CPO as its own process, registered
//! with a running server through the OCPI credentials handshake.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};

use crate::helpers::{chargeplan, run, spawn_app};

/// A running `chargeplan sim`; killed when dropped.
struct Sim {
    child: Child,
    versions_url: String,
    /// Kept open so the simulator can keep writing.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_sim(cwd: &std::path::Path, extra: &[&str]) -> Sim {
    let mut child = chargeplan(cwd)
        .args(["sim", "--listen", "127.0.0.1:0", "--site", "demo"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chargeplan sim");
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    stdout.read_line(&mut first).expect("first line");
    let versions_url = first
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_owned();
    Sim {
        child,
        versions_url,
        _stdout: stdout,
    }
}

#[tokio::test]
async fn the_simulator_serves_ocpi_with_its_token_and_stops_on_sigterm() {
    let cwd = tempfile::tempdir().expect("cwd");
    let mut sim = spawn_sim(cwd.path(), &["--token", "sim-token"]);

    let client = reqwest::Client::new();
    let refused = client.get(&sim.versions_url).send().await.expect("request");
    let accepted = client
        .get(&sim.versions_url)
        .header("Authorization", "Token c2ltLXRva2Vu")
        .send()
        .await
        .expect("request");

    assert_eq!(refused.status().as_u16(), 401);
    assert_eq!(accepted.status().as_u16(), 200);
    let pid = sim.child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let status = sim.child.wait().expect("exit");
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn fault_rates_given_as_flags_fire_and_are_read_back_from_the_control_surface() {
    let cwd = tempfile::tempdir().expect("cwd");
    let sim = spawn_sim(
        cwd.path(),
        &[
            "--token",
            "sim-token",
            "--fault-rate",
            "server-error=1",
            "--hang-s",
            "7",
        ],
    );
    let client = reqwest::Client::new();
    let base = sim.versions_url.trim_end_matches("/ocpi/versions");
    let locations = client
        .get(format!("{base}/ocpi/2.2.1/locations"))
        .header("Authorization", "Token c2ltLXRva2Vu")
        .send()
        .await
        .expect("request");
    assert_eq!(locations.status().as_u16(), 503);
    let switches: serde_json::Value = client
        .get(format!("{base}/sim/faults"))
        .header("Authorization", "Token sim-token")
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert_eq!(switches["rates"]["server_error"], 1.0);
    assert_eq!(switches["hang_ms"], 7000);
}

#[test]
fn a_bad_fault_rate_is_refused_naming_the_flag() {
    let cwd = tempfile::tempdir().expect("cwd");
    for (given, says) in [
        ("slow=0.2", "unknown kind"),
        ("hang=lots", "is not a number"),
        ("reset=1.2", "rate reset is 1.2"),
        ("hang", "write KIND=RATE"),
    ] {
        let out = run(
            cwd.path(),
            &["sim", "--listen", "127.0.0.1:0", "--fault-rate", given],
            &[],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{given}: {stderr}");
        assert!(stderr.contains(says), "{given}: {stderr}");
    }
}

#[tokio::test]
async fn a_vendor_registered_from_the_command_line_is_stored_without_showing_tokens() {
    let data = tempfile::tempdir().expect("data dir");
    let app = spawn_app(data.path(), &[]);
    let cwd = tempfile::tempdir().expect("cwd");
    let sim = spawn_sim(cwd.path(), &["--token", "the-token-a", "--token-a"]);
    let data_dir = data.path().to_str().expect("UTF-8");
    let envs = [("CHARGEPLAN__EXCHANGE__PUBLIC_URL", app.address.as_str())];

    let registered = run(
        cwd.path(),
        &[
            "vendor",
            "register",
            "--id",
            "sim-cpo",
            "--versions-url",
            &sim.versions_url,
            "--token-a",
            "the-token-a",
            "--data-dir",
            data_dir,
        ],
        &envs,
    );
    let listed = run(
        cwd.path(),
        &["vendor", "list", "--data-dir", data_dir],
        &envs,
    );

    let out = String::from_utf8_lossy(&registered.stdout);
    assert_eq!(
        registered.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&registered.stderr)
    );
    assert!(out.contains("registered vendor account sim-cpo"), "{out}");
    assert!(
        out.contains("10 connectors (8 accept charging profiles)"),
        "{out}"
    );
    let list = String::from_utf8_lossy(&listed.stdout);
    assert!(
        list.contains("sim-cpo") && list.contains("enabled"),
        "{list}"
    );
    assert!(!list.contains("the-token-a") && !out.contains("the-token-a"));
    let wrong = run(
        cwd.path(),
        &[
            "vendor",
            "register",
            "--id",
            "again",
            "--versions-url",
            &sim.versions_url,
            "--token-a",
            "not-the-token",
            "--data-dir",
            data_dir,
        ],
        &envs,
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("401"));
}

#[test]
fn registering_without_a_server_at_the_public_url_says_so_and_stores_nothing() {
    let data = tempfile::tempdir().expect("data dir");
    let cwd = tempfile::tempdir().expect("cwd");
    let data_dir = data.path().to_str().expect("UTF-8");

    // Port 9 (discard) has no chargeplan server on a test machine.
    let registered = run(
        cwd.path(),
        &[
            "vendor",
            "register",
            "--id",
            "sim-cpo",
            "--versions-url",
            "http://127.0.0.1:9/ocpi/versions",
            "--token-a",
            "the-token-a",
            "--public-url",
            "http://127.0.0.1:9",
            "--data-dir",
            data_dir,
        ],
        &[],
    );
    let listed = run(cwd.path(), &["vendor", "list", "--data-dir", data_dir], &[]);

    let stderr = String::from_utf8_lossy(&registered.stderr);
    assert_eq!(registered.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no chargeplan server answers at http://127.0.0.1:9")
            && stderr.contains("--public-url"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&listed.stdout).contains("sim-cpo"));
}
