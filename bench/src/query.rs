//! Search latency on a large region: a node holding `n` generated vacancies of 20
//! steunpunten answers a realistic mix of staff queries through the search index (as the
//! API does, records read from sled), against a linear scan over the same records held
//! decoded in memory (filters plus folded substring matching) in the same run. Also
//! measures start-up: the engine alone, engine and index with the index on disk, and
//! engine and index with the index built from the store.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use steunpunt_examples::generator::generate;
use steunpunt_node::replication::{Engine, EngineConfig, EngineError, HeldRecords};
use steunpunt_node::search::{Entry, Plan, SearchIndex, SearchQuery, hits};
use steunpunt_node::store::SledStore;
use steunpunt_protocol::testing::{T0, key, peering};
use steunpunt_protocol::text::fold;
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Kind, Record, RecordId, RecordKey, Revision, Timestamp, TrustSet};

pub(crate) const MUNICIPALITIES: [&str; 20] = [
    "Breda",
    "Tilburg",
    "'s-Hertogenbosch",
    "Eindhoven",
    "Helmond",
    "Oosterhout",
    "Roosendaal",
    "Bergen op Zoom",
    "Etten-Leur",
    "Waalwijk",
    "Oss",
    "Uden",
    "Veghel",
    "Boxtel",
    "Oisterwijk",
    "Goirle",
    "Dongen",
    "Valkenswaard",
    "Veldhoven",
    "Best",
];

/// Words staff type, from the vocabulary of the generated vacancies and beyond.
const WORDS: [&str; 24] = [
    "voorlezen",
    "taal",
    "sport",
    "maatje",
    "huiswerk",
    "ouderen",
    "buurt",
    "koken",
    "tuin",
    "digitaal",
    "administratie",
    "vervoer",
    "muziek",
    "dieren",
    "bibliotheek",
    "begeleider",
    "kinderen",
    "wandelen",
    "boodschappen",
    "cafe",
    "gastvrouw",
    "nieuwkomers",
    "evenement",
    "klussen",
];

#[derive(Debug, Serialize)]
struct Latency {
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    mean_results: f64,
}

/// The measurements.
#[derive(Debug, Serialize)]
pub struct QueryReport {
    vacancies: usize,
    queries: usize,
    /// Opening the store and engine alone, as a node without search would.
    engine_open_ms: u128,
    /// Start-up with the search index on disk and current.
    startup_ms: u128,
    /// Start-up with no search index: built from the store.
    startup_rebuild_ms: u128,
    index_disk_bytes: u64,
    index: Latency,
    linear_scan: Latency,
    speedup_p99: f64,
    /// The same runs by kind of query: where the time goes.
    by_query: Vec<Mix>,
    /// Many clients at once, each taking the next query of the mix.
    concurrent: Concurrent,
    /// One client while the node ingests records at a steady rate, against the same
    /// queries just before with the node idle.
    while_ingesting: WhileIngesting,
    /// A query of many words against one of one word: the cap on words and on their
    /// expansion bounds what any input costs.
    long_query: LongQuery,
    /// Erasing withdrawn records from disk (index merge and store rewrite), as every node
    /// does within half an hour of a withdrawal and at a clean stop; `engine_open_ms`
    /// (reading every record once) is its baseline.
    erase: Erase,
}

/// The mix answered by many clients at once, from the index and by the scan.
#[derive(Debug, Serialize)]
pub struct Concurrent {
    clients: usize,
    index_requests_per_s: f64,
    index: Latency,
    scan_requests_per_s: f64,
    scan: Latency,
    /// Index throughput over scan throughput.
    speedup: f64,
}

/// Search while records arrive.
#[derive(Debug, Serialize)]
pub struct WhileIngesting {
    /// The rate aimed at, records per second; stored and committed as the node does
    /// (flushed every 200 ms).
    target_per_s: usize,
    achieved_per_s: f64,
    ingested: usize,
    idle: Latency,
    ingesting: Latency,
    /// p99 while ingesting over p99 idle.
    ratio_p99: f64,
}

