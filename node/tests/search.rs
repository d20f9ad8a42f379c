//! Region-wide search over a hand-written region (`fixtures/search-region.json`: three
//! steunpunten, 42 Dutch vacancies, 20 organisations): Dutch text matching, ranking,
//! every filter, provenance of results, and an index that follows the store through
//! withdrawals, expiry, restarts and damage.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::Path;

use serde_json::Value;
use steunpunt_node::replication::{Engine, EngineConfig, IngestOutcome};
use steunpunt_node::search::{Hit, Plan, SearchIndex, SearchQuery, Sort, search};
use steunpunt_node::store::{MemoryStore, SledStore, Store};
use steunpunt_protocol::body::{Organisation, Vacancy};
use steunpunt_protocol::testing::{self, T0, key, peering, profile};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Kind, RecordId, RecordKey, Revision, SteunpuntId, Timestamp};

const FIXTURE: &str = include_str!("fixtures/search-region.json");
/// Every fixture record stays valid this long.
const VALIDITY_MS: u64 = 60 * DAY_MS;

fn id(n: u8) -> SteunpuntId {
    key(n).id()
}

/// Signs a record by steunpunt `n` and hands it to the engine as a peer would.
fn put<S: Store>(engine: &mut Engine<S>, n: u8, kind: Kind, id: &str, body: Body, at: Timestamp) {
    let record = steunpunt_protocol::author(
        &key(n),
        None,
        Revision {
            kind,
            id: RecordId::new(id).unwrap(),
            body: Some(body),
            valid_until: T0.plus_ms(VALIDITY_MS),
        },
        at,
    )
    .unwrap();
    let outcome = engine.ingest(record.envelope().shared_bytes(), at);
    assert!(
        matches!(outcome, IngestOutcome::Accepted(_)),
        "{id}: {outcome:?}"
    );
}

/// A fixture item over the defaults of `testing`, without the defaults that filters see.
fn body_from(kind: Kind, item: &Value) -> Body {
    let mut base = match kind {
        Kind::Vacancy => serde_json::to_value(testing::vacancy()).unwrap(),
        _ => serde_json::to_value(testing::organisation()).unwrap(),
    };
    for unset in [
        "mas",
        "target_groups",
        "start",
        "end",
        "services",
        "kvk",
        "relation",
        "vetted_on",
        "expertise",
    ] {
        base.as_object_mut().unwrap().remove(unset);
    }
    for (field, value) in item.as_object().unwrap() {
        if field != "by" && field != "id" {
            base[field] = value.clone();
        }
    }
    match kind {
        Kind::Vacancy => Body::Vacancy(serde_json::from_value::<Vacancy>(base).unwrap()),
        _ => Body::Organisation(serde_json::from_value::<Organisation>(base).unwrap()),
    }
}

/// Loads the region into `engine`: profiles and peerings (Breda vouches for Tilburg,
/// Tilburg for 's-Hertogenbosch), then every record, one minute apart in fixture order.
fn load<S: Store>(engine: &mut Engine<S>) {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    put(
        engine,
        1,
        Kind::Peering,
        "peering",
        Body::Peering(peering(&[id(2)], &[])),
        T0,
    );
    put(
        engine,
        2,
        Kind::Peering,
        "peering",
        Body::Peering(peering(&[id(3)], &[])),
        T0,
    );
    for s in fixture["steunpunten"].as_array().unwrap() {
        let n = s["n"].as_u64().unwrap() as u8;
        let name = s["name"].as_str().unwrap();
        put(
            engine,
            n,
            Kind::Profile,
            "profile",
            Body::Profile(profile(name, vec![])),
            T0,
        );
    }
    let mut at = T0;
    for (kind, list) in [
        (Kind::Vacancy, "vacancies"),
        (Kind::Organisation, "organisations"),
    ] {
        for item in fixture[list].as_array().unwrap() {
            at = at.plus_ms(60_000);
            let n = item["by"].as_u64().unwrap() as u8;
            put(
                engine,
                n,
                kind,
                item["id"].as_str().unwrap(),
                body_from(kind, item),
                at,
            );
        }
    }
}

/// Searching "now": an hour after the last record.
fn now() -> Timestamp {
    T0.plus_ms(3 * 3_600_000)
}

struct Region {
    engine: Engine<MemoryStore>,
    index: SearchIndex,
}

