//! A node joining a region: `ingest` (a new node filling up from a neighbour, against
//! batch signature verification in the same run) and `footprint` (memory, disk and
//! restart time at rest), on real `steunpuntd` processes.

use crate::daemon::{Daemon, disk_bytes, init};
use crate::network::vacancies;
use crate::query::{MUNICIPALITIES, sign_vacancy};
use crate::runtime::{SYNC_STALLED, round};
use serde::Serialize;
use std::path::Path;
use std::time::{Duration, Instant};
use steunpunt_api::SearchQuery;
use steunpunt_examples::generator::generate;
use steunpunt_node::data_dir::DataDir;
use steunpunt_node::replication::{Engine, EngineConfig};
use steunpunt_node::store::SledStore;
use steunpunt_protocol::testing::{key, peering};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Envelope, Kind, RecordId, SteunpuntKey};

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
    let now = steunpunt_node::clock::now();
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
    let now = steunpunt_node::clock::now();
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
mod tests {
    use super::*;
    use crate::daemon::beside_tests as daemon;

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
