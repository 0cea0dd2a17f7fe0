//! Reading one site's current state from the store for the overview: layout, caps, open
//! sessions with their drivers' aliases, the latest plan and the last hours of meter samples.

use chargeplan_control::control_state::ControlState;
use std::collections::HashMap;

use chargeplan_core::{
    CapOverride, ChargingRequest, Circuit, CircuitTree, MemberId, MeterSample, Plan, Port, PortId,
    ScheduledCap, Session, SessionId, Setpoint, Site,
};
use chargeplan_store::StoreError;
use chrono::{DateTime, Duration, Utc};

use super::series::{BUCKET_MINUTES, MEASURED_HOURS};
use crate::AppState;
use chargeplan_reports::driver_alias;

/// A session that has not ended, with what the overview shows about it.
#[derive(Debug, Clone)]
pub(crate) struct OpenSession {
    pub(crate) session: Session,
    /// "Driver 3F2A" or "Guest on p1"; never a phone number.
    pub(crate) alias: String,
    /// The registered driver's member ID (their sticker), `None` for a guest.
    pub(crate) member_id: Option<MemberId>,
    /// Position in the site's open sessions (by start), which picks its colour in every chart.
    pub(crate) colour: usize,
    /// The driver's latest request (loaded for the full page only).
    pub(crate) request: Option<ChargingRequest>,
    /// The newest setpoint sent for it (loaded for the full page only).
    pub(crate) setpoint: Option<Setpoint>,
    /// Whether it is under control, refused or unknown, by the control loop's retry policy
    /// (loaded for the full page only).
    pub(crate) control: Option<ControlState>,
}

/// Where a session with meter samples charged, and until when.
#[derive(Debug, Clone)]
pub(crate) struct SampledSession {
    pub(crate) port_id: Option<PortId>,
    pub(crate) ended_at: Option<DateTime<Utc>>,
}

/// Everything the overview and its charts are drawn from.
#[derive(Debug, Clone)]
pub(crate) struct SiteState {
    pub(crate) site: Site,
    pub(crate) now: DateTime<Utc>,
    /// The circuits as stored, in order (the root first when valid).
    pub(crate) circuits: Vec<Circuit>,
    /// The validated tree; `None` when the site has no circuits (or an invalid set).
    pub(crate) tree: Option<CircuitTree>,
    pub(crate) ports: Vec<Port>,
    pub(crate) scheduled: Vec<ScheduledCap>,
    /// Overrides not expired at the start of the measured window (so past ones draw too).
    pub(crate) overrides: Vec<CapOverride>,
    pub(crate) plan: Option<Plan>,
    /// Open sessions, oldest first.
    pub(crate) sessions: Vec<OpenSession>,
    /// Meter samples of the site's sessions in the measured window, oldest first.
    pub(crate) samples: Vec<MeterSample>,
    /// The port (and end) of every session that has samples in the window.
    pub(crate) sampled: HashMap<SessionId, SampledSession>,
}

impl SiteState {
    /// Start of the measured window: `MEASURED_HOURS` before now, on a bucket boundary.
    pub(crate) fn measured_from(&self) -> DateTime<Utc> {
        measured_from(self.now)
    }

    /// The circuit with this id.
    pub(crate) fn circuit(&self, id: &str) -> Option<&Circuit> {
        self.circuits.iter().find(|c| c.id.as_str() == id)
    }
}

/// `MEASURED_HOURS` before `now`, rounded down to a whole bucket.
pub(crate) fn measured_from(now: DateTime<Utc>) -> DateTime<Utc> {
    let start = now - Duration::hours(MEASURED_HOURS);
    let bucket_s = BUCKET_MINUTES * 60;
    let aligned = start.timestamp() - start.timestamp().rem_euclid(bucket_s);
    DateTime::from_timestamp(aligned, 0).unwrap_or(start)
}

/// How much to read: the charts alone (the 15-second refresh) or the whole page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    Charts,
    Page,
}

/// Reads the state of `site` at the clock's now.
pub(crate) async fn load(
    state: &AppState,
    site: Site,
    detail: Detail,
) -> Result<SiteState, StoreError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    let from = measured_from(now);
    let circuits = store.list_circuits(&site.id).await?;
    let tree = CircuitTree::new(circuits.clone()).ok();
    let ports = store.list_ports(&site.id).await?;
    let scheduled = store.list_scheduled_caps(&site.id).await?;
    let overrides = store.list_cap_overrides(&site.id, from).await?;
    let plan = store.latest_plan(&site.id).await?;
    let participants = store.list_participants(&site.id).await?;
    let mut open = store.list_open_sessions(&site.id).await?;
    open.sort_by(|a, b| {
        a.started_at
            .cmp(&b.started_at)
            .then_with(|| a.id.cmp(&b.id))
    });

    let mut sessions = Vec::with_capacity(open.len());
    for (colour, session) in open.into_iter().enumerate() {
        let participant = session
            .token_uid
            .as_ref()
            .and_then(|uid| participants.iter().find(|p| p.has_token(uid)));
        let alias = driver_alias(participant.map(|p| &p.id), session.port_id.as_ref());
        let member_id = participant.map(|p| p.member_id.clone());
        let (request, setpoint, control) = match detail {
            Detail::Charts => (None, None, None),
            Detail::Page => {
                let retry = &state.control.config().retry;
                let recent = store
                    .list_session_setpoints(&session.id, now - retry.lookback())
                    .await?;
                let control = ControlState::of(&recent, now, retry);
                (
                    store.latest_request(&session.id).await?,
                    store.latest_setpoint(&session.id).await?,
                    Some(control),
                )
            }
        };
        sessions.push(OpenSession {
            session,
            alias,
            member_id,
            colour,
            request,
            setpoint,
            control,
        });
    }

    let samples = store.list_site_meter_samples(&site.id, from, now).await?;
    let mut sampled: HashMap<SessionId, SampledSession> = sessions
        .iter()
        .map(|open| {
            let info = SampledSession {
                port_id: open.session.port_id.clone(),
                ended_at: open.session.ended_at,
            };
            (open.session.id.clone(), info)
        })
        .collect();
    for sample in &samples {
        if sampled.contains_key(&sample.session_id) {
            continue;
        }
        // A session that ended within the window: its samples still count on its circuit.
        let info = match store.get_session(&sample.session_id).await {
            Ok(session) => SampledSession {
                port_id: session.port_id,
                ended_at: session.ended_at,
            },
            Err(StoreError::NotFound { .. }) => SampledSession {
                port_id: None,
                ended_at: None,
            },
            Err(error) => return Err(error),
        };
        sampled.insert(sample.session_id.clone(), info);
    }

    Ok(SiteState {
        site,
        now,
        circuits,
        tree,
        ports,
        scheduled,
        overrides,
        plan,
        sessions,
        samples,
        sampled,
    })
}
