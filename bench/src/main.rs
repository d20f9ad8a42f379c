//! `steunpunt-bench`: measurements of the Steunpunt Federatie, each printed as one JSON
//! object (`--json`) or pretty JSON, and the deterministic simulation of a region.

mod query;
mod reconcile;
mod simulate;

use clap::{Parser, Subcommand};
use serde::Serialize;

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
        /// Print one JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// Measures round trips and bytes of one sync between nodes that differ in a few
    /// records, against the naive baseline of sending the whole item list.
    ///
    /// Example: steunpunt-bench reconcile --n 1000,100000 --diff 1,1000 --json
    Reconcile {
        /// Records held (comma-separated for several sizes).
        #[arg(long, value_delimiter = ',', default_value = "1000,100000")]
        n: Vec<usize>,
        /// Records one side lacks (comma-separated).
        #[arg(long, value_delimiter = ',', default_value = "1,1000")]
        diff: Vec<usize>,
        /// Print one JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// Measures search latency (p50/p99) for a realistic mix of staff queries on a large
    /// region, index build and reopen time, against a linear scan in the same run.
    ///
    /// Example: steunpunt-bench query --n 100000 --queries 1000 --json
    Query {
        /// Vacancies in the region.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(100..=1_000_000))]
        n: u64,
        /// Queries to run.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        queries: u64,
        /// Print one JSON object on one line.
        #[arg(long)]
        json: bool,
    },
}

fn print<T: Serialize>(value: &T, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(value)?);
    } else {
        println!("{}", serde_json::to_string_pretty(value)?);
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    match Args::parse().command {
        Command::Sim {
            seeds,
            first_seed,
            nodes,
            no_sync,
            json,
        } => print(
            &simulate::simulate(seeds, first_seed, nodes, !no_sync),
            json,
        ),
        Command::Query { n, queries, json } => {
            print(&query::run(n as usize, queries as usize)?, json)
        }
        Command::Reconcile { n, diff, json } => {
            if let Some(bad) = diff.iter().zip(&n).find(|(d, n)| d > n) {
                anyhow::bail!("--diff {} is larger than --n {}", bad.0, bad.1);
            }
            print(
                &serde_json::json!({ "cases": reconcile::run(&n, &diff) }),
                json,
            )
        }
    }
}
