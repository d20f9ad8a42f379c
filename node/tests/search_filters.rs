//! The search filters keep their meaning: MaS age, municipality aliases, radius around a
//! postcode or place, category, and provenance of results.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use steunpunt_node::replication::{Engine, EngineConfig};
use steunpunt_node::search::{SearchQuery, search};
use steunpunt_node::store::MemoryStore;
use steunpunt_protocol::places::Pc4;
use steunpunt_protocol::testing::{self, T0, in_30_days, key};
use steunpunt_protocol::{Body, Kind, RecordId};

fn engine_with_vacancies() -> Engine<MemoryStore> {
    let mut e = Engine::open(MemoryStore::default(), key(1), EngineConfig::default(), T0).unwrap();
    let vacancies = [
        (
            "voorlezen-breda",
            "Voorlezen op school",
            "Breda",
            4811,
            Some(14),
            "onderwijs-school",
        ),
        (
            "sport-tilburg",
            "Sportmaatje",
            "Tilburg",
            5011,
            Some(16),
            "sport-bewegen",
        ),
        (
            "taal-bosch",
            "Taalmaatje",
            "'s-Hertogenbosch",
            5211,
            None,
            "taal-inburgering",
        ),
    ];
    for (id, title, municipality, pc4, min_age, category) in vacancies {
        let mut v = testing::vacancy();
        v.title = title.into();
        v.location.municipality = municipality.into();
        v.location.pc4 = Some(Pc4(pc4));
        v.mas.min_age = min_age;
        v.categories = vec![category.into()];
        e.publish(
            Kind::Vacancy,
            RecordId::new(id).unwrap(),
            Body::Vacancy(v),
            in_30_days(),
            T0,
        )
        .unwrap();
    }
    e
}

fn ids(e: &Engine<MemoryStore>, q: SearchQuery) -> Vec<String> {
    search(e, Kind::Vacancy, &q)
        .unwrap()
        .into_iter()
        .map(|h| h.record["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn mas_age_excludes_placements_for_older_pupils() {
    let e = engine_with_vacancies();
    let found = ids(
        &e,
        SearchQuery {
            mas: true,
            age: Some(14),
            ..Default::default()
        },
    );
    assert!(found.contains(&"voorlezen-breda".to_owned()));
    assert!(
        !found.contains(&"sport-tilburg".to_owned()),
        "minimum age 16 is not for a 14-year-old"
    );
    assert!(found.contains(&"taal-bosch".to_owned()), "no minimum age");
}

#[test]
fn municipality_aliases_and_radius() {
    let e = engine_with_vacancies();
    assert_eq!(
        ids(
            &e,
            SearchQuery {
                municipality: Some("Den Bosch".into()),
                ..Default::default()
            }
        ),
        vec!["taal-bosch"]
    );
    let near_breda = search(
        &e,
        Kind::Vacancy,
        &SearchQuery {
            near: Some("4811".into()),
            radius_km: Some(30.0),
            ..Default::default()
        },
    )
    .unwrap();
    let found: Vec<&str> = near_breda
        .iter()
        .map(|h| h.record["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        found,
        vec!["voorlezen-breda", "sport-tilburg"],
        "sorted by distance, Den Bosch is ~45 km away"
    );
    assert!(near_breda[1].distance_km.unwrap() > 20.0);
    assert_eq!(
        ids(
            &e,
            SearchQuery {
                near: Some("Tilburg".into()),
                radius_km: Some(5.0),
                ..Default::default()
            }
        ),
        vec!["sport-tilburg"]
    );
}

#[test]
fn words_category_and_provenance() {
    let e = engine_with_vacancies();
    assert_eq!(
        ids(
            &e,
            SearchQuery {
                q: Some("TAALMAATJE".into()),
                ..Default::default()
            }
        ),
        vec!["taal-bosch"]
    );
    assert_eq!(
        ids(
            &e,
            SearchQuery {
                category: Some("sport-bewegen".into()),
                ..Default::default()
            }
        ),
        vec!["sport-tilburg"]
    );
    let hit = &search(&e, Kind::Vacancy, &SearchQuery::default()).unwrap()[0];
    assert_eq!(hit.hops, Some(0));
    assert!(
        search(
            &e,
            Kind::Vacancy,
            &SearchQuery {
                near: Some("0000".into()),
                ..Default::default()
            }
        )
        .is_err()
    );
    assert!(
        search(
            &e,
            Kind::Vacancy,
            &SearchQuery {
                age: Some(14),
                ..Default::default()
            }
        )
        .is_err(),
        "age needs mas"
    );
}
