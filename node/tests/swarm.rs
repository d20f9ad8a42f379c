//! Real libp2p swarms in one process, on loopback: a chain of three steunpunten where the
//! outer two trust each other only through the middle one.
//!
//! - a record published at one end reaches the other end through the middle node;
//! - a node that was down while records were published, updated and withdrawn catches up
//!   through sync alone when it comes back;
//! - a withdrawal erases the body on every node.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use steunpunt_node::daemon::{Overrides, RunningNode, start};
use steunpunt_node::data_dir::{DataDir, InitOptions};

async fn init_and_start(root: &Path, name: &str) -> (DataDir, RunningNode) {
    let dir = DataDir::resolve(Some(root.join(name))).unwrap();
    dir.init(InitOptions {
        name: format!("Steunpunt {name}"),
        municipalities: vec![name.to_owned()],
        listen: vec!["/ip4/127.0.0.1/tcp/0".into()],
        api: Some("127.0.0.1:0".into()),
    })
    .unwrap();
    let node = start(dir.clone(), Overrides::default()).await.unwrap();
    (dir, node)
}

/// Calls the node's HTTP API (blocking client on a blocking thread).
async fn api(node: &RunningNode, method: &'static str, path: &str, body: Option<Value>) -> Value {
    let url = format!("http://{}{path}", node.api_addr);
    let auth = format!("Bearer {}", node.token);
    tokio::task::spawn_blocking(move || {
        let response = match (method, body) {
            ("GET", _) => ureq::get(&url).header("Authorization", &auth).call(),
            ("DELETE", _) => ureq::delete(&url).header("Authorization", &auth).call(),
            (_, Some(body)) => ureq::post(&url)
                .header("Authorization", &auth)
                .send_json(&body),
            (_, None) => ureq::post(&url).header("Authorization", &auth).send_empty(),
        };
        response.unwrap().body_mut().read_json::<Value>().unwrap()
    })
    .await
    .unwrap()
}

async fn address(node: &RunningNode) -> String {
    let status = api(node, "GET", "/v1/status", None).await;
    format!(
        "{}/p2p/{}",
        status["listen_addrs"][0].as_str().unwrap(),
        node.peer_id
    )
}

async fn peer(a: &RunningNode, b: &RunningNode) {
    let (addr_a, addr_b) = (address(a).await, address(b).await);
    api(
        a,
        "POST",
        "/v1/peers",
        Some(json!({ "multiaddr": addr_b, "steunpunt": b.steunpunt_id.to_string() })),
    )
    .await;
    api(
        b,
        "POST",
        "/v1/peers",
        Some(json!({ "multiaddr": addr_a, "steunpunt": a.steunpunt_id.to_string() })),
    )
    .await;
}

async fn eventually<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn vacancy(title: &str) -> Value {
    json!({
        "title": title,
        "description": "Vrijwilligerswerk in de regio.",
        "organisation": { "name": "Vrijwilligerscentrale" },
        "categories": ["welzijn-sociale-hulpverlening"],
        "engagement": "kortlopend",
        "location": { "municipality": "Breda", "pc4": "4811" },
        "contact": { "email": "info@example.nl" },
    })
}

async fn record(node: &RunningNode, author: &RunningNode, id: &str) -> Option<Value> {
    let url = format!(
        "http://{}/v1/records/vacancy/{}/{id}",
        node.api_addr, author.steunpunt_id
    );
    let auth = format!("Bearer {}", node.token);
    tokio::task::spawn_blocking(move || {
        ureq::get(&url)
            .header("Authorization", &auth)
            .call()
            .ok()
            .map(|mut r| r.body_mut().read_json::<Value>().unwrap())
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_of_three_gossips_syncs_and_erases() {
    let root = tempfile::tempdir().unwrap();
    let (_, a) = init_and_start(root.path(), "breda").await;
    let (_, b) = init_and_start(root.path(), "tilburg").await;
    let (c_dir, c) = init_and_start(root.path(), "eindhoven").await;
    peer(&a, &b).await;
    peer(&b, &c).await;
    // C trusts A through B's peering record (two hops), and A trusts C the same way.
    eventually("trust along the chain", || async {
        api(&c, "GET", "/v1/status", None).await["trusted_steunpunten"] == 3
            && api(&a, "GET", "/v1/status", None).await["trusted_steunpunten"] == 3
    })
    .await;

    // Gossip through the middle node.
    api(
        &a,
        "POST",
        "/v1/records/vacancy",
        Some(vacancy("Maatje voor nieuwkomers")),
    )
    .await;
    eventually("A's vacancy at C", || async {
        record(&c, &a, "maatje-voor-nieuwkomers").await.is_some()
    })
    .await;

    // C goes down; A publishes, updates and withdraws meanwhile.
    c.shutdown().await;
    api(
        &a,
        "POST",
        "/v1/records/vacancy",
        Some(vacancy("Chauffeur voor de boodschappenbus")),
    )
    .await;
    let mut updated = vacancy("Maatje voor nieuwkomers");
    updated["description"] = json!("Nu ook op zaterdag.");
    api(&a, "POST", "/v1/records/vacancy", Some(updated)).await;
    api(
        &a,
        "POST",
        "/v1/records/vacancy",
        Some(vacancy("Eenmalige klus")),
    )
    .await;
    api(&a, "DELETE", "/v1/records/vacancy/eenmalige-klus", None).await;
    eventually("B to have the withdrawal", || async {
        record(&b, &a, "eenmalige-klus")
            .await
            .is_some_and(|r| r["withdrawn"] == true)
    })
    .await;

    // C comes back and catches up through sync alone (gossip happened while it was away).
    let c = start(c_dir, Overrides::default()).await.unwrap();
    eventually("C to catch up", || async {
        let bus = record(&c, &a, "chauffeur-voor-de-boodschappenbus")
            .await
            .is_some();
        let updated = record(&c, &a, "maatje-voor-nieuwkomers")
            .await
            .is_some_and(|r| r["description"] == "Nu ook op zaterdag.");
        let withdrawn = record(&c, &a, "eenmalige-klus")
            .await
            .is_some_and(|r| r["withdrawn"] == true);
        bus && updated && withdrawn
    })
    .await;

    // Searching at C finds A's vacancy with its provenance: two hops, vouched for by B.
    let found = api(
        &c,
        "GET",
        "/v1/search/vacancies?q=maatje&near=4811&radius_km=10",
        None,
    )
    .await;
    let hit = &found["results"][0];
    assert_eq!(hit["id"], "maatje-voor-nieuwkomers", "{found}");
    assert_eq!(hit["steunpunt"], "Steunpunt breda");
    assert_eq!(hit["hops"], 2);
    assert_eq!(hit["vouched_by"], b.steunpunt_id.to_string());
    let exported = api(&a, "GET", "/v1/export?mine=true", None).await;
    assert_eq!(
        exported["records"].as_array().unwrap().len(),
        2,
        "two live vacancies of A"
    );

    // The withdrawn body is gone everywhere.
    for node in [&a, &b, &c] {
        let w = record(node, &a, "eenmalige-klus").await.unwrap();
        assert!(
            w.get("title").is_none() && w.get("description").is_none(),
            "body still present: {w}"
        );
    }
    for node in [a, b, c] {
        node.shutdown().await;
    }
}
