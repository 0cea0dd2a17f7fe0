//! One browser tab: navigation, JavaScript, text, screenshots and viewport.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::BrowserError;
use crate::browser::string_field;
use crate::cdp::{Connection, Event};

/// How often [`Page::wait_for_text`] looks at the page.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// How much page text a [`BrowserError::TextNotFound`] carries at most.
const TEXT_IN_ERROR: usize = 4000;

/// A tab of a [`Browser`](crate::Browser), attached over a flattened DevTools session.
#[derive(Debug)]
pub struct Page {
    pub(crate) connection: Arc<Connection>,
    pub(crate) target_id: String,
    pub(crate) session_id: String,
    pub(crate) main_frame_id: String,
    pub(crate) timeout: Duration,
}

impl Page {
    /// Enables the domains we use on a freshly attached target.
    pub(crate) async fn attach(
        connection: Arc<Connection>,
        target_id: String,
        session_id: String,
        timeout: Duration,
    ) -> Result<Self, BrowserError> {
        let mut page = Self {
            connection,
            target_id,
            session_id,
            main_frame_id: String::new(),
            timeout,
        };
        page.call("Page.enable", json!({})).await?;
        page.call("Runtime.enable", json!({})).await?;
        page.call("Page.setLifecycleEventsEnabled", json!({ "enabled": true }))
            .await?;
        let tree = page.call("Page.getFrameTree", json!({})).await?;
        page.main_frame_id = tree
            .pointer("/frameTree/frame/id")
            .and_then(Value::as_str)
            .unwrap_or(&page.target_id)
            .to_owned();
        Ok(page)
    }

    /// Sets the limit for each DevTools call and each wait of this page (default 15 s).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Calls a DevTools method on this page's session, e.g. `("Page.reload", json!({}))`.
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, BrowserError> {
        self.connection
            .call(Some(&self.session_id), method, params, self.timeout)
            .await
    }

    /// Navigates to `url` and waits for its load event.
    pub async fn goto(&self, url: &str) -> Result<(), BrowserError> {
        let events = self.connection.subscribe();
        let answer = self.call("Page.navigate", json!({ "url": url })).await?;
        if let Some(error) = answer
            .get("errorText")
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
        {
            return Err(BrowserError::Navigation {
                url: url.to_owned(),
                error: error.to_owned(),
            });
        }
        match answer.get("loaderId").and_then(Value::as_str) {
            // No new document: a same-document (fragment) navigation, already done.
            None => Ok(()),
            Some(loader) => {
                self.wait_for_load(events, Some(loader.to_owned()), &format!("load of {url}"))
                    .await
            }
        }
    }