/// One kind of query in the mix.
#[derive(Debug, Serialize)]
pub struct Mix {
    query: &'static str,
    count: usize,
    /// Records that answer, on average (the page holds at most 20 of them).
    mean_total: f64,
    index_p50_ms: f64,
    index_p99_ms: f64,
    scan_p50_ms: f64,
    scan_p99_ms: f64,
}

/// What a query of the mix asks for.
fn mix_of(q: &SearchQuery) -> &'static str {
    match (q.q.is_some(), q.near.is_some(), q.mas) {
        (true, false, _) => "words",
        (true, true, _) => "words near a postcode",
        (false, _, true) => "MaS with age near a postcode",
        _ => "category in a municipality",
    }
}

/// The cost of the longest query against the shortest.
#[derive(Debug, Serialize)]
pub struct LongQuery {
    words: usize,
    bytes: usize,
    short_p50_ms: f64,
    long_p50_ms: f64,
    long_max_ms: f64,
    ratio: f64,
}

/// More words staff might type, to make a long query of distinct words.
const MORE_WORDS: [&str; 26] = [
    "fietsen",
    "schilderen",
    "naaien",
    "rijden",
    "zingen",
    "toneel",
    "theater",
    "museum",
    "zwembad",
    "voetbal",
    "hockey",
    "scouting",
    "kerk",
    "moskee",
    "wijkcentrum",
    "ziekenhuis",
    "hospice",
    "mantelzorg",
    "rolstoel",
    "schuldhulp",
    "formulieren",
    "belasting",
    "computer",
    "telefoon",
    "natuur",
    "boerderij",
];

/// Times one query of fifty distinct words (under the 500-byte limit) and one of one
/// word, twenty times each.
fn long_query(
    index: &SearchIndex,
    engine: &Engine<SledStore>,
    now: Timestamp,
) -> anyhow::Result<LongQuery> {
    let words: Vec<&str> = WORDS.iter().chain(MORE_WORDS.iter()).copied().collect();
    let long = words.join(" ");
    let time = |text: &str| -> anyhow::Result<Vec<f64>> {
        let query = SearchQuery {
            q: Some(text.to_owned()),
            ..SearchQuery::default()
        };
        let plan = Plan::new(Kind::Vacancy, &query)?;
        let mut millis = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            let (found, _) = index.find(&plan, now)?;
            hits(engine, &found)?;
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        millis.sort_by(f64::total_cmp);
        Ok(millis)
    };
    let short = time("voorlezen")?;
    let long_ms = time(&long)?;
    let (short_p50, long_p50) = (short[short.len() / 2], long_ms[long_ms.len() / 2]);
    Ok(LongQuery {
        words: words.len(),
        bytes: long.len(),
        short_p50_ms: round(short_p50),
        long_p50_ms: round(long_p50),
        long_max_ms: round(long_ms[long_ms.len() - 1]),
        ratio: round(long_p50 / short_p50.max(0.001)),
    })
}

/// One erasure pass after withdrawals.
#[derive(Debug, Serialize)]
pub struct Erase {
    withdrawn: usize,
    millis: u128,
    store_bytes_before: u64,
    store_bytes_after: u64,
    index_bytes_after: u64,
}

