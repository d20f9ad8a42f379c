//! The simulation command: many seeds of the deterministic simulation, each run twice to
//! check that the same seed gives the same trace.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde::Serialize;
use steunpunt_simulation::{RunReport, SimConfig, run};

/// The summary of a batch of simulation runs.
#[derive(Debug, Serialize)]
pub struct SimSummary {
    runs: u64,
    nodes: u64,
    sync: bool,
    converged: u64,
    all_converged: bool,
    lost: u64,
    resurrected: u64,
    untrusted_held: u64,
    diverged: u64,
    unreachable: u64,
    equivocations_detected: u64,
    deterministic: bool,
    max_rounds_to_converge: u32,
    acknowledged: u64,
    messages: u64,
    seconds: f64,
    failed_seeds: Vec<u64>,
}

/// Runs seeds `first..first + seeds` on all cores.
pub fn simulate(seeds: u64, first_seed: u64, nodes: u64, sync: bool) -> SimSummary {
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
                        let deterministic = run(config(seed)) == report;
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
        unreachable: sum(|r| r.unreachable),
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
