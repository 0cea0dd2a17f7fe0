//! The waitlist of a site, for drivers who find every charger taken: join (`WAIT <site
//! code>`, `WAIT`, or the board's form), leave (`LEAVE`), and answer an offer of a freed port
//! (`TAKE`, `SKIP`). Each call writes what it changes in one store transaction, with a
//! `waitlist_changed` event so the site's worker looks at the line within a second, and
//! returns the text to answer. Offers, timeouts, holds and the "done charging" texts are the
//! worker's (`pass`), made under the site's lease.
//!
//! The SMS router (not here) parses the words and calls these functions; the site code of
//! `WAIT <code>` is the site id, matched without regard to case.

mod done;
pub mod estimate;
pub mod facts;
mod offers;
pub(crate) mod pass;
pub mod ports;
pub mod texts;

use chargeplan_core::{Clock, PhoneNumber, Site, SiteId};
use chargeplan_store::prelude::*;
use chargeplan_store::{
    Effects, EntryState, EventKind, NewEvent, NewOutboxMessage, OfferState, OfferTransition,
    StoreError, WaitlistEntry,
};
use chrono::{DateTime, Duration, Utc};

use crate::ControlError;
pub use facts::DEFAULT_STAY_HOURS;

/// What to answer the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitlistReply {
    /// The text of the answer (it never names another driver).
    pub text: String,
}

impl WaitlistReply {
    fn new(text: String) -> Self {
        Self { text }
    }
}

/// The site whose id is `code`, compared without regard to case (`None` when there is none).
pub async fn find_site_by_code(
    store: &dyn Store,
    code: &str,
) -> Result<Option<Site>, ControlError> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    let sites = store.list_sites().await?;
    Ok(sites
        .into_iter()
        .find(|site| site.id.as_str().eq_ignore_ascii_case(code)))
}

/// `WAIT <code>`: joins the site named by `code`, or answers that no site has that code.
pub async fn join_by_code(
    store: &dyn Store,
    clock: &dyn Clock,
    code: &str,
    phone: &PhoneNumber,
) -> Result<WaitlistReply, ControlError> {
    match find_site_by_code(store, code).await? {
        Some(site) => join(store, clock, &site.id, phone).await,
        None => Ok(WaitlistReply::new(texts::unknown_site(code))),
    }
}

/// `WAIT` alone: joins the one site the phone is registered at or has a relay thread at
/// (`thread_sites`, from the relay); with none or several, asks for the site's code.
pub async fn join_default(
    store: &dyn Store,
    clock: &dyn Clock,
    phone: &PhoneNumber,
    thread_sites: &[SiteId],
) -> Result<WaitlistReply, ControlError> {
    let mut sites = store.sites_of_phone(phone).await?;
    sites.extend(thread_sites.iter().cloned());
    sites.sort();
    sites.dedup();
    match sites.as_slice() {
        [site] => join(store, clock, site, phone).await,
        _ => Ok(WaitlistReply::new(texts::which_site())),
    }
}

/// Joins the site's waitlist (by SMS: the answer is returned for the router to send). A phone
/// already on the list is told its place again and nothing changes.
pub async fn join(
    store: &dyn Store,
    clock: &dyn Clock,
    site: &SiteId,
    phone: &PhoneNumber,
) -> Result<WaitlistReply, ControlError> {
    join_inner(store, clock, site, phone, false).await
}

/// Joins from the board's form (the phone verified by a texted code): like [`join`], and the
/// answer is also texted, through the outbox in the same transaction as the entry.
pub async fn join_from_web(
    store: &dyn Store,
    clock: &dyn Clock,
    site: &SiteId,
    phone: &PhoneNumber,
) -> Result<WaitlistReply, ControlError> {
    join_inner(store, clock, site, phone, true).await
}

