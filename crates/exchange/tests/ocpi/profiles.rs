//! Dispatching plans as charging profiles, with the CPO's asynchronous results.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chargeplan_core::{LimitPeriod, ManualClock, Port, Session, SetpointState};
use chargeplan_exchange::RateUnit;
use chargeplan_exchange::dispatch::{DispatchConfig, Dispatcher, Order, Outcome};
use chargeplan_exchange::outcome::Reason;
use chargeplan_exchange::poller::{PollStatus, Poller, PollerConfig};
use chargeplan_sim::{Faults, ProfileMode};

use crate::harness::*;

/// Plugs cars into `evses`, polls them in, and returns each session with its port.
async fn plugged(world: &World, evses: &[&str]) -> Vec<(Session, Port)> {
    for (n, evse) in evses.iter().enumerate() {
        world
            .sim
            .plug_in(arrival(evse, &format!("RFID-{n}"), 0.2))
            .expect("plugged in");
    }
    world.sim.advance(Duration::from_secs(60));
    let poller = Poller {
        vendor: world.vendor.clone(),
        cloud: world.cloud.clone(),
        store: world.store.clone(),
        clock: Arc::new(ManualClock::new(world.sim.now())),
        config: PollerConfig::default(),
        status: Arc::new(std::sync::Mutex::new(PollStatus::default())),
    };
    poller.poll_once().await.expect("poll");
    let ports = world.store.list_ports(&world.site).await.expect("ports");
    let sessions = world
        .store
        .list_open_sessions(&world.site)
        .await
        .expect("sessions");
    evses
        .iter()
        .map(|evse| {
            let port = ports
                .iter()
                .find(|p| p.vendor.evse_uid == *evse)
                .expect("port")
                .clone();
            let session = sessions
                .iter()
                .find(|s| s.port_id.as_ref() == Some(&port.id))
                .expect("session")
                .clone();
            (session, port)
        })
        .collect()
}

fn dispatcher(world: &World, config: DispatchConfig) -> Dispatcher {
    Dispatcher::new(
        world.cloud.clone(),
        world.store.clone(),
        world.clock.clone(),
        world.results.clone(),
        config,
    )
}

fn order(
    session: &Session,
    port: &Port,
    limits_kw: &[f64],
    current: Option<f64>,
    world: &World,
) -> Order {
    Order {
        port: port.clone(),
        session: session.clone(),
        starts_at: world.sim.now(),
        periods: limits_kw
            .iter()
            .enumerate()
            .map(|(i, &kw)| LimitPeriod {
                start_offset_s: u32::try_from(i).expect("small") * 300,
                limit_kw: kw,
            })
            .collect(),
        current_limit_kw: current,
    }
}

#[tokio::test]
async fn an_accepted_profile_is_acknowledged_asynchronously_and_limits_the_car() {
    let world = World::start(|_, _| {}).await;
    let cars = plugged(&world, &["DEMO-01"]).await;
    let (session, port) = &cars[0];
    let dispatcher = dispatcher(&world, DispatchConfig::default());

    let report = dispatcher
        .dispatch(
            &world.site,
            None,
            vec![order(session, port, &[4.0, 6.0], None, &world)],
        )
        .await;

    assert_eq!(report.outcome(&session.id), Some(Outcome::Accepted));
    let limit = world
        .sim
        .current_limit_kw(&session.vendor_session_id)
        .expect("a limit is in force");
    assert!((limit - 4.0).abs() < 0.01, "{limit}");
    let log = world.sim.profile_log();
    let profile = log
        .last()
        .and_then(|entry| entry.profile.clone())
        .expect("a profile was PUT");
    assert!(
        log.last().expect("entry").warnings.is_empty(),
        "{:?}",
        log.last().map(|e| &e.warnings)
    );
    assert_eq!(
        profile.charging_profile_period.len(),
        2,
        "the whole horizon, not only the first slot"
    );
    let setpoints = world
        .store
        .list_setpoints(&world.site, chrono::DateTime::UNIX_EPOCH)
        .await
        .expect("audit");
    assert_eq!(
        setpoints.iter().map(|s| s.state).collect::<Vec<_>>(),
        [SetpointState::Accepted]
    );
    world.sim.advance(Duration::from_secs(120));
    let drawn = world
        .sim
        .session(&session.vendor_session_id)
        .expect("session")
        .power_kw;
    assert!(
        drawn <= 4.0 + 1e-6,
        "the car follows the profile: {drawn} kW"
    );
}

