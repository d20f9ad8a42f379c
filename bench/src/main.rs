//! `steunpunt-bench`: measurements of the Steunpunt Federatie, each printed as one JSON
//! object, and the deterministic simulation of a region.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use clap::{Parser, Subcommand};
use serde::Serialize;
use steunpunt_simulation::{RunReport, SimConfig, run};

/// Benchmarks and simulations of the Steunpunt Federatie.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulates a region under faults and checks that nothing is lost or resurrected.
    ///
    /// Example: steunpunt-bench sim --seeds 1000 --nodes 12 --json
    Sim {
        /// Number of seeds to run (seeds FIRST..FIRST+N).
        #[arg(long, default_value_t = 100)]
        seeds: u64,
        /// First seed.
        #[arg(long, default_value_t = 0)]
        first_seed: u64,
        /// Nodes in the simulated region (at least 3).
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u64).range(3..=200))]
        nodes: u64,
        /// Negative control: disable anti-entropy sync (gossip only); the checker must
        /// then report losses.
        #[arg(long)]
        no_sync: bool,
        /// Print one JSON object instead of a summary.
        #[arg(long)]
        json: bool,
    },
}

/// The summary of a simulation batch.
#[derive(Debug, Serialize)]
struct SimSummary {
    runs: u64,
    nodes: u64,
    sync: bool,
    converged: u64,
    all_converged: bool,
    lost: u64,
    resurrected: u64,
    untrusted_held: u64,
    diverged: u64,
    equivocations_detected: u64,
    deterministic: bool,
    max_rounds_to_converge: u32,
    acknowledged: u64,
    messages: u64,
    seconds: f64,
    failed_seeds: Vec<u64>,
}

fn simulate(seeds: u64, first_seed: u64, nodes: u64, sync: bool) -> SimSummary {
    let started = Instant::now();
    let next = AtomicU64::new(first_seed);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let config = |seed| SimConfig {
        seed,
        nodes: nodes as usize,
        sync,
        ..SimConfig::default()
    };
    let mut reports: Vec<(RunReport, bool)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let seed = next.fetch_add(1, Ordering::Relaxed);
                        if seed >= first_seed + seeds {
                            break out;
                        }
                        let report = run(config(seed));
                        // The same seed must give the same trace.
                        let again = run(config(seed));
                        let deterministic = again == report;
                        out.push((report, deterministic));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    reports.sort_by_key(|(r, _)| r.seed);
    let sum = |f: fn(&RunReport) -> u64| reports.iter().map(|(r, _)| f(r)).sum::<u64>();
    let converged = reports.iter().filter(|(r, _)| r.converged).count() as u64;
    SimSummary {
        runs: reports.len() as u64,
        nodes,
        sync,
        converged,
        all_converged: converged == reports.len() as u64,
        lost: sum(|r| r.lost),
        resurrected: sum(|r| r.resurrected),
        untrusted_held: sum(|r| r.untrusted_held),
        diverged: sum(|r| r.diverged),
        equivocations_detected: sum(|r| r.equivocations_detected),
        deterministic: reports.iter().all(|(_, d)| *d),
        max_rounds_to_converge: reports
            .iter()
            .map(|(r, _)| r.rounds_to_converge)
            .max()
            .unwrap_or(0),
        acknowledged: sum(|r| r.acknowledged),
        messages: sum(|r| r.messages),
        seconds: started.elapsed().as_secs_f64(),
        failed_seeds: reports
            .iter()
            .filter(|(r, _)| !r.converged)
            .map(|(r, _)| r.seed)
            .take(20)
            .collect(),
    }
}

fn main() -> anyhow::Result<()> {
    match Args::parse().command {
        Command::Sim {
            seeds,
            first_seed,
            nodes,
            no_sync,
            json,
        } => {
            let summary = simulate(seeds, first_seed, nodes, !no_sync);
            if json {
                println!("{}", serde_json::to_string(&summary)?);
            } else {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            }
        }
    }
    Ok(())
}
