//! `demo-region`: five steunpunten of Noord-Brabant on this machine, peered as a chain,
//! each publishing a realistic data set; waits until the region has converged and answers
//! a real question: which vacancies suit a 14-year-old's maatschappelijke stage within
//! 20 km of postcode 4811 (Breda)?
//!
//! Real nodes (libp2p on loopback, sled stores, the HTTP API), in one process. Exits
//! non-zero if the region does not converge or the answer lacks Tilburg's vacancies.
//! With `--keep-running` the region stays up until Ctrl-C, so the `steunpunt` CLI can
//! be pointed at any of its data directories.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use steunpunt_api::{
    AddPeer, Client, ClientError, Draft, Hit, ListQuery, RecordCounts, SearchQuery,
};
use steunpunt_examples::generator::generate;
use steunpunt_node::daemon::{Overrides, RunningNode, start};
use steunpunt_node::data_dir::{DataDir, InitOptions};
use steunpunt_protocol::Kind;

const REGION: [&str; 5] = [
    "Breda",
    "Tilburg",
    "'s-Hertogenbosch",
    "Eindhoven",
    "Helmond",
];
const ORGANISATIONS: usize = 20;
const VACANCIES: usize = 100;
const SEED: u64 = 2026;
const TRUST_HOPS: usize = 3;

/// A running node and its API client.
struct Node {
    running: RunningNode,
    api: Client,
}

impl Node {
    /// Calls the node's API on a blocking thread, so the node (on this runtime) can answer.
    async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Client) -> Result<T, ClientError> + Send + 'static,
    ) -> anyhow::Result<T> {
        let api = self.api.clone();
        Ok(tokio::task::spawn_blocking(move || work(&api)).await??)
    }

    async fn address(&self) -> anyhow::Result<String> {
        let status = self.call(|api| api.status()).await?;
        let listen = status
            .listen_addrs
            .first()
            .context("node has no listen address")?;
        Ok(format!("{listen}/p2p/{}", status.peer_id))
    }
}

/// A record's fields with its id, as a draft.
fn draft(id: steunpunt_protocol::RecordId, body: impl serde::Serialize) -> anyhow::Result<Draft> {
    let serde_json::Value::Object(mut fields) = serde_json::to_value(body)? else {
        bail!("a record body is a JSON object");
    };
    fields.insert("id".into(), id.as_str().into());
    Ok(fields)
}