/// Opens an engine on `store` with a search index in `dir` (in memory for `None`), as the
/// daemon does; whether the index was rebuilt.
fn open<S: Store>(store: S, dir: Option<&Path>) -> (Engine<S>, SearchIndex, bool) {
    open_at(store, dir, T0)
}

fn open_at<S: Store>(
    store: S,
    dir: Option<&Path>,
    now: Timestamp,
) -> (Engine<S>, SearchIndex, bool) {
    let opening = SearchIndex::open(dir).unwrap();
    let engine = Engine::open_observed(
        store,
        key(1),
        EngineConfig::default(),
        now,
        Some(opening.observer()),
    )
    .unwrap();
    let (index, report) = opening.finish(&engine).unwrap();
    (engine, index, report.rebuilt)
}

fn region() -> Region {
    let (mut engine, index, _) = open(MemoryStore::default(), None);
    load(&mut engine);
    // Records learned from peers become searchable when the engine flushes (the daemon
    // does so within a fraction of a second).
    engine.flush().unwrap();
    Region { engine, index }
}

impl Region {
    fn hits(&self, kind: Kind, q: SearchQuery) -> Vec<Hit> {
        search(&self.index, &self.engine, kind, &q, now()).unwrap()
    }

    fn ids(&self, kind: Kind, q: SearchQuery) -> Vec<String> {
        ids(&self.hits(kind, q))
    }

    fn vacancies(&self, words: &str) -> Vec<String> {
        self.ids(Kind::Vacancy, words_query(words))
    }

    fn error(&self, kind: Kind, q: SearchQuery) -> String {
        search(&self.index, &self.engine, kind, &q, now())
            .unwrap_err()
            .to_string()
    }
}

fn ids(hits: &[Hit]) -> Vec<String> {
    hits.iter()
        .map(|h| h.record.id.as_str().to_owned())
        .collect()
}

fn words_query(words: &str) -> SearchQuery {
    SearchQuery {
        q: Some(words.into()),
        limit: Some(200),
        ..Default::default()
    }
}

fn set(ids: &[String]) -> std::collections::BTreeSet<&str> {
    ids.iter().map(String::as_str).collect()
}

fn position(ids: &[String], id: &str) -> usize {
    ids.iter()
        .position(|i| i == id)
        .unwrap_or_else(|| panic!("{id} not found in {ids:?}"))
}

#[test]
fn voorlezen_finds_compounds_and_other_spellings() {
    let r = region();
    let found = r.vacancies("voorlezen");
    assert_eq!(
        set(&found),
        set(&[
            "voorleesvrijwilliger-bieb".into(),
            "voorlezen-basisschool".into(),
            "voorleesexpress-tilburg".into(),
            "voorleesouder-kinderboerderij".into(),
            "voorlezer-verpleeghuis".into(),
        ]),
        "{found:?}"
    );
    // The whole word in a title ranks above a compound part.
    assert!(
        position(&found, "voorlezen-basisschool")
            < position(&found, "voorleesouder-kinderboerderij")
    );
}

#[test]
fn sport_and_taal_match_inside_compounds() {
    let r = region();
    let sport = r.vacancies("sport");
    for expected in [
        "sportvereniging-trainer",
        "sportmaatje-tilburg",
        "sportdag-etten-leur",
    ] {
        assert!(
            sport.contains(&expected.to_owned()),
            "{expected} in {sport:?}"
        );
    }
    // `sportclub` only in the description: found, below the titles.
    assert!(position(&sport, "penningmeester-tennis") > position(&sport, "sportmaatje-tilburg"));
    assert!(!sport.contains(&"aangepast-zwemmen".to_owned()));

    // Longer words are found as later parts of compounds too.
    let vereniging = r.vacancies("vereniging");
    assert_eq!(
        set(&vereniging),
        set(&[
            "sportvereniging-trainer".into(),
            "penningmeester-tennis".into()
        ])
    );

    let taal = r.vacancies("taal");
    for expected in [
        "taalmaatje-nieuwkomers-breda",
        "taalcafe-tilburg",
        "taalmaatje-statushouders",
        "voorleesexpress-tilburg",
    ] {
        assert!(
            taal.contains(&expected.to_owned()),
            "{expected} in {taal:?}"
        );
    }
    // Titles (taalmaatje, taalcafé) first; `taalontwikkeling` in a description after
    // them; `vertaal` (a compound ending in `taal`) in a description last; `digitaal` is
    // no compound of `taal`.
    assert_eq!(
        &taal[3..],
        ["voorleesexpress-tilburg", "vertaler-arabisch"],
        "{taal:?}"
    );
    assert!(!taal.contains(&"digitaal-spreekuur".to_owned()));
}

