//! Replay of one real day of Caltech ACN-Data sessions (bundled CSV, CC BY 4.0, see `data/README.md`).

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::scenario::ArrivalSpec;

const DAY_CSV: &str = include_str!("../data/caltech_2019-06-14.csv");
const STATIONS: &str = include_str!("../data/caltech_stations.txt");

/// Maximum power of a replayed car, kW (Caltech ports give 6.656 kW).
const REPLAY_CAR_KW: f64 = 7.0;
/// Smallest battery a replayed car has, kWh.
const MIN_BATTERY_KWH: f64 = 30.0;
/// Delivered energy fills at most this share of the battery (the car arrives at ≥ 20 %).
const MAX_FILL_SHARE: f64 = 0.8;

/// Midnight at the start of the bundled day, 2019-06-14 00:00 Pacific daylight time.
pub fn acn_day_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2019, 6, 14, 7, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The station ids of the Caltech network (52, as seen in May–August 2019).
pub fn station_ids() -> impl Iterator<Item = &'static str> {
    STATIONS.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// One recorded session.
#[derive(Debug, Clone, PartialEq)]
pub struct AcnSession {
    /// Plug-in.
    pub arrival: DateTime<Utc>,
    /// Unplug.
    pub departure: DateTime<Utc>,
    /// What the driver asked for.
    pub requested_kwh: f64,
    /// What the car took.
    pub delivered_kwh: f64,
    /// EVSE.
    pub station_id: String,
    /// ACN's id.
    pub session_id: String,
}

fn parse_local(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S%:z")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The 49 sessions that arrived on 2019-06-14, oldest arrival first (rows that fail to parse are skipped).
pub fn acn_day() -> Vec<AcnSession> {
    let mut out: Vec<AcnSession> = DAY_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            Some(AcnSession {
                arrival: parse_local(f.first()?)?,
                departure: parse_local(f.get(1)?)?,
                requested_kwh: f.get(2)?.parse().ok()?,
                delivered_kwh: f.get(3)?.parse().ok()?,
                station_id: (*f.get(4)?).to_owned(),
                session_id: (*f.get(5)?).to_owned(),
            })
        })
        .collect();
    out.sort_by_key(|s| s.arrival);
    out
}

/// The car that would take about `delivered_kwh` and then be full: a battery of at least 30 kWh
/// that the energy fills to 100 %.
pub fn car_for(delivered_kwh: f64) -> (f64, f64) {
    let battery = (delivered_kwh / MAX_FILL_SHARE).max(MIN_BATTERY_KWH);
    let soc = 1.0 - delivered_kwh / battery;
    (battery, soc)
}

/// The bundled day as arrivals, shifted so that its midnight (Pacific) falls on `day_start`;
/// token uids are `ACN-0001`… in arrival order. Use with [`crate::Site::caltech`].
pub fn replay_arrivals(day_start: DateTime<Utc>) -> Vec<ArrivalSpec> {
    let shift: Duration = day_start - acn_day_start();
    acn_day()
        .into_iter()
        .enumerate()
        .map(|(n, s)| {
            let (battery_kwh, soc) = car_for(s.delivered_kwh);
            ArrivalSpec {
                evse: s.station_id,
                token_uid: format!("ACN-{:04}", n + 1),
                arrival: s.arrival + shift,
                departure: Some(s.departure + shift),
                battery_kwh,
                soc,
                max_kw: REPLAY_CAR_KW,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_day_has_49_sessions_on_known_stations() {
        let day = acn_day();
        assert_eq!(day.len(), 49);
        let stations: Vec<&str> = station_ids().collect();
        assert_eq!(stations.len(), 52);
        assert!(
            day.iter()
                .all(|s| stations.contains(&s.station_id.as_str()))
        );
        assert!(day.iter().all(|s| s.departure > s.arrival));
    }

    #[test]
    fn a_replayed_car_has_room_for_exactly_its_delivered_energy() {
        for e in [0.85, 12.0, 49.9] {
            let (battery, soc) = car_for(e);
            assert!(((1.0 - soc) * battery - e).abs() < 1e-9);
            assert!(soc >= 0.2 - 1e-9);
        }
    }
}
