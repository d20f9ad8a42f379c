//! One test per record rule (ARCHITECTURE.md, Records), each with inputs that pass and inputs that fail,
//! checking that the message names the field and says what is allowed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use steunpunt_protocol::body::{Body, Organisation, Vacancy};
use steunpunt_protocol::envelope::{EnvelopeError, MAX_ENVELOPE_BYTES};
use steunpunt_protocol::places::Pc4;
use steunpunt_protocol::record::{DecodeError, MAX_CLOCK_AHEAD_MS, MAX_VALIDITY_MS};
use steunpunt_protocol::testing::{self, T0, in_30_days, key, published};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{
    AuthorError, Envelope, Freshness, Kind, OpenError, Origin, Payload, RecordId, Revision,
    Timestamp, author, open, withdraw,
};

fn payload(kind: Kind, id: &str, body: Option<Body>) -> Payload {
    Payload {
        version: 1,
        kind,
        id: RecordId::new(id).unwrap(),
        revision: 1,
        updated_at: T0,
        valid_until: in_30_days(),
        body,
    }
}

/// The problems of a body validated as local input, as "path: message" lines.
fn local_problems(body: Body) -> Vec<String> {
    let kind = body.kind();
    let id = if kind.is_singleton() {
        kind.as_str()
    } else {
        "r1"
    };
    problems_of(&payload(kind, id, Some(body)), Origin::Local)
}

fn problems_of(p: &Payload, origin: Origin) -> Vec<String> {
    match p.validate(&key(1).id(), origin) {
        Ok(()) => Vec::new(),
        Err(e) => e
            .problems
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect(),
    }
}

fn vacancy_with(change: impl FnOnce(&mut Vacancy)) -> Vec<String> {
    let mut v = testing::vacancy();
    change(&mut v);
    local_problems(Body::Vacancy(v))
}

fn organisation_with(change: impl FnOnce(&mut Organisation)) -> Vec<String> {
    let mut o = testing::organisation();
    change(&mut o);
    local_problems(Body::Organisation(o))
}

fn assert_one(problems: Vec<String>, path: &str, says: &str) {
    assert_eq!(problems.len(), 1, "expected one problem, got {problems:?}");
    assert!(
        problems[0].starts_with(&format!("{path}: ")),
        "{problems:?} should be about {path}"
    );
    assert!(
        problems[0].contains(says),
        "{problems:?} should say {says:?}"
    );
}

#[test]
fn samples_are_valid() {
    assert_eq!(
        local_problems(Body::Vacancy(testing::vacancy())),
        Vec::<String>::new()
    );
    assert_eq!(
        local_problems(Body::Organisation(testing::organisation())),
        Vec::<String>::new()
    );
    let node = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN".to_owned();
    assert_eq!(
        local_problems(Body::Profile(testing::profile(
            "Steunpunt Breda",
            vec![node]
        ))),
        Vec::<String>::new()
    );
    let peering = testing::peering(&[key(2).id()], &[key(3).id()]);
    assert_eq!(local_problems(Body::Peering(peering)), Vec::<String>::new());
}

#[test]
fn vacancy_text_fields() {
    assert_one(vacancy_with(|v| v.title = " ".into()), "title", "is empty");
    assert_one(
        vacancy_with(|v| v.title = "x".repeat(201)),
        "title",
        "at most 200",
    );
    assert!(vacancy_with(|v| v.title = "x".repeat(200)).is_empty());
    assert_one(
        vacancy_with(|v| v.description.clear()),
        "description",
        "is empty",
    );
    assert_one(
        vacancy_with(|v| v.description = "é".repeat(8001)),
        "description",
        "at most 8000",
    );
    // A right-to-left override turns what is shown around; refused in any text.
    assert_one(
        vacancy_with(|v| v.description = "Zie bijlage \u{202E}fdp.exe".into()),
        "description",
        "(U+202E)",
    );
    // Zero-width characters make names that look alike differ: refused in titles and
    // names, allowed in running text (emoji sequences use them).
    assert_one(
        vacancy_with(|v| v.title = "Voor\u{200B}lezen".into()),
        "title",
        "invisible or direction-changing character (U+200B)",
    );
    assert_one(
        organisation_with(|o| o.name = "Taal\u{FEFF}huis".into()),
        "name",
        "(U+FEFF)",
    );
    assert!(vacancy_with(|v| v.description = "Samen 👩\u{200D}🍳 koken".into()).is_empty());
}

