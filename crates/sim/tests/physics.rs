//! Cars and time: what a car draws, taper, departures, replay of the bundled ACN day, the real-time clock.

mod common;

use std::time::Duration;

use chargeplan_sim::{
    ArrivalSpec, ClockMode, SessionStatus, SimConfig, SimHandle, Site, acn_day, acn_day_start,
    format_datetime,
};
use chrono::TimeZone;
use common::{Peer, TOKEN, b64, client, module_url, start, start_demo, start_instant};
use serde_json::{Value, json};

fn car(
    evse: &str,
    battery_kwh: f64,
    soc: f64,
    max_kw: f64,
    stay_h: Option<i64>,
    sim: &SimHandle,
) -> ArrivalSpec {
    ArrivalSpec {
        evse: evse.into(),
        token_uid: format!("TOK-{evse}"),
        arrival: sim.now(),
        departure: stay_h.map(|h| sim.now() + chrono::Duration::hours(h)),
        battery_kwh,
        soc,
        max_kw,
    }
}

async fn put_profile(sim: &SimHandle, session: &str, unit: &str, limit: f64, peer: &Peer) -> Value {
    let body = json!({
        "charging_profile": {"charging_rate_unit": unit, "charging_profile_period": [{"start_period": 0, "limit": limit}]},
        "response_url": peer.url("/results/1"),
    });
    client()
        .put(format!("{}/{session}", module_url(sim, "chargingprofiles")))
        .header("Authorization", format!("Token {}", b64(TOKEN)))
        .json(&body)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("envelope")
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[tokio::test]
async fn a_car_draws_the_least_of_its_acceptance_the_profile_and_the_port_maximum() {
    let sim = start_demo().await;
    let peer = Peer::start().await;
    let big = sim
        .plug_in(car("DEMO-01", 80.0, 0.2, 22.0, None, &sim))
        .expect("plug")
        .expect("started");
    let small = sim
        .plug_in(car("DEMO-02", 80.0, 0.2, 7.0, None, &sim))
        .expect("plug")
        .expect("started");
    let capped = sim
        .plug_in(car("DEMO-07", 80.0, 0.2, 22.0, None, &sim))
        .expect("plug")
        .expect("started");
    let power = |id: &str| sim.session(id).expect("session").power_kw;
    assert!(
        close(power(&big), 11.04, 1e-9),
        "port maximum 3 × 230 V × 16 A"
    );
    assert!(close(power(&small), 7.0, 1e-9), "car acceptance");
    assert!(close(power(&capped), 7.4, 1e-9), "max_electric_power");

    assert_eq!(
        put_profile(&sim, &big, "A", 10.0, &peer).await["data"]["result"],
        "ACCEPTED"
    );
    assert!(
        close(power(&big), 6.9, 1e-9),
        "10 A per phase × 230 V × 3 phases"
    );
    assert_eq!(sim.current_limit_kw(&big), Some(6.9));
    assert_eq!(
        put_profile(&sim, &small, "W", 4000.0, &peer).await["data"]["result"],
        "ACCEPTED"
    );
    assert!(close(power(&small), 4.0, 1e-9));
    assert!(close(sim.total_power_kw(), 6.9 + 4.0 + 7.4, 1e-9));

    sim.advance(Duration::from_secs(3600));
    let s = sim.session(&big).expect("session");
    assert!(close(s.kwh, 6.9, 1e-6), "one hour at 6.9 kW, got {}", s.kwh);
    assert!(close(s.soc, 0.2 + 6.9 / 80.0, 1e-6));
    sim.shutdown().await;
}

#[tokio::test]
async fn acceptance_tapers_linearly_above_eighty_percent() {
    let sim = start_demo().await;
    let id = sim
        .plug_in(car("DEMO-01", 20.0, 0.75, 10.0, None, &sim))
        .expect("plug")
        .expect("started");
    assert!(close(sim.session(&id).expect("s").power_kw, 10.0, 1e-9));
    let mut last = f64::INFINITY;
    for _ in 0..12 {
        sim.advance(Duration::from_secs(600));
        let s = sim.session(&id).expect("s");
        let expected = if s.soc >= 1.0 {
            0.0
        } else if s.soc <= 0.8 {
            10.0
        } else {
            0.5 + 9.5 * (1.0 - s.soc) / 0.2
        };
        assert!(
            close(s.power_kw, expected, 1e-9),
            "at soc {} drew {}",
            s.soc,
            s.power_kw
        );
        assert!(s.power_kw <= last);
        last = s.power_kw;
    }
    let s = sim.session(&id).expect("s");
    assert!(
        s.soc > 0.95 && s.power_kw < 2.0,
        "soc {} power {}",
        s.soc,
        s.power_kw
    );
    let json = sim.session_json(&id).expect("json");
    let periods = json["charging_periods"].as_array().expect("periods");
    assert!(periods.len() > 3, "the taper opens new charging periods");
    let energy: f64 = periods
        .iter()
        .map(|p| p["dimensions"][0]["volume"].as_f64().expect("kWh"))
        .sum();
    assert!(close(energy, json["kwh"].as_f64().expect("kwh"), 1e-3));
    for p in periods {
        let kinds: Vec<&str> = p["dimensions"]
            .as_array()
            .expect("dims")
            .iter()
            .map(|d| d["type"].as_str().expect("type"))
            .collect();
        assert_eq!(kinds, ["ENERGY", "POWER", "STATE_OF_CHARGE"]);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_session_completes_at_departure_and_then_stops_changing() {
    let sim = start_demo().await;
    let id = sim
        .plug_in(car("DEMO-03", 60.0, 0.1, 11.0, Some(2), &sim))
        .expect("plug")
        .expect("started");
    let departure = sim.now() + chrono::Duration::hours(2);
    sim.advance(Duration::from_secs(7140));
    assert_eq!(sim.session(&id).expect("s").status, SessionStatus::Active);
    sim.advance(Duration::from_secs(600));
    let s = sim.session(&id).expect("s");
    assert_eq!(s.status, SessionStatus::Completed);
    assert_eq!(s.end, Some(departure));
    assert!(
        close(s.kwh, 22.0, 1e-6),
        "two hours at the car's 11 kW (port 11.04 kW), got {}",
        s.kwh
    );
    let json = sim.session_json(&id).expect("json");
    assert_eq!(json["status"], "COMPLETED");
    assert_eq!(json["end_date_time"], format_datetime(departure));
    assert_eq!(json["last_updated"], format_datetime(departure));
    assert_eq!(json["cdr_token"]["uid"], "TOK-DEMO-03");
    for key in [
        "country_code",
        "party_id",
        "start_date_time",
        "auth_method",
        "location_id",
        "evse_uid",
        "connector_id",
        "currency",
    ] {
        assert!(json.get(key).is_some(), "{key} missing");
    }
    assert_eq!(sim.total_power_kw(), 0.0);
    sim.advance(Duration::from_secs(3600));
    assert_eq!(sim.session(&id).expect("s").kwh, s.kwh);
    assert_eq!(
        sim.session_json(&id).expect("json")["last_updated"],
        format_datetime(departure)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn replaying_the_bundled_day_produces_its_49_sessions_with_about_their_energy() {
    let config = SimConfig::new(TOKEN, start_instant()).with_site(Site::caltech());
    assert_eq!(config.site.evses().count(), 54);
    let sim = start(config).await;
    let day = chrono::Utc
        .with_ymd_and_hms(2024, 5, 2, 7, 0, 0)
        .single()
        .expect("instant");
    assert_eq!(sim.replay_acn_day(day).expect("replay"), 49);
    assert!(sim.sessions().is_empty(), "nobody has arrived yet");
    sim.advance_to(day + chrono::Duration::hours(12));
    let midday = sim.sessions();
    assert!(midday.iter().any(|s| s.status == SessionStatus::Active));
    assert!(sim.total_power_kw() > 0.0);
    sim.advance_to(day + chrono::Duration::hours(36));
    let sessions = sim.sessions();
    assert_eq!(sessions.len(), 49);
    assert!(
        sessions
            .iter()
            .all(|s| s.status == SessionStatus::Completed)
    );
    let recorded = acn_day();
    let shift = day - acn_day_start();
    for (s, r) in sessions.iter().zip(&recorded) {
        assert_eq!(s.evse_uid, r.station_id);
        assert_eq!(s.start, r.arrival + shift);
        assert_eq!(s.end, Some(r.departure + shift));
    }
    let delivered: f64 = sessions.iter().map(|s| s.kwh).sum();
    let real: f64 = recorded.iter().map(|r| r.delivered_kwh).sum();
    assert!(
        (delivered - real).abs() / real < 0.1,
        "simulated {delivered:.1} kWh vs recorded {real:.1} kWh"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_real_time_clock_runs_at_its_speed_up() {
    let mut config = SimConfig::new(TOKEN, start_instant()).with_site(Site::demo());
    config.clock = ClockMode::RealTime {
        start: start_instant(),
        speedup: 3600.0,
    };
    let sim = start(config).await;
    sim.seed_demo().expect("demo cars");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let elapsed = sim.now() - start_instant();
    assert!(
        elapsed >= chrono::Duration::minutes(10) && elapsed <= chrono::Duration::hours(3),
        "{elapsed}"
    );
    assert!(
        sim.sessions()[0].kwh > 0.0,
        "the first demo car has charged"
    );
    sim.shutdown().await;
}
