//! A driver's request by text: a reply such as "leave 17:30 need 20 kwh" from the number of a
//! participant whose car is plugged in sets their request as the page would (the same
//! question about a departure that has passed or is more than 14 hours ahead, the same
//! limits), and the answer says what was understood. What cannot be understood points to
//! the link in the welcome text. The confirmation with the plan's projection follows from
//! `conversation::after_plan` once the site is re-planned.

use chargeplan_core::{
    ChargingRequest, ClockFormat, EnergyNeed, PhoneNumber, RequestedEnergy, Session, Site,
    local_to_utc,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, StoreError};
use chrono::{DateTime, Duration, NaiveTime, Utc};

use crate::ControlError;
use crate::request_text::{TextedDeparture, TextedRequest, read};

/// A departure further ahead than this is asked about, as on the page.
const CONFIRM_AHEAD: Duration = Duration::hours(14);

/// The sender's plugged-in car: its site, session and the request it has.
struct Plugged {
    site: Site,
    session: Session,
    wh_per_mile: f64,
    request: Option<ChargingRequest>,
}

/// Handles `body` from `from` as a request when it reads as one and `from` has a car
/// plugged in with a personal link; `None` leaves the text to the relay. `in_thread` says
/// the sender is in an open relay conversation, where only a text naming both a time and
/// an amount is taken as a request.
pub async fn on_text(
    store: &dyn Store,
    from: &PhoneNumber,
    body: &str,
    in_thread: bool,
    now: DateTime<Utc>,
) -> Result<Option<String>, ControlError> {
    let Some(plugged) = plugged_in(store, from).await? else {
        return Ok(None);
    };
    let said = read(body, plugged.site.clock);
    let both = said.departure.is_some() && said.need.is_some();
    if !said.is_request() || (in_thread && !both) {
        return Ok(None);
    }
    let answer = match understood(&said, &plugged, now) {
        Ok(request) => save(store, &plugged, request, now).await?,
        Err(answer) => answer,
    };
    Ok(Some(answer))
}

/// The request the text sets, or the answer that says what is missing or asks about the day.
fn understood(
    said: &TextedRequest,
    plugged: &Plugged,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, EnergyNeed), String> {
    let (site, clock) = (&plugged.site, plugged.site.clock);
    let departure = match said.departure {
        Some(TextedDeparture::At(time)) => departure_at(time, said.tomorrow, site, now)?,
        Some(TextedDeparture::In(wait)) => now + wait,
        Some(TextedDeparture::NeedsHalfDay) => {
            return Err(format!(
                "Add am or pm to the time you leave, for example \"leave {} need 20 kWh\", or use the link in your welcome text.",
                clock.example()
            ));
        }
        None => match &plugged.request {
            Some(request) if request.departure > now => request.departure,
            _ => return Err(missing("when you leave", clock)),
        },
    };
    let need = match (said.need, &plugged.request) {
        (Some(need), _) => need,
        (None, Some(request)) => match (request.energy, request.stated_miles) {
            (RequestedEnergy::AsMuchAsPossible, _) => EnergyNeed::AsMuchAsPossible,
            (RequestedEnergy::Kwh(_), Some(miles)) => EnergyNeed::Miles(miles),
            (RequestedEnergy::Kwh(kwh), None) => EnergyNeed::Kwh(kwh.get()),
        },
        (None, None) => return Err(missing("how much you need", clock)),
    };
    if departure - now > CONFIRM_AHEAD && !said.tomorrow {
        let local = departure.with_timezone(&site.time_zone);
        let typed = clock.time(local.time());
        let named = clock.with_weekday(departure, site.time_zone);
        let today = now.with_timezone(&site.time_zone).date_naive();
        let question = if local.date_naive() > today {
            format!("{typed} has passed — did you mean tomorrow, {named}?")
        } else {
            format!("{typed} is more than 14 hours away — did you mean {named}?")
        };
        return Err(format!(
            "{question} Reply \"tomorrow {typed} {}\" to say yes, or use the link in your welcome text.",
            amount(need)
        ));
    }
    Ok((departure, need))
}