#[tokio::test]
async fn amperes_per_phase_are_sent_with_one_decimal_and_the_minimum_rate() {
    let world = World::start(|_, _| {}).await;
    let cars = plugged(&world, &["DEMO-01"]).await;
    let (session, port) = &cars[0];
    let dispatcher = dispatcher(
        &world,
        DispatchConfig {
            unit: RateUnit::Amperes,
            ..DispatchConfig::default()
        },
    );

    let report = dispatcher
        .dispatch(
            &world.site,
            None,
            vec![order(session, port, &[7.0], None, &world)],
        )
        .await;

    assert_eq!(report.outcome(&session.id), Some(Outcome::Accepted));
    let profile = world
        .sim
        .profile_log()
        .last()
        .and_then(|entry| entry.profile.clone())
        .expect("profile");
    let limit = profile.charging_profile_period[0].limit;
    assert!(
        (limit - 10.1).abs() < 1e-9,
        "7 kW / (230 V × 3) = 10.14 A → 10.1, got {limit}"
    );
    assert_eq!(profile.min_charging_rate, Some(6.0));
}

#[tokio::test]
async fn a_rejected_profile_is_recorded_on_the_setpoint_and_leaves_the_port_controllable() {
    let world = World::start(|config, _| config.profiles.mode = ProfileMode::Reject).await;
    let cars = plugged(&world, &["DEMO-01"]).await;
    let (session, port) = &cars[0];

    let report = dispatcher(&world, DispatchConfig::default())
        .dispatch(
            &world.site,
            None,
            vec![order(session, port, &[4.0], None, &world)],
        )
        .await;

    assert_eq!(
        report.outcome(&session.id),
        Some(Outcome::Rejected(Reason::Rejected))
    );
    assert_eq!(report.uncontrolled, vec![port.id.clone()]);
    let stored = world
        .store
        .find_port_by_vendor(&port.vendor)
        .await
        .expect("read")
        .expect("port");
    assert!(
        stored.controllable,
        "the port stays controllable: the next car on it is limited again"
    );
    let setpoints = world
        .store
        .list_setpoints(&world.site, chrono::DateTime::<chrono::Utc>::MIN_UTC)
        .await
        .expect("setpoints");
    assert_eq!(
        setpoints.last().map(|sp| sp.state),
        Some(SetpointState::Rejected),
        "the refusal is recorded on the session's setpoint, which the next plan reads"
    );
}

#[tokio::test]
async fn a_result_that_never_comes_fails_the_setpoint_after_the_wait() {
    let world = World::start(|config, _| config.profiles.mode = ProfileMode::AcceptSilently).await;
    let cars = plugged(&world, &["DEMO-01"]).await;
    let (session, port) = &cars[0];
    let config = DispatchConfig {
        max_result_wait: Duration::from_millis(300),
        ..DispatchConfig::default()
    };

    let report = dispatcher(&world, config)
        .dispatch(
            &world.site,
            None,
            vec![order(session, port, &[4.0], None, &world)],
        )
        .await;

    assert_eq!(
        report.outcome(&session.id),
        Some(Outcome::Unknown(Reason::NoResult))
    );
    let setpoints = world
        .store
        .list_setpoints(&world.site, chrono::DateTime::UNIX_EPOCH)
        .await
        .expect("audit");
    assert_eq!(setpoints[0].state, SetpointState::Failed);
    assert_eq!(setpoints[0].reason.as_deref(), Some("no_result"));
}

#[tokio::test]
async fn decreases_are_acknowledged_before_increases_and_a_failed_decrease_holds_increases_back() {
    let world = World::start(|_, _| {}).await;
    let cars = plugged(&world, &["DEMO-01", "DEMO-02"]).await;
    let (down, down_port) = &cars[0];
    let (up, up_port) = &cars[1];
    let current = HashMap::from([(up.id.clone(), 2.0)]);
    let orders = vec![
        order(up, up_port, &[9.0], current.get(&up.id).copied(), &world),
        order(down, down_port, &[3.0], None, &world),
    ];

    let report = dispatcher(&world, DispatchConfig::default())
        .dispatch(&world.site, None, orders.clone())
        .await;

    assert_eq!(report.outcome(&up.id), Some(Outcome::Accepted));
    assert_eq!(report.outcome(&down.id), Some(Outcome::Accepted));
    let sent: Vec<String> = world
        .sim
        .profile_log()
        .into_iter()
        .map(|entry| entry.session_id)
        .collect();
    assert_eq!(
        sent,
        [down.vendor_session_id.clone(), up.vendor_session_id.clone()],
        "the decrease goes first"
    );

    world
        .sim
        .set_session_profile_mode(&down.vendor_session_id, Some(ProfileMode::Reject));
    let again = dispatcher(&world, DispatchConfig::default())
        .dispatch(&world.site, None, orders)
        .await;
    assert_eq!(
        again.outcome(&down.id),
        Some(Outcome::Rejected(Reason::Rejected))
    );
    assert_eq!(
        again.outcome(&up.id),
        Some(Outcome::NotSent),
        "no increase while a decrease did not go through"
    );
}

