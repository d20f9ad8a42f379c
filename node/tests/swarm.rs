//! Real libp2p swarms in one process, on loopback: a chain of three steunpunten where the
//! outer two trust each other only through the middle one.
//!
//! - a record published at one end reaches the other end through the middle node;
//! - a node that was down while records were published, updated and withdrawn catches up
//!   through sync alone when it comes back;
//! - a withdrawal erases the body on every node.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use serde_json::json;
use steunpunt_api::{ExportQuery, RecordView, SearchQuery};
use steunpunt_node::data_dir::PeerEntry;
use steunpunt_protocol::{Body, Kind, RecordId, RecordKey, SteunpuntId};
use steunpunt_testkit::{InProcess, eventually_async, peer_both, vacancy};

/// The vacancy `id` of `author` as `node` holds it.
async fn record(node: &InProcess, author: SteunpuntId, id: &str) -> Option<RecordView> {
    let key = RecordKey {
        author,
        kind: Kind::Vacancy,
        id: RecordId::new(id).unwrap(),
    };
    node.call(move |api| api.record(&key).ok()).await
}

async fn trusted(node: &InProcess) -> usize {
    node.call(|api| api.status().unwrap().trusted_steunpunten)
        .await
}

async fn publish(node: &InProcess, draft: steunpunt_api::Draft) {
    node.call(move |api| api.publish(Kind::Vacancy, &draft, false).unwrap())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_of_three_gossips_syncs_and_erases() {
    let root = tempfile::tempdir().unwrap();
    let a = InProcess::start(root.path(), "breda").await;
    let b = InProcess::start(root.path(), "tilburg").await;
    let c = InProcess::start(root.path(), "eindhoven").await;
    let (api_a, api_b, api_c) = (a.api.clone(), b.api.clone(), c.api.clone());
    tokio::task::spawn_blocking(move || {
        peer_both(&api_a, &api_b);
        peer_both(&api_b, &api_c);
    })
    .await
    .unwrap();
    let (id_a, id_b) = (a.node.steunpunt_id, b.node.steunpunt_id);
    // C trusts A through B's peering record (two hops), and A trusts C the same way.
    eventually_async("trust along the chain", || async {
        trusted(&c).await == 3 && trusted(&a).await == 3
    })
    .await;

    // Gossip through the middle node.
    publish(&a, vacancy("Maatje voor nieuwkomers", "Breda", "4811")).await;
    eventually_async("A's vacancy at C", || async {
        record(&c, id_a, "maatje-voor-nieuwkomers").await.is_some()
    })
    .await;

    // C goes down; A publishes, updates and withdraws meanwhile.
    c.stop().await;
    publish(
        &a,
        vacancy("Chauffeur voor de boodschappenbus", "Breda", "4811"),
    )
    .await;
    let mut updated = vacancy("Maatje voor nieuwkomers", "Breda", "4811");
    updated.insert("description".into(), json!("Nu ook op zaterdag."));
    publish(&a, updated).await;
    publish(&a, vacancy("Eenmalige klus", "Breda", "4811")).await;
    a.call(|api| api.withdraw(Kind::Vacancy, "eenmalige-klus").unwrap())
        .await;
    eventually_async("B to have the withdrawal", || async {
        record(&b, id_a, "eenmalige-klus")
            .await
            .is_some_and(|r| r.withdrawn)
    })
    .await;

    // C comes back and catches up through sync alone (gossip happened while it was away).
    let c = InProcess::start(root.path(), "eindhoven").await;
    eventually_async("C to catch up", || async {
        let bus = record(&c, id_a, "chauffeur-voor-de-boodschappenbus")
            .await
            .is_some();
        let updated = record(&c, id_a, "maatje-voor-nieuwkomers")
            .await
            .and_then(|r| r.vacancy().map(|v| v.description.clone()))
            .is_some_and(|d| d == "Nu ook op zaterdag.");
        let withdrawn = record(&c, id_a, "eenmalige-klus")
            .await
            .is_some_and(|r| r.withdrawn);
        bus && updated && withdrawn
    })
    .await;

    // Searching at C finds A's vacancy with its provenance: two hops, vouched for by B.
    let found = c
        .call(|api| {
            api.search(
                Kind::Vacancy,
                &SearchQuery {
                    q: Some("maatje".into()),
                    near: Some("4811".into()),
                    radius_km: Some(10.0),
                    ..SearchQuery::default()
                },
            )
            .unwrap()
        })
        .await;
    let hit = &found.results[0];
    assert_eq!(
        hit.record.id.as_str(),
        "maatje-voor-nieuwkomers",
        "{found:?}"
    );
    assert_eq!(hit.steunpunt.as_deref(), Some("Steunpunt breda"));
    assert_eq!(hit.hops, Some(2));
    assert_eq!(hit.vouched_by, Some(id_b));
    let exported = a
        .call(|api| {
            api.export(&ExportQuery {
                mine: true,
                kind: None,
            })
            .unwrap()
        })
        .await;
    assert_eq!(exported.records.len(), 2, "two live vacancies of A");

    // The withdrawn body is gone everywhere.
    for node in [&a, &b, &c] {
        let w = record(node, id_a, "eenmalige-klus").await.unwrap();
        assert!(w.body.is_none(), "body still present: {w:?}");
    }
    for node in [a, b, c] {
        node.stop().await;
    }
}

/// A neighbour in `peers.json` that the peering record does not vouch for (a restore from
/// a backup, an older version) is vouched for at start, so both say the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_neighbours_are_vouched_for_at_start() {
    let root = tempfile::tempdir().unwrap();
    let a = InProcess::start(root.path(), "breda").await;
    let b = InProcess::start(root.path(), "tilburg").await;
    let b_address = b.call(steunpunt_testkit::address).await;
    let b_id = b.node.steunpunt_id;
    let a_dir = a.dir.clone();
    a.stop().await;
    a_dir
        .save_peers(&[PeerEntry {
            multiaddr: b_address.parse().unwrap(),
            steunpunt: b_id,
            label: "Tilburg".into(),
        }])
        .unwrap();

    let a = InProcess::start(root.path(), "breda").await;
    let me = a.node.steunpunt_id;
    let peering = a
        .call(move |api| {
            api.record(&RecordKey {
                author: me,
                kind: Kind::Peering,
                id: RecordId::peering(),
            })
            .unwrap()
        })
        .await;
    let Some(Body::Peering(peering)) = peering.body else {
        panic!("no peering record: {peering:?}")
    };
    assert!(peering.vouches_for(&b_id), "{peering:?}");
    let peers = a.call(|api| api.peers().unwrap()).await;
    assert_eq!(peers.peers.len(), 1);
    assert_eq!(peers.peers[0].steunpunt, b_id);
    a.stop().await;
    b.stop().await;
}