#[test]
fn case_and_diacritics_fold() {
    let r = region();
    assert_eq!(r.vacancies("CAFE"), r.vacancies("café"));
    let cafe = r.vacancies("cafe");
    for expected in ["koningsdag-cafe", "repaircafe-tilburg"] {
        assert!(
            cafe.contains(&expected.to_owned()),
            "{expected} in {cafe:?}"
        );
    }
    assert!(
        r.vacancies("één dag")
            .contains(&"koningsdag-cafe".to_owned())
    );
    assert_eq!(r.vacancies("patienten"), vec!["gastvrouw-ziekenhuis"]);
}

#[test]
fn more_matching_words_rank_higher_and_titles_weigh_more() {
    let r = region();
    let found = r.vacancies("taalmaatje nieuwkomers");
    assert_eq!(
        found[0], "taalmaatje-nieuwkomers-breda",
        "both words, in the title"
    );
    assert!(found.contains(&"taalmaatje-statushouders".to_owned()));
    assert!(
        found.contains(&"vertaler-arabisch".to_owned()),
        "nieuwkomers in the description"
    );
    let scores: Vec<f64> = r
        .hits(Kind::Vacancy, words_query("taalmaatje nieuwkomers"))
        .iter()
        .map(|h| h.score)
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

    // `boodschappen` is in one title and in one description: the title wins.
    let found = r.vacancies("boodschappen");
    assert_eq!(
        found,
        vec!["boodschappenhulp-ouderen", "taalmaatje-nieuwkomers-breda"]
    );
    assert!(r.vacancies("xyzzy").is_empty());
}

#[test]
fn mas_age_municipality_and_radius() {
    let r = region();
    let mas14 = r.ids(
        Kind::Vacancy,
        SearchQuery {
            mas: true,
            age: Some(14),
            municipality: Some("Breda".into()),
            limit: Some(200),
            ..Default::default()
        },
    );
    assert!(mas14.contains(&"voorleesvrijwilliger-bieb".to_owned()));
    assert!(
        mas14.contains(&"voorlezen-basisschool".to_owned()),
        "minimum age 12"
    );
    assert!(
        !mas14.contains(&"sportvereniging-trainer".to_owned()),
        "minimum age 16"
    );
    assert!(
        !mas14.contains(&"boodschappenhulp-ouderen".to_owned()),
        "minimum age 15"
    );
    assert!(
        !mas14.contains(&"taalmaatje-nieuwkomers-breda".to_owned()),
        "not a MaS placement"
    );
    assert_eq!(mas14.len(), 7, "{mas14:?}");

    // 's-Hertogenbosch, Den Bosch, any case, with or without diacritics.
    let bosch = |m: &str| {
        r.ids(
            Kind::Vacancy,
            SearchQuery {
                municipality: Some(m.into()),
                limit: Some(200),
                ..Default::default()
            },
        )
    };
    assert_eq!(bosch("'s-Hertogenbosch").len(), 11);
    assert_eq!(bosch("Den Bosch"), bosch("'s-Hertogenbosch"));
    assert_eq!(bosch("'S-HERTOGENBOSCH"), bosch("'s-Hertogenbosch"));

    // Voorlezen within 15 km of 4811: Breda's placements only; Tilburg is ~22 km away.
    let near = r.hits(
        Kind::Vacancy,
        SearchQuery {
            q: Some("voorlezen".into()),
            near: Some("4811".into()),
            radius_km: Some(15.0),
            ..Default::default()
        },
    );
    assert_eq!(
        set(&ids(&near)),
        set(&[
            "voorleesvrijwilliger-bieb".into(),
            "voorlezen-basisschool".into()
        ])
    );
    assert!(near.iter().all(|h| h.distance_km.unwrap() <= 15.0));
    // Within 30 km the VoorleesExpress in Tilburg comes in.
    let wider = r.ids(
        Kind::Vacancy,
        SearchQuery {
            q: Some("voorlezen".into()),
            near: Some("Breda".into()),
            radius_km: Some(30.0),
            ..Default::default()
        },
    );
    assert!(wider.contains(&"voorleesexpress-tilburg".to_owned()));
    assert!(
        !wider.contains(&"voorlezer-verpleeghuis".to_owned()),
        "Den Bosch is ~45 km"
    );
}