#[tokio::test]
async fn too_often_leaves_the_session_alone_until_the_backoff_passes() {
    let world = World::start(|config, _| config.profiles.mode = ProfileMode::TooOften).await;
    let cars = plugged(&world, &["DEMO-01"]).await;
    let (session, port) = &cars[0];
    let dispatcher = dispatcher(&world, DispatchConfig::default());

    let first = dispatcher
        .dispatch(
            &world.site,
            None,
            vec![order(session, port, &[4.0], None, &world)],
        )
        .await;
    let second = dispatcher
        .dispatch(
            &world.site,
            None,
            vec![order(session, port, &[4.0], None, &world)],
        )
        .await;

    assert_eq!(first.outcome(&session.id), Some(Outcome::TooOften));
    assert_eq!(second.outcome(&session.id), Some(Outcome::NotSent));
    assert_eq!(
        world.sim.profile_log().len(),
        1,
        "nothing sent during the backoff"
    );
    assert!(
        first.uncontrolled.is_empty(),
        "rate limiting is not a refusal"
    );
}

/// Waits (bounded) until the simulator has posted the asynchronous result of its latest
/// profile request, and returns our receiver's HTTP status for it.
async fn result_delivery(world: &World) -> Option<Result<u16, String>> {
    for _ in 0..250 {
        if let Some(delivered) = world
            .sim
            .profile_log()
            .last()
            .and_then(|e| e.delivered.clone())
        {
            return Some(delivered);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn a_profile_applied_behind_a_truncated_answer_is_accepted_when_its_late_result_comes() {
    let world = World::start(|_, _| {}).await;
    let cars = plugged(&world, &["DEMO-01"]).await;
    let (session, port) = &cars[0];
    world.sim.set_faults(Faults {
        malformed: 1,
        ..Faults::default()
    });

    let report = dispatcher(&world, DispatchConfig::default())
        .dispatch(
            &world.site,
            None,
            vec![order(session, port, &[4.0], None, &world)],
        )
        .await;

    assert_eq!(
        report.outcome(&session.id),
        Some(Outcome::Unknown(Reason::UnreadableBody)),
        "an unreadable answer is an unknown outcome, not a refusal"
    );
    assert_eq!(
        result_delivery(&world).await,
        Some(Ok(200)),
        "the late ACCEPTED is taken, not answered 404"
    );
    let setpoint = world
        .store
        .latest_setpoint(&session.id)
        .await
        .expect("read")
        .expect("setpoint");
    assert_eq!(setpoint.state, SetpointState::Accepted);
    assert_eq!(setpoint.reason, None);
    let events = world
        .store
        .events_after(&world.site, 0, 100)
        .await
        .expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.payload.get("reconciled").and_then(|v| v.as_str()) == Some("accepted")),
        "the site hears that the session is under control again"
    );
}

#[tokio::test]
async fn server_errors_and_resets_are_unknown_outcomes_with_their_reason() {
    let world = World::start(|_, _| {}).await;
    let cars = plugged(&world, &["DEMO-01"]).await;
    let (session, port) = &cars[0];
    let dispatcher = dispatcher(&world, DispatchConfig::default());
    let mut seen = Vec::new();
    for faults in [
        Faults {
            server_errors: 1,
            server_error_status: 503,
            ..Faults::default()
        },
        Faults {
            resets: 1,
            ..Faults::default()
        },
    ] {
        world.sim.set_faults(faults);
        let report = dispatcher
            .dispatch(
                &world.site,
                None,
                vec![order(session, port, &[4.0], None, &world)],
            )
            .await;
        seen.push(report.outcome(&session.id));
    }

    assert_eq!(
        seen,
        [
            Some(Outcome::Unknown(Reason::ServerError(503))),
            Some(Outcome::Unknown(Reason::Reset))
        ]
    );
    let stored = world
        .store
        .list_session_setpoints(&session.id, chrono::DateTime::UNIX_EPOCH)
        .await
        .expect("setpoints");
    assert_eq!(stored[0].reason.as_deref(), Some("http_503"));
}