/// The value at quantile `q` of `sorted` (0 when it is empty).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted
        .get(((sorted.len().max(1) as f64 - 1.0) * q).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

fn latency(mut millis: Vec<f64>, results: usize) -> Latency {
    millis.sort_by(f64::total_cmp);
    let at = |q: f64| quantile(&millis, q);
    Latency {
        p50_ms: round(at(0.5)),
        p99_ms: round(at(0.99)),
        max_ms: round(at(1.0)),
        mean_results: round(results as f64 / millis.len().max(1) as f64),
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

pub(crate) fn queries(count: usize, rng: &mut ChaCha8Rng) -> Vec<SearchQuery> {
    let pc4s: Vec<String> = MUNICIPALITIES
        .iter()
        .flat_map(|m| steunpunt_protocol::places::lookup_place(m))
        .map(|p| p.pc4.to_string())
        .collect();
    (0..count)
        .map(|_| {
            let mut q = SearchQuery::default();
            let words = |rng: &mut ChaCha8Rng| {
                let n = rng.random_range(1..=2);
                (0..n)
                    .map(|_| *WORDS.choose(rng).unwrap_or(&"taal"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            match rng.random_range(0..100) {
                // Words alone.
                0..40 => q.q = Some(words(rng)),
                // Words around a postcode.
                40..65 => {
                    q.q = Some(words(rng));
                    q.near = pc4s.choose(rng).cloned();
                    q.radius_km = Some(15.0);
                }
                // A MaS placement for a pupil near home.
                65..85 => {
                    q.mas = true;
                    q.age = Some(rng.random_range(12..=16));
                    q.near = pc4s.choose(rng).cloned();
                    q.radius_km = Some(20.0);
                }
                // A category in a municipality.
                _ => {
                    q.category = Some(
                        [
                            "zorg-verzorging",
                            "onderwijs-school",
                            "sport-bewegen",
                            "buurt-wonen",
                        ]
                        .choose(rng)
                        .map_or("overig".into(), |c| (*c).to_owned()),
                    );
                    q.municipality = MUNICIPALITIES.choose(rng).map(|m| (*m).to_owned());
                }
            }
            q
        })
        .collect()
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// The linear scan: every record's filters and folded text, matched one by one.
struct Scan {
    records: Vec<(Entry, String, String)>,
}

impl Scan {
    fn answer(&self, plan: &Plan, now: Timestamp) -> usize {
        let words: Vec<String> = plan
            .words
            .as_deref()
            .map(|w| fold(w).split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        let mut found: Vec<(f64, f64)> = Vec::new();
        for (entry, title, body) in &self.records {
            let Some(distance) = plan.admits(entry, now) else {
                continue;
            };
            let score: f64 = words
                .iter()
                .map(|w| {
                    if title.contains(w.as_str()) {
                        2.0
                    } else if body.contains(w.as_str()) {
                        1.0
                    } else {
                        0.0
                    }
                })
                .sum();
            if words.is_empty() || score > 0.0 {
                found.push((score, distance.unwrap_or(0.0)));
            }
        }
        found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.total_cmp(&b.1)));
        found.len().min(plan.limit)
    }
}

/// The first revision of a vacancy by `author`, as its staff would publish it.
pub(crate) fn sign_vacancy(
    author: &steunpunt_protocol::SteunpuntKey,
    id: RecordId,
    vacancy: steunpunt_protocol::body::Vacancy,
    valid_until: Timestamp,
    at: Timestamp,
) -> anyhow::Result<steunpunt_protocol::Record> {
    Ok(steunpunt_protocol::author(
        author,
        None,
        Revision {
            kind: Kind::Vacancy,
            id,
            body: Some(Body::Vacancy(vacancy)),
            valid_until,
        },
        at,
    )?)
}

/// Starts a node's engine and search index as the daemon does; whether the index was
/// rebuilt.
fn start(
    db: &Path,
    search: &Path,
    now: Timestamp,
) -> anyhow::Result<(Engine<SledStore>, SearchIndex, bool)> {
    let opening = SearchIndex::open(Some(search))?;
    let engine = Engine::open_observed(
        SledStore::open(db)?,
        key(1),
        EngineConfig::default(),
        now,
        Some(opening.observer()),
    )?;
    let (index, report) = opening.finish(&engine)?;
    Ok((engine, index, report.rebuilt))
}

/// Withdraws a thousand of our vacancies (or all, when fewer), then times the erasure.
fn erase_after_withdrawals(
    engine: Engine<SledStore>,
    search: &Path,
    now: Timestamp,
) -> anyhow::Result<Erase> {
    let mut engine = engine;
    let me = engine.me();
    let ours: Vec<RecordId> = engine
        .index()
        .keys()
        .filter(|k| k.author == me && k.kind == Kind::Vacancy)
        .take(1000)
        .map(|k| k.id.clone())
        .collect();
    for id in &ours {
        engine.withdraw(Kind::Vacancy, id.clone(), now)?;
    }
    engine.flush()?;
    let store_bytes_before = engine.store().size_on_disk()?;
    eprintln!("erasing {} withdrawn vacancies from disk …", ours.len());
    let started = Instant::now();
    engine.erase()?;
    let millis = started.elapsed().as_millis();
    anyhow::ensure!(
        !steunpunt_node::store::Store::erasure_due(engine.store()),
        "the erasure did not finish"
    );
    Ok(Erase {
        withdrawn: ours.len(),
        millis,
        store_bytes_before,
        store_bytes_after: engine.store().size_on_disk()?,
        index_bytes_after: dir_size(search),
    })
}

/// Reads records beside the engine, as the API's handlers do while the engine writes.
struct Reader {
    store: SledStore,
    trust: TrustSet,
}

impl HeldRecords for Reader {
    fn record(&self, key: &RecordKey) -> Result<Option<Record>, EngineError> {
        Ok(self.store.record(key)?)
    }
    fn trust(&self) -> &TrustSet {
        &self.trust
    }
}

/// `clients` threads share `items`, each taking the next until none are left and timing
/// `each` on it: requests per second and every request's milliseconds.
pub(crate) fn in_parallel<T: Sync>(
    items: &[T],
    clients: usize,
    each: impl Fn(&T) -> anyhow::Result<()> + Sync,
) -> anyhow::Result<(f64, Vec<f64>)> {
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let per_client: Vec<anyhow::Result<Vec<f64>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|_| {
                scope.spawn(|| {
                    let mut millis = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return Ok(millis);
                        };
                        let t = Instant::now();
                        each(item)?;
                        millis.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a client panicked")))
            })
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut all = Vec::new();
    for millis in per_client {
        all.extend(millis?);
    }
    Ok((all.len() as f64 / elapsed.max(1e-9), all))
}

/// Records a second for [`ingesting`].
const INGEST_PER_S: usize = 2000;
/// The node flushes records learned from peers at most this long after they arrive.
const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// Times the queries of `plans` with the node idle, then again while `engine` ingests
/// `fresh` records at [`INGEST_PER_S`], flushing as the node does.
fn ingesting(
    engine: &mut Engine<SledStore>,
    index: &SearchIndex,
    plans: &[Plan],
    fresh: &[Record],
    now: Timestamp,
) -> anyhow::Result<WhileIngesting> {
    let reader = Reader {
        store: engine.store().clone(),
        trust: engine.trust().clone(),
    };
    let run = |plans: &[Plan]| -> anyhow::Result<Vec<f64>> {
        let mut millis = Vec::with_capacity(plans.len());
        for plan in plans {
            let started = Instant::now();
            let (found, _) = index.find(plan, now)?;
            hits(&reader, &found)?;
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(millis)
    };
    let idle = run(plans)?;
    let done = AtomicBool::new(false);
    let (ingesting, (ingested, seconds)) = std::thread::scope(|scope| {
        let feeder = scope.spawn(|| -> anyhow::Result<(usize, f64)> {
            let started = Instant::now();
            let mut last_flush = Instant::now();
            let mut sent = 0;
            while !done.load(Ordering::Relaxed) && sent < fresh.len() {
                let due = (started.elapsed().as_secs_f64() * INGEST_PER_S as f64) as usize;
                for record in &fresh[sent..due.min(fresh.len())] {
                    engine.ingest(record.envelope().shared_bytes(), now);
                    sent += 1;
                }
                if last_flush.elapsed() >= FLUSH_EVERY {
                    engine.flush()?;
                    last_flush = Instant::now();
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            engine.flush()?;
            Ok((sent, started.elapsed().as_secs_f64()))
        });
        // Let the first flush happen before timing.
        std::thread::sleep(FLUSH_EVERY);
        let timed = run(plans);
        done.store(true, Ordering::Relaxed);
        let fed = feeder
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the feeder panicked")));
        Ok::<_, anyhow::Error>((timed?, fed?))
    })?;
    anyhow::ensure!(
        ingested < fresh.len(),
        "the records to ingest ran out before the queries ended"
    );
    let (idle, ingesting) = (latency(idle, 0), latency(ingesting, 0));
    Ok(WhileIngesting {
        target_per_s: INGEST_PER_S,
        achieved_per_s: round(ingested as f64 / seconds),
        ingested,
        ratio_p99: round(ingesting.p99_ms / idle.p99_ms.max(0.001)),
        idle,
        ingesting,
    })
}

/// Runs the benchmark.
pub fn run(n: usize, count: usize, clients: usize) -> anyhow::Result<QueryReport> {
    let dir = tempfile::tempdir()?;
    let now = T0.plus_ms(DAY_MS);
    let valid_until = T0.plus_ms(200 * DAY_MS);
    let store = SledStore::open(&dir.path().join("db"))?;
    let mut engine = Engine::open(store, key(1), EngineConfig::default(), T0)?;
    let others: Vec<_> = (2..=MUNICIPALITIES.len() as u8)
        .map(|i| key(i).id())
        .collect();
    engine.publish(
        Kind::Peering,
        RecordId::peering(),
        Body::Peering(peering(&others, &[])),
        valid_until,
        T0,
    )?;
    let per = n.div_ceil(MUNICIPALITIES.len());
    let mut scan = Scan {
        records: Vec::with_capacity(n),
    };
    let mut made = 0;
    eprintln!("signing and storing {n} vacancies …");
    for (i, municipality) in MUNICIPALITIES.iter().enumerate() {
        let author = key(i as u8 + 1);
        let take = per.min(n - made);
        for (id, vacancy) in generate(municipality, 7, 20, take).vacancies {
            let record = sign_vacancy(&author, id, vacancy, valid_until, T0.plus_ms(made as u64))?;
            engine.ingest(record.envelope().shared_bytes(), T0.plus_ms(made as u64));
            if let Some((entry, title, body)) = Entry::of(&record) {
                scan.records.push((entry, fold(&title), fold(&body)));
            }
            made += 1;
        }
    }
    // Records for the node to ingest while it searches: 30 seconds' worth (fewer for a
    // small region, whose queries take little time).
    let mut fresh = Vec::new();
    let to_ingest = (30 * INGEST_PER_S).min(n.max(2 * INGEST_PER_S));
    for (i, municipality) in MUNICIPALITIES.iter().enumerate() {
        let author = key(i as u8 + 1);
        let take = to_ingest.div_ceil(MUNICIPALITIES.len());
        for (j, (_, vacancy)) in generate(municipality, 8, 20, take)
            .vacancies
            .into_iter()
            .enumerate()
        {
            let id = RecordId::new(format!("binnenkomend-{i}-{j}"))
                .map_err(|e| anyhow::anyhow!("record id: {e}"))?;
            fresh.push(sign_vacancy(
                &author,
                id,
                vacancy,
                valid_until,
                T0.plus_ms(DAY_MS / 2),
            )?);
        }
    }
    engine.flush()?;
    drop(engine);
    let (db, search_dir) = (dir.path().join("db"), dir.path().join("search"));
    eprintln!("starting the node's engine and index …");
    let started = Instant::now();
    drop(Engine::open(
        SledStore::open(&db)?,
        key(1),
        EngineConfig::default(),
        now,
    )?);
    let engine_open_ms = started.elapsed().as_millis();
    let started = Instant::now();
    let (engine, index, rebuilt) = start(&db, &search_dir, now)?;
    let startup_rebuild_ms = started.elapsed().as_millis();
    anyhow::ensure!(rebuilt && index.len() == made, "index incomplete");
    let mut engine = engine;
    engine.flush()?;
    drop((engine, index));
    let started = Instant::now();
    let (engine, index, rebuilt) = start(&db, &search_dir, now)?;
    let startup_ms = started.elapsed().as_millis();
    anyhow::ensure!(!rebuilt, "a clean restart rebuilt the index");

    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let asked = queries(count, &mut rng);
    let plans: Vec<Plan> = asked
        .iter()
        .map(|q| Plan::new(Kind::Vacancy, q))
        .collect::<Result<_, _>>()?;
    eprintln!("running {count} queries against the index and the linear scan …");
    let (mut index_ms, mut index_results) = (Vec::with_capacity(count), 0);
    let mut totals = Vec::with_capacity(count);
    for plan in &plans {
        let started = Instant::now();
        let (found, total) = index.find(plan, now)?;
        let answer = hits(&engine, &found)?;
        index_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        index_results += answer.len();
        totals.push(total);
    }
    let (mut scan_ms, mut scan_results) = (Vec::with_capacity(count), 0);
    for plan in &plans {
        let started = Instant::now();
        scan_results += scan.answer(plan, now);
        scan_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let by_query = [
        "words",
        "words near a postcode",
        "MaS with age near a postcode",
        "category in a municipality",
    ]
    .into_iter()
    .map(|name| {
        let of = |ms: &[f64]| -> Vec<f64> {
            asked
                .iter()
                .zip(ms)
                .filter(|(q, _)| mix_of(q) == name)
                .map(|(_, ms)| *ms)
                .collect()
        };
        let (index, scan) = (latency(of(&index_ms), 0), latency(of(&scan_ms), 0));
        let mine: Vec<usize> = asked
            .iter()
            .zip(&totals)
            .filter(|(q, _)| mix_of(q) == name)
            .map(|(_, t)| *t)
            .collect();
        Mix {
            query: name,
            count: mine.len(),
            mean_total: round(mine.iter().sum::<usize>() as f64 / mine.len().max(1) as f64),
            index_p50_ms: index.p50_ms,
            index_p99_ms: index.p99_ms,
            scan_p50_ms: scan.p50_ms,
            scan_p99_ms: scan.p99_ms,
        }
    })
    .collect();
    eprintln!("timing a query of fifty words against one of one word …");
    let long_query = long_query(&index, &engine, now)?;
    eprintln!("{clients} clients at once, on the index and on the scan …");
    let reader = Reader {
        store: engine.store().clone(),
        trust: engine.trust().clone(),
    };
    let (index_per_s, index_many) = in_parallel(&plans, clients, |plan| {
        let (found, _) = index.find(plan, now)?;
        hits(&reader, &found)?;
        Ok(())
    })?;
    let (scan_per_s, scan_many) = in_parallel(&plans, clients, |plan| {
        scan.answer(plan, now);
        Ok(())
    })?;
    let concurrent = Concurrent {
        clients,
        index_requests_per_s: round(index_per_s),
        index: latency(index_many, 0),
        scan_requests_per_s: round(scan_per_s),
        scan: latency(scan_many, 0),
        speedup: round(index_per_s / scan_per_s.max(1e-9)),
    };
    eprintln!("one client while the node ingests {INGEST_PER_S} records a second …");
    let mut engine = engine;
    let while_ingesting = ingesting(
        &mut engine,
        &index,
        &plans[..plans.len().min(500)],
        &fresh,
        now,
    )?;
    let index = latency(index_ms, index_results);
    let linear_scan = latency(scan_ms, scan_results);
    let index_disk_bytes = dir_size(&search_dir);
    let erase = erase_after_withdrawals(engine, &search_dir, now)?;
    Ok(QueryReport {
        vacancies: made,
        queries: count,
        engine_open_ms,
        startup_ms,
        startup_rebuild_ms,
        index_disk_bytes,
        long_query,
        erase,
        speedup_p99: round(linear_scan.p99_ms / index.p99_ms.max(0.001)),
        by_query,
        concurrent,
        while_ingesting,
        index,
        linear_scan,
    })
}

#[cfg(test)]
mod tests {
    /// The benchmark runs end to end on a tiny region (its figures mean nothing there).
    #[test]
    fn runs_on_a_tiny_region() -> anyhow::Result<()> {
        let report = super::run(200, 20, 4)?;
        assert_eq!(report.vacancies, 200);
        assert!(report.index.mean_results > 0.0, "the queries found nothing");
        assert!(report.while_ingesting.ingested > 0, "nothing was ingested");
        Ok(())
    }
}
