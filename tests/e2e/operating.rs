//! docs/OPERATING.md followed literally: every `sh` block of it, in order, in one shell, in an
//! empty folder, with the real binary on the `PATH` — from nothing to a site whose cars are
//! planned and limited.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

/// A port free right now on 127.0.0.1.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The `sh` blocks of a Markdown text, in order.
fn shell_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), text) => {
                block.push_str(text);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_operating_guide_takes_an_empty_folder_to_a_controlled_site() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("docs/OPERATING.md")).expect("the guide");
    let blocks = shell_blocks(&guide);
    assert!(blocks.len() >= 8, "the guide's steps: {}", blocks.len());
    let script = format!("set -euo pipefail\n{}", blocks.join("\n"));
    let folder = tempfile::tempdir().expect("folder");
    let binary = Path::new(env!("CARGO_BIN_EXE_chargeplan"));
    let path = format!(
        "{}:{}",
        binary.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut command = Command::new("timeout");
    command
        .args(["300", "bash", "-c", &script])
        .current_dir(folder.path())
        .env("PATH", path)
        .env("PORT", free_port().to_string())
        .env("SIM_PORT", free_port().to_string());
    for (key, _) in std::env::vars_os() {
        if key
            .to_string_lossy()
            .to_ascii_uppercase()
            .starts_with("CHARGEPLAN__")
        {
            command.env_remove(key);
        }
    }
    let output = command.output().expect("bash runs");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let log = |name: &str| std::fs::read_to_string(folder.path().join(name)).unwrap_or_default();
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}\nserver.log:\n{}\nsim.log:\n{}",
        String::from_utf8_lossy(&output.stderr),
        log("server.log"),
        log("sim.log")
    );
    assert!(stdout.contains(r#""status":"ready""#), "{stdout}");
    assert!(stdout.contains("registered vendor account sim"), "{stdout}");
    // The demo's first six cars plug in at once; the last line counts the stored sessions.
    let stored: usize = stdout
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .unwrap_or_else(|| panic!("a count of sessions last: {stdout}"));
    assert!(stored >= 6, "{stdout}");
    let setpoints = std::fs::read_to_string(folder.path().join("setpoints.json")).expect("file");
    assert!(
        setpoints.contains("p-0"),
        "limits were sent to mapped ports: {setpoints}"
    );
}
