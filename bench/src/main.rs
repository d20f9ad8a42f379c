//! `steunpunt-bench`: measurements of the Steunpunt Federatie, each printed as one JSON
//! object (`--json`) or pretty JSON, and the deterministic simulation of a region.

mod daemon;
mod join;
mod network;
mod pages;
mod query;
mod reconcile;
mod runtime;
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
    /// Example: steunpunt-bench reconcile --n 1000,100000 --diff 1,1000,10000 --json
    Reconcile {
        /// Records held (comma-separated for several sizes).
        #[arg(long, value_delimiter = ',', default_value = "1000,100000")]
        n: Vec<usize>,
        /// Records one side lacks (comma-separated).
        #[arg(long, value_delimiter = ',', default_value = "1,1000,10000")]
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
        /// Clients searching at once in the concurrent run.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=1024))]
        clients: u64,
        /// Print one JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// Measures the running node from outside: `/v1/status` latency while idle, while
    /// four clients export and while a second node cold-syncs from it; search throughput
    /// with one client against many. Real `steunpuntd` processes over HTTP, so any build
    /// of the daemon can be measured.
    ///
    /// Example: steunpunt-bench runtime --n 100000 --json
    Runtime {
        /// Vacancies on the node.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(100..=1_000_000))]
        n: u64,
        /// Searches per load (the same list for one client and for many).
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        searches: u64,
        /// Concurrent search clients.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=1024))]
        clients: u64,
        /// The daemon to measure (default: the steunpuntd next to this program).
        #[arg(long)]
        steunpuntd: Option<std::path::PathBuf>,
        /// Print one JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// Measures how fast a publish and a withdrawal reach every node of a region of real
    /// `steunpuntd` processes peered in a sparse random graph, how many copies each node
    /// receives and how many bytes; baseline: one gossip hop between two neighbours.
    ///
    /// Example: steunpunt-bench propagate --nodes 20 --degree 3 --records 200 --json
    Propagate {
        /// Nodes in the region.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(3..=64))]
        nodes: u64,
        /// Neighbours of each node.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(2..=8))]
        degree: u64,
        /// Vacancies to publish (then withdraw), one after another.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=10_000))]
        records: u64,
        /// The daemon to measure (default: the steunpuntd next to this program).
        #[arg(long)]
        steunpuntd: Option<std::path::PathBuf>,
        /// Print one JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// The public site's pages on `n` vacancies: search page, vacancy page, widget and
    /// Atom feed, one client after another over HTTP, against the API's JSON search.
    ///
    /// Example: steunpunt-bench pages --n 100000
    Pages {
        /// Vacancies in the region.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(100..=1_000_000))]
        n: u64,
        /// Requests of each kind.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=100_000))]
        requests: u64,
        /// The daemon to measure (default: the one beside this program).
        #[arg(long)]
        steunpuntd: Option<std::path::PathBuf>,
        /// One JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Measures a new node joining a neighbour that holds N vacancies of 20 steunpunten:
    /// records verified, stored and indexed per second until its search finds them all;
    /// baseline: single and batch signature verification on this machine.
    ///
    /// Example: steunpunt-bench ingest --n 100000 --json
    Ingest(OneRegion),
    /// Measures a node's weight: disk against the raw envelope bytes, resident memory at
    /// rest and during a second node's cold sync, time from start to a serving API.
    ///
    /// Example: steunpunt-bench footprint --n 100000 --json
    Footprint(OneRegion),
    /// Connection attempts towards a neighbour that has not peered back, and towards one
    /// that comes and goes, in the deterministic simulation running the daemon's policy.
    ///
    /// Example: steunpunt-bench peering --hours 4 --json
    Peering {
        /// Virtual hours to wait.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=48))]
        hours: u64,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print one JSON object on one line.
        #[arg(long)]
        json: bool,
    },
}

/// A region held by one `steunpuntd`, for the benchmarks of one node's weight and speed.
#[derive(Debug, clap::Args)]
struct OneRegion {
    /// Vacancies the node holds.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(100..=1_000_000))]
    n: u64,
    /// The daemon to measure (default: the steunpuntd next to this program).
    #[arg(long)]
    steunpuntd: Option<std::path::PathBuf>,
    /// Print one JSON object on one line.
    #[arg(long)]
    json: bool,
}

/// One JSON object on one line with `--json`; otherwise a table of every figure, one per
/// line, nested names joined with dots.
fn print<T: Serialize>(value: &T, json: bool) -> anyhow::Result<()> {
    let value = serde_json::to_value(value)?;
    if json {
        println!("{value}");
        return Ok(());
    }
    let mut rows = Vec::new();
    flatten(String::new(), &value, &mut rows);
    let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, figure) in rows {
        println!("{name:<width$}  {figure}");
    }
    Ok(())
}

fn flatten(name: String, value: &serde_json::Value, rows: &mut Vec<(String, String)>) {
    let join = |part: &str| {
        if name.is_empty() {
            part.to_owned()
        } else {
            format!("{name}.{part}")
        }
    };
    match value {
        serde_json::Value::Object(fields) => {
            for (part, inner) in fields {
                flatten(join(part), inner, rows);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                flatten(join(&i.to_string()), inner, rows);
            }
        }
        serde_json::Value::String(text) => rows.push((name, text.clone())),
        other => rows.push((name, other.to_string())),
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
        } => print(
            &simulate::simulate(seeds, first_seed, nodes, !no_sync),
            json,
        ),
        Command::Query {
            n,
            queries,
            clients,
            json,
        } => print(
            &query::run(n as usize, queries as usize, clients as usize)?,
            json,
        ),
        Command::Runtime {
            n,
            searches,
            clients,
            steunpuntd,
            json,
        } => print(
            &runtime::run(
                &daemon::binary(steunpuntd)?,
                n as usize,
                searches as usize,
                clients as usize,
            )?,
            json,
        ),
        Command::Propagate {
            nodes,
            degree,
            records,
            steunpuntd,
            json,
        } => print(
            &network::propagate(
                &daemon::binary(steunpuntd)?,
                nodes as usize,
                degree as usize,
                records as usize,
            )?,
            json,
        ),
        Command::Pages {
            n,
            requests,
            steunpuntd,
            json,
        } => print(
            &pages::run(&daemon::binary(steunpuntd)?, n as usize, requests as usize)?,
            json,
        ),
        Command::Ingest(OneRegion {
            n,
            steunpuntd,
            json,
        }) => print(
            &join::ingest(&daemon::binary(steunpuntd)?, n as usize)?,
            json,
        ),
        Command::Footprint(OneRegion {
            n,
            steunpuntd,
            json,
        }) => print(
            &join::footprint(&daemon::binary(steunpuntd)?, n as usize)?,
            json,
        ),
        Command::Peering { hours, seed, json } => print(
            &serde_json::json!({
                "not_peered_back": steunpunt_simulation::scenarios::unreciprocated_peering(seed, hours),
                "comes_and_goes": steunpunt_simulation::scenarios::flapping_neighbour(seed, hours),
            }),
            json,
        ),
        Command::Reconcile { n, diff, json } => {
            let largest = n.iter().max().copied().unwrap_or(0);
            if let Some(bad) = diff.iter().find(|d| **d > largest) {
                anyhow::bail!("--diff {bad} is larger than every --n");
            }
            print(
                &serde_json::json!({ "cases": reconcile::run(&n, &diff) }),
                json,
            )
        }
    }
}
