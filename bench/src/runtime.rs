//! The node's runtime under load, measured from outside: real `steunpuntd` processes over
//! their HTTP API, so the same command measures any build of the daemon.
//!
//! Node B holds `n` vacancies; node A starts empty. Measured, each with its baseline in
//! the same run:
//! - `/v1/status` on B while idle (baseline) and while four clients export everything;
//! - search on B: one client (baseline) against 64 concurrent clients;
//! - `/v1/status` on A while it ingests B's records in a cold sync, and the sync's rate.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use steunpunt_api::{ExportQuery, SearchQuery, Status};
use steunpunt_examples::generator::generate;
use steunpunt_node::data_dir::DataDir;
use steunpunt_node::replication::{Engine, EngineConfig};
use steunpunt_node::store::SledStore;
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Kind, RecordId};

use crate::daemon::{Daemon, init};
use crate::query::{MUNICIPALITIES, in_parallel, quantile, queries, sign_vacancy};

/// Latency figures of a series of requests.
#[derive(Debug, Serialize)]
pub(crate) struct Latency {
    pub(crate) requests: usize,
    p50_ms: f64,
    pub(crate) p99_ms: f64,
    max_ms: f64,
}

pub(crate) fn latency(mut millis: Vec<f64>) -> Latency {
    millis.sort_by(f64::total_cmp);
    let at = |q: f64| quantile(&millis, q);
    Latency {
        requests: millis.len(),
        p50_ms: round(at(0.5)),
        p99_ms: round(at(0.99)),
        max_ms: round(at(1.0)),
    }
}

pub(crate) fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Throughput of concurrent searches.
#[derive(Debug, Serialize)]
pub struct Throughput {
    clients: usize,
    requests_per_s: f64,
    latency: Latency,
}

/// The measurements.
#[derive(Debug, Serialize)]
pub struct RuntimeReport {
    steunpuntd: String,
    vacancies: usize,
    /// Node B's first start, its search index built from the store.
    start_building_index_s: f64,
    /// Node B started again, its index current.
    restart_s: f64,
    /// Node B's resident memory once started, before anything is asked of it.
    resident_after_start_mb: f64,
    /// Node B's resident memory at rest after the searches, and its highest.
    resident_mb: f64,
    resident_peak_mb: f64,
    /// Node A's resident memory after the cold sync, and its highest during it.
    synced_resident_mb: f64,
    synced_resident_peak_mb: f64,
    status_idle: Latency,
    /// Publishing one vacancy through the API, one after another: answered only once
    /// the record is on stable storage. `status_idle` is the same requests' floor.
    publish: Latency,
    status_during_exports: Latency,
    exports_completed: usize,
    search_one_client: Throughput,
    search_concurrent: Throughput,
    search_speedup: f64,
    status_during_cold_sync: Latency,
    /// Until the last record arrived.
    cold_sync_s: f64,
    cold_sync_records_per_s: f64,
    /// Vacancies A holds at the end: fewer than `vacancies` when the sync stalled.
    cold_sync_held: usize,
}

/// Signs `n` vacancies by B's own key straight into B's store, as if staff had published
/// them.
pub(crate) fn fill(data_dir: &DataDir, n: usize) -> anyhow::Result<()> {
    let key = data_dir.open()?.steunpunt_key;
    let now = steunpunt_node::clock::now();
    let valid_until = now.plus_ms(200 * DAY_MS);
    let store = SledStore::open(&data_dir.db_path())?;
    let own = data_dir.open()?.steunpunt_key;
    let mut engine = Engine::open(store, own, EngineConfig::default(), now)?;
    let per = n.div_ceil(MUNICIPALITIES.len());
    let mut made = 0;
    for municipality in MUNICIPALITIES {
        let take = per.min(n - made);
        for (_, vacancy) in generate(municipality, 11, 20, take).vacancies {
            // One author for all: ids must be unique across municipalities.
            let id =
                RecordId::new(format!("v{made}")).map_err(|e| anyhow::anyhow!("record id: {e}"))?;
            let record = sign_vacancy(&key, id, vacancy, valid_until, now)?;
            engine.ingest(record.envelope().shared_bytes(), now);
            made += 1;
        }
    }
    engine.flush()?;
    Ok(())
}

/// Times `/v1/status` every `gap` until `until` holds for an answer or `limit` has passed.
fn sample_status(
    daemon: &Daemon,
    gap: Duration,
    until: impl Fn(&Status) -> bool,
    limit: Duration,
) -> anyhow::Result<Vec<f64>> {
    let started = Instant::now();
    let mut millis = Vec::new();
    loop {
        let (ms, status) = daemon.time_status()?;
        millis.push(ms);
        if until(&status) || started.elapsed() > limit {
            return Ok(millis);
        }
        std::thread::sleep(gap);
    }
}

/// `clients` threads share `searches`; each takes the next until none are left.
fn search_load(
    daemon: &Daemon,
    searches: &[SearchQuery],
    clients: usize,
) -> anyhow::Result<Throughput> {
    let (per_s, millis) = in_parallel(searches, clients, |query| {
        daemon.api.search(Kind::Vacancy, query)?;
        Ok(())
    })?;
    Ok(Throughput {
        clients,
        requests_per_s: round(per_s),
        latency: latency(millis),
    })
}

