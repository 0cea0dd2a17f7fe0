//! The fast replay's command line: reads the session and site files, chooses the period, runs
//! the policies through `chargeplan-replay` and prints the table (or JSON), writing the JSON
//! report to `--output` when asked.

use anyhow::Context as _;
use chargeplan_replay::{Battery, Info, Policy, Replay, report, select, sessions, site};

use crate::cli::ReplayArgs;

/// Runs the replay described by `args` (not `--wire`).
pub fn run(args: &ReplayArgs) -> anyhow::Result<()> {
    let (Some(sessions_path), Some(site_path)) = (&args.sessions, &args.site) else {
        anyhow::bail!("replay needs --sessions FILE and --site FILE (or --wire)");
    };
    let policies = Policy::parse_list(&args.policies).map_err(anyhow::Error::msg)?;
    let info: Info = args.info.parse().map_err(anyhow::Error::msg)?;
    let battery = match args.battery.as_str() {
        "ideal" => Battery::Ideal,
        "taper" => Battery::Taper,
        other => anyhow::bail!("unknown --battery `{other}`: use ideal or taper"),
    };
    if args.pilots != "continuous" {
        anyhow::bail!(
            "--pilots {} is not built yet: only continuous pilots are simulated",
            args.pilots
        );
    }
    let mut site = site::load(site_path)?;
    if let Some(cap) = args.cap_kw {
        site = site.with_service_cap(cap).map_err(anyhow::Error::msg)?;
    }
    let file = sessions::read_file(sessions_path, args.skip_bad_rows)?;
    for row in &file.skipped {
        eprintln!("skipped {}: {row}", sessions_path.display());
    }
    let local_day = |s: &chargeplan_replay::Recorded| {
        s.arrival.with_timezone(&site.site.time_zone).date_naive()
    };
    let from = match args.from {
        Some(day) => day,
        None => file.sessions.first().map(local_day).context("no session")?,
    };
    let to = match args.to {
        Some(day) => day,
        None => file
            .sessions
            .iter()
            .map(local_day)
            .max()
            .context("no session")?,
    };
    if to < from {
        anyhow::bail!("--to {to} is before --from {from}");
    }
    let (chosen, unknown) = select(&site, &file.sessions, from, to, args.skip_bad_rows)?;
    for row in &unknown {
        eprintln!("skipped {}: {row}", sessions_path.display());
    }
    let replay = Replay {
        site,
        sessions: chosen,
        from,
        to,
        info,
        battery,
        progress: args.progress,
    };
    let reports = replay.run(&policies)?;
    let json = report::json(&reports);
    if let Some(path) = &args.plot {
        let svg = chargeplan_replay::plot::svg(&reports, replay.site.site.time_zone);
        std::fs::write(path, svg).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.output {
        std::fs::write(path, format!("{json}\n"))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if args.json {
        println!("{json}");
    } else {
        print!("{}", report::table(&reports));
    }
    Ok(())
}
