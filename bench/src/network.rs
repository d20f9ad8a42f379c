//! The federation's speed and weight on real nodes: `propagate` (a publish and a
//! withdrawal reaching every node of a region), `ingest` (a new node filling up from a
//! neighbour) and `footprint` (memory, disk and restart time). Real `steunpuntd`
//! processes over loopback TCP, measured from outside through their API and metrics; each
//! with its baseline in the same run.

use std::path::Path;
use std::time::{Duration, Instant};

use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use steunpunt_api::Status;
use steunpunt_protocol::Kind;

use crate::daemon::{Daemon, init};
use crate::runtime::{Latency, latency, round};

/// How often a node is asked whether a record has arrived.
const POLL: Duration = Duration::from_millis(10);
/// A record that has not reached every node in this time is reported as lost.
const ARRIVAL_LIMIT: Duration = Duration::from_secs(60);

pub(crate) fn vacancies(status: &Status) -> u64 {
    status.record_counts.vacancy
}

/// Sums every sample of the metric `name` (all label sets) in Prometheus text.
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let bare = series.split('{').next()?;
            (bare == name).then(|| value.parse::<f64>().ok())?
        })
        .sum()
}

/// Gossip messages received (duplicates included) and bytes received, per node.
fn traffic(nodes: &[Daemon]) -> anyhow::Result<Vec<(f64, f64)>> {
    nodes
        .iter()
        .map(|n| {
            let text = n.api.metrics()?;
            Ok((
                metric(&text, "gossipsub_topic_msg_recv_counts_unfiltered_total"),
                bandwidth_in(&text),
            ))
        })
        .collect()
}

