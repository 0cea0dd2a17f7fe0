//! The one error type of this crate: every failure names what went wrong and where.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong while launching or driving the browser.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// No Chromium binary could be found.
    #[error(
        "Chromium not found: {detail}. Install Debian's `chromium` package \
         (scripts/setup-system.sh does) or set CHARGEPLAN_CHROMIUM to the binary"
    )]
    ChromiumNotFound {
        /// What was looked for and where.
        detail: String,
    },

    /// The Chromium process could not be started.
    #[error("could not start {binary}: {source}")]
    Spawn {
        /// The binary that was run.
        binary: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },

    /// Chromium started but never printed its DevTools address.
    #[error(
        "Chromium ({binary}) did not report a DevTools address: {reason}; its stderr ended with:\n{stderr}"
    )]
    NoDevTools {
        /// The binary that was run.
        binary: PathBuf,
        /// Why we stopped waiting: exit or timeout.
        reason: String,
        /// The last lines Chromium wrote to stderr.
        stderr: String,
    },

    /// The DevTools websocket failed.
    #[error("DevTools websocket {url}: {message}")]
    WebSocket {
        /// The websocket address.
        url: String,
        /// What failed.
        message: String,
    },

    /// The DevTools connection closed (Chromium exited or the browser was dropped).
    #[error("DevTools connection closed while waiting for {method}")]
    ConnectionClosed {
        /// The call or event that was pending.
        method: String,
    },

    /// A DevTools call or an awaited event did not finish in time.
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout {
        /// The call or event waited for.
        what: String,
        /// How long we waited.
        after: Duration,
    },

    /// Chromium answered a DevTools call with an error.
    #[error("DevTools call {method} failed ({code}): {message}")]
    Protocol {
        /// The method called.
        method: String,
        /// The protocol error code.
        code: i64,
        /// The protocol error message (and data, when given).
        message: String,
    },

    /// Chromium's answer did not have the expected shape.
    #[error("unexpected DevTools answer to {method}: {detail}")]
    UnexpectedResponse {
        /// The method called.
        method: String,
        /// What was wrong with the answer.
        detail: String,
    },

    /// Evaluated JavaScript threw.
    #[error("JavaScript exception: {message}")]
    JavaScript {
        /// The exception's description (message and stack when available).
        message: String,
    },

    /// Navigation failed (e.g. `net::ERR_CONNECTION_REFUSED`).
    #[error("navigation to {url} failed: {error}")]
    Navigation {
        /// The address navigated to.
        url: String,
        /// Chromium's error text.
        error: String,
    },

    /// No element matches the selector.
    #[error("no element matches selector {selector:?}")]
    ElementNotFound {
        /// The CSS selector.
        selector: String,
    },

    /// The element exists but cannot take the requested action.
    #[error("element {selector:?}: {problem}")]
    Element {
        /// The CSS selector.
        selector: String,
        /// Why the action is not possible.
        problem: String,
    },

    /// [`Page::wait_for_text`](crate::Page::wait_for_text) gave up.
    #[error("text {needle:?} did not appear within {after:?}; the page ({url}) shows:\n{text}")]
    TextNotFound {
        /// The text looked for.
        needle: String,
        /// How long we waited.
        after: Duration,
        /// The page's address when we gave up.
        url: String,
        /// The page's visible text when we gave up.
        text: String,
    },

    /// Writing a file (e.g. a screenshot) failed.
    #[error("could not write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
}