async fn join_inner(
    store: &dyn Store,
    clock: &dyn Clock,
    site_id: &SiteId,
    phone: &PhoneNumber,
    text_it: bool,
) -> Result<WaitlistReply, ControlError> {
    let site = match store.get_site(site_id).await {
        Ok(site) => site,
        Err(StoreError::NotFound { .. }) => {
            return Ok(WaitlistReply::new(texts::unknown_site(site_id.as_str())));
        }
        Err(error) => return Err(error.into()),
    };
    let now = clock.now();
    let facts = facts::load(store, site_id, Duration::hours(DEFAULT_STAY_HOURS), now).await?;
    let ports = ports::port_states(&facts, now);
    if let Some(mine) = facts.line.iter().find(|e| &e.phone == phone) {
        return Ok(WaitlistReply::new(place_words(
            &site,
            &facts.line,
            &ports,
            mine,
            now,
        )));
    }
    let entry = WaitlistEntry {
        // Time-ordered (UUID v7): drivers joining within the same instant keep their order.
        id: uuid::Uuid::now_v7().hyphenated().to_string(),
        site_id: site_id.clone(),
        phone: phone.clone(),
        joined_at: now,
        skips: 0,
        state: EntryState::Waiting,
        ended_at: None,
    };
    let position = waiting_position(&facts.line, None) + 1;
    let wait = estimate::wait_for_position(&ports, position, now);
    let text = texts::joined(&site.name, position, wait, false);
    let mut effects = changed(site_id, now);
    if text_it {
        effects.messages.push(NewOutboxMessage {
            site_id: Some(site_id.clone()),
            recipient: phone.clone(),
            body: text.clone(),
            idempotency_key: format!("joined:{}", entry.id),
            not_before: now,
        });
    }
    let (stored, new) = store.join_waitlist(&entry, &effects, now).await?;
    if !new {
        let line = store.list_waitlist(site_id).await?;
        return Ok(WaitlistReply::new(place_words(
            &site, &line, &ports, &stored, now,
        )));
    }
    Ok(WaitlistReply::new(text))
}

/// `LEAVE`: leaves every waitlist the phone is on (giving up any offer or hold).
pub async fn leave(
    store: &dyn Store,
    clock: &dyn Clock,
    phone: &PhoneNumber,
) -> Result<WaitlistReply, ControlError> {
    let now = clock.now();
    let mut names = Vec::new();
    for entry in store.waitlist_entries_of_phone(phone).await? {
        let effects = changed(&entry.site_id, now);
        if store
            .end_waitlist_entry(&entry.id, EntryState::Left, &effects, now)
            .await?
        {
            names.push(store.get_site(&entry.site_id).await?.name);
        }
    }
    Ok(WaitlistReply::new(texts::left(&names)))
}

/// `TAKE`: takes the port offered to the phone, holding it for the site's `hold_min`. Too
/// late, the offer counts as unanswered (and goes to the next in line).
pub async fn take(
    store: &dyn Store,
    clock: &dyn Clock,
    phone: &PhoneNumber,
) -> Result<WaitlistReply, ControlError> {
    let now = clock.now();
    let Some((entry, offer, site)) = open_offer(store, phone).await? else {
        return no_offer_reply(store, phone, now).await;
    };
    let settings = facts::settings(store, &site.id).await?;
    let hold_until = now + Duration::minutes(i64::from(settings.hold_min));
    let step = OfferTransition {
        offer_id: offer.id.clone(),
        from: OfferState::Open,
        to: OfferState::Taken,
        before_deadline: Some(now),
        hold_until: Some(hold_until),
        entry_skips: entry.skips,
        entry_state: EntryState::Holding,
    };
    if store
        .transition_offer(&step, &changed(&site.id, now), now)
        .await?
    {
        let text = texts::held(&site, offer.port_id.as_str(), hold_until);
        return Ok(WaitlistReply::new(text));
    }
    // Past the deadline: the same as no answer, said once here rather than texted later.
    let line = store.list_waitlist(&site.id).await?;
    let (step, words) = offers::pass_on(&site, &line, &entry, &offer, &settings, true);
    if store
        .transition_offer(&step, &changed(&site.id, now), now)
        .await?
    {
        return Ok(WaitlistReply::new(format!(
            "{} {words}",
            texts::offer_expired()
        )));
    }
    no_offer_reply(store, phone, now).await
}