/// Bytes received over every transport, from libp2p's bandwidth counter.
fn bandwidth_in(text: &str) -> f64 {
    text.lines()
        .filter(|l| {
            l.starts_with("libp2p_bandwidth_bytes_total{") && l.contains("direction=\"Inbound\"")
        })
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

/// Milliseconds after `since` at which each node's status first satisfied `arrived`,
/// polling every [`POLL`]; `None` for a node that never did within [`ARRIVAL_LIMIT`].
fn arrivals(
    nodes: &[&Daemon],
    since: Instant,
    arrived: impl Fn(&Status) -> bool + Sync,
) -> Vec<Option<f64>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = nodes
            .iter()
            .map(|node| {
                let arrived = &arrived;
                scope.spawn(move || {
                    loop {
                        if let Ok(status) = node.api.status()
                            && arrived(&status)
                        {
                            return Some(since.elapsed().as_secs_f64() * 1000.0);
                        }
                        if since.elapsed() > ARRIVAL_LIMIT {
                            return None;
                        }
                        std::thread::sleep(POLL);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    })
}

/// A connected graph on `nodes` vertices in which every vertex has about `degree`
/// neighbours: a ring, then random chords, redrawn until every node is within
/// `max_hops` of every other.
fn sparse_graph(
    nodes: usize,
    degree: usize,
    max_hops: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<(usize, usize)> {
    loop {
        let mut edges: Vec<(usize, usize)> = (0..nodes).map(|i| (i, (i + 1) % nodes)).collect();
        let mut degrees = vec![2usize; nodes];
        let mut attempts = 0;
        while degrees.iter().any(|d| *d < degree) && attempts < 10_000 {
            attempts += 1;
            let (a, b) = (rng.random_range(0..nodes), rng.random_range(0..nodes));
            let edge = (a.min(b), a.max(b));
            if a == b
                || degrees[a] >= degree
                || degrees[b] >= degree
                || edges.iter().any(|(x, y)| (*x.min(y), *x.max(y)) == edge)
            {
                continue;
            }
            edges.push(edge);
            degrees[a] += 1;
            degrees[b] += 1;
        }
        if diameter(nodes, &edges) <= max_hops {
            return edges;
        }
    }
}

fn diameter(nodes: usize, edges: &[(usize, usize)]) -> usize {
    let mut longest = 0;
    for start in 0..nodes {
        let mut hops = vec![usize::MAX; nodes];
        hops[start] = 0;
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(at) = queue.pop_front() {
            for (a, b) in edges {
                let next = if *a == at {
                    *b
                } else if *b == at {
                    *a
                } else {
                    continue;
                };
                if hops[next] == usize::MAX {
                    hops[next] = hops[at] + 1;
                    queue.push_back(next);
                }
            }
        }
        longest = longest.max(hops.into_iter().max().unwrap_or(0));
    }
    longest
}

/// Links of the region connected, and in the gossip mesh (with fewer neighbours than
/// gossipsub's lower bound of 4 a node takes all of them into its mesh; gossip to a
/// neighbour outside it waits for the next heartbeat's announcements).
#[derive(Debug, Serialize)]
pub struct Links {
    connected: usize,
    in_mesh: usize,
    /// Seconds waited for every link to be connected and in the mesh (at most 60).
    waited_s: f64,
    /// Each link not connected, with what each end's `peer list` says of the other.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    down: Vec<String>,
}

/// What node `a`'s peer list says of node `b`.
fn peer_state(nodes: &[Daemon], a: usize, b: usize) -> String {
    let state = nodes[a].api.peers().ok().and_then(|list| {
        list.peers
            .into_iter()
            .find(|p| p.steunpunt.to_string() == nodes[b].steunpunt)
            .map(|p| match (p.connected, p.refused, p.trusted) {
                (true, _, _) => "connected".to_owned(),
                (false, Some(refused), _) => format!("refused ({})", refused.reason),
                (false, None, None) => "not connected, not trusted".to_owned(),
                (false, None, Some(_)) => "not connected".to_owned(),
            })
    });
    format!("{a}→{b}: {}", state.unwrap_or_else(|| "not listed".into()))
}

/// Waits up to a minute until every link of the region is connected and in the gossip
/// mesh of both its ends; reports how many are either way.
fn links(nodes: &[Daemon], edges: &[(usize, usize)]) -> anyhow::Result<Links> {
    let started = Instant::now();
    loop {
        let (mut connected, mut in_mesh) = (0, 0.0);
        for node in nodes {
            connected += node.api.status()?.peers.len();
            in_mesh += metric(&node.api.metrics()?, "gossipsub_mesh_peer_counts");
        }
        let mut links = Links {
            connected: connected / 2,
            in_mesh: in_mesh as usize / 2,
            waited_s: round(started.elapsed().as_secs_f64()),
            down: Vec::new(),
        };
        if links.in_mesh >= edges.len() && links.connected >= edges.len() {
            return Ok(links);
        }
        if started.elapsed() > Duration::from_secs(60) {
            for (a, b) in edges {
                let (there, back) = (peer_state(nodes, *a, *b), peer_state(nodes, *b, *a));
                if !there.ends_with(": connected") || !back.ends_with(": connected") {
                    links.down.push(format!("{there}; {back}"));
                }
            }
            return Ok(links);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Propagation of one kind of change.
#[derive(Debug, Serialize)]
pub struct Spread {
    /// Changes made (one after another, each waited for).
    changes: usize,
    /// From the change's acknowledgement until the last node held it.
    to_last_node: Latency,
    /// From the acknowledgement until each node held it, over all nodes.
    to_each_node: Latency,
    /// Changes that did not reach every node within a minute.
    lost: usize,
    /// Gossip messages each node received per change, duplicates included (the author's
    /// own node receives none).
    copies_per_node: f64,
    /// Bytes each node received per change, over every protocol.
    bytes_per_node: f64,
}

/// The `propagate` report.
#[derive(Debug, Serialize)]
pub struct PropagateReport {
    steunpuntd: String,
    nodes: usize,
    degree: usize,
    edges: usize,
    diameter_hops: usize,
    /// When the publishing began.
    links: Links,
    /// Baseline, same run: two neighbours only, one gossip hop.
    one_hop: Spread,
    publish: Spread,
    withdraw: Spread,
    /// `publish.to_last_node.p99_ms` over `one_hop.to_last_node.p99_ms`.
    p99_over_one_hop: f64,
}

fn draft(i: usize) -> anyhow::Result<steunpunt_api::Draft> {
    let serde_json::Value::Object(draft) = serde_json::json!({
        "title": format!("Verspreiding {i}"),
        "description": "Een vacature om de verspreiding door de regio te meten.",
        "organisation": "Buurthuis De Meting",
        "categories": ["buurt-wonen"],
        "engagement": "structureel",
        "location": "4811 Breda",
        "contact": "info@example.org",
    }) else {
        anyhow::bail!("a draft is an object");
    };
    Ok(draft)
}

/// Makes `changes` changes one after another, each on the node `on(i)` picks, and waits
/// until every node's vacancy count is `expect(i)`.
fn spread(
    nodes: &[Daemon],
    changes: usize,
    mut change: impl FnMut(usize) -> anyhow::Result<usize>,
    expect: impl Fn(usize) -> u64,
) -> anyhow::Result<Spread> {
    let before = traffic(nodes)?;
    let (mut last, mut each) = (Vec::new(), Vec::new());
    let mut lost = 0;
    let mut receivers = 0usize;
    for i in 0..changes {
        let at = change(i)?;
        let since = Instant::now();
        let others: Vec<&Daemon> = nodes
            .iter()
            .enumerate()
            .filter(|(n, _)| *n != at)
            .map(|(_, d)| d)
            .collect();
        receivers += others.len();
        let want = expect(i);
        let times = arrivals(&others, since, |s| vacancies(s) == want);
        if times.iter().any(Option::is_none) {
            lost += 1;
            continue;
        }
        let times: Vec<f64> = times.into_iter().flatten().collect();
        last.push(times.iter().copied().fold(0.0, f64::max));
        each.extend(times);
    }
    let after = traffic(nodes)?;
    let delta = |pick: fn(&(f64, f64)) -> f64| -> f64 {
        after
            .iter()
            .zip(&before)
            .map(|(a, b)| pick(a) - pick(b))
            .sum::<f64>()
    };
    Ok(Spread {
        changes,
        to_last_node: latency(last),
        to_each_node: latency(each),
        lost,
        copies_per_node: round(delta(|t| t.0) / receivers.max(1) as f64),
        bytes_per_node: round(delta(|t| t.1) / receivers.max(1) as f64),
    })
}

/// Runs `propagate`.
pub fn propagate(
    binary: &Path,
    count: usize,
    degree: usize,
    records: usize,
) -> anyhow::Result<PropagateReport> {
    let root = tempfile::tempdir()?;
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let edges = sparse_graph(
        count,
        degree,
        usize::from(steunpunt_protocol::trust::MAX_TRUST_HOPS),
        &mut rng,
    );
    eprintln!("starting {count} nodes …");
    let mut nodes = Vec::with_capacity(count);
    for i in 0..count {
        let dir = root.path().join(format!("n{i}"));
        init(&dir, &format!("Steunpunt {i}"))?;
        // Every steunpunt of the region must trust every other through the graph.
        let config = dir.join("config.toml");
        let text = std::fs::read_to_string(&config)?;
        let hops = steunpunt_protocol::trust::MAX_TRUST_HOPS;
        let set = text.replacen("\nhops = 3\n", &format!("\nhops = {hops}\n"), 1);
        anyhow::ensure!(set != text, "config.toml has no `hops = 3` line to set");
        std::fs::write(&config, set)?;
        nodes.push(Daemon::start(binary, &dir)?);
    }

    eprintln!("baseline: one gossip hop between two neighbours …");
    nodes[0].peer_with(&nodes[1])?;
    nodes[1].peer_with(&nodes[0])?;
    let pair = [&nodes[0], &nodes[1]];
    let connected = |s: &Status| !s.peers.is_empty();
    anyhow::ensure!(
        arrivals(&pair, Instant::now(), connected)
            .iter()
            .all(Option::is_some),
        "the first two nodes did not connect"
    );
    // Gossip needs its mesh: the first heartbeat after connecting.
    std::thread::sleep(Duration::from_secs(2));
    let baseline = records.min(50);
    let one_hop = spread(
        &nodes[..2],
        baseline,
        |i| {
            nodes[0].api.publish(Kind::Vacancy, &draft(i)?, false)?;
            Ok(0)
        },
        |i| i as u64 + 1,
    )?;

    eprintln!("peering the region ({} links) …", edges.len());
    for (a, b) in &edges {
        if (*a, *b) != (0, 1) {
            nodes[*a].peer_with(&nodes[*b])?;
            nodes[*b].peer_with(&nodes[*a])?;
        }
    }
    let all: Vec<&Daemon> = nodes.iter().collect();
    let settled = |s: &Status| s.trusted_steunpunten == count && vacancies(s) == baseline as u64;
    let started = Instant::now();
    while arrivals(&all, Instant::now(), settled)
        .iter()
        .any(Option::is_none)
    {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(300),
            "the region did not come to trust itself within five minutes"
        );
    }
    let links = links(&nodes, &edges)?;
    eprintln!(
        "{} of {} links connected, {} in the gossip mesh, after {} s",
        links.connected,
        edges.len(),
        links.in_mesh,
        links.waited_s
    );

    eprintln!("publishing {records} vacancies on random nodes …");
    let mut published = Vec::with_capacity(records);
    let publish = spread(
        &nodes,
        records,
        |i| {
            let at = rng.random_range(0..count);
            let id = nodes[at]
                .api
                .publish(Kind::Vacancy, &draft(baseline + i)?, false)?
                .record
                .id;
            published.push((at, id));
            Ok(at)
        },
        |i| (baseline + i + 1) as u64,
    )?;

    eprintln!("withdrawing them …");
    let total = (baseline + records) as u64;
    let withdraw = spread(
        &nodes,
        published.len(),
        |i| {
            let (at, id) = &published[i];
            nodes[*at].api.withdraw(Kind::Vacancy, id.as_str())?;
            Ok(*at)
        },
        |i| total - i as u64 - 1,
    )?;

    Ok(PropagateReport {
        steunpuntd: binary.display().to_string(),
        nodes: count,
        degree,
        edges: edges.len(),
        diameter_hops: diameter(count, &edges),
        links,
        p99_over_one_hop: round(
            publish.to_last_node.p99_ms / one_hop.to_last_node.p99_ms.max(0.001),
        ),
        one_hop,
        publish,
        withdraw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemon::beside_tests as daemon;

    /// Each benchmark runs end to end on a tiny region (its figures mean nothing there).
    #[test]
    fn propagate_runs_on_a_tiny_region() -> anyhow::Result<()> {
        let report = propagate(&daemon(), 3, 2, 3)?;
        assert_eq!((report.nodes, report.edges), (3, 3));
        for spread in [&report.one_hop, &report.publish, &report.withdraw] {
            assert_eq!(spread.lost, 0);
            assert!(spread.bytes_per_node > 0.0);
        }
        assert!(
            report.publish.copies_per_node >= 1.0,
            "no gossip was counted"
        );
        Ok(())
    }
}