#[test]
fn vacancy_vocabularies() {
    let p = vacancy_with(|v| v.categories = vec!["zorgen".into()]);
    assert_one(
        p.clone(),
        "categories[0]",
        "`zorgen` is not a known category",
    );
    assert!(p[0].contains("choose one of: zorg-verzorging, welzijn-sociale-hulpverlening"));
    assert_one(
        vacancy_with(|v| v.categories.clear()),
        "categories",
        "at least 1 category",
    );
    assert_one(
        vacancy_with(|v| v.engagement = "vaak".into()),
        "engagement",
        "eenmalig, kortlopend, structureel, groepsklus",
    );
    assert_one(
        vacancy_with(|v| v.target_groups = vec!["pubers".into()]),
        "target_groups[0]",
        "not a known target group",
    );
    assert_one(
        vacancy_with(|v| v.time_of_day = vec!["nacht".into()]),
        "time_of_day[0]",
        "ochtend",
    );
    assert_one(
        vacancy_with(|v| v.categories = vec!["vervoer".into(), "vervoer".into()]),
        "categories[1]",
        "listed twice",
    );
}

#[test]
fn remote_records_may_use_newer_vocabulary_but_not_malformed_slugs() {
    let mut v = testing::vacancy();
    v.categories = vec!["klimaat-energie".into()];
    let p = payload(Kind::Vacancy, "r1", Some(Body::Vacancy(v.clone())));
    assert!(problems_of(&p, Origin::Remote).is_empty());
    assert_eq!(problems_of(&p, Origin::Local).len(), 1);
    v.categories = vec!["Klimaat & Energie".into()];
    let p = payload(Kind::Vacancy, "r1", Some(Body::Vacancy(v)));
    assert_eq!(problems_of(&p, Origin::Remote).len(), 1);
}

#[test]
fn vacancy_mas_hours_dates_and_counts() {
    assert_one(
        vacancy_with(|v| v.mas.min_age = Some(5)),
        "mas.min_age",
        "10 to 99",
    );
    assert_one(
        vacancy_with(|v| v.mas.suitable = false),
        "mas.min_age",
        "only meaningful",
    );
    assert!(vacancy_with(|v| v.mas.min_age = None).is_empty());
    assert_one(
        vacancy_with(|v| v.hours_per_week = Some(0.0)),
        "hours_per_week",
        "from 0.1 to 80",
    );
    assert_one(
        vacancy_with(|v| v.hours_per_week = Some(0.05)),
        "hours_per_week",
        "from 0.1 to 80",
    );
    assert!(vacancy_with(|v| v.hours_per_week = Some(0.1)).is_empty());
    assert_one(
        vacancy_with(|v| v.hours_per_week = Some(81.0)),
        "hours_per_week",
        "from 0.1 to 80",
    );
    assert_one(
        vacancy_with(|v| v.hours_per_week = Some(f32::NAN)),
        "hours_per_week",
        "not allowed",
    );
    assert_one(
        vacancy_with(|v| {
            v.end = testing::vacancy()
                .start
                .map(|d| steunpunt_protocol::Date(d.0.previous_day().unwrap()))
        }),
        "end",
        "before the start date",
    );
    assert_one(
        vacancy_with(|v| v.volunteers_needed = Some(0)),
        "volunteers_needed",
        "at least 1",
    );
    assert_one(
        vacancy_with(|v| v.requirements = (0..21).map(|i| format!("eis {i}")).collect()),
        "requirements",
        "at most 20",
    );
}

