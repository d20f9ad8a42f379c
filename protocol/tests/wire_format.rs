//! The signed wire format's field names, pinned. The HTTP API and the CLI's files use the
//! same names (ARCHITECTURE.md, API boundaries), so renaming a field anywhere is a change
//! of the signed format: it needs a new format version, not a quiet edit. This test fails
//! first when that happens.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::BTreeSet;

use ciborium::Value;
use steunpunt_protocol::body::{Body, OrganisationRef};
use steunpunt_protocol::record::FORMAT_VERSION;
use steunpunt_protocol::testing::{self, T0, in_30_days};
use steunpunt_protocol::{Date, Kind, Payload, RecordId};

/// Every key path in a CBOR value, such as `body.location.pc4`.
fn paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Map(entries) => {
            for (key, inner) in entries {
                let key = key.as_text().expect("keys are text");
                let path = if prefix.is_empty() {
                    key.to_owned()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                paths(inner, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                paths(item, prefix, out);
            }
        }
        _ => {}
    }
}

fn signed_paths(kind: Kind, body: Body) -> BTreeSet<String> {
    let payload = Payload {
        version: FORMAT_VERSION,
        kind,
        id: RecordId::new("x").unwrap(),
        revision: 1,
        updated_at: T0,
        valid_until: in_30_days(),
        body: Some(body),
    };
    let value: Value = ciborium::from_reader(payload.encode().as_slice()).unwrap();
    let mut out = BTreeSet::new();
    paths(&value, "", &mut out);
    out
}

fn expect(actual: BTreeSet<String>, expected: &[&str]) {
    let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(
        actual, expected,
        "the signed field names changed: that is a new wire format (raise the format version)"
    );
}

const ENVELOPE_FIELDS: [&str; 7] = [
    "body",
    "id",
    "kind",
    "revision",
    "updated_at",
    "valid_until",
    "version",
];

#[test]
fn vacancy_field_names_are_pinned() {
    let mut vacancy = testing::vacancy();
    vacancy.remote = true;
    vacancy.end = Date::parse("2027-06-30").ok();
    vacancy.organisation = OrganisationRef {
        id: Some(RecordId::new("bibliotheek").unwrap()),
        name: Some("Bibliotheek Breda".into()),
    };
    vacancy.contact.url = Some("https://example.nl".into());
    vacancy.contact.person = Some("Anna".into());
    vacancy.location.lat = Some(51.59);
    vacancy.location.lon = Some(4.78);
    let mut expected = ENVELOPE_FIELDS.to_vec();
    expected.extend([
        "body.apply_url",
        "body.categories",
        "body.contact",
        "body.contact.email",
        "body.contact.person",
        "body.contact.phone",
        "body.contact.url",
        "body.description",
        "body.end",
        "body.engagement",
        "body.hours_per_week",
        "body.location",
        "body.location.lat",
        "body.location.lon",
        "body.location.municipality",
        "body.location.pc4",
        "body.mas",
        "body.mas.min_age",
        "body.mas.suitable",
        "body.organisation",
        "body.organisation.id",
        "body.organisation.name",
        "body.remote",
        "body.requirements",
        "body.rewards",
        "body.start",
        "body.target_groups",
        "body.time_of_day",
        "body.title",
        "body.volunteers_needed",
    ]);
    expect(
        signed_paths(Kind::Vacancy, Body::Vacancy(vacancy)),
        &expected,
    );
}

fn body_paths(kind: Kind, body: Body) -> Vec<String> {
    signed_paths(kind, body)
        .into_iter()
        .filter(|p| p.starts_with("body."))
        .collect()
}

#[test]
fn organisation_profile_and_peering_field_names_are_pinned() {
    let mut organisation = testing::organisation();
    organisation.contact.phone = Some("013-1234567".into());
    organisation.contact.url = Some("https://example.nl".into());
    organisation.contact.person = Some("Anna".into());
    assert_eq!(
        body_paths(Kind::Organisation, Body::Organisation(organisation)),
        [
            "body.contact",
            "body.contact.email",
            "body.contact.person",
            "body.contact.phone",
            "body.contact.url",
            "body.description",
            "body.expertise",
            "body.kind",
            "body.kvk",
            "body.location",
            "body.location.lat",
            "body.location.lon",
            "body.location.municipality",
            "body.location.pc4",
            "body.name",
            "body.relation",
            "body.services",
            "body.target_groups",
            "body.vetted_on",
            "body.website",
        ],
        "organisation: the signed field names changed"
    );
    let mut profile = testing::profile("Steunpunt Breda", vec!["12D3KooW".into()]);
    profile.phone = Some("076-1234567".into());
    assert_eq!(
        body_paths(Kind::Profile, Body::Profile(profile)),
        [
            "body.address",
            "body.address.place",
            "body.address.postcode",
            "body.address.street",
            "body.description",
            "body.email",
            "body.municipalities",
            "body.name",
            "body.nodes",
            "body.phone",
            "body.region",
            "body.website",
        ],
        "profile: the signed field names changed"
    );
    let peering = testing::peering(&[testing::key(2).id()], &[testing::key(3).id()]);
    assert_eq!(
        body_paths(Kind::Peering, Body::Peering(peering)),
        [
            "body.blocks",
            "body.blocks.label",
            "body.blocks.steunpunt",
            "body.vouches",
            "body.vouches.label",
            "body.vouches.steunpunt",
        ],
        "peering: the signed field names changed"
    );
}
