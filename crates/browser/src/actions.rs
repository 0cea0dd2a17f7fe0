//! What a person does with a page: type into fields, tick boxes, pick options, click.

use serde_json::{Value, json};

use crate::{BrowserError, Page};

/// Sets a text field's value the way typing does, so frameworks see `input` and `change`.
const FILL: &str = r#"
    if (el.disabled) return { problem: 'is disabled' };
    const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype
        : el instanceof HTMLInputElement ? HTMLInputElement.prototype : null;
    if (proto === null) return { problem: `is a <${el.tagName.toLowerCase()}>, not an <input> or <textarea>` };
    if (el instanceof HTMLInputElement
        && ['checkbox', 'radio', 'submit', 'button', 'reset', 'image', 'file'].includes(el.type)) {
        return { problem: `is an <input type=${el.type}>, which takes no typed value` };
    }
    if (el.readOnly) return { problem: 'is read-only' };
    el.focus();
    Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return null;
"#;

/// Brings a checkbox or radio button to the wanted state by clicking it, as a person would.
const SET_CHECKED: &str = r#"
    if (!(el instanceof HTMLInputElement) || !['checkbox', 'radio'].includes(el.type)) {
        return { problem: 'is not a checkbox or radio button' };
    }
    if (el.disabled) return { problem: 'is disabled' };
    if (el.checked !== value) el.click();
    if (el.checked !== value) return { problem: `did not become ${value ? 'checked' : 'unchecked'}` };
    return null;
"#;

/// Picks the option whose value, or else whose text, is `value`.
const SELECT: &str = r#"
    if (!(el instanceof HTMLSelectElement)) return { problem: 'is not a <select>' };
    if (el.disabled) return { problem: 'is disabled' };
    const options = [...el.options];
    const option = options.find(o => o.value === value) ?? options.find(o => o.text.trim() === value);
    if (!option) {
        const known = options.map(o => `${JSON.stringify(o.value)} (${JSON.stringify(o.text.trim())})`);
        return { problem: `has no option with value or text ${JSON.stringify(value)}; options: ${known.join(', ')}` };
    }
    el.focus();
    option.selected = true;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return null;
"#;

/// Scrolls the element into view and returns the point a click should hit, after checking that
/// the element is visible, enabled and not covered there.
const CLICK_POINT: &str = r#"
    if (el.disabled) return { problem: 'is disabled' };
    el.scrollIntoView({ block: 'center', inline: 'center' });
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return { problem: 'is not visible (it has no size)' };
    const x = rect.left + rect.width / 2;
    const y = rect.top + rect.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (hit === null) return { problem: `is outside the viewport (at ${x}, ${y})` };
    if (hit !== el && !el.contains(hit)) {
        const label = hit.id ? `#${hit.id}` : hit.tagName.toLowerCase();
        return { problem: `is covered by <${label}> at its center` };
    }
    return { x, y };
"#;

impl Page {
    /// Runs `body` with `el` bound to the element matching `selector` and `value` to `value`.
    ///
    /// `body` returns `null` on success, `{ problem }` when the element cannot take the action,
    /// or any other value for the caller.
    async fn with_element(
        &self,
        selector: &str,
        value: Value,
        body: &str,
    ) -> Result<Value, BrowserError> {
        let js = format!(
            "((selector, value) => {{ const el = document.querySelector(selector); \
             if (!el) return {{ missing: true }}; {body} }})({}, {value})",
            Value::from(selector),
        );
        let answer = self.eval(&js).await?;
        if answer.get("missing").is_some() {
            return Err(BrowserError::ElementNotFound {
                selector: selector.to_owned(),
            });
        }
        if let Some(problem) = answer.get("problem").and_then(Value::as_str) {
            return Err(BrowserError::Element {
                selector: selector.to_owned(),
                problem: problem.to_owned(),
            });
        }
        Ok(answer)
    }

    /// Types `value` into the `<input>` or `<textarea>` matching `selector` (replacing its
    /// contents) and dispatches `input` and `change`.
    pub async fn fill(&self, selector: &str, value: &str) -> Result<(), BrowserError> {
        self.with_element(selector, value.into(), FILL)
            .await
            .map(drop)
    }

    /// Ticks the checkbox or radio button matching `selector` (clicking it unless already ticked).
    pub async fn check(&self, selector: &str) -> Result<(), BrowserError> {
        self.with_element(selector, true.into(), SET_CHECKED)
            .await
            .map(drop)
    }

    /// Unticks the checkbox matching `selector` (clicking it unless already unticked).
    pub async fn uncheck(&self, selector: &str) -> Result<(), BrowserError> {
        self.with_element(selector, false.into(), SET_CHECKED)
            .await
            .map(drop)
    }

    /// Picks the option of the `<select>` matching `selector` whose value (or else whose text)
    /// is `value`, and dispatches `input` and `change`.
    pub async fn select(&self, selector: &str, value: &str) -> Result<(), BrowserError> {
        self.with_element(selector, value.into(), SELECT)
            .await
            .map(drop)
    }

    /// Clicks the middle of the element matching `selector` with a real (synthesized) left
    /// mouse button, after scrolling it into view and checking nothing covers it.
    ///
    /// Does not wait for what the click causes; when it navigates, use
    /// [`click_and_wait_for_navigation`](Self::click_and_wait_for_navigation).
    pub async fn click(&self, selector: &str) -> Result<(), BrowserError> {
        let point = self
            .with_element(selector, Value::Null, CLICK_POINT)
            .await?;
        let (Some(x), Some(y)) = (
            point.get("x").and_then(Value::as_f64),
            point.get("y").and_then(Value::as_f64),
        ) else {
            return Err(BrowserError::UnexpectedResponse {
                method: "Runtime.evaluate".to_owned(),
                detail: format!("no click point for {selector:?}: {point}"),
            });
        };
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            let mut event = json!({ "type": kind, "x": x, "y": y });
            if kind != "mouseMoved" {
                event["button"] = "left".into();
                event["clickCount"] = 1.into();
            }
            self.call("Input.dispatchMouseEvent", event).await?;
        }
        Ok(())
    }

    /// Clicks like [`click`](Self::click), then waits for the page that click navigates to
    /// to fire its load event (or for a same-document navigation).
    pub async fn click_and_wait_for_navigation(&self, selector: &str) -> Result<(), BrowserError> {
        let events = self.connection.subscribe();
        self.click(selector).await?;
        self.wait_for_load(
            events,
            None,
            &format!("navigation after clicking {selector:?}"),
        )
        .await
    }
}