#[test]
fn vacancy_location() {
    assert_one(
        vacancy_with(|v| v.location.municipality.clear()),
        "location.municipality",
        "is empty",
    );
    assert_one(
        vacancy_with(|v| v.location.pc4 = Some(Pc4(1000))),
        "location.pc4",
        "postcode 1000 does not exist",
    );
    assert_one(
        vacancy_with(|v| v.location.lat = Some(51.5)),
        "location",
        "both lat and lon",
    );
    assert_one(
        vacancy_with(|v| {
            v.location.lat = Some(95.0);
            v.location.lon = Some(4.7);
        }),
        "location.lat",
        "-90 to 90",
    );
    assert!(vacancy_with(|v| v.location.pc4 = None).is_empty());
}

#[test]
fn vacancy_contact_and_organisation() {
    assert_one(
        vacancy_with(|v| {
            v.contact = Default::default();
            v.apply_url = None;
        }),
        "contact",
        "so volunteers can respond",
    );
    assert!(vacancy_with(|v| v.contact = Default::default()).is_empty());
    assert_one(
        vacancy_with(|v| v.contact.email = Some("info.nl".into())),
        "contact.email",
        "info@example.nl",
    );
    assert_one(
        vacancy_with(|v| v.contact.phone = Some("bel ons".into())),
        "contact.phone",
        "076-5221234",
    );
    assert_one(
        vacancy_with(|v| v.apply_url = Some("www.x.nl".into())),
        "apply_url",
        "https://",
    );
    assert_one(
        vacancy_with(|v| v.organisation = Default::default()),
        "organisation",
        "record id or its name",
    );
    assert!(
        vacancy_with(|v| v.organisation.id = Some(RecordId::new("bibliotheek").unwrap()))
            .is_empty()
    );
}

#[test]
fn organisation_rules() {
    assert_one(
        organisation_with(|o| o.kvk = Some("4109876".into())),
        "kvk",
        "exactly 8 digits",
    );
    assert_one(
        organisation_with(|o| o.kvk = Some("4109876a".into())),
        "kvk",
        "exactly 8 digits",
    );
    assert!(organisation_with(|o| o.kvk = None).is_empty());
    assert_one(
        organisation_with(|o| o.kind = "club".into()),
        "kind",
        "vereniging",
    );
    assert_one(
        organisation_with(|o| o.expertise = vec!["geld".into()]),
        "expertise[0]",
        "schuldhulp",
    );
    assert_one(
        organisation_with(|o| o.relation = Some("vriend".into())),
        "relation",
        "ontwikkelpartner",
    );
    assert_one(organisation_with(|o| o.name.clear()), "name", "is empty");
    assert_one(
        organisation_with(|o| o.website = Some("ftp://x.nl".into())),
        "website",
        "web address",
    );
}

#[test]
fn profile_rules() {
    let good = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN".to_owned();
    let with = |change: &dyn Fn(&mut steunpunt_protocol::body::Profile)| {
        let mut p = testing::profile("Steunpunt Breda", vec![good.clone()]);
        change(&mut p);
        local_problems(Body::Profile(p))
    };
    assert_one(
        with(&|p| p.municipalities.clear()),
        "municipalities",
        "at least one municipality",
    );
    assert_one(
        with(&|p| p.nodes = vec!["sp_abc".into()]),
        "nodes[0]",
        "12D3KooW",
    );
    assert_one(
        with(&|p| p.nodes.push(good.clone())),
        "nodes[1]",
        "listed twice",
    );
    assert_one(
        with(&|p| p.address.as_mut().unwrap().postcode = "4811".into()),
        "address.postcode",
        "4811 AB",
    );
    let mut p = payload(
        Kind::Profile,
        "breda",
        Some(Body::Profile(testing::profile("x", vec![]))),
    );
    assert!(
        problems_of(&p, Origin::Local)
            .iter()
            .any(|m| m.starts_with("id: a profile record always has the id `profile`"))
    );
    p.id = RecordId::new("profile").unwrap();
    assert!(problems_of(&p, Origin::Local).is_empty());
}

#[test]
fn peering_rules() {
    let me = key(1).id();
    let other = key(2).id();
    assert_one(
        local_problems(Body::Peering(testing::peering(&[me], &[]))),
        "vouches[0].steunpunt",
        "cannot list itself",
    );
    assert_one(
        local_problems(Body::Peering(testing::peering(&[other, other], &[]))),
        "vouches[1].steunpunt",
        "listed twice",
    );
    assert_one(
        local_problems(Body::Peering(testing::peering(&[other], &[other]))),
        "blocks[0].steunpunt",
        "both vouched for and blocked",
    );
}

