//! `chargeplan demo` as a newcomer runs it: one command, no configuration. Its banner names
//! the address, the drivers' texts appear on standard output as the recorded day replays, a
//! Welcome link opens the request page, a request is confirmed by text, the printed dashboard
//! password logs in to the site overview, and Ctrl-C stops it.

use std::io::{BufRead as _, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::helpers::chargeplan;

/// How long the demo may take to show something before the test gives up.
const PATIENCE: Duration = Duration::from_secs(60);
/// How long the demo may take to stop after Ctrl-C.
const STOP_PATIENCE: Duration = Duration::from_secs(15);
/// The start of every demo driver's phone number (555-01xx, reserved for fiction).
const PHONE_PREFIX: &str = "+1415555";

/// A running `chargeplan demo` with its output collected line by line; killed when dropped.
struct Demo {
    child: Child,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
    /// The threads reading the pipes; they end when the process has exited.
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Demo {
    fn start(cwd: &std::path::Path, data_dir: &std::path::Path) -> Self {
        let mut child = chargeplan(cwd)
            .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(["--speedup", "600"])
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

    fn stdout_lines(&self) -> Vec<String> {
        self.stdout.lock().expect("stdout lines").clone()
    }

    fn stderr_text(&self) -> String {
        self.stderr.lock().expect("stderr lines").join("\n")
    }

    /// Polls the standard output until `find` picks something from it; panics with both
    /// outputs after `PATIENCE` or when the demo exits.
    async fn wait_for<T>(&mut self, what: &str, find: impl Fn(&[String]) -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(found) = find(&self.stdout_lines()) {
                return found;
            }
            self.still_running(deadline, what);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Panics when the demo has exited or `deadline` has passed.
    fn still_running(&mut self, deadline: Instant, what: &str) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "the demo exited with {status} while waiting for {what}\n{}",
                self.outputs()
            );
        }
        assert!(
            Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}\n{}",
            self.outputs()
        );
    }

    fn outputs(&self) -> String {
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
fn banner_address(lines: &[String]) -> Option<String> {
    lines.iter().find_map(|line| {
        let at = line.find("http://127.0.0.1:")?;
        let url = line[at..].split_whitespace().next()?;
        Some(url.trim_end_matches("/dev/sms").to_owned())
    })
}

/// A text to a demo driver as the console adapter prints it: `SMS to ***NNNN: BODY`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Printed {
    /// `***NNNN`.
    masked: String,
    body: String,
}

fn printed_texts(lines: &[String]) -> Vec<Printed> {
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
fn link_in(welcome: &Printed) -> String {
    welcome
        .body
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no link in {welcome:?}"))
        .to_owned()
}

/// The `value` of the page's `name="departure"` input.
fn departure_value(page: &str) -> Option<String> {
    let input = &page[page.find("name=\"departure\"")?..];
    let value = &input[input.find("value=\"")? + "value=\"".len()..];
    Some(value[..value.find('"')?].to_owned())
}

/// The password in the banner's "log in as demo with password PASSWORD (…".
fn dashboard_password(lines: &[String]) -> Option<String> {
    lines.iter().find_map(|line| {
        let rest = line.split_once("log in as demo with password ")?.1;
        Some(rest.split_whitespace().next()?.to_owned())
    })
}

/// The `name=value` part of the response's cookie `name`.
fn cookie_pair(response: &reqwest::Response, name: &str) -> Option<String> {
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
async fn logged_in_page(
    http: &reqwest::Client,
    address: &str,
    password: &str,
    path: &str,
) -> String {
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
            ("next", path),
        ])
        .send()
        .await
        .expect("log in");
    assert_eq!(
        logged_in.status().as_u16(),
        303,
        "the demo's password logs in"
    );
    let session = cookie_pair(&logged_in, "chargeplan_session").expect("a session cookie");
    let page = http
        .get(format!("{address}{path}"))
        .header(reqwest::header::COOKIE, session)
        .send()
        .await
        .expect("dashboard page");
    assert_eq!(page.status().as_u16(), 200);
    page.text().await.expect("page body")
}

fn send_signal(signal: &str, pid: u32) {
    let sent = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill {signal} {pid} failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_texts_welcome_links_confirms_a_request_made_through_one_and_stops_on_ctrl_c() {
    let cwd = tempfile::tempdir().expect("cwd");
    let data = tempfile::tempdir().expect("data dir");
    let mut demo = Demo::start(cwd.path(), data.path());

    let address = demo.wait_for("the banner's address", banner_address).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client");
    // The replay starts with cars already plugged in, the first leaving 16 minutes later (under
    // 2 s at 600x): open the newest Welcome's link, the car likeliest to stay, and move on to
    // the next Welcome when its session has ended all the same.
    let mut opened: Vec<String> = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    let welcome = loop {
        let next = printed_texts(&demo.stdout_lines())
            .into_iter()
            .filter(|text| text.body.starts_with("Welcome to Caltech garage. "))
            .map(|text| (link_in(&text), text))
            .rfind(|(link, _)| !opened.contains(link));
        let Some((link, welcome)) = next else {
            demo.still_running(deadline, "a Welcome text for a car still plugged in");
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        opened.push(link.clone());
        assert!(
            link.starts_with(&format!("{address}/r/")),
            "{link} is on the demo's address {address}"
        );
        let page = http.get(&link).send().await.expect("the link opens");
        let page_status = page.status().as_u16();
        let page = page.text().await.expect("page body");
        if page_status == 404 {
            // Expired: the car left over an hour ago on the demo's clock (6 s at 600x).
            continue;
        }
        assert_eq!(page_status, 200, "{page}");
        if !page.contains("<form") {
            assert!(page.contains("This charging session has ended."), "{page}");
            continue;
        }
        // The demo's clock is the recorded day's, sped up: post the departure the page
        // proposes.
        let departure =
            departure_value(&page).unwrap_or_else(|| panic!("a departure field in {page}"));
        let submitted = http
            .post(&link)
            .form(&[
                ("departure", departure.as_str()),
                ("amount", "5"),
                ("unit", "kwh"),
            ])
            .send()
            .await
            .expect("request submitted");
        let submit_status = submitted.status().as_u16();
        let answer = submitted.text().await.unwrap_or_default();
        if submit_status == 409 && answer.contains("This charging session has ended.") {
            // The car left between the page and the submit.
            continue;
        }
        assert_eq!(submit_status, 303, "{answer}\n{}", demo.outputs());
        break welcome;
    };

    let confirmation = demo
        .wait_for("the confirmation text", |lines| {
            printed_texts(lines).into_iter().find(|text| {
                text.masked == welcome.masked
                    && (text.body.starts_with("You'll have ~")
                        || text.body.contains(" you will have about "))
            })
        })
        .await;
    assert!(
        confirmation.body.starts_with("You'll have ~5 kWh by")
            || confirmation.body.starts_with("You'll have ~5.")
            || confirmation.body.contains(" you will have about "),
        "{confirmation:?}"
    );
    let console = http
        .get(format!("{address}/dev/sms"))
        .send()
        .await
        .expect("the console page");
    assert_eq!(console.status().as_u16(), 200);
    let console = console.text().await.expect("console page body");
    assert!(console.contains("Welcome to Caltech garage."), "{console}");

    let dashboard = demo
        .wait_for("the dashboard line", |lines| {
            lines
                .iter()
                .find_map(|line| line.strip_prefix("Operator dashboard: ").map(str::to_owned))
        })
        .await;
    assert_eq!(dashboard, format!("{address}/dashboard"));
    let password = demo
        .wait_for("the dashboard password", dashboard_password)
        .await;
    let overview = logged_in_page(&http, &address, &password, "/dashboard/sites/caltech").await;
    assert!(overview.contains("Caltech garage"), "{overview}");
    assert!(
        overview.contains("<svg"),
        "the overview charts the plan: {overview}"
    );

    send_signal("-INT", demo.child.id());
    let deadline = Instant::now() + STOP_PATIENCE;
    let status = loop {
        if let Some(status) = demo.child.try_wait().expect("wait for the demo") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the demo still runs {STOP_PATIENCE:?} after Ctrl-C\n{}",
            demo.outputs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(0), "{}", demo.outputs());
    for reader in demo.readers.drain(..) {
        reader.join().expect("output reader");
    }
    let stderr = demo.stderr_text();
    assert!(
        !stderr.contains(PHONE_PREFIX),
        "no phone number in full in the log:\n{stderr}"
    );
    assert!(
        !demo
            .stdout_lines()
            .iter()
            .any(|line| line.contains(PHONE_PREFIX)),
        "no phone number in full on the console either"
    );
}
