//! Running `chargeplan demo` in a test: the process with its output collected line by line,
//! and readers of what its banner and console texts say.

use std::io::{BufRead as _, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::helpers::chargeplan;

/// How long the demo may take to show something before the test gives up.
pub const PATIENCE: Duration = Duration::from_secs(60);
/// The start of every demo driver's phone number (555-01xx, reserved for fiction).
pub const PHONE_PREFIX: &str = "+1415555";

/// A running `chargeplan demo` with its output collected line by line; killed when dropped.
pub struct Demo {
    pub child: Child,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
    /// The threads reading the pipes; they end when the process has exited.
    pub readers: Vec<std::thread::JoinHandle<()>>,
}

impl Demo {
    /// Starts `chargeplan demo` on a free port with the garage at `speedup`.
    pub fn start(cwd: &std::path::Path, data_dir: &std::path::Path, speedup: f64) -> Self {
        let mut child = chargeplan(cwd)
            .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(["--speedup", &speedup.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chargeplan demo");
        let (stdout, out_reader) = collect_lines(child.stdout.take().expect("piped stdout"));
        let (stderr, err_reader) = collect_lines(child.stderr.take().expect("piped stderr"));
        Self {
            child,
            stdout,
            stderr,
            readers: vec![out_reader, err_reader],
        }
    }

    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout.lock().expect("stdout lines").clone()
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.lock().expect("stderr lines").join("\n")
    }

    /// Polls the standard output until `find` picks something from it; panics with both
    /// outputs after `PATIENCE` or when the demo exits.
    pub async fn wait_for<T>(&mut self, what: &str, find: impl Fn(&[String]) -> Option<T>) -> T {
        self.wait_longer_for(what, PATIENCE, find).await
    }

    /// [`Demo::wait_for`] with its own patience.
    pub async fn wait_longer_for<T>(
        &mut self,
        what: &str,
        patience: Duration,
        find: impl Fn(&[String]) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(found) = find(&self.stdout_lines()) {
                return found;
            }
            self.still_running(deadline, what);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Panics when the demo has exited or `deadline` has passed.
    pub fn still_running(&mut self, deadline: Instant, what: &str) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "the demo exited with {status} while waiting for {what}\n{}",
                self.outputs()
            );
        }
        assert!(
            Instant::now() < deadline,
            "waited until {deadline:?} for {what}\n{}",
            self.outputs()
        );
    }

    pub fn outputs(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            self.stdout_lines().join("\n"),
            self.stderr_text()
        )
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

type Lines = Arc<Mutex<Vec<String>>>;

/// Reads `pipe` line by line on a thread into the returned list.
fn collect_lines(pipe: impl Read + Send + 'static) -> (Lines, std::thread::JoinHandle<()>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            sink.lock().expect("output lines").push(line);
        }
    });
    (lines, reader)
}

/// `http://127.0.0.1:PORT` from the banner's `http://127.0.0.1:PORT/dev/sms`.
pub fn banner_address(lines: &[String]) -> Option<String> {
    lines.iter().find_map(|line| {
        let at = line.find("http://127.0.0.1:")?;
        let url = line[at..].split_whitespace().next()?;
        Some(url.trim_end_matches("/dev/sms").to_owned())
    })
}

/// A text to a demo driver as the console adapter prints it: `SMS to ***NNNN: BODY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    /// `***NNNN`.
    pub masked: String,
    pub body: String,
}

pub fn printed_texts(lines: &[String]) -> Vec<Printed> {
    lines
        .iter()
        .filter_map(|line| {
            let rest = line.strip_prefix("SMS to ")?;
            let (masked, body) = rest.split_once(": ")?;
            let digits = masked.strip_prefix("***")?;
            (digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| Printed {
                masked: masked.to_owned(),
                body: body.to_owned(),
            })
        })
        .collect()
}

/// The link in a Welcome text.
pub fn link_in(welcome: &Printed) -> String {
    welcome
        .body
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no link in {welcome:?}"))
        .to_owned()
}

/// The `value` of the page's `name="departure"` input.
pub fn departure_value(page: &str) -> Option<String> {
    let input = &page[page.find("name=\"departure\"")?..];
    let value = &input[input.find("value=\"")? + "value=\"".len()..];
    Some(value[..value.find('"')?].to_owned())
}

/// The password in the banner's "log in as demo with password PASSWORD (…".
pub fn dashboard_password(lines: &[String]) -> Option<String> {
    lines.iter().find_map(|line| {
        let rest = line.split_once("log in as demo with password ")?.1;
        Some(rest.split_whitespace().next()?.to_owned())
    })
}

/// The `name=value` part of the response's cookie `name`.
pub fn cookie_pair(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// Logs in to the dashboard as `demo` the way a browser does, then GETs `path`.
pub async fn logged_in_page(
    http: &reqwest::Client,
    address: &str,
    password: &str,
    path: &str,
) -> String {
    let session = log_in(http, address, password, path).await;
    page_with(http, address, &session, path).await
}

/// GETs the dashboard's `path` with the `session` cookie (`name=value`); it must answer 200.
pub async fn page_with(http: &reqwest::Client, address: &str, session: &str, path: &str) -> String {
    let page = http
        .get(format!("{address}{path}"))
        .header(reqwest::header::COOKIE, session)
        .send()
        .await
        .expect("dashboard page");
    assert_eq!(page.status().as_u16(), 200, "{path} with the login");
    page.text().await.expect("page body")
}

/// Logs in to the dashboard as `demo` the way a browser does (to go on to `next`); returns
/// the session cookie as `name=value`.
pub async fn log_in(http: &reqwest::Client, address: &str, password: &str, next: &str) -> String {
    let form = http
        .get(format!("{address}/login"))
        .send()
        .await
        .expect("login page");
    let login_cookie = cookie_pair(&form, "chargeplan_login").expect("the login form's cookie");
    let token = login_cookie
        .trim_start_matches("chargeplan_login=")
        .to_owned();
    let logged_in = http
        .post(format!("{address}/login"))
        .header(reqwest::header::COOKIE, login_cookie)
        .form(&[
            ("name", "demo"),
            ("password", password),
            ("csrf", &token),
            ("next", next),
        ])
        .send()
        .await
        .expect("log in");
    assert_eq!(
        logged_in.status().as_u16(),
        303,
        "the demo's password logs in"
    );
    cookie_pair(&logged_in, "chargeplan_session").expect("a session cookie")
}

pub fn send_signal(signal: &str, pid: u32) {
    let sent = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill {signal} {pid} failed");
}