#[test]
fn payload_time_rules() {
    let base = payload(Kind::Vacancy, "r1", None);
    assert!(
        problems_of(&base, Origin::Remote).is_empty(),
        "a withdrawal needs no body"
    );
    let mut p = base.clone();
    p.valid_until = p.updated_at;
    assert_one(
        problems_of(&p, Origin::Local),
        "valid_until",
        "not after updated_at",
    );
    p.valid_until = p.updated_at.plus_ms(MAX_VALIDITY_MS);
    assert!(
        problems_of(&p, Origin::Local).is_empty(),
        "exactly 400 days is allowed"
    );
    p.valid_until = p.updated_at.plus_ms(MAX_VALIDITY_MS + 1);
    assert_one(
        problems_of(&p, Origin::Local),
        "valid_until",
        "more than 400 days",
    );
    let mut p = base.clone();
    p.revision = 0;
    assert_one(problems_of(&p, Origin::Local), "revision", "starts at 1");
}

#[test]
fn freshness_against_the_clock() {
    let p = payload(Kind::Vacancy, "r1", None);
    assert_eq!(p.freshness(T0), Freshness::Live);
    assert_eq!(
        p.freshness(Timestamp(T0.0 - MAX_CLOCK_AHEAD_MS)),
        Freshness::Live
    );
    assert_eq!(
        p.freshness(Timestamp(T0.0 - MAX_CLOCK_AHEAD_MS - 1)),
        Freshness::FromFuture
    );
    assert_eq!(p.freshness(p.valid_until), Freshness::Expired);
    assert_eq!(p.freshness(Timestamp(p.valid_until.0 - 1)), Freshness::Live);
}

#[test]
fn signed_record_opens_and_keeps_its_bytes() {
    let record = published(Body::Vacancy(testing::vacancy()), "voorlezen");
    let bytes = record.envelope().as_bytes().to_vec();
    let opened = open(bytes.clone()).unwrap();
    assert_eq!(opened.payload(), record.payload());
    assert_eq!(opened.author(), key(1).id());
    assert_eq!(opened.envelope().as_bytes(), &bytes[..]);
    assert_eq!(opened.hash(), record.hash());
}

#[test]
fn size_limit() {
    let mut too_long = vec![0u8; MAX_ENVELOPE_BYTES + 1];
    too_long[0] = 1;
    assert_eq!(
        Envelope::from_bytes(too_long),
        Err(EnvelopeError::TooLarge(MAX_ENVELOPE_BYTES + 1))
    );
    assert_eq!(
        Envelope::from_bytes(vec![1u8; 10]),
        Err(EnvelopeError::TooShort(10))
    );
    // Twenty maximal requirements plus a maximal description still fit.
    let mut v = testing::vacancy();
    v.description = "ë".repeat(8000);
    v.requirements = (0..20)
        .map(|i| format!("{i:03}{}", "x".repeat(197)))
        .collect();
    v.rewards = v.requirements.clone();
    let r = published(Body::Vacancy(v), "groot");
    assert!(r.envelope().as_bytes().len() < MAX_ENVELOPE_BYTES);
    let oversized = Envelope::sign(&key(1), &vec![0u8; MAX_ENVELOPE_BYTES]);
    assert!(matches!(oversized, Err(EnvelopeError::TooLarge(_))));
}

#[test]
fn tampered_bytes_are_rejected_before_decoding() {
    let record = published(Body::Vacancy(testing::vacancy()), "voorlezen");
    let mut bytes = record.envelope().as_bytes().to_vec();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    assert_eq!(
        open(bytes).err(),
        Some(OpenError::Envelope(EnvelopeError::BadSignature))
    );
}

#[test]
fn a_record_signed_by_someone_else_does_not_verify_as_ours() {
    let record = published(Body::Vacancy(testing::vacancy()), "voorlezen");
    let mut bytes = record.envelope().as_bytes().to_vec();
    bytes[1..33].copy_from_slice(key(2).id().as_bytes());
    assert_eq!(
        open(bytes).err(),
        Some(OpenError::Envelope(EnvelopeError::BadSignature))
    );
}