    /// Waits until the document with `loader` fires `load`. Without a loader, waits for the
    /// next main-frame navigation and then for its load (or for a same-document navigation).
    pub(crate) async fn wait_for_load(
        &self,
        mut events: mpsc::UnboundedReceiver<Event>,
        mut loader: Option<String>,
        what: &str,
    ) -> Result<(), BrowserError> {
        let deadline = Instant::now() + self.timeout;
        loop {
            let event = match tokio::time::timeout_at(deadline, events.recv()).await {
                Err(_) => {
                    return Err(BrowserError::Timeout {
                        what: what.to_owned(),
                        after: self.timeout,
                    });
                }
                Ok(None) => {
                    return Err(BrowserError::ConnectionClosed {
                        method: what.to_owned(),
                    });
                }
                Ok(Some(event)) => event,
            };
            if event.session_id.as_deref() != Some(self.session_id.as_str()) {
                continue;
            }
            let params = &event.params;
            match event.method.as_str() {
                "Page.frameNavigated"
                    if loader.is_none() && params.pointer("/frame/parentId").is_none() =>
                {
                    loader = params
                        .pointer("/frame/loaderId")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                }
                "Page.navigatedWithinDocument"
                    if loader.is_none()
                        && params.get("frameId").and_then(Value::as_str)
                            == Some(self.main_frame_id.as_str()) =>
                {
                    return Ok(());
                }
                "Page.lifecycleEvent" => {
                    let is_load = params.get("name").and_then(Value::as_str) == Some("load");
                    let event_loader = params.get("loaderId").and_then(Value::as_str);
                    if is_load && loader.is_some() && event_loader == loader.as_deref() {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
    }

    /// Evaluates `js` in the page (awaiting a returned promise) and returns its value as JSON.
    ///
    /// `undefined` and values that do not serialize become `null`; a thrown exception becomes
    /// [`BrowserError::JavaScript`] with its message.
    pub async fn eval(&self, js: &str) -> Result<Value, BrowserError> {
        let mut answer = self
            .call(
                "Runtime.evaluate",
                json!({
                    "expression": js,
                    "returnByValue": true,
                    "awaitPromise": true,
                    "userGesture": true,
                }),
            )
            .await?;
        if let Some(details) = answer.get("exceptionDetails") {
            let message = details
                .pointer("/exception/description")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| details.pointer("/exception/value").map(|v| v.to_string()))
                .or_else(|| {
                    details
                        .get("text")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| details.to_string());
            return Err(BrowserError::JavaScript { message });
        }
        Ok(answer
            .pointer_mut("/result/value")
            .map(Value::take)
            .unwrap_or(Value::Null))
    }

    /// Evaluates `js`, which must produce a string.
    pub(crate) async fn eval_string(&self, js: &str) -> Result<String, BrowserError> {
        match self.eval(js).await? {
            Value::String(s) => Ok(s),
            other => Err(BrowserError::UnexpectedResponse {
                method: "Runtime.evaluate".to_owned(),
                detail: format!("expected a string from `{js}`, got {other}"),
            }),
        }
    }

    /// The page's visible text (`document.body.innerText`; empty without a body).
    pub async fn text(&self) -> Result<String, BrowserError> {
        self.eval_string("document.body ? document.body.innerText : ''")
            .await
    }

    /// The page's current markup (`document.documentElement.outerHTML`).
    pub async fn html(&self) -> Result<String, BrowserError> {
        self.eval_string("document.documentElement ? document.documentElement.outerHTML : ''")
            .await
    }

    /// The page's current address (`location.href`).
    pub async fn url(&self) -> Result<String, BrowserError> {
        self.eval_string("location.href").await
    }

    /// Waits until the page's visible text contains `needle`, looking every 100 ms.
    ///
    /// On timeout the error carries the page's address and text at that moment.
    pub async fn wait_for_text(&self, needle: &str, timeout: Duration) -> Result<(), BrowserError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.text().await {
                Ok(text) if text.contains(needle) => return Ok(()),
                // A navigation in progress can destroy the context mid-call: look again.
                Ok(_) | Err(BrowserError::JavaScript { .. } | BrowserError::Protocol { .. }) => {}
                Err(other) => return Err(other),
            }
            if Instant::now() + POLL_INTERVAL > deadline {
                let mut text = self.text().await.unwrap_or_else(|e| format!("<{e}>"));
                if let Some((cut, _)) = text.char_indices().nth(TEXT_IN_ERROR) {
                    text.truncate(cut);
                    text.push_str("\n[...]");
                }
                let url = self.url().await.unwrap_or_else(|e| format!("<{e}>"));
                return Err(BrowserError::TextNotFound {
                    needle: needle.to_owned(),
                    after: timeout,
                    url,
                    text,
                });
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Captures the viewport as PNG and writes it to `path`, creating missing directories.
    pub async fn screenshot_png(&self, path: impl AsRef<Path>) -> Result<(), BrowserError> {
        let path = path.as_ref();
        let answer = self
            .call("Page.captureScreenshot", json!({ "format": "png" }))
            .await?;
        let data = string_field(&answer, "Page.captureScreenshot", "data")?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| BrowserError::UnexpectedResponse {
                method: "Page.captureScreenshot".to_owned(),
                detail: format!("data is not base64: {e}"),
            })?;
        let write_error = |source| BrowserError::Write {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(write_error)?;
        }
        std::fs::write(path, png).map_err(write_error)
    }

    /// Emulates a `width` x `height` CSS-pixel viewport; `mobile` also emulates a phone
    /// (meta viewport, overlay scrollbars, text autosizing).
    pub async fn set_viewport(
        &self,
        width: u32,
        height: u32,
        mobile: bool,
    ) -> Result<(), BrowserError> {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": width,
                "height": height,
                "deviceScaleFactor": 1,
                "mobile": mobile,
            }),
        )
        .await
        .map(drop)
    }

    /// Closes the tab.
    pub async fn close(self) -> Result<(), BrowserError> {
        self.connection
            .call(
                None,
                "Target.closeTarget",
                json!({ "targetId": self.target_id }),
                self.timeout,
            )
            .await
            .map(drop)
    }
}
