//! What both measurements share: settings from the environment, percentiles, process CPU
//! time, and a tracing layer that keeps the control loop's "site re-planned" figures.

use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;

/// A number from the environment, or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// A comma-separated list of numbers from the environment, or `default`.
pub fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    match std::env::var(name) {
        Ok(text) => text
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
        Err(_) => default.to_vec(),
    }
}

/// Nearest-rank percentile (`p` in 0–100) of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `p50 … max` of `values` (milliseconds), as one line.
pub fn summary(values: &[f64]) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mean = sorted.iter().sum::<f64>() / sorted.len().max(1) as f64;
    format!(
        "n={} p50={:.1} p95={:.1} p99={:.1} max={:.1} min={:.1} mean={:.1} ms",
        sorted.len(),
        percentile(&sorted, 50.0),
        percentile(&sorted, 95.0),
        percentile(&sorted, 99.0),
        sorted.last().copied().unwrap_or(f64::NAN),
        sorted.first().copied().unwrap_or(f64::NAN),
        mean
    )
}

/// User + system CPU time of the whole process (every thread: tokio workers, the blocking
/// pool where HiGHS runs, SQLite's worker threads), from `/proc/self/stat` (clock ticks of
/// 10 ms: `getconf CLK_TCK` is 100 on Linux).
pub fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 (utime) and 15 (stime); `fields[0]` is field 3 (state).
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
}

/// The load averages, as `uptime` shows them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// One "site re-planned" event of `chargeplan_control::planner::replan`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Replan {
    /// `replan.duration_ms`: snapshot + solve + save.
    pub total_ms: f64,
    /// `solve.duration_ms`: the optimizer alone.
    pub solve_ms: f64,
    pub sessions: u64,
}

/// The re-plans seen since the last [`Captured::take`].
#[derive(Debug, Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<Replan>>>);

impl Captured {
    pub fn take(&self) -> Vec<Replan> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Installs the capture (info events of `chargeplan_control` only, so nothing else is
/// formatted) and a log printer filtered by `RUST_LOG` (default: warnings).
pub fn install_capture() -> Captured {
    let captured = Captured::default();
    let only_control = Targets::new().with_target("chargeplan_control::planner", Level::INFO);
    let printer = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::registry()
        .with(CaptureLayer(captured.clone()).with_filter(only_control))
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(printer),
        )
        .init();
    captured
}

struct CaptureLayer(Captured);

impl<S: Subscriber> Layer<S> for CaptureLayer {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        if fields.message == "site re-planned" {
            self.0
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(fields.replan);
        }
    }
}

#[derive(Default)]
struct Fields {
    message: String,
    replan: Replan,
}

impl Fields {
    fn number(&mut self, field: &Field, value: f64) {
        match field.name() {
            "replan.duration_ms" => self.replan.total_ms = value,
            "solve.duration_ms" => self.replan.solve_ms = value,
            "plan.sessions" => self.replan.sessions = value as u64,
            _ => {}
        }
    }
}

impl Visit for Fields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.number(field, value);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.number(field, value as f64);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.number(field, value as f64);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            value.clone_into(&mut self.message);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}
