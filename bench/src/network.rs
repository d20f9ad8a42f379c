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
use steunpunt_api::{SearchQuery, Status};
use steunpunt_examples::generator::generate;
use steunpunt_node::data_dir::DataDir;
use steunpunt_node::replication::{Engine, EngineConfig};
use steunpunt_node::store::SledStore;
use steunpunt_protocol::testing::{key, peering};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Envelope, Kind, RecordId, SteunpuntKey};

use crate::daemon::{Daemon, disk_bytes, init};
use crate::query::{MUNICIPALITIES, sign_vacancy};
use crate::runtime::{Latency, SYNC_STALLED, latency, round};

/// How often a node is asked whether a record has arrived.
const POLL: Duration = Duration::from_millis(10);
/// A record that has not reached every node in this time is reported as lost.
const ARRIVAL_LIMIT: Duration = Duration::from_secs(60);

fn vacancies(status: &Status) -> u64 {
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

/// Signature verification on this machine, one by one against a page at once.
#[derive(Debug, Serialize)]
pub struct VerifyRates {
    signatures: usize,
    /// Per second, one by one.
    single_per_s: f64,
    /// Per second, in pages of 1,024 (as a sync fetch brings them).
    batch_per_s: f64,
}

fn verify_rates(keys: &[SteunpuntKey]) -> anyhow::Result<VerifyRates> {
    let now = steunpunt_node::actor::now();
    let mut envelopes = Vec::new();
    for (i, (_, vacancy)) in generate("Breda", 7, 20, 4096)
        .vacancies
        .into_iter()
        .enumerate()
    {
        let id = RecordId::new(format!("m{i}")).map_err(|e| anyhow::anyhow!("record id: {e}"))?;
        let record = sign_vacancy(&keys[i % keys.len()], id, vacancy, now.plus_ms(DAY_MS), now)?;
        envelopes.push(record.envelope().clone());
    }
    let started = Instant::now();
    let single = envelopes.iter().filter(|e| e.verify().is_ok()).count();
    let single_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let batch: usize = envelopes
        .chunks(1024)
        .map(|page| {
            Envelope::verify_all(page.to_vec())
                .iter()
                .filter(|r| r.is_ok())
                .count()
        })
        .sum();
    let batch_s = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        single == envelopes.len() && batch == envelopes.len(),
        "a signature did not verify"
    );
    Ok(VerifyRates {
        signatures: envelopes.len(),
        single_per_s: round(single as f64 / single_s),
        batch_per_s: round(batch as f64 / batch_s),
    })
}

/// Steunpunten whose records fill the region: node B's own and 19 it vouches for.
const AUTHORS: usize = 20;

/// Fills node B's store with `n` vacancies of [`AUTHORS`] steunpunten (B vouches for the
/// others), as if they had arrived by sync; returns the authors' keys and the raw
/// envelope bytes.
fn fill_region(data_dir: &DataDir, n: usize) -> anyhow::Result<(Vec<SteunpuntKey>, u64)> {
    let own = data_dir.open()?.steunpunt_key;
    let mut keys = vec![data_dir.open()?.steunpunt_key];
    keys.extend((1..AUTHORS as u8).map(|i| key(100 + i)));
    let now = steunpunt_node::actor::now();
    let valid_until = now.plus_ms(200 * DAY_MS);
    let mut engine = Engine::open(
        SledStore::open(&data_dir.db_path())?,
        own,
        EngineConfig::default(),
        now,
    )?;
    let others: Vec<_> = keys[1..].iter().map(SteunpuntKey::id).collect();
    engine.publish(
        Kind::Peering,
        RecordId::peering(),
        Body::Peering(peering(&others, &[])),
        now.plus_ms(399 * DAY_MS),
        now,
    )?;
    let mut raw = 0u64;
    let mut made = 0;
    let per = n.div_ceil(AUTHORS);
    for (a, municipality) in MUNICIPALITIES.iter().enumerate().take(AUTHORS) {
        let take = per.min(n - made);
        let mut page = Vec::new();
        for (_, vacancy) in generate(municipality, 11 + a as u64, 20, take).vacancies {
            let id =
                RecordId::new(format!("v{made}")).map_err(|e| anyhow::anyhow!("record id: {e}"))?;
            let record = sign_vacancy(&keys[a], id, vacancy, valid_until, now)?;
            raw += record.envelope().as_bytes().len() as u64;
            page.push(record.envelope().shared_bytes());
            made += 1;
            if page.len() == 1024 {
                engine.ingest_page(std::mem::take(&mut page), now);
            }
        }
        engine.ingest_page(page, now);
    }
    engine.flush()?;
    anyhow::ensure!(
        engine.tally().live(Kind::Vacancy) as usize == n,
        "node B holds {} of {n}",
        engine.tally().live(Kind::Vacancy)
    );
    Ok((keys, raw))
}

