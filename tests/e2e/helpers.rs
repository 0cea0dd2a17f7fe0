//! Starting the real binary: `spawn_app()` for the server, `run()` for one-shot commands.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the first start (store creation and migrations) may take on a slow CI machine.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a server may take to exit after SIGTERM.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A `Command` for the binary with no configuration at all: no `CHARGEPLAN__*` variable from the
/// test's environment, and a working directory without a `config/` folder.
pub fn chargeplan(cwd: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chargeplan"));
    command.current_dir(cwd);
    for (key, _) in std::env::vars_os() {
        if key
            .to_string_lossy()
            .to_ascii_uppercase()
            .starts_with("CHARGEPLAN__")
        {
            command.env_remove(key);
        }
    }
    command
}

/// Runs a one-shot command to completion.
pub fn run(cwd: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    chargeplan(cwd)
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("run chargeplan")
}

/// A running `chargeplan serve` process; killed when dropped.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`, read from the `listening on` log line.
    pub address: String,
    /// The process, to signal and wait for.
    child: Child,
    /// Every stderr line so far, for failure messages.
    stderr: Arc<Mutex<Vec<String>>>,
}

/// Starts `chargeplan serve --listen 127.0.0.1:0 --data-dir DATA_DIR` from an empty working
/// directory, with `envs` as its only settings, and waits for its `listening on` line.
pub fn spawn_app(data_dir: &Path, envs: &[(&str, &str)]) -> TestApp {
    let cwd = tempfile::tempdir().expect("working directory");
    let data_dir = data_dir.to_str().expect("UTF-8 temp path");
    let mut child = chargeplan(cwd.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir])
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chargeplan serve");
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let (address_tx, address_rx) = mpsc::channel();
    let reader = BufReader::new(child.stderr.take().expect("piped stderr"));
    let lines = Arc::clone(&stderr);
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            if let Some(address) = listening_address(&line) {
                let _ = address_tx.send(address);
            }
            lines.lock().expect("stderr lines").push(line);
        }
    });
    let deadline = Instant::now() + START_TIMEOUT;
    let mut app = TestApp {
        address: String::new(),
        child,
        stderr,
    };
    loop {
        if let Ok(address) = address_rx.recv_timeout(Duration::from_millis(100)) {
            app.address = address;
            return app;
        }
        if let Ok(Some(status)) = app.child.try_wait() {
            panic!(
                "chargeplan serve exited with {status} before listening:\n{}",
                app.stderr_text()
            );
        }
        assert!(
            Instant::now() < deadline,
            "no `listening on` line:\n{}",
            app.stderr_text()
        );
    }
}

/// `http://ADDR` from a line containing `listening on http://ADDR`.
fn listening_address(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("listening on http://")?;
    let address: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"')
        .collect();
    Some(format!("http://{address}"))
}

impl TestApp {
    /// GETs `path` and returns the status and the JSON body.
    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = reqwest::get(format!("{}{path}", self.address))
            .await
            .expect("HTTP request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// Sends SIGTERM and waits for the exit; `None` when it did not exit within `STOP_TIMEOUT`.
    pub fn terminate(&mut self) -> Option<ExitStatus> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {pid} failed");
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait for chargeplan") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Everything the server logged so far.
    pub fn stderr_text(&self) -> String {
        self.stderr.lock().expect("stderr lines").join("\n")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl TestApp {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server with SIGKILL (`kill -9`: no shutdown code runs) and reaps it.
    pub fn kill_hard(&mut self) -> ExitStatus {
        let pid = self.pid().to_string();
        let sent = Command::new("kill")
            .args(["-9", &pid])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -9 {pid} failed");
        self.child.wait().expect("reap chargeplan")
    }
}
