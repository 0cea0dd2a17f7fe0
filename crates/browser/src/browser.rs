//! Finding, launching and cleaning up a headless Chromium.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::oneshot;

use crate::cdp::Connection;
use crate::{BrowserError, Page};

/// Environment variable naming the Chromium binary (a path, or a name looked up on `PATH`).
pub const CHROMIUM_ENV: &str = "CHARGEPLAN_CHROMIUM";

/// Names looked up on `PATH` when [`CHROMIUM_ENV`] is not set.
const CANDIDATES: [&str; 2] = ["chromium", "chromium-browser"];

/// How long Chromium may take to print its DevTools address.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);

/// Default limit for each DevTools call and each wait of a [`Page`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// How many of Chromium's last stderr lines are kept for error messages.
const STDERR_TAIL: usize = 30;

/// A headless Chromium process and the DevTools connection to it.
///
/// Dropping it kills Chromium's whole process group and removes its profile directory.
#[derive(Debug)]
pub struct Browser {
    connection: Arc<Connection>,
    process: Process,
    timeout: Duration,
}

impl Browser {
    /// Launches headless Chromium with a fresh profile and connects to it.
    ///
    /// The binary is `$CHARGEPLAN_CHROMIUM` when set, else `chromium` or `chromium-browser` on `PATH`.
    pub async fn launch() -> Result<Self, BrowserError> {
        let binary = find_chromium()?;
        let (process, devtools) = Process::spawn(&binary)?;
        let url = process.devtools_url(devtools, &binary).await?;
        let connection = Connection::connect(&url, DEFAULT_TIMEOUT).await?;
        Ok(Self {
            connection: Arc::new(connection),
            process,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Sets the limit for each DevTools call and wait of pages opened after this call.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// The process id of the main Chromium process (also its process group id).
    pub fn pid(&self) -> u32 {
        self.process.child.id()
    }

    /// Opens a new tab at `about:blank`, with the Page and Runtime domains enabled.
    pub async fn new_page(&self) -> Result<Page, BrowserError> {
        let created = self
            .connection
            .call(
                None,
                "Target.createTarget",
                json!({ "url": "about:blank" }),
                self.timeout,
            )
            .await?;
        let target_id = string_field(&created, "Target.createTarget", "targetId")?;
        let attached = self
            .connection
            .call(
                None,
                "Target.attachToTarget",
                json!({ "targetId": target_id, "flatten": true }),
                self.timeout,
            )
            .await?;
        let session_id = string_field(&attached, "Target.attachToTarget", "sessionId")?;
        Page::attach(
            Arc::clone(&self.connection),
            target_id,
            session_id,
            self.timeout,
        )
        .await
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.connection.close();
        // `process` drops next and kills Chromium.
    }
}

/// Reads a string field of a DevTools answer.
pub(crate) fn string_field(
    answer: &serde_json::Value,
    method: &str,
    field: &str,
) -> Result<String, BrowserError> {
    answer
        .get(field)
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| BrowserError::UnexpectedResponse {
            method: method.to_owned(),
            detail: format!("no string field {field:?} in {answer}"),
        })
}

/// Finds the Chromium binary: `$CHARGEPLAN_CHROMIUM`, else the first candidate on `PATH`.
fn find_chromium() -> Result<PathBuf, BrowserError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    if let Some(wanted) = std::env::var_os(CHROMIUM_ENV).filter(|v| !v.is_empty()) {
        return resolve(&wanted, &path).ok_or_else(|| BrowserError::ChromiumNotFound {
            detail: format!(
                "{CHROMIUM_ENV}={} is not an executable file (nor a command on PATH)",
                Path::new(&wanted).display()
            ),
        });
    }
    CANDIDATES
        .iter()
        .find_map(|name| resolve(name.as_ref(), &path))
        .ok_or_else(|| BrowserError::ChromiumNotFound {
            detail: format!(
                "{CHROMIUM_ENV} is not set and none of {} is on PATH",
                CANDIDATES.join(", ")
            ),
        })
}

/// Resolves a path (when it contains a `/`) or a command name on `path`.
fn resolve(wanted: &std::ffi::OsStr, path: &std::ffi::OsStr) -> Option<PathBuf> {
    let wanted_path = Path::new(wanted);
    if wanted_path.components().count() > 1 || wanted_path.is_absolute() {
        return is_executable(wanted_path).then(|| wanted_path.to_path_buf());
    }
    std::env::split_paths(path)
        .map(|dir| dir.join(wanted))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The Chromium process, in its own process group, with its temporary profile.
#[derive(Debug)]
struct Process {
    child: Child,
    /// Chromium's last stderr lines, for error messages.
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    /// Removed after the process is gone (fields drop after `Drop::drop`).
    profile: tempfile::TempDir,
}

impl Process {
    /// Starts Chromium; the receiver gets the `ws://` address once Chromium prints it.
    fn spawn(binary: &Path) -> Result<(Self, oneshot::Receiver<String>), BrowserError> {
        let spawn_error = |source| BrowserError::Spawn {
            binary: binary.to_path_buf(),
            source,
        };
        let profile = tempfile::Builder::new()
            .prefix("chargeplan-chromium-")
            .tempdir()
            .map_err(spawn_error)?;
        let mut user_data_dir = OsString::from("--user-data-dir=");
        user_data_dir.push(profile.path());
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-dev-shm-usage",
                "--mute-audio",
            ])
            .arg(user_data_dir)
            // What Chromium keeps per user (e.g. its crash handler's database) stays in the profile too.
            .env("XDG_CONFIG_HOME", profile.path().join("xdg-config"))
            .env("XDG_CACHE_HOME", profile.path().join("xdg-cache"))
            .args(["--remote-debugging-port=0", "about:blank"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(spawn_error)?;

        let stderr = child.stderr.take();
        let (url_tx, url_rx) = oneshot::channel();
        let stderr_tail = Arc::new(Mutex::new(VecDeque::with_capacity(STDERR_TAIL)));
        let tail = Arc::clone(&stderr_tail);
        // A plain thread keeps draining stderr until Chromium exits, so it never blocks on a full pipe.
        std::thread::spawn(move || {
            let Some(stderr) = stderr else { return };
            let mut url_tx = Some(url_tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("DevTools listening on ")
                    && let Some(tx) = url_tx.take()
                {
                    let _ = tx.send(url.trim().to_owned());
                }
                let mut tail = tail.lock().unwrap_or_else(PoisonError::into_inner);
                if tail.len() == STDERR_TAIL {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        });

        let process = Self {
            child,
            stderr_tail,
            profile,
        };
        Ok((process, url_rx))
    }

    /// Waits for the `DevTools listening on ws://...` line.
    async fn devtools_url(
        &self,
        devtools: oneshot::Receiver<String>,
        binary: &Path,
    ) -> Result<String, BrowserError> {
        let reason = match tokio::time::timeout(LAUNCH_TIMEOUT, devtools).await {
            Ok(Ok(url)) => return Ok(url),
            Ok(Err(_)) => "it closed stderr (exited?) before printing it".to_owned(),
            Err(_) => format!("nothing after {LAUNCH_TIMEOUT:?}"),
        };
        // Give the stderr thread a moment to collect the last lines of a crash.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let stderr = self
            .stderr_tail
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        Err(BrowserError::NoDevTools {
            binary: binary.to_path_buf(),
            reason,
            stderr,
        })
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let pid = i32::try_from(self.child.id())
            .ok()
            .and_then(rustix::process::Pid::from_raw);
        if let Some(pid) = pid {
            // Chromium's helpers (zygote, renderers, GPU) share its process group.
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Helpers exit at once but are reaped by init, maybe slowly. Crash handlers run in process
        // groups of their own and exit when they notice; hurry them along. Wait (briefly) until
        // nothing is left running before deleting the profile they write to.
        if let Some(pid) = pid {
            let deadline = Instant::now() + Duration::from_secs(2);
            loop {
                let left = leftovers(pid, self.profile.path());
                if left.is_empty() || Instant::now() >= deadline {
                    break;
                }
                for process in left {
                    let _ = rustix::process::kill_process(process, rustix::process::Signal::KILL);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        // TempDir's own drop ignores errors; retry once in case a dying helper was still writing.
        if std::fs::remove_dir_all(self.profile.path()).is_err() {
            std::thread::sleep(Duration::from_millis(50));
            let _ = std::fs::remove_dir_all(self.profile.path());
        }
    }
}

/// Running processes (zombies do not count) in process group `pgid` or whose command line
/// names `profile`.
fn leftovers(pgid: rustix::process::Pid, profile: &Path) -> Vec<rustix::process::Pid> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let profile = profile.as_os_str().as_encoded_bytes();
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let pid = entry.file_name().to_str()?.parse::<i32>().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // After the parenthesized command: state, ppid, pgrp, ...
            let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
            if fields.next()? == "Z" {
                return None;
            }
            let in_group = fields.nth(1)?.parse::<i32>().ok()? == pgid.as_raw_nonzero().get();
            let names_profile = || {
                std::fs::read(entry.path().join("cmdline")).is_ok_and(|cmdline| {
                    !profile.is_empty() && cmdline.windows(profile.len()).any(|w| w == profile)
                })
            };
            (in_group || names_profile()).then(|| rustix::process::Pid::from_raw(pid))?
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_commands_on_path_and_explicit_paths() {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let sh = resolve("sh".as_ref(), &path).expect("sh is on PATH");
        assert!(sh.is_absolute() && sh.ends_with("sh"), "{}", sh.display());
        assert_eq!(resolve(sh.as_os_str(), "".as_ref()), Some(sh.clone()));
        assert_eq!(resolve("no-such-browser-here".as_ref(), &path), None);
        assert_eq!(resolve("/no/such/chromium".as_ref(), &path), None);
        // A file that exists but is not executable does not count.
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        assert_eq!(resolve(manifest.as_os_str(), &path), None);
    }

    #[test]
    fn not_found_error_says_what_to_do() {
        let error = BrowserError::ChromiumNotFound {
            detail: format!("{CHROMIUM_ENV} is not set and none of chromium is on PATH"),
        };
        let message = error.to_string();
        assert!(message.contains("CHARGEPLAN_CHROMIUM"), "{message}");
        assert!(message.contains("`chromium` package"), "{message}");
    }
}