/// A cold join: node B holds the region, node A starts empty and syncs from it.
#[derive(Debug, Serialize)]
pub struct ColdJoin {
    records: usize,
    authors: usize,
    /// From peering until A held every record (verified and stored).
    stored_s: f64,
    /// From peering until A's search found every record.
    searchable_s: f64,
    /// Records verified, stored and indexed per second (until searchable).
    records_per_s: f64,
    /// Records A held at the end: fewer than `records` when the sync stalled.
    held: usize,
    /// A's resident memory at its highest during the sync, and after it.
    joiner_peak_mb: f64,
    joiner_after_mb: f64,
    /// B's resident memory at its highest while serving the sync.
    neighbour_peak_mb: f64,
    /// A's data directory after the sync.
    joiner_disk_bytes: u64,
}

struct Region {
    _root: tempfile::TempDir,
    dir_a: std::path::PathBuf,
    dir_b: std::path::PathBuf,
    keys: Vec<SteunpuntKey>,
    raw_bytes: u64,
}

fn region(n: usize) -> anyhow::Result<Region> {
    let root = tempfile::tempdir()?;
    let (dir_a, dir_b) = (root.path().join("a"), root.path().join("b"));
    init(&dir_a, "Steunpunt A")?;
    let b = init(&dir_b, "Steunpunt B")?;
    eprintln!("signing {n} vacancies of {AUTHORS} steunpunten into node B …");
    let (keys, raw_bytes) = fill_region(&b, n)?;
    Ok(Region {
        _root: root,
        dir_a,
        dir_b,
        keys,
        raw_bytes,
    })
}

