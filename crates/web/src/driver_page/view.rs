//! The view model of the driver page: everything the handler looks up, in the shape the
//! templates show it. It holds no phone numbers and no tokens.

use chargeplan_core::{ChargingRequest, ClockFormat, MemberId, Projection, Session};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::confirm::DepartureQuestion;
use super::ended::SessionCost;
use super::form::{FormErrors, RequestForm};

/// One driver's page: their session, request, projection, chart and form.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverPage {
    /// The site's display name (escaped when rendered).
    pub site_name: String,
    /// The driver's member ID, shown with a link to their sticker.
    pub member_id: MemberId,
    /// The site's time zone; every time on the page is shown in it.
    pub tz: Tz,
    /// The site's clock format; every time on the page is written in it.
    pub clock: ClockFormat,
    /// The moment the page is rendered, to say "today" or name the weekday.
    pub now: DateTime<Utc>,
    /// Where the form posts (the personal link; the page never prints it as text).
    pub action_path: String,
    /// The charging session so far.
    pub session: SessionView,
    /// The driver's current request, if they have made one.
    pub request: Option<ChargingRequest>,
    /// What the current plan promises for that request.
    pub projection: Option<Projection>,
    /// Planned and measured power, if there is a plan or a measurement.
    pub chart: Option<ChartData>,
    /// The form's values: as posted after an invalid submit, else `RequestForm::prefill`.
    pub form: RequestForm,
    /// Problems with the posted form, shown next to each field and in a summary.
    pub errors: FormErrors,
    /// The question about a departure the driver may not have meant, before it is saved.
    pub question: Option<DepartureQuestion>,
    /// What the ended session cost under the site's tariff, when it has one.
    pub cost: Option<SessionCost>,
    /// A one-off message such as the confirmation after a submit.
    pub notice: Option<String>,
    /// The vehicle's consumption, to show miles to drivers who asked in miles.
    pub wh_per_mile: f64,
    /// Drivers this one blocked from reaching them by the relay, newest first.
    pub blocks: Vec<BlockView>,
}

/// One block as its owner sees it: when it was made (never the blocked number, which the
/// owner never saw).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockView {
    /// The block's id, posted back to lift it.
    pub id: String,
    pub created_at: DateTime<Utc>,
}

impl DriverPage {
    /// The Wh/mile to show miles with: only when the current request was stated in miles.
    pub(crate) fn miles_wh(&self) -> Option<f64> {
        self.request
            .as_ref()
            .and_then(|r| r.stated_miles)
            .map(|_| self.wh_per_mile)
            .filter(|wh| wh.is_finite() && *wh > 0.0)
    }
}

/// The charging session as the driver sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionView {
    /// When charging started.
    pub started_at: DateTime<Utc>,
    /// When the session ended (the car was unplugged), if the vendor said.
    pub ended_at: Option<DateTime<Utc>>,
    /// Energy delivered so far, kWh.
    pub energy_kwh: f64,
    /// Power at the last meter report, kW.
    pub power_kw: f64,
    /// Whether the session is over (the form is then hidden).
    pub ended: bool,
}

impl SessionView {
    /// The view of a session as last reported; it has ended once it has an end time or a
    /// final status.
    pub fn from_session(session: &Session) -> SessionView {
        SessionView {
            started_at: session.started_at,
            ended_at: session.ended_at,
            energy_kwh: session.energy.get(),
            power_kw: session.power.get(),
            ended: session.ended_at.is_some() || session.status.is_final(),
        }
    }
}

/// Planned power per slot and measured power samples, for the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// Start of the first planned slot.
    pub start: DateTime<Utc>,
    /// Length of each planned slot.
    pub slot_minutes: u32,
    /// Planned power for each slot from `start`, kW.
    pub planned_kw: Vec<f64>,
    /// Measured power samples `(when, kW)`.
    pub delivered: Vec<(DateTime<Utc>, f64)>,
    /// Top of the power axis, kW (usually the charger's maximum).
    pub max_kw: f64,
    /// The moment of the page: measured before it, planned after it.
    pub now: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use chargeplan_core::{
        EnergyNeed, KilowattHours, Kilowatts, SessionStatus, SiteId, VendorAccountId,
    };
    use chargeplan_core::{SessionId, WhPerMile};
    use chrono_tz::America;

    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn session(status: SessionStatus, ended_at: Option<DateTime<Utc>>) -> Session {
        Session {
            id: SessionId::parse("s1").unwrap(),
            site_id: SiteId::parse("lot-b").unwrap(),
            vendor_account: VendorAccountId::parse("acme").unwrap(),
            vendor_session_id: "ocpi-101".into(),
            port_id: None,
            token_uid: None,
            started_at: t("2026-06-01T15:00:00Z"),
            ended_at,
            energy: KilowattHours::new(12.4).unwrap(),
            power: Kilowatts::new(6.6).unwrap(),
            status,
            vendor_updated_at: t("2026-06-01T16:00:00Z"),
        }
    }

    #[test]
    fn a_session_view_shows_the_reported_energy_and_power() {
        let v = SessionView::from_session(&session(SessionStatus::Active, None));
        assert_eq!(v.started_at, t("2026-06-01T15:00:00Z"));
        assert_eq!(v.energy_kwh, 12.4);
        assert_eq!(v.power_kw, 6.6);
        assert!(!v.ended);
    }

    #[test]
    fn a_session_has_ended_with_an_end_time_or_a_final_status() {
        let end = Some(t("2026-06-01T17:00:00Z"));
        assert!(SessionView::from_session(&session(SessionStatus::Active, end)).ended);
        assert!(SessionView::from_session(&session(SessionStatus::Completed, None)).ended);
        assert!(SessionView::from_session(&session(SessionStatus::Invalid, None)).ended);
        assert!(!SessionView::from_session(&session(SessionStatus::Pending, None)).ended);
    }

    fn page(request: Option<ChargingRequest>) -> DriverPage {
        DriverPage {
            site_name: "Lot B".into(),
            member_id: MemberId::parse("K7QX2M").unwrap(),
            tz: America::Los_Angeles,
            clock: ClockFormat::TwentyFourHour,
            now: t("2026-06-01T16:00:00Z"),
            action_path: "/d/x".into(),
            session: SessionView::from_session(&session(SessionStatus::Active, None)),
            request,
            projection: None,
            chart: None,
            form: RequestForm::default(),
            errors: FormErrors::new(),
            question: None,
            cost: None,
            notice: None,
            wh_per_mile: 250.0,
            blocks: Vec::new(),
        }
    }

    fn request(need: EnergyNeed) -> ChargingRequest {
        ChargingRequest::new(
            SessionId::parse("s1").unwrap(),
            1,
            t("2026-06-02T00:00:00Z"),
            need,
            Some(WhPerMile::new(250.0).unwrap()),
            t("2026-06-01T16:00:00Z"),
        )
        .unwrap()
    }

    #[test]
    fn miles_are_shown_only_to_drivers_who_asked_in_miles() {
        assert_eq!(page(None).miles_wh(), None);
        assert_eq!(page(Some(request(EnergyNeed::Kwh(10.0)))).miles_wh(), None);
        assert_eq!(
            page(Some(request(EnergyNeed::Miles(40.0)))).miles_wh(),
            Some(250.0)
        );
    }
}
