//! The JSON form of records and answers: the documented field names, and every answer the
//! node writes reads back into the same value on the client's side.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use steunpunt_api::{Hit, Outcome, Published, RecordView};
use steunpunt_protocol::body::{Body, Vacancy};
use steunpunt_protocol::testing::{self, T0, key, published};
use steunpunt_protocol::withdraw;

#[test]
fn json_form_uses_the_documented_field_names() {
    let record = published(Body::Vacancy(testing::vacancy()), "voorlezen");
    let json = serde_json::to_value(RecordView::from(&record)).unwrap();
    assert_eq!(json["author"], key(1).id().to_string());
    assert_eq!(json["record"], "vacancy");
    assert_eq!(json["id"], "voorlezen");
    assert_eq!(json["title"], "Voorleesvrijwilliger in de bibliotheek");
    assert_eq!(json["mas"]["suitable"], true);
    assert_eq!(json["mas"]["min_age"], 14);
    assert_eq!(json["location"]["pc4"], "4811");
    assert_eq!(json["location"]["municipality"], "Breda");
    assert_eq!(json["categories"][0], "onderwijs-school");
    assert_eq!(json["engagement"], "structureel");
    assert_eq!(json["hours_per_week"], 2.5);
    assert_eq!(json["start"], "2026-12-01");
    assert_eq!(json["valid_until"], "2026-12-01T00:00:00Z");
    assert_eq!(
        json["contact"]["email"],
        "vrijwilligers@bibliotheekbreda.nl"
    );
    assert_eq!(json["withdrawn"], false);
    // The body's JSON form reads back into the same body.
    let body: Vacancy = serde_json::from_value(json).unwrap();
    assert_eq!(body, testing::vacancy());
    // An organisation's own `kind` does not collide with the record kind.
    let org = published(Body::Organisation(testing::organisation()), "schuldhulp");
    let json = serde_json::to_value(RecordView::from(&org)).unwrap();
    assert_eq!(json["record"], "organisation");
    assert_eq!(json["kind"], "vrijwilligersorganisatie");
}

#[test]
fn every_kind_reads_back_into_the_same_view() {
    let me = key(1);
    let records = [
        published(Body::Vacancy(testing::vacancy()), "voorlezen"),
        published(Body::Organisation(testing::organisation()), "schuldhulp"),
        published(
            Body::Profile(testing::profile("Steunpunt Breda", vec![])),
            "profile",
        ),
        published(
            Body::Peering(testing::peering(&[key(2).id()], &[key(3).id()])),
            "peering",
        ),
    ];
    for record in &records {
        let view = RecordView::from(record);
        let text = serde_json::to_string(&view).unwrap();
        let back: RecordView = serde_json::from_str(&text).unwrap();
        assert_eq!(back, view, "{text}");
    }
    // A withdrawal has no body, and reads back without one.
    let gone = withdraw(&me, records[0].payload(), T0.plus_ms(1)).unwrap();
    let view = RecordView::from(&gone);
    assert!(view.withdrawn && view.body.is_none());
    let back: RecordView = serde_json::from_str(&serde_json::to_string(&view).unwrap()).unwrap();
    assert_eq!(back, view);
}

#[test]
fn answers_with_a_record_inline_read_back() {
    let record = RecordView::from(&published(Body::Vacancy(testing::vacancy()), "voorlezen"));
    let published = Published {
        record: record.clone(),
        outcome: Outcome::Updated,
        changed: vec!["description".into(), "valid_until".into()],
        dry_run: true,
        warnings: vec![steunpunt_protocol::Problem::new(
            "start",
            "start_far",
            &[("start", &"2028-03-01")],
        )],
    };
    let text = serde_json::to_string(&published).unwrap();
    assert_eq!(serde_json::from_str::<Published>(&text).unwrap(), published);
    let hit = Hit {
        record,
        steunpunt: Some("Steunpunt Breda".into()),
        hops: Some(1),
        vouched_by: Some(key(2).id()),
        distance_km: Some(3.4),
        score: 101.5,
    };
    let text = serde_json::to_string(&hit).unwrap();
    assert_eq!(serde_json::from_str::<Hit>(&text).unwrap(), hit);
}

#[test]
fn a_body_that_does_not_fit_its_kind_is_refused_with_the_field() {
    let record = RecordView::from(&published(Body::Vacancy(testing::vacancy()), "voorlezen"));
    let mut json = serde_json::to_value(&record).unwrap();
    json["mas"] = serde_json::json!("ja");
    let err = serde_json::from_value::<RecordView>(json).unwrap_err();
    assert!(
        err.to_string().contains("Mas") || err.to_string().contains("mas"),
        "{err}"
    );
}

#[test]
fn a_withdrawal_with_body_fields_is_refused() {
    let record = published(Body::Vacancy(testing::vacancy()), "voorlezen");
    let gone = withdraw(&key(1), record.payload(), T0.plus_ms(1)).unwrap();
    let mut json = serde_json::to_value(RecordView::from(&gone)).unwrap();
    json["title"] = serde_json::json!("Voorlezen");
    let err = serde_json::from_value::<RecordView>(json).unwrap_err();
    assert!(err.to_string().contains("title"), "{err}");
}
