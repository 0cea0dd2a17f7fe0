//! `chargeplan optimize`: one site's plan from a problem file, with no server and no database.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::OptimizeArgs;
use crate::{EXIT_FAILURE, EXIT_USAGE};

/// Reads the problem, solves it, writes the plan; bad input exits 2 naming the field.
pub fn run(args: &OptimizeArgs) -> ExitCode {
    let input = match std::fs::read_to_string(&args.input) {
        Ok(input) => input,
        Err(error) => {
            eprintln!(
                "chargeplan optimize: cannot read {}: {error}",
                args.input.display()
            );
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let plan = match chargeplan_optimizer::run_optimize_json(&input) {
        Ok(plan) => plan,
        Err(error) => {
            eprintln!("chargeplan optimize: {}: {error}", args.input.display());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match &args.output {
        Some(path) => write(path, &plan),
        None => {
            println!("{plan}");
            ExitCode::SUCCESS
        }
    }
}

/// [`run`] for callers that report failures as errors.
pub fn result(args: &OptimizeArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        run(args) == ExitCode::SUCCESS,
        "optimize failed (see the message above)"
    );
    Ok(())
}

fn write(path: &Path, plan: &str) -> ExitCode {
    match std::fs::write(path, format!("{plan}\n")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!(
                "chargeplan optimize: cannot write {}: {error}",
                path.display()
            );
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