/// `SKIP`: passes on the port offered to the phone; the next in line gets it. After the
/// site's `max_skips` the driver leaves the list (and is told).
pub async fn skip(
    store: &dyn Store,
    clock: &dyn Clock,
    phone: &PhoneNumber,
) -> Result<WaitlistReply, ControlError> {
    let now = clock.now();
    let Some((entry, offer, site)) = open_offer(store, phone).await? else {
        return no_offer_reply(store, phone, now).await;
    };
    let settings = facts::settings(store, &site.id).await?;
    let line = store.list_waitlist(&site.id).await?;
    let (step, words) = offers::pass_on(&site, &line, &entry, &offer, &settings, false);
    if store
        .transition_offer(&step, &changed(&site.id, now), now)
        .await?
    {
        return Ok(WaitlistReply::new(words));
    }
    no_offer_reply(store, phone, now).await
}

/// The phone's entry with an open offer, the offer and its site.
async fn open_offer(
    store: &dyn Store,
    phone: &PhoneNumber,
) -> Result<Option<(WaitlistEntry, chargeplan_store::WaitlistOffer, Site)>, ControlError> {
    for entry in store.waitlist_entries_of_phone(phone).await? {
        if let Some(offer) = store.live_offer_of_entry(&entry.id).await?
            && offer.state == OfferState::Open
        {
            let site = store.get_site(&entry.site_id).await?;
            return Ok(Some((entry, offer, site)));
        }
    }
    Ok(None)
}

/// The answer to TAKE or SKIP with nothing to take: the held port, the place in line, or
/// not on a list.
async fn no_offer_reply(
    store: &dyn Store,
    phone: &PhoneNumber,
    now: DateTime<Utc>,
) -> Result<WaitlistReply, ControlError> {
    let Some(entry) = store
        .waitlist_entries_of_phone(phone)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(WaitlistReply::new(texts::no_offer(None)));
    };
    let site = store.get_site(&entry.site_id).await?;
    if let Some(offer) = store.live_offer_of_entry(&entry.id).await?
        && let Some(until) = offer.hold_until.filter(|until| *until > now)
    {
        let text = texts::held(&site, offer.port_id.as_str(), until);
        return Ok(WaitlistReply::new(text));
    }
    let line = store.list_waitlist(&site.id).await?;
    let position = waiting_position(&line, Some(&entry.id)) + 1;
    Ok(WaitlistReply::new(texts::no_offer(Some((
        &site.name, position,
    )))))
}

/// "You're already on the waitlist…" with the place and estimate, or the hold.
fn place_words(
    site: &Site,
    line: &[WaitlistEntry],
    ports: &[ports::PortStatus],
    entry: &WaitlistEntry,
    now: DateTime<Utc>,
) -> String {
    if entry.state == EntryState::Holding {
        return texts::holding(&site.name);
    }
    let position = waiting_position(line, Some(&entry.id)) + 1;
    let wait = estimate::wait_for_position(ports, position, now);
    texts::joined(&site.name, position, wait, true)
}

/// How many waiting entries are ahead of `entry` (all of them when `None`).
pub(crate) fn waiting_position(line: &[WaitlistEntry], entry: Option<&str>) -> usize {
    line.iter()
        .filter(|e| e.state == EntryState::Waiting)
        .take_while(|e| Some(e.id.as_str()) != entry)
        .count()
}

/// The event that wakes the site's worker to look at its line.
pub(crate) fn changed(site: &SiteId, now: DateTime<Utc>) -> Effects {
    Effects {
        events: vec![NewEvent {
            site_id: site.clone(),
            at: now,
            kind: EventKind::WaitlistChanged,
            payload: serde_json::json!({}),
        }],
        messages: Vec::new(),
    }
}