/// Longest wait for the region to converge before the demo gives up.
const CONVERGE_WITHIN_SECS: u64 = 180;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    const USAGE: &str = "usage: demo-region [--keep-running]  (--keep-running leaves the region up for the steunpunt CLI until Ctrl-C)";
    let keep_running = match std::env::args().skip(1).collect::<Vec<_>>().as_slice() {
        [] => false,
        [flag] if flag == "--keep-running" => true,
        [flag] if flag == "--help" || flag == "-h" => {
            println!("{USAGE}");
            return Ok(());
        }
        _ => bail!("{USAGE}"),
    };
    let root = tempfile::tempdir()?;
    println!("Starting five steunpunten in {} …", root.path().display());
    let mut nodes = Vec::new();
    for municipality in REGION {
        let dir = DataDir::resolve(Some(
            root.path().join(
                steunpunt_protocol::RecordId::slugify(municipality)
                    .context("name")?
                    .as_str(),
            ),
        ))?;
        dir.init(InitOptions {
            name: format!("Steunpunt {municipality}"),
            municipalities: vec![municipality.to_owned()],
            listen: vec!["/ip4/127.0.0.1/tcp/0".into()],
            api: Some("127.0.0.1:0".into()),
        })?;
        // Each steunpunt's public site too, on a free port of this machine.
        let overrides = Overrides {
            public: Some("127.0.0.1:0".into()),
            ..Overrides::default()
        };
        let running = start(dir.clone(), overrides).await?;
        let api = Client::new(&running.api_addr.to_string(), &running.token, dir.root());
        nodes.push(Node { running, api });
    }

    // Each steunpunt publishes its own partners and vacancies through its API.
    let started = Instant::now();
    for (node, municipality) in nodes.iter().zip(REGION) {
        let data = generate(municipality, SEED, ORGANISATIONS, VACANCIES);
        for (id, organisation) in data.organisations {
            let fields = draft(id, organisation)?;
            node.call(move |api| api.publish(Kind::Organisation, &fields, false))
                .await?;
        }
        for (id, vacancy) in data.vacancies {
            let fields = draft(id, vacancy)?;
            node.call(move |api| api.publish(Kind::Vacancy, &fields, false))
                .await?;
        }
    }
    println!(
        "Published {} organisations and {} vacancies in {:.1} s.",
        ORGANISATIONS * 5,
        VACANCIES * 5,
        started.elapsed().as_secs_f64()
    );

    // Peer as a chain: each pair adds the other, as two admins would.
    let converging = Instant::now();
    for pair in nodes.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        for (from, to) in [(a, b), (b, a)] {
            let peer = AddPeer {
                multiaddr: to.address().await?,
                steunpunt: to.running.steunpunt_id.to_string(),
                label: String::new(),
            };
            from.call(move |api| api.add_peer(&peer)).await?;
        }
    }

    // Converged: every node holds the data of every steunpunt within three hops.
    let expected = |i: usize| {
        (0..nodes.len())
            .filter(|j| i.abs_diff(*j) <= TRUST_HOPS)
            .count()
    };
    // A bound for a stuck region, not a speed test: on a loaded machine (CI running
    // other tests beside it) convergence takes longer than the usual second or two.
    let deadline = Instant::now() + Duration::from_secs(CONVERGE_WITHIN_SECS);
    let counts = loop {
        let mut counts = Vec::new();
        for node in &nodes {
            counts.push(node.call(|api| api.status()).await?.record_counts);
        }
        let done = counts
            .iter()
            .enumerate()
            .all(|(i, c): (usize, &RecordCounts)| {
                c.vacancy == (expected(i) * VACANCIES) as u64
                    && c.organisation == (expected(i) * ORGANISATIONS) as u64
                    && c.profile == expected(i) as u64
            });
        if done {
            break counts;
        }
        if Instant::now() > deadline {
            let mut profiles = Vec::new();
            for node in &nodes {
                let held = node
                    .call(|api| api.records(Kind::Profile, &ListQuery::default()))
                    .await?;
                let names: Vec<String> = held
                    .records
                    .iter()
                    .map(|r| r.title().unwrap_or("?").to_owned())
                    .collect();
                profiles.push(names);
            }
            bail!(
                "the region did not converge within {CONVERGE_WITHIN_SECS} s: {counts:?}; profiles held: {profiles:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!(
        "\nConverged {:.2} s after peering.\n",
        converging.elapsed().as_secs_f64()
    );

    println!("Records per node (own and replicated):");
    for ((node, municipality), c) in nodes.iter().zip(REGION).zip(&counts) {
        println!(
            "  {municipality:<17} {:>4} vacancies  {:>3} organisations  ({})",
            c.vacancy,
            c.organisation,
            node.running.steunpunt_id.short()
        );
    }

    println!(
        "  (trust reaches {TRUST_HOPS} hops, so the two ends of the chain, Breda and Helmond,\n  \
         do not hold each other's records)"
    );

    println!("\nFederation graph (who vouches for whom; whom each trusts, by hops):");
    println!("  {}", REGION.join(" ── "));
    let names: BTreeMap<_, &str> = nodes
        .iter()
        .zip(REGION)
        .map(|(n, m)| (n.running.steunpunt_id, m))
        .collect();
    for (node, municipality) in nodes.iter().zip(REGION) {
        let status = node.call(|api| api.status()).await?;
        // Grouped by distance: "1 hop: Breda, Eindhoven; 2: …".
        let mut by_hops: BTreeMap<u8, Vec<&str>> = BTreeMap::new();
        for t in status.trust.iter().filter(|t| t.hops != 0) {
            let name = names.get(&t.steunpunt).copied().unwrap_or("?");
            by_hops.entry(t.hops).or_default().push(name);
        }
        let trusted: Vec<String> = by_hops
            .into_iter()
            .map(|(hops, mut names)| {
                names.sort_unstable();
                let label = if hops == 1 {
                    "1 hop".to_owned()
                } else {
                    hops.to_string()
                };
                format!("{label}: {}", names.join(", "))
            })
            .collect();
        println!("  {municipality}");
        println!("    trusts {}", trusted.join("; "));
    }

    println!("\nAt Steunpunt Breda: MaS placements for a 14-year-old within 20 km of 4811?");
    let query = SearchQuery {
        mas: true,
        age: Some(14),
        near: Some("4811".into()),
        radius_km: Some(20.0),
        limit: Some(200),
        ..SearchQuery::default()
    };
    let results = nodes[0]
        .call(move |api| api.search(Kind::Vacancy, &query))
        .await?
        .results;
    let mut per_steunpunt: BTreeMap<String, usize> = BTreeMap::new();
    for r in &results {
        *per_steunpunt.entry(steunpunt_of(r).to_owned()).or_default() += 1;
        let suitable = r
            .record
            .vacancy()
            .is_some_and(|v| v.mas.suitable && v.mas.min_age.is_none_or(|a| a <= 14));
        ensure!(suitable, "search returned an unsuitable placement: {r:?}");
    }
    println!(
        "  {} placements: {}",
        results.len(),
        per_steunpunt
            .iter()
            .map(|(s, n)| format!("{n} from {s}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for r in results
        .iter()
        .filter(|r| steunpunt_of(r) == "Steunpunt Tilburg")
        .take(3)
        .chain(results.iter().take(3))
    {
        println!(
            "  - {:<40} {:>5.1} km  {}",
            cut(r.record.title().unwrap_or_default(), 40),
            r.distance_km.unwrap_or_default(),
            steunpunt_of(r)
        );
    }
    ensure!(
        per_steunpunt.contains_key("Steunpunt Tilburg"),
        "the answer should include vacancies published in Tilburg"
    );

    println!("\nSearch at Steunpunt Breda: `voorlezen` within 15 km of 4811");
    println!("(also finds compounds such as `voorleesvrijwilliger`):");
    let query = SearchQuery {
        q: Some("voorlezen".into()),
        near: Some("4811".into()),
        radius_km: Some(15.0),
        limit: Some(5),
        ..SearchQuery::default()
    };
    let results = nodes[0]
        .call(move |api| api.search(Kind::Vacancy, &query))
        .await?
        .results;
    ensure!(
        !results.is_empty(),
        "nothing found for voorlezen near Breda"
    );
    for r in &results {
        println!(
            "  - {:<40} {:>5.1} km  {}",
            cut(r.record.title().unwrap_or_default(), 40),
            r.distance_km.unwrap_or_default(),
            steunpunt_of(r)
        );
    }

    println!("\nThe public websites, with the vacancies each steunpunt shows to volunteers:");
    for (node, municipality) in nodes.iter().zip(REGION) {
        let addr = node
            .running
            .public_addr
            .context("the public site should be running")?;
        let page = ureq::get(&format!("http://{addr}/?wat=voorlezen")).call()?;
        ensure!(
            page.status() == 200,
            "the public site of {municipality} answered {}",
            page.status()
        );
        let name = format!("Steunpunt {municipality}");
        println!("  {name:<27} http://{addr}/");
    }
    if !keep_running {
        println!("  (they stop with the demo; with --keep-running they stay up until Ctrl-C)");
    }

    if keep_running {
        let breda = root.path().join("breda");
        // The CLI beside this program, where `cargo build --release` puts it.
        let cli = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join("steunpunt")))
            .filter(|cli| cli.exists())
            .map_or_else(
                || "cargo run --release -p steunpunt-cli --".to_owned(),
                |cli| cli.display().to_string(),
            );
        println!(
            "\nThe region keeps running until Ctrl-C. Ask it with the CLI in another terminal,\n\
             from this directory, for example:\n  \
             {cli} --data-dir {} \\\n    search voorlezen --near 4811 --radius-km 15",
            breda.display()
        );
        tokio::signal::ctrl_c().await?;
    }
    for node in nodes {
        node.running.shutdown().await;
    }
    println!("\nDone. Postcode data: GeoNames (https://www.geonames.org), CC BY 4.0.");
    Ok(())
}

/// The name of the steunpunt that published a result.
fn steunpunt_of(hit: &Hit) -> &str {
    hit.steunpunt.as_deref().unwrap_or("?")
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let kept: String = text.chars().take(max - 1).collect();
        format!("{kept}…")
    }
}
