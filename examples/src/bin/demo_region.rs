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
use serde_json::{Value, json};
use steunpunt_examples::generator::generate;
use steunpunt_node::daemon::{Overrides, RunningNode, start};
use steunpunt_node::data_dir::{DataDir, InitOptions};

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

/// Calls a node's API on a blocking thread.
async fn api(
    node: &RunningNode,
    method: &'static str,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let url = format!("http://{}{path}", node.api_addr);
    let auth = format!("Bearer {}", node.token);
    tokio::task::spawn_blocking(move || -> anyhow::Result<Value> {
        let response = match (method, body) {
            ("GET", _) => ureq::get(&url).header("Authorization", &auth).call(),
            (_, Some(body)) => ureq::post(&url)
                .header("Authorization", &auth)
                .send_json(&body),
            (_, None) => ureq::post(&url).header("Authorization", &auth).send_empty(),
        };
        Ok(response
            .with_context(|| format!("{method} {url}"))?
            .body_mut()
            .read_json()?)
    })
    .await?
}

async fn address(node: &RunningNode) -> anyhow::Result<String> {
    let status = api(node, "GET", "/v1/status", None).await?;
    let listen = status["listen_addrs"][0]
        .as_str()
        .context("node has no listen address")?;
    Ok(format!("{listen}/p2p/{}", node.peer_id))
}

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
        nodes.push(start(dir, Overrides::default()).await?);
    }

    // Each steunpunt publishes its own partners and vacancies through its API.
    let started = Instant::now();
    for (node, municipality) in nodes.iter().zip(REGION) {
        let data = generate(municipality, SEED, ORGANISATIONS, VACANCIES);
        for (id, organisation) in data.organisations {
            let mut body = serde_json::to_value(organisation)?;
            body["id"] = json!(id);
            api(node, "POST", "/v1/records/organisation", Some(body)).await?;
        }
        for (id, vacancy) in data.vacancies {
            let mut body = serde_json::to_value(vacancy)?;
            body["id"] = json!(id);
            api(node, "POST", "/v1/records/vacancy", Some(body)).await?;
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
        let (addr_a, addr_b) = (address(a).await?, address(b).await?);
        api(
            a,
            "POST",
            "/v1/peers",
            Some(json!({ "multiaddr": addr_b, "steunpunt": b.steunpunt_id.to_string() })),
        )
        .await?;
        api(
            b,
            "POST",
            "/v1/peers",
            Some(json!({ "multiaddr": addr_a, "steunpunt": a.steunpunt_id.to_string() })),
        )
        .await?;
    }

    // Converged: every node holds the data of every steunpunt within three hops.
    let expected = |i: usize| {
        (0..nodes.len())
            .filter(|j| i.abs_diff(*j) <= TRUST_HOPS)
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(40);
    let counts = loop {
        let mut counts = Vec::new();
        for node in &nodes {
            counts.push(api(node, "GET", "/v1/status", None).await?["record_counts"].clone());
        }
        let done = counts.iter().enumerate().all(|(i, c)| {
            c["vacancy"] == expected(i) * VACANCIES
                && c["organisation"] == expected(i) * ORGANISATIONS
                && c["profile"] == expected(i)
        });
        if done {
            break counts;
        }
        if Instant::now() > deadline {
            let mut profiles = Vec::new();
            for node in &nodes {
                let held = api(node, "GET", "/v1/records/profiles", None).await?;
                let names: Vec<String> = held["records"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| r["name"].as_str().unwrap_or("?").to_owned())
                    .collect();
                profiles.push(names);
            }
            bail!(
                "the region did not converge within 40 s: {counts:?}; profiles held: {profiles:?}"
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
            "  Steunpunt {municipality:<18} {:>4} vacancies  {:>3} organisations  ({})",
            c["vacancy"],
            c["organisation"],
            node.steunpunt_id.short()
        );
    }

    println!("\nFederation graph (who vouches for whom; trust reaches {TRUST_HOPS} hops):");
    println!(
        "  {}",
        REGION.map(|m| format!("Steunpunt {m}")).join(" ── ")
    );
    let names: BTreeMap<String, &str> = nodes
        .iter()
        .zip(REGION)
        .map(|(n, m)| (n.steunpunt_id.to_string(), m))
        .collect();
    for (node, municipality) in nodes.iter().zip(REGION) {
        let status = api(node, "GET", "/v1/status", None).await?;
        let trusted: Vec<String> = status["trust"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["hops"] != 0)
            .map(|t| {
                let name = t["steunpunt"]
                    .as_str()
                    .and_then(|id| names.get(id))
                    .copied()
                    .unwrap_or("?");
                let hops = t["hops"].as_u64().unwrap_or_default();
                format!("{name} ({hops} hop{})", if hops == 1 { "" } else { "s" })
            })
            .collect();
        println!("  {municipality:<18} trusts {}", trusted.join(", "));
    }

    println!(
        "\nQuestion at Steunpunt Breda: MaS placements for a 14-year-old within 20 km of 4811?"
    );
    let found = api(
        &nodes[0],
        "GET",
        "/v1/search/vacancies?mas=true&age=14&near=4811&radius_km=20&limit=200",
        None,
    )
    .await?;
    let results = found["results"].as_array().cloned().unwrap_or_default();
    let mut per_steunpunt: BTreeMap<String, usize> = BTreeMap::new();
    for r in &results {
        *per_steunpunt
            .entry(r["steunpunt"].as_str().unwrap_or("?").to_owned())
            .or_default() += 1;
        ensure!(
            r["mas"]["suitable"] == true && r["mas"]["min_age"].as_u64().is_none_or(|a| a <= 14),
            "search returned an unsuitable placement: {r}"
        );
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
        .filter(|r| r["steunpunt"] == "Steunpunt Tilburg")
        .take(3)
        .chain(results.iter().take(3))
    {
        println!(
            "  - {:<70} {:>5.1} km  {}",
            r["title"].as_str().unwrap_or_default(),
            r["distance_km"].as_f64().unwrap_or_default(),
            r["steunpunt"].as_str().unwrap_or_default()
        );
    }
    ensure!(
        per_steunpunt.contains_key("Steunpunt Tilburg"),
        "the answer should include vacancies published in Tilburg"
    );

    println!(
        "\nSearch at Steunpunt Breda: `voorlezen` within 15 km of 4811 (also finds compounds):"
    );
    let found = api(
        &nodes[0],
        "GET",
        "/v1/search/vacancies?q=voorlezen&near=4811&radius_km=15&limit=5",
        None,
    )
    .await?;
    let results = found["results"].as_array().cloned().unwrap_or_default();
    ensure!(
        !results.is_empty(),
        "nothing found for voorlezen near Breda"
    );
    for r in &results {
        println!(
            "  - {:<70} {:>5.1} km  score {:>4.0}  {}",
            r["title"].as_str().unwrap_or_default(),
            r["distance_km"].as_f64().unwrap_or_default(),
            r["score"].as_f64().unwrap_or_default(),
            r["steunpunt"].as_str().unwrap_or_default()
        );
    }

    if keep_running {
        let breda = root.path().join("breda");
        println!(
            "\nThe region keeps running until Ctrl-C. Ask it with the CLI, for example:\n  \
             steunpunt --data-dir {} search voorlezen --near 4811 --radius-km 15",
            breda.display()
        );
        tokio::signal::ctrl_c().await?;
    }
    for node in nodes {
        node.shutdown().await;
    }
    println!("\nDone. Postcode data: GeoNames (https://www.geonames.org), CC BY 4.0.");
    Ok(())
}
