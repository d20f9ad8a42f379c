//! Reconciliation cost (ARCHITECTURE.md, Budgets): two nodes hold the same N records but for D; how many
//! round trips and how many bytes besides the records themselves does one sync take?
//! Two patterns: the lagging node lacks the newest records (it was down or cut off), or
//! the missing records are spread evenly over time (the worst case for range-based
//! reconciliation). Baseline, measured in the same run: sending the full item list (timestamp and hash of
//! every record) one way, which is what a naive "here is everything I have" sync costs.

use std::time::Instant;

use serde::Serialize;
use steunpunt_node::replication::{Engine, EngineConfig, ResponderSessions, SyncRun};
use steunpunt_node::store::MemoryStore;
use steunpunt_protocol::testing::{self, T0, key};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Kind, Record, RecordId, Revision, Timestamp, author};

/// Figures for one (N, D) case.
#[derive(Debug, Serialize)]
pub struct ReconcileCase {
    records: usize,
    differing: usize,
    /// `recent`: the lagging node lacks the newest records (it was down or cut off);
    /// `uniform`: the missing records are spread evenly over time (worst case).
    pattern: &'static str,
    round_trips: u32,
    reconcile_rounds: u32,
    bytes_total: u64,
    record_bytes: u64,
    bytes_besides_records: u64,
    fetched: u64,
    baseline_item_list_bytes: u64,
    sync_ms: f64,
}

fn records(n: usize) -> Vec<Record> {
    let writer = key(1);
    (0..n)
        .map(|i| {
            let mut v = testing::vacancy();
            v.title = format!("Vacature {i}");
            // Spread over the last 300 days, as in a real region.
            let updated = T0.plus_ms((i as u64 * 7919) % (300 * DAY_MS));
            author(
                &writer,
                None,
                Revision {
                    kind: Kind::Vacancy,
                    id: RecordId::new(format!("v{i}")).unwrap_or_else(|e| panic!("{e}")),
                    body: Some(Body::Vacancy(v)),
                    valid_until: updated.plus_ms(399 * DAY_MS),
                },
                updated,
            )
            .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

fn node(n: u8, others: &[u8], now: Timestamp) -> Engine<MemoryStore> {
    let mut engine = Engine::open(MemoryStore::default(), key(n), EngineConfig::default(), now)
        .unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<_> = others.iter().map(|o| key(*o).id()).collect();
    let peering = Body::Peering(testing::peering(&ids, &[]));
    engine
        .publish(
            Kind::Peering,
            RecordId::peering(),
            peering,
            now.plus_ms(399 * DAY_MS),
            now,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    engine
}

/// Measures one sync between nodes that differ in `differing` of `n` records.
pub fn case(all: &[Record], n: usize, differing: usize, recent: bool) -> ReconcileCase {
    let now = T0.plus_ms(300 * DAY_MS);
    let mut full = node(2, &[1, 3], now);
    let mut behind = node(3, &[1, 2], now);
    // Each side already has the other's peering record.
    let peering_of = |engine: &Engine<MemoryStore>| {
        let key = steunpunt_protocol::RecordKey {
            author: engine.me(),
            kind: Kind::Peering,
            id: RecordId::peering(),
        };
        engine
            .get(&key)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("peering missing"))
    };
    let (pf, pb) = (peering_of(&full), peering_of(&behind));
    behind.ingest(pf.envelope().shared_bytes(), now);
    full.ingest(pb.envelope().shared_bytes(), now);
    let mut held: Vec<&Record> = all[..n].iter().collect();
    held.sort_by_key(|r| r.payload().updated_at);
    let step = n / differing.max(1);
    let missing = |i: usize| {
        if recent {
            i >= n - differing
        } else {
            differing > 0 && i.is_multiple_of(step) && i / step < differing
        }
    };
    for (i, record) in held.into_iter().enumerate() {
        full.ingest(record.envelope().shared_bytes(), now);
        if !missing(i) {
            behind.ingest(record.envelope().shared_bytes(), now);
        }
    }
    let mut sessions = ResponderSessions::default();
    let started = Instant::now();
    let (mut run, mut request) = SyncRun::start(&behind, 1, now).unwrap_or_else(|e| panic!("{e}"));
    loop {
        let response = full.serve_sync(&mut sessions, 0u8, request, now).response;
        match run
            .on_response(&mut behind, response, now)
            .unwrap_or_else(|e| panic!("{e}"))
        {
            Some(next) => request = next,
            None => break,
        }
    }
    let sync_ms = started.elapsed().as_secs_f64() * 1000.0;
    let stats = run.stats();
    assert_eq!(
        behind.fingerprint(),
        full.fingerprint(),
        "sync did not converge"
    );
    let bytes_total = stats.bytes_sent + stats.bytes_received;
    ReconcileCase {
        records: n,
        differing,
        pattern: if recent { "recent" } else { "uniform" },
        round_trips: stats.round_trips,
        reconcile_rounds: stats.reconcile_rounds,
        bytes_total,
        record_bytes: stats.record_bytes,
        bytes_besides_records: bytes_total - stats.record_bytes,
        fetched: stats.accepted,
        baseline_item_list_bytes: n as u64 * (8 + 32),
        sync_ms,
    }
}

/// Runs every (size, difference) case in which the difference fits the size.
pub fn run(sizes: &[usize], differing: &[usize]) -> Vec<ReconcileCase> {
    let largest = sizes.iter().copied().max().unwrap_or(0);
    let all = records(largest);
    sizes
        .iter()
        .flat_map(|n| differing.iter().map(move |d| (*n, *d)))
        .filter(|(n, d)| d <= n)
        .flat_map(|(n, d)| [(n, d, true), (n, d, false)])
        .map(|(n, d, recent)| case(&all, n, d, recent))
        .collect()
}
