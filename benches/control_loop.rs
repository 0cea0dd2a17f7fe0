//! The control loop with the simulator (not timed tests): how long a driver's request takes
//! to become charging profiles accepted by the vendor on a 100-port site, and what one round
//! of re-plans of many sites costs in CPU. Figures and how to read them: docs/PERFORMANCE.md,
//! "Control loop".
//!
//! ```sh
//! cargo bench --bench control_loop -- request-latency   # N=200 CARS=60 PORTS=100 ...
//! cargo bench --bench control_loop -- many-sites        # SITES=100,1000 SESSIONS=30 ...
//! ```

#[path = "control_loop/common.rs"]
mod common;
#[path = "control_loop/latency.rs"]
mod latency;
#[path = "control_loop/many_sites.rs"]
mod many_sites;

fn main() -> anyhow::Result<()> {
    // `cargo bench` adds `--bench`; every other argument names a measurement to run.
    let chosen: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let wanted = |name: &str| chosen.is_empty() || chosen.iter().any(|c| name.contains(c.as_str()));
    let captured = common::install_capture();
    // Two workers: the dev machine's two cores, like the server's default runtime there.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if wanted("request-latency") {
        runtime.block_on(latency::run(&captured))?;
    }
    if wanted("many-sites") {
        runtime.block_on(many_sites::run(&captured))?;
    }
    Ok(())
}