#[test]
fn category_target_group_engagement_remote_and_date() {
    let r = region();
    let q = |f: fn(&mut SearchQuery)| {
        let mut q = SearchQuery {
            limit: Some(200),
            ..Default::default()
        };
        f(&mut q);
        set(&r.ids(Kind::Vacancy, q))
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        q(|q| q.category = Some("sport-bewegen".into())),
        vec![
            "aangepast-zwemmen",
            "sportdag-etten-leur",
            "sportmaatje-tilburg",
            "sportvereniging-trainer"
        ]
    );
    assert_eq!(
        q(|q| q.target_group = Some("nieuwkomers".into())),
        vec![
            "taalcafe-tilburg",
            "taalmaatje-nieuwkomers-breda",
            "taalmaatje-statushouders",
            "vertaler-arabisch"
        ]
    );
    assert_eq!(
        q(|q| q.remote = true),
        vec![
            "digitale-hulplijn",
            "online-huiswerkbegeleiding",
            "vertaler-arabisch"
        ]
    );
    // One-off work on 12 June 2027: the sports day; the kinderboerderij has no dates and
    // may be any day; King's Day, the city festival and the carnival parade are not then.
    assert_eq!(
        q(|q| {
            q.engagement = Some("eenmalig".into());
            q.on = Some("2027-06-12".into());
        }),
        vec!["sportdag-etten-leur", "voorleesouder-kinderboerderij"]
    );
    assert_eq!(
        q(|q| {
            q.engagement = Some("eenmalig".into());
            q.on = Some("2027-08-22".into());
        }),
        vec!["stadsfeest-tilburg", "voorleesouder-kinderboerderij"]
    );
}

#[test]
fn results_carry_their_steunpunt_and_sort_as_asked() {
    let r = region();
    let hits = r.hits(Kind::Vacancy, words_query("voorlezen"));
    let by_id = |id: &str| hits.iter().find(|h| h.record.id.as_str() == id).unwrap();
    let breda = by_id("voorlezen-basisschool");
    assert_eq!(breda.steunpunt.as_deref(), Some("Steunpunt Breda"));
    assert_eq!(breda.hops, Some(0));
    let tilburg = by_id("voorleesexpress-tilburg");
    assert_eq!(tilburg.steunpunt.as_deref(), Some("Steunpunt Tilburg"));
    assert_eq!((tilburg.hops, tilburg.vouched_by), (Some(1), Some(id(1))));
    let bosch = by_id("voorlezer-verpleeghuis");
    assert_eq!(
        bosch.steunpunt.as_deref(),
        Some("Steunpunt 's-Hertogenbosch")
    );
    assert_eq!((bosch.hops, bosch.vouched_by), (Some(2), Some(id(2))));
    assert!(hits.iter().all(|h| h.score > 0.0));

    // Only one steunpunt's records.
    let only_tilburg = r.hits(
        Kind::Vacancy,
        SearchQuery {
            author: Some(id(2).to_string()),
            limit: Some(200),
            ..Default::default()
        },
    );
    assert_eq!(only_tilburg.len(), 15);
    assert!(only_tilburg.iter().all(|h| h.record.author == id(2)));

    // Nearest first around Tilburg.
    let nearest = r.hits(
        Kind::Vacancy,
        SearchQuery {
            near: Some("5038".into()),
            radius_km: Some(50.0),
            sort: Some(Sort::Distance),
            limit: Some(200),
            ..Default::default()
        },
    );
    let distances: Vec<f64> = nearest.iter().map(|h| h.distance_km.unwrap()).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert_eq!(distances[0], 0.0);

    // Most recently changed first: the fixture's last vacancy was published last.
    let recent = r.ids(
        Kind::Vacancy,
        SearchQuery {
            sort: Some(Sort::Recent),
            limit: Some(3),
            ..Default::default()
        },
    );
    assert_eq!(
        recent,
        vec![
            "voorlezer-verpleeghuis",
            "klussendienst-bosch",
            "digitale-hulplijn"
        ]
    );
    // Relevance with words ranks; the limit cuts after ranking.
    let top = r.ids(
        Kind::Vacancy,
        SearchQuery {
            q: Some("taal".into()),
            limit: Some(1),
            ..Default::default()
        },
    );
    assert_eq!(top.len(), 1);
    assert_eq!(top[0], r.vacancies("taal")[0]);
}