/// Signs arbitrary CBOR as a payload, as a peer with a newer version might.
fn sign_value(value: &ciborium::Value) -> Vec<u8> {
    let mut payload = Vec::new();
    ciborium::into_writer(value, &mut payload).unwrap();
    Envelope::sign(&key(1), &payload)
        .unwrap()
        .as_bytes()
        .to_vec()
}

fn payload_value(record: &steunpunt_protocol::Record) -> ciborium::Value {
    ciborium::from_reader(record.envelope().payload_bytes()).unwrap()
}

/// Replaces a top-level field of a CBOR map.
fn set_field(value: &mut ciborium::Value, key: &str, new: ciborium::Value) {
    if let ciborium::Value::Map(entries) = value {
        for (k, v) in entries.iter_mut() {
            if k.as_text() == Some(key) {
                *v = new.clone();
            }
        }
    }
}

fn map_insert(value: &mut ciborium::Value, key: &str, inserted: ciborium::Value) {
    if let ciborium::Value::Map(entries) = value {
        entries.push((ciborium::Value::Text(key.into()), inserted));
    }
}

#[test]
fn unknown_fields_from_newer_versions_are_tolerated_and_kept() {
    let record = published(Body::Vacancy(testing::vacancy()), "voorlezen");
    let mut value = payload_value(&record);
    map_insert(&mut value, "language", ciborium::Value::Text("nl".into()));
    if let ciborium::Value::Map(entries) = &mut value {
        for (k, v) in entries.iter_mut() {
            if k.as_text() == Some("version") {
                *v = ciborium::Value::Integer(2.into());
            }
            if k.as_text() == Some("body") {
                map_insert(
                    v,
                    "accessibility",
                    ciborium::Value::Text("rolstoeltoegankelijk".into()),
                );
            }
        }
    }
    let bytes = sign_value(&value);
    let opened = open(bytes.clone()).unwrap();
    assert_eq!(opened.payload().version, 2);
    assert_eq!(opened.payload().body, record.payload().body);
    assert_eq!(
        opened.envelope().as_bytes(),
        &bytes[..],
        "bytes are relayed verbatim"
    );
}

#[test]
fn malformed_payloads_are_rejected_with_reasons() {
    let record = published(Body::Vacancy(testing::vacancy()), "voorlezen");
    let mut value = payload_value(&record);
    set_field(
        &mut value,
        "kind",
        ciborium::Value::Text("evenement".into()),
    );
    assert!(matches!(
        open(sign_value(&value)),
        Err(OpenError::Decode(DecodeError::Malformed(_)))
    ));

    let mut payload = record.envelope().payload_bytes().to_vec();
    payload.push(0);
    let bytes = Envelope::sign(&key(1), &payload)
        .unwrap()
        .as_bytes()
        .to_vec();
    assert_eq!(
        open(bytes).err(),
        Some(OpenError::Decode(DecodeError::TrailingBytes(1)))
    );

    // A vacancy body under kind organisation.
    let mut value = payload_value(&record);
    set_field(
        &mut value,
        "kind",
        ciborium::Value::Text("organisation".into()),
    );
    assert!(matches!(
        open(sign_value(&value)),
        Err(OpenError::Decode(DecodeError::Body {
            kind: Kind::Organisation,
            ..
        }))
    ));
}

#[test]
fn authoring_increments_and_never_lowers_validity() {
    let k = key(1);
    let first = published(Body::Vacancy(testing::vacancy()), "voorlezen");
    let later = T0.plus_ms(DAY_MS);
    let revise = |valid_until| {
        author(
            &k,
            Some(first.payload()),
            Revision {
                kind: Kind::Vacancy,
                id: first.payload().id.clone(),
                body: first.payload().body.clone(),
                valid_until,
            },
            later,
        )
    };
    let second = revise(in_30_days().plus_ms(DAY_MS)).unwrap();
    assert_eq!(second.payload().revision, 2);
    assert_eq!(second.payload().updated_at, later);
    let err = revise(T0.plus_ms(10 * DAY_MS)).unwrap_err();
    assert!(matches!(err, AuthorError::LowersValidUntil { .. }));
    assert!(err.to_string().contains("withdraw it"));
}