fn cold_join(binary: &Path, region: &Region, b: &Daemon, n: usize) -> anyhow::Result<ColdJoin> {
    eprintln!("node A joins node B and syncs …");
    let a = Daemon::start(binary, &region.dir_a)?;
    let started = Instant::now();
    a.peer_with(b)?;
    b.peer_with(&a)?;
    let mut held = 0;
    let mut gained = Instant::now();
    let mut stored_s = 0.0;
    loop {
        let now_held = vacancies(&a.api.status()?) as usize;
        if now_held > held {
            held = now_held;
            gained = Instant::now();
        }
        if held >= n {
            stored_s = started.elapsed().as_secs_f64();
            break;
        }
        if gained.elapsed() > SYNC_STALLED {
            eprintln!("the sync stalled: node A holds {held} of {n}");
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut searchable_s = 0.0;
    if held >= n {
        loop {
            let total = a
                .api
                .search(
                    Kind::Vacancy,
                    &SearchQuery {
                        limit: Some(1),
                        ..SearchQuery::default()
                    },
                )?
                .total;
            if total >= n {
                searchable_s = started.elapsed().as_secs_f64();
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(3600),
                "search never found all records"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let (_, joiner_peak_mb) = a.memory_mb()?;
    std::thread::sleep(Duration::from_secs(2));
    let (joiner_after_mb, _) = a.memory_mb()?;
    let (_, neighbour_peak_mb) = b.memory_mb()?;
    drop(a);
    Ok(ColdJoin {
        records: n,
        authors: AUTHORS,
        stored_s: round(stored_s),
        searchable_s: round(searchable_s),
        records_per_s: round(if searchable_s > 0.0 {
            n as f64 / searchable_s
        } else {
            0.0
        }),
        held,
        joiner_peak_mb,
        joiner_after_mb,
        neighbour_peak_mb,
        joiner_disk_bytes: disk_bytes(&region.dir_a),
    })
}

/// The `ingest` report.
#[derive(Debug, Serialize)]
pub struct IngestReport {
    steunpuntd: String,
    join: ColdJoin,
    /// Baseline, same run: ed25519 verification on this machine.
    verify: VerifyRates,
    /// `join.records_per_s` over `verify.batch_per_s`.
    share_of_batch_verify: f64,
}

/// Runs `ingest`.
pub fn ingest(binary: &Path, n: usize) -> anyhow::Result<IngestReport> {
    let region = region(n)?;
    eprintln!("starting node B, which builds its search index …");
    let b = Daemon::start(binary, &region.dir_b)?;
    eprintln!("measuring signature verification …");
    let verify = verify_rates(&region.keys)?;
    let join = cold_join(binary, &region, &b, n)?;
    Ok(IngestReport {
        steunpuntd: binary.display().to_string(),
        share_of_batch_verify: round(join.records_per_s / verify.batch_per_s.max(0.001)),
        join,
        verify,
    })
}

/// The `footprint` report.
#[derive(Debug, Serialize)]
pub struct FootprintReport {
    steunpuntd: String,
    records: usize,
    /// Baseline: the envelopes' own bytes.
    raw_envelope_bytes: u64,
    /// Node B's data directory with its search index built, and its parts.
    disk_bytes: u64,
    store_bytes: u64,
    search_index_bytes: u64,
    disk_over_raw: f64,
    /// First start (the search index built from the store) and a restart, each until the
    /// API serves.
    first_start_s: f64,
    restart_s: f64,
    /// Node B's resident memory at rest after the restart.
    resident_at_rest_mb: f64,
    /// A second node's cold sync from B.
    join: ColdJoin,
}

/// Runs `footprint`.
pub fn footprint(binary: &Path, n: usize) -> anyhow::Result<FootprintReport> {
    let region = region(n)?;
    eprintln!("starting node B, which builds its search index …");
    let first = Daemon::start(binary, &region.dir_b)?;
    let first_start_s = first.started_in.as_secs_f64();
    drop(first);
    let data = DataDir::resolve(Some(region.dir_b.clone()))?;
    let (store_bytes, search_index_bytes) =
        (disk_bytes(&data.db_path()), disk_bytes(&data.search_path()));
    let disk = disk_bytes(&region.dir_b);
    eprintln!("restarting node B …");
    let b = Daemon::start(binary, &region.dir_b)?;
    std::thread::sleep(Duration::from_secs(5));
    let (resident_at_rest_mb, _) = b.memory_mb()?;
    let join = cold_join(binary, &region, &b, n)?;
    Ok(FootprintReport {
        steunpuntd: binary.display().to_string(),
        records: n,
        raw_envelope_bytes: region.raw_bytes,
        disk_bytes: disk,
        store_bytes,
        search_index_bytes,
        disk_over_raw: round(disk as f64 / region.raw_bytes.max(1) as f64),
        first_start_s: round(first_start_s),
        restart_s: round(b.started_in.as_secs_f64()),
        resident_at_rest_mb,
        join,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The `steunpuntd` built beside this test (the workspace's tests build it).
    pub(crate) fn daemon() -> std::path::PathBuf {
        let exe = std::env::current_exe().unwrap_or_default();
        let path = exe
            .parent()
            .and_then(Path::parent)
            .map(|dir| dir.join("steunpuntd"))
            .unwrap_or_default();
        assert!(
            path.exists(),
            "{} is missing: build the workspace first (cargo build)",
            path.display()
        );
        path
    }

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

    #[test]
    fn ingest_runs_on_a_tiny_region() -> anyhow::Result<()> {
        let report = ingest(&daemon(), 300)?;
        assert_eq!(report.join.held, 300);
        assert!(report.join.searchable_s > 0.0);
        assert!(report.verify.batch_per_s > 0.0 && report.verify.single_per_s > 0.0);
        Ok(())
    }

    #[test]
    fn footprint_runs_on_a_tiny_region() -> anyhow::Result<()> {
        let report = footprint(&daemon(), 300)?;
        assert_eq!(report.join.held, 300);
        assert!(report.disk_bytes > report.raw_envelope_bytes);
        assert!(report.resident_at_rest_mb > 0.0);
        Ok(())
    }
}