#[test]
fn partners_by_expertise_kind_target_group_and_radius() {
    let r = region();
    let orgs = |f: fn(&mut SearchQuery)| {
        let mut q = SearchQuery {
            limit: Some(200),
            ..Default::default()
        };
        f(&mut q);
        set(&r.ids(Kind::Organisation, q))
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        orgs(|q| q.expertise = Some("schuldhulp".into())),
        vec![
            "raadslieden-tilburg",
            "schuldhulpmaatje-breda",
            "woonwijzer-bosch"
        ]
    );
    assert_eq!(
        orgs(|q| {
            q.expertise = Some("schuldhulp".into());
            q.near = Some("Tilburg".into());
            q.radius_km = Some(10.0);
        }),
        vec!["raadslieden-tilburg"]
    );
    assert_eq!(
        orgs(|q| q.org_kind = Some("zorgaanbieder".into())),
        vec![
            "herstelwerkplaats-breda",
            "novadic-kentron",
            "reinier-van-arkel",
            "veilig-thuis-midden-brabant"
        ]
    );
    assert_eq!(
        orgs(|q| q.target_group = Some("nieuwkomers".into())),
        vec!["taalpunt-den-bosch", "vluchtelingenwerk-tilburg"]
    );
    assert_eq!(
        orgs(|q| {
            q.expertise = Some("eenzaamheid".into());
            q.municipality = Some("den bosch".into());
        }),
        vec!["divers-bosch", "moskee-ulu-camii"]
    );
    // Words: names weigh more than descriptions.
    let taal = r.ids(Kind::Organisation, words_query("taal"));
    assert_eq!(
        set(&taal[..2]),
        set(&["taalhuis-breda".into(), "taalpunt-den-bosch".into()])
    );
    assert!(taal.contains(&"vluchtelingenwerk-tilburg".to_owned()));
}

#[test]
fn bad_queries_say_what_is_allowed() {
    let r = region();
    let err = r.error(
        Kind::Vacancy,
        SearchQuery {
            category: Some("sport".into()),
            ..Default::default()
        },
    );
    assert!(err.contains("sport-bewegen"), "{err}");
    let err = r.error(
        Kind::Vacancy,
        SearchQuery {
            expertise: Some("taal".into()),
            ..Default::default()
        },
    );
    assert!(err.contains("organisations only"), "{err}");
    let err = r.error(
        Kind::Vacancy,
        SearchQuery {
            sort: Some(Sort::Distance),
            ..Default::default()
        },
    );
    assert!(err.contains("needs near"), "{err}");
    let err = r.error(
        Kind::Vacancy,
        SearchQuery {
            near: Some("0000".into()),
            ..Default::default()
        },
    );
    assert!(err.contains("near:"), "{err}");
    let err = r.error(
        Kind::Vacancy,
        SearchQuery {
            age: Some(14),
            ..Default::default()
        },
    );
    assert!(err.contains("mas"), "{err}");
    let err = r.error(
        Kind::Vacancy,
        SearchQuery {
            on: Some("12-06-2027".into()),
            ..Default::default()
        },
    );
    assert!(err.contains("on:"), "{err}");
}

#[test]
fn withdrawn_and_expired_records_disappear_at_once() {
    let mut r = region();
    assert!(
        r.vacancies("voorlezen")
            .contains(&"voorlezen-basisschool".to_owned())
    );
    r.engine
        .withdraw(
            Kind::Vacancy,
            RecordId::new("voorlezen-basisschool").unwrap(),
            now(),
        )
        .unwrap();
    assert!(
        !r.vacancies("voorlezen")
            .contains(&"voorlezen-basisschool".to_owned())
    );
    // Past `valid_until` nothing is shown, even before the engine purges it.
    let later = T0.plus_ms(VALIDITY_MS + 1);
    let q = words_query("voorlezen");
    assert!(
        search(&r.index, &r.engine, Kind::Vacancy, &q, later)
            .unwrap()
            .is_empty()
    );
    r.engine.expire(later).unwrap();
    assert!(r.index.is_empty());
}

