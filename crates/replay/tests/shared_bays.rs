//! Shared bays on JPL's busiest recorded day (2019-05-03: 86 sessions, all 52 stations taken
//! at once): with every station as a bay nobody queues and the day replays as recorded; with
//! fewer bays a line forms, it is served first come first served, and the wait grows as bays
//! are taken away.

use std::path::Path;

use chargeplan_replay::bays::{Bays, LineSummary};
use chargeplan_replay::engine::{self, Run, RunOptions};
use chargeplan_replay::server_side::Planner;
use chargeplan_replay::{Battery, Info, Recorded, sessions, site};
use chrono::Duration;

fn day() -> (site::SiteModel, Vec<Recorded>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = site::load(&root.join("../../config/sites/jpl.toml")).expect("the JPL site file");
    let mut sessions = sessions::read_file(&root.join("tests/fixtures/jpl_2019-05-03.csv"), false)
        .expect("the recorded day")
        .sessions;
    sessions.sort_by_key(|s| s.arrival);
    (site, sessions)
}

fn run(site: &site::SiteModel, sessions: &[Recorded], bays: Option<usize>) -> Run {
    engine::run(
        site,
        sessions,
        RunOptions {
            planner: Some(Planner::Optimizer),
            info: Info::Perfect,
            battery: Battery::Ideal,
            progress: None,
            bays: bays.map(|ports| Bays {
                ports,
                move_after: Duration::minutes(15),
            }),
        },
    )
    .expect("the day replays")
}

fn energy(run: &Run) -> f64 {
    run.delivered_kwh.iter().sum()
}

fn summary(run: &Run) -> LineSummary {
    run.line.as_ref().expect("shared bays").summary()
}

#[test]
fn fewer_bays_than_cars_make_a_first_come_first_served_line_that_grows_as_bays_go() {
    let (site, sessions) = day();
    assert_eq!(sessions.len(), 86);
    let recorded = run(&site, &sessions, None);
    let all = run(&site, &sessions, Some(52));
    let forty = run(&site, &sessions, Some(40));
    let thirty_four = run(&site, &sessions, Some(34));
    for (label, r) in [("52", &all), ("40", &forty), ("34", &thirty_four)] {
        println!("{label} bays: {:?}, {:.1} kWh", summary(r), energy(r));
    }
    println!("recorded stations: {:.1} kWh", energy(&recorded));

    // Every station a bay: the day fits, nobody waits, the same energy as on the recorded
    // stations (every JPL port is alike and on the one service).
    assert_eq!(summary(&all).queued, 0);
    assert!((energy(&all) - energy(&recorded)).abs() < 1e-3 * energy(&recorded));

    // Fewer bays: a line, longer waits and less energy the fewer there are.
    let (at_40, at_34) = (summary(&forty), summary(&thirty_four));
    assert!(at_40.queued >= 10, "{at_40:?}");
    assert!(at_34.queued > at_40.queued, "{at_34:?} / {at_40:?}");
    assert!(at_34.wait_min_mean > at_40.wait_min_mean);
    assert!(energy(&thirty_four) < energy(&forty) && energy(&forty) < energy(&all));

    // First come, first served: of the drivers who got a bay after waiting, one who arrived
    // earlier plugged in no later.
    let line = forty.line.as_ref().expect("shared bays");
    let mut plugged: Vec<_> = sessions
        .iter()
        .enumerate()
        .filter(|&(i, _)| !line.gave_up[i])
        .filter_map(|(i, s)| {
            let waited = line.waited_s[i]?;
            Some((
                s.arrival,
                s.arrival + Duration::milliseconds((waited * 1e3) as i64),
            ))
        })
        .collect();
    plugged.sort();
    assert!(plugged.windows(2).all(|w| w[0].1 <= w[1].1), "{plugged:?}");
}