#[test]
fn withdrawal_outlives_what_it_replaces_and_carries_no_body() {
    let first = published(Body::Vacancy(testing::vacancy()), "voorlezen");
    let w = withdraw(&key(1), first.payload(), T0.plus_ms(DAY_MS)).unwrap();
    assert!(w.payload().is_withdrawal());
    assert_eq!(w.payload().revision, 2);
    assert!(w.payload().valid_until >= first.payload().valid_until);
    assert!(!String::from_utf8_lossy(w.envelope().as_bytes()).contains("bibliotheek"));
    assert!(matches!(
        withdraw(&key(1), w.payload(), T0.plus_ms(2 * DAY_MS)),
        Err(AuthorError::AlreadyWithdrawn(_))
    ));
    // A clock that went backwards still yields a later updated_at.
    let w2 = withdraw(&key(1), first.payload(), Timestamp(T0.0 - DAY_MS)).unwrap();
    assert!(w2.payload().updated_at > first.payload().updated_at);
}

#[test]
fn local_authoring_refuses_unknown_postcodes_and_slugs() {
    let mut v = testing::vacancy();
    v.location.pc4 = Some(Pc4(1000));
    v.categories = vec!["zorgen".into()];
    let err = author(
        &key(1),
        None,
        Revision {
            kind: Kind::Vacancy,
            id: RecordId::new("x").unwrap(),
            body: Some(Body::Vacancy(v)),
            valid_until: in_30_days(),
        },
        T0,
    )
    .unwrap_err();
    let AuthorError::Invalid(e) = err else {
        panic!("expected a validation error")
    };
    assert_eq!(e.problems.len(), 2);
}

#[test]
fn record_ids() {
    assert!(RecordId::new("voorlezen-2027").is_ok());
    for bad in ["", "-x", "Voorlezen", "met spatie", &"x".repeat(65)] {
        assert!(RecordId::new(bad).is_err(), "{bad}");
    }
    assert_eq!(
        RecordId::slugify("Voorlezen op één school!")
            .unwrap()
            .as_str(),
        "voorlezen-op-een-school"
    );
    assert_eq!(RecordId::slugify("!!!"), None);
    let msg = RecordId::new("Met Spatie").unwrap_err();
    assert!(msg.contains("lower-case letters, digits and hyphens"));
    // Numbered ids for a title taken by another vacancy stay valid ids at any length.
    let id = RecordId::new("gastvrouw").unwrap();
    assert_eq!(id.numbered(1), id);
    assert_eq!(id.numbered(12).as_str(), "gastvrouw-12");
    let long = RecordId::slugify(&"lang woord ".repeat(10)).unwrap();
    let numbered = long.numbered(1000);
    assert!(numbered.as_str().ends_with("-1000"), "{numbered}");
    assert!(RecordId::new(numbered.as_str()).is_ok(), "{numbered}");
}

/// A draft without an id updates only a record clearly about the same work: same title,
/// organisation and place (case and accents aside); and an update says what changed.
#[test]
fn the_same_vacancy_and_what_changed() {
    let vacancy = testing::vacancy();
    let mut same = vacancy.clone();
    same.title = same.title.to_uppercase();
    same.description = "Iets anders".into();
    assert!(Body::Vacancy(vacancy.clone()).same_subject(&Body::Vacancy(same.clone())));
    assert_eq!(
        Body::Vacancy(vacancy.clone()).changed_fields(&Body::Vacancy(same)),
        ["title", "description"]
    );
    let mut other_place = vacancy.clone();
    other_place.location.pc4 = Some(Pc4(5038));
    assert!(!Body::Vacancy(vacancy.clone()).same_subject(&Body::Vacancy(other_place)));
    let mut other_organisation = vacancy.clone();
    other_organisation.organisation.name = Some("Een ander".into());
    other_organisation.organisation.id = None;
    assert!(!Body::Vacancy(vacancy).same_subject(&Body::Vacancy(other_organisation)));
}