fn open_sled(dir: &Path) -> (Engine<SledStore>, SearchIndex, bool) {
    let store = SledStore::open(&dir.join("db")).unwrap();
    open(store, Some(&dir.join("search")))
}

#[test]
fn the_index_survives_restarts_and_rebuilds_when_missing_damaged_or_behind() {
    let dir = tempfile::tempdir().unwrap();
    let expected = {
        let (mut engine, index, rebuilt) = open_sled(dir.path());
        assert!(rebuilt, "a new index is built");
        load(&mut engine);
        engine.flush().unwrap();
        let found =
            ids(&search(&index, &engine, Kind::Vacancy, &words_query("taal"), now()).unwrap());
        assert_eq!(found.len(), 5);
        found
    };
    let taal = |engine: &Engine<SledStore>, index: &SearchIndex| {
        ids(&search(index, engine, Kind::Vacancy, &words_query("taal"), now()).unwrap())
    };
    // A clean restart reuses the index.
    let (mut engine, index, rebuilt) = open_sled(dir.path());
    assert!(!rebuilt);
    assert_eq!(taal(&engine, &index), expected);
    // A change that reaches the store but not the index (a crash before the commit):
    // the next start notices and rebuilds.
    let taalmaatje = RecordKey {
        author: id(1),
        kind: Kind::Vacancy,
        id: RecordId::new("taalmaatje-nieuwkomers-breda").unwrap(),
    };
    let current = engine.get(&taalmaatje).unwrap().unwrap();
    let withdrawal = steunpunt_protocol::withdraw(&key(1), current.payload(), now()).unwrap();
    let outcome = engine.ingest(withdrawal.envelope().shared_bytes(), now());
    assert!(matches!(outcome, IngestOutcome::Accepted(_)), "{outcome:?}");
    engine.store().flush().unwrap();
    drop((engine, index));
    let (engine, index, rebuilt) = open_sled(dir.path());
    assert!(rebuilt);
    assert_eq!(taal(&engine, &index).len(), 4);
    drop((engine, index));
    // Damaged files, and a missing index, are rebuilt from the store.
    for entry in std::fs::read_dir(dir.path().join("search")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::write(&path, b"kapot").unwrap();
    }
    let (engine, index, rebuilt) = open_sled(dir.path());
    assert!(rebuilt);
    assert_eq!(taal(&engine, &index).len(), 4);
    drop((engine, index));
    std::fs::remove_dir_all(dir.path().join("search")).unwrap();
    let (engine, index, rebuilt) = open_sled(dir.path());
    assert!(rebuilt);
    assert_eq!(taal(&engine, &index).len(), 4);
    drop((engine, index));
    // Records that expired while the node was down are dropped without a rebuild.
    let later = T0.plus_ms(VALIDITY_MS + 1);
    let store = SledStore::open(&dir.path().join("db")).unwrap();
    let (_engine, index, rebuilt) = open_at(store, Some(&dir.path().join("search")), later);
    assert!(!rebuilt);
    assert!(index.is_empty());
}

#[test]
fn own_records_come_first_among_equals_and_totals_count_everything() {
    let mut r = region();
    let twin = serde_json::json!({
        "title": "Klokkenluider in de toren",
        "description": "Luid de klokken op zondag.",
        "categories": ["levensbeschouwing"],
        "engagement": "structureel",
        "location": { "municipality": "Breda", "pc4": "4811" }
    });
    for n in [1, 2] {
        put(
            &mut r.engine,
            n,
            Kind::Vacancy,
            "klokkenluider",
            body_from(Kind::Vacancy, &twin),
            T0.plus_ms(3_600_000),
        );
    }
    r.engine.flush().unwrap();
    for me in [1, 2] {
        let mut plan = Plan::new(Kind::Vacancy, &words_query("klokkenluider")).unwrap();
        plan.me = Some(id(me));
        let (found, total) = r.index.find(&plan, now()).unwrap();
        assert_eq!(total, 2);
        assert_eq!(found[0].key.author, id(me), "ours first when equal");
        assert_eq!(found[0].score, found[1].score);
    }
    let mut plan = Plan::new(Kind::Vacancy, &SearchQuery::default()).unwrap();
    plan.limit = 5;
    let (found, total) = r.index.find(&plan, now()).unwrap();
    assert_eq!(found.len(), 5);
    assert_eq!(total, 44, "every vacancy counts, not just the page");
}