/// A cold sync that gains nothing for this long has stalled.
pub(crate) const SYNC_STALLED: Duration = Duration::from_secs(120);

/// Vacancies published one by one through the API.
const PUBLISHES: usize = 300;

/// Runs the benchmark against the `steunpuntd` at `binary`.
pub fn run(
    binary: &Path,
    n: usize,
    searches: usize,
    clients: usize,
) -> anyhow::Result<RuntimeReport> {
    let root = tempfile::tempdir()?;
    let (dir_a, dir_b): (PathBuf, PathBuf) = (root.path().join("a"), root.path().join("b"));
    init(&dir_a, "Steunpunt A")?;
    let b_dir = init(&dir_b, "Steunpunt B")?;
    eprintln!("signing {n} vacancies into node B …");
    fill(&b_dir, n)?;
    eprintln!("starting node B, which builds its search index …");
    let first = Daemon::start(binary, &dir_b)?;
    let start_building_index_s = first.started_in.as_secs_f64();
    drop(first);
    eprintln!("starting node B again …");
    let b = Daemon::start(binary, &dir_b)?;
    let vacancies = |s: &Status| s.record_counts.vacancy as usize;
    let held_by_b = vacancies(&b.api.status()?);
    anyhow::ensure!(held_by_b == n, "node B holds {held_by_b} of {n} vacancies");
    let never = |_: &Status| false;

    eprintln!("status while idle …");
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(b.time_status()?.0);
        std::thread::sleep(Duration::from_millis(10));
    }

    let (resident_after_start_mb, _) = b.memory_mb()?;

    eprintln!("publishing {PUBLISHES} vacancies one after another …");
    let mut publish = Vec::with_capacity(PUBLISHES);
    for i in 0..PUBLISHES {
        let draft = serde_json::json!({
            "title": format!("Meting {i}"),
            "description": "Een vacature om het publiceren te meten.",
            "organisation": "Buurthuis De Meting",
            "categories": ["buurt-wonen"],
            "engagement": "structureel",
            "location": "4811 Breda",
            "contact": "info@example.org",
        });
        let serde_json::Value::Object(draft) = draft else {
            anyhow::bail!("a draft is an object");
        };
        let started = Instant::now();
        b.api.publish(Kind::Vacancy, &draft, false)?;
        publish.push(started.elapsed().as_secs_f64() * 1000.0);
    }

    eprintln!("status while four clients export …");
    let stop = AtomicBool::new(false);
    let exports = AtomicUsize::new(0);
    let during_exports = std::thread::scope(|scope| -> anyhow::Result<Vec<f64>> {
        for _ in 0..4 {
            scope.spawn(|| {
                let api = b.api.clone();
                while !stop.load(Ordering::Relaxed) {
                    if api.export(&ExportQuery::default()).is_ok() {
                        exports.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
        std::thread::sleep(Duration::from_millis(200));
        let sampled = sample_status(
            &b,
            Duration::from_millis(20),
            never,
            Duration::from_secs(10),
        );
        stop.store(true, Ordering::Relaxed);
        sampled
    })?;

    eprintln!("search, one client and {clients} …");
    let searches = queries(searches, &mut ChaCha8Rng::seed_from_u64(2026));
    let one = search_load(&b, &searches, 1)?;
    let many = search_load(&b, &searches, clients)?;
    let (resident_mb, resident_peak_mb) = b.memory_mb()?;

    eprintln!("cold sync of node A from node B …");
    let a = Daemon::start(binary, &dir_a)?;
    let started = Instant::now();
    a.peer_with(&b)?;
    b.peer_with(&a)?;
    // Done when A holds everything, or when it has gained nothing for two minutes (a
    // sync that stalls is reported, not waited for).
    let progress = std::cell::Cell::new((0, Instant::now()));
    let during_sync = sample_status(
        &a,
        Duration::from_millis(20),
        |s| {
            let held = vacancies(s);
            let (before, since) = progress.get();
            if held > before {
                progress.set((held, Instant::now()));
            }
            held >= n || since.elapsed() > SYNC_STALLED
        },
        Duration::from_secs(1800),
    )?;
    let (held, last_gain) = progress.get();
    let cold_sync_s = (last_gain - started).as_secs_f64();
    let (synced_resident_mb, synced_resident_peak_mb) = a.memory_mb()?;
    if held < n {
        eprintln!("the cold sync stalled: node A holds {held} of {n} vacancies");
    }

    Ok(RuntimeReport {
        steunpuntd: binary.display().to_string(),
        vacancies: n,
        start_building_index_s: round(start_building_index_s),
        restart_s: round(b.started_in.as_secs_f64()),
        resident_after_start_mb,
        resident_mb,
        resident_peak_mb,
        synced_resident_mb,
        synced_resident_peak_mb,
        status_idle: latency(idle),
        publish: latency(publish),
        status_during_exports: latency(during_exports),
        exports_completed: exports.load(Ordering::Relaxed),
        search_speedup: round(many.requests_per_s / one.requests_per_s.max(0.001)),
        search_one_client: one,
        search_concurrent: many,
        status_during_cold_sync: latency(during_sync),
        cold_sync_s: round(cold_sync_s),
        cold_sync_records_per_s: round(held as f64 / cold_sync_s.max(1e-9)),
        cold_sync_held: held,
    })
}