/// The next `time` at the site after `now` (tomorrow's when the text said tomorrow).
fn departure_at(
    time: NaiveTime,
    tomorrow: bool,
    site: &Site,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    let today = now.with_timezone(&site.time_zone).date_naive();
    let days: &[i64] = if tomorrow { &[1] } else { &[0, 1] };
    days.iter()
        .filter_map(|d| local_to_utc(site.time_zone, (today + Duration::days(*d)).and_time(time)).ok())
        .find(|at| *at > now)
        .ok_or_else(|| {
            format!(
                "{} does not exist then: the clocks change. Reply with a later time, or use the link in your welcome text.",
                site.clock.time(time)
            )
        })
}

/// Stores the request as the next revision and says what was understood.
async fn save(
    store: &dyn Store,
    plugged: &Plugged,
    (departure, need): (DateTime<Utc>, EnergyNeed),
    now: DateTime<Utc>,
) -> Result<String, ControlError> {
    let revision = plugged.request.as_ref().map_or(1, |r| r.revision + 1);
    let wh = chargeplan_core::WhPerMile::new(plugged.wh_per_mile).ok();
    let request = match ChargingRequest::new(
        plugged.session.id.clone(),
        revision,
        departure,
        need,
        wh,
        now,
    ) {
        Ok(request) => request,
        Err(error) => {
            return Ok(format!(
                "That request cannot be planned ({error}). Use the link in your welcome text to change it."
            ));
        }
    };
    match store.add_request_revision(&request, &Effects::none()).await {
        Ok(()) => {}
        // The same text handled twice, or a change on the page a moment before.
        Err(StoreError::Conflict(_)) => {
            return Ok("Your request was changed a moment ago; check it with the link in your welcome text.".to_owned());
        }
        Err(error) => return Err(error.into()),
    }
    let site = &plugged.site;
    let by = site.clock.local_time(departure, site.time_zone, now);
    let wanted = match need {
        EnergyNeed::AsMuchAsPossible => "as much charge as possible".to_owned(),
        need => amount(need),
    };
    Ok(format!(
        "Got it: you leave at {by} and want {wanted}. We'll text you what we can deliver."
    ))
}

/// "20 kWh", "30 miles", "as much as possible".
fn amount(need: EnergyNeed) -> String {
    let trimmed = |v: f64| format!("{}", (v * 10.0).round() / 10.0);
    match need {
        EnergyNeed::Kwh(kwh) => format!("{} kWh", trimmed(kwh)),
        EnergyNeed::Miles(miles) => format!("{} miles", trimmed(miles)),
        EnergyNeed::AsMuchAsPossible => "as much as possible".to_owned(),
    }
}

/// What to say when part of a request is missing.
fn missing(what: &str, clock: ClockFormat) -> String {
    format!(
        "Sorry, I could not tell {what}. Reply like \"leave {} need 20 kWh\", or use the link in your welcome text.",
        clock.example()
    )
}

/// The newest session with a personal link of a participant with this number, while it
/// lasts.
async fn plugged_in(store: &dyn Store, from: &PhoneNumber) -> Result<Option<Plugged>, StoreError> {
    let mut found: Option<Plugged> = None;
    for participant in store.find_participants_by_phone(from).await? {
        for session in store.list_open_sessions(&participant.site_id).await? {
            let Some(link) = store.driver_link_for_session(&session.id).await? else {
                continue;
            };
            if link.participant_id != participant.id || session.ended_at.is_some() {
                continue;
            }
            if found
                .as_ref()
                .is_some_and(|f| f.session.started_at >= session.started_at)
            {
                continue;
            }
            found = Some(Plugged {
                site: store.get_site(&participant.site_id).await?,
                request: store.latest_request(&session.id).await?,
                session,
                wh_per_mile: participant.wh_per_mile.get(),
            });
        }
    }
    Ok(found)
}
