//! The relay's audit as operators see it (the API's `relay-log` and the dashboard's Sharing
//! page): who (the sender's role), when, which thread (its code), the outcome and the body
//! while it is kept — never a phone number, not even one typed inside a body.

use std::collections::HashMap;

use chargeplan_core::{SiteId, ThreadCode};
use chargeplan_store::{RelayLogEntry, Store, StoreError};
use chrono::{DateTime, Utc};

/// One line of the audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditLine {
    pub(crate) at: DateTime<Utc>,
    /// `waiter`, `owner` or `stranger`.
    pub(crate) sender: &'static str,
    /// The code of the thread the line belongs to (`K7`); `None` for a refusal outside any
    /// thread.
    pub(crate) thread_code: Option<ThreadCode>,
    /// `opened`, `relayed:ok`, `refused:rate_limited`, … as the relay logged it.
    pub(crate) outcome: String,
    /// The text as received with links, e-mail addresses and phone numbers shown as
    /// `[removed]` (and cut to the relay's length); `None` once the site's retention ended.
    pub(crate) body: Option<String>,
}

/// The site's audit lines in `[from, to)`, newest first, at most `limit`.
pub(crate) async fn audit(
    store: &dyn Store,
    site: &SiteId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<AuditLine>, StoreError> {
    let mut log = store.list_relay_log(site, from, to).await?;
    log.reverse();
    log.truncate(limit);
    let mut codes: HashMap<String, Option<ThreadCode>> = HashMap::new();
    for id in log.iter().filter_map(|l| l.thread_id.as_deref()) {
        if !codes.contains_key(id) {
            let thread = store.get_relay_thread(id).await?;
            let code = thread
                .filter(|t| t.site_id.as_ref() == Some(site))
                .map(|t| t.code);
            codes.insert(id.to_owned(), code);
        }
    }
    Ok(log
        .into_iter()
        .map(|line| {
            let thread_code = line
                .thread_id
                .as_deref()
                .and_then(|id| codes.get(id).copied().flatten());
            shown(line, thread_code)
        })
        .collect())
}

/// A log line without its sender's number, its body made safe to show.
fn shown(line: RelayLogEntry, thread_code: Option<ThreadCode>) -> AuditLine {
    AuditLine {
        at: line.at,
        sender: line.sender.as_str(),
        thread_code,
        outcome: line.outcome,
        body: line
            .body
            .map(|body| chargeplan_sharing::sanitize(&body).text),
    }
}

#[cfg(test)]
mod tests {
    use chargeplan_core::PhoneNumber;
    use chargeplan_store::RelaySender;

    use super::*;

    #[test]
    fn a_shown_line_holds_neither_the_senders_number_nor_one_typed_in_the_body() {
        let line = RelayLogEntry {
            thread_id: Some("t1".into()),
            site_id: None,
            at: DateTime::UNIX_EPOCH,
            sender: RelaySender::Waiter,
            sender_phone: PhoneNumber::parse("+14155550123").expect("phone"),
            outcome: "opened".into(),
            body: Some("K7QX2M please call me on 415 555 0123 or see bit.ly/x".into()),
        };
        let shown = shown(line, ThreadCode::parse("K7").ok());
        let text = format!("{shown:?}");
        assert!(!text.contains("0123"), "{text}");
        assert!(!text.contains("bit.ly"), "{text}");
        assert_eq!(shown.sender, "waiter");
        assert_eq!(
            shown.body.as_deref(),
            Some("K7QX2M please call me on [removed] or see [removed]")
        );
    }
}
