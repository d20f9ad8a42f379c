//! Property tests for the protocol (ARCHITECTURE.md, Budgets): signing round trips, tamper detection,
//! encoding round trips, merge laws, decoder robustness and trust bounds.
//! Case counts are set per test so that the numbers in the closing note are exact; the
//! decoder tests take `STEUNPUNT_FUZZ_CASES` for a long run (RELIABILITY.md).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use proptest::prelude::*;
use proptest::sample::select;
use steunpunt_protocol::body::{
    Body, Contact, Location, Mas, Organisation, OrganisationRef, Peering, PeeringEntry, Vacancy,
};
use steunpunt_protocol::merge::{join, merge};
use steunpunt_protocol::places::Pc4;
use steunpunt_protocol::sync::{Initiator, Responder, Step, SyncRequest, SyncResponse};
use steunpunt_protocol::testing::{T0, key};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::vocab::{
    CATEGORIES, ENGAGEMENTS, EXPERTISE, ORGANISATION_KINDS, TARGET_GROUPS,
};
use steunpunt_protocol::{
    Envelope, Kind, Payload, Record, RecordId, Revision, ShortHash, SteunpuntId, TrustSet, Version,
    author, open,
};

fn slug_of(
    vocabulary: &'static steunpunt_protocol::vocab::Vocabulary,
) -> impl Strategy<Value = String> {
    select(vocabulary.terms).prop_map(|t| t.slug.to_owned())
}

fn slugs_of(
    vocabulary: &'static steunpunt_protocol::vocab::Vocabulary,
    min: usize,
) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(vocabulary.terms, min..=3.min(vocabulary.terms.len()))
        .prop_map(|terms| terms.into_iter().map(|t| t.slug.to_owned()).collect())
}

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-zëéï0-9][A-Za-zëéï0-9 ,.!?'\n-]{{0,{max}}}"))
        .expect("valid regex")
}

fn pc4() -> impl Strategy<Value = Pc4> {
    select(vec![4811u16, 4812, 5011, 5211, 5611, 5701, 1011, 9711]).prop_map(Pc4)
}

fn location() -> impl Strategy<Value = Location> {
    (
        text(30),
        proptest::option::of(pc4()),
        proptest::option::of((50.7f64..53.6, 3.3f64..7.2)),
    )
        .prop_map(|(municipality, pc4, coords)| Location {
            municipality,
            pc4,
            lat: coords.map(|c| c.0),
            lon: coords.map(|c| c.1),
        })
}

fn contact() -> impl Strategy<Value = Contact> {
    (any::<bool>(), any::<bool>(), proptest::option::of(text(20))).prop_map(
        |(email, phone, person)| Contact {
            email: (email || !phone).then(|| "info@example.nl".to_owned()),
            phone: phone.then(|| "076-5221234".to_owned()),
            url: None,
            person,
        },
    )
}

fn vacancy() -> impl Strategy<Value = Vacancy> {
    (
        (
            text(60),
            text(300),
            text(40),
            slugs_of(&CATEGORIES, 1),
            slugs_of(&TARGET_GROUPS, 0),
        ),
        (
            slug_of(&ENGAGEMENTS),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(12u8..18),
        ),
        (
            proptest::option::of(1u8..40),
            location(),
            contact(),
            proptest::option::of(1u16..50),
        ),
    )
        .prop_map(
            |(
                (title, description, org, categories, target_groups),
                (engagement, remote, suitable, min_age),
                (hours, location, contact, volunteers_needed),
            )| Vacancy {
                title,
                description,
                organisation: OrganisationRef {
                    id: None,
                    name: Some(org),
                },
                categories,
                target_groups,
                engagement,
                remote,
                mas: Mas {
                    suitable,
                    min_age: min_age.filter(|_| suitable),
                },
                hours_per_week: hours.map(|h| f32::from(h) / 2.0),
                location,
                contact,
                volunteers_needed,
                ..Vacancy::default()
            },
        )
}

fn organisation() -> impl Strategy<Value = Organisation> {
    (
        text(60),
        slug_of(&ORGANISATION_KINDS),
        proptest::option::of("[0-9]{8}"),
        slugs_of(&EXPERTISE, 0),
        location(),
        contact(),
    )
        .prop_map(
            |(name, kind, kvk, expertise, location, contact)| Organisation {
                name,
                kind,
                kvk,
                expertise,
                location,
                contact,
                ..Organisation::default()
            },
        )
}

fn body() -> impl Strategy<Value = Option<Body>> {
    prop_oneof![
        3 => vacancy().prop_map(|v| Some(Body::Vacancy(v))),
        2 => organisation().prop_map(|o| Some(Body::Organisation(o))),
        1 => Just(None),
    ]
}

/// A payload that satisfies every local rule.
fn valid_payload() -> impl Strategy<Value = Payload> {
    (
        body(),
        "[a-z0-9][a-z0-9-]{0,20}",
        1u64..1000,
        0u64..DAY_MS,
        1u64..400 * DAY_MS,
        any::<bool>(),
    )
        .prop_map(|(body, id, revision, offset, validity, org_kind)| {
            let kind = match &body {
                Some(b) => b.kind(),
                None if org_kind => Kind::Organisation,
                None => Kind::Vacancy,
            };
            Payload {
                version: 1,
                kind,
                id: RecordId::new(id).expect("strategy makes slugs"),
                revision,
                updated_at: T0.plus_ms(offset),
                valid_until: T0.plus_ms(offset + validity),
                body,
            }
        })
}

fn sign(payload: &Payload, signer: u8) -> Record {
    author(
        &key(signer),
        None,
        Revision {
            kind: payload.kind,
            id: payload.id.clone(),
            body: payload.body.clone(),
            valid_until: payload.valid_until,
        },
        payload.updated_at,
    )
    .expect("valid payload signs")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Sign → bytes → open gives back the same author, payload and hash.
    #[test]
    fn sign_verify_round_trip(payload in valid_payload(), signer in 1u8..20) {
        payload.validate(&key(signer).id(), steunpunt_protocol::Origin::Local)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let record = sign(&payload, signer);
        let opened = open(record.envelope().as_bytes().to_vec()).expect("opens");
        prop_assert_eq!(opened.author(), key(signer).id());
        prop_assert_eq!(opened.payload(), record.payload());
        prop_assert_eq!(opened.hash(), record.hash());
    }

    /// decode(encode(x)) == x for payloads, and the JSON form of bodies round-trips too.
    #[test]
    fn encode_decode_round_trip(payload in valid_payload()) {
        let bytes = payload.encode();
        prop_assert_eq!(Payload::decode(&bytes).expect("decodes"), payload.clone());
        prop_assert_eq!(payload.encode(), bytes, "encoding is deterministic");
        if let Some(Body::Vacancy(v)) = &payload.body {
            let json = serde_json::to_string(v).expect("json");
            prop_assert_eq!(&serde_json::from_str::<Vacancy>(&json).expect("parses"), v);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Flipping any single bit anywhere in an envelope makes it rejected. Each case checks
    /// every bit of one envelope (thousands of flips per case).
    #[test]
    fn every_single_bit_flip_is_rejected(payload in valid_payload()) {
        let record = sign(&payload, 1);
        let bytes = record.envelope().as_bytes().to_vec();
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(open(flipped).is_err(), "flipping bit {} was accepted", bit);
        }
    }
}

/// Cases for the decoder tests: `STEUNPUNT_FUZZ_CASES`, or `default` in the normal run.
fn fuzz_cases(default: u32) -> u32 {
    std::env::var("STEUNPUNT_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// Some reconciliation items, as a node's live records give them.
fn sync_items() -> impl Strategy<Value = Vec<ShortHash>> {
    proptest::collection::vec(any::<[u8; 16]>(), 0..64)
        .prop_map(|items| items.into_iter().map(ShortHash).collect())
}

/// Runs a reconciliation to its end in memory: the opener's need and have.
fn reconcile(ours: &[ShortHash], theirs: &[ShortHash]) -> (Vec<ShortHash>, Vec<ShortHash>) {
    let (mut initiator, request) = Initiator::open(1, &BTreeSet::new(), ours.iter().copied());
    let SyncRequest::Open { items, .. } = request else {
        panic!("a session opens with Open");
    };
    let (mut responder, mut answer) = Responder::open(theirs.to_vec(), items);
    loop {
        let step = match answer {
            SyncResponse::Symbols { symbols } => initiator.on_symbols(&symbols).unwrap(),
            SyncResponse::List { hashes, last } => initiator.on_list(&hashes, last).unwrap(),
            other => panic!("unexpected {other:?}"),
        };
        match step {
            Step::Done => return (initiator.need().to_vec(), initiator.have().to_vec()),
            Step::Send(_) => answer = responder.more().unwrap(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(2048)))]

    /// Random bytes never panic the sync message decoders, or an initiator reading them
    /// as coded symbols or a listing.
    #[test]
    fn sync_decoders_never_panic_on_random_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        items in sync_items(),
        last in any::<bool>(),
    ) {
        let _ = SyncRequest::decode(&bytes);
        let _ = SyncResponse::decode(&bytes);
        let trusted = BTreeSet::from([key(1).id()]);
        let (mut initiator, _) = Initiator::open(1, &trusted, items.clone());
        let _ = initiator.on_symbols(&bytes);
        let _ = initiator.on_symbols(&bytes);
        let (mut initiator, _) = Initiator::open(1, &trusted, items);
        let _ = initiator.on_list(&bytes, last);
    }

    /// Real sync messages with random edits never panic their decoders or the
    /// reconciliation that reads them.
    #[test]
    fn sync_decoders_never_panic_on_mutated_messages(
        ours in sync_items(),
        theirs in sync_items(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let trusted = BTreeSet::from([key(1).id()]);
        let (mut initiator, request) = Initiator::open(7, &trusted, ours);
        let (_, answer) = Responder::open(theirs, 3);
        for message in [request.encode(), answer.encode()] {
            let mut bytes = message;
            for (index, value) in &edits {
                let i = index.index(bytes.len());
                bytes[i] = *value;
            }
            let _ = SyncRequest::decode(&bytes);
            if let Ok(SyncResponse::Symbols { symbols }) = SyncResponse::decode(&bytes) {
                let _ = initiator.on_symbols(&symbols);
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            let _ = SyncRequest::decode(&bytes);
            let _ = SyncResponse::decode(&bytes);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(512)))]

    /// Reconciling two random sets finds exactly their difference, in both directions,
    /// whether the responder sends coded symbols or lists.
    #[test]
    fn reconciliation_finds_exactly_the_difference(
        common in proptest::collection::vec(any::<[u8; 16]>(), 0..2000),
        only_ours in proptest::collection::vec(any::<[u8; 16]>(), 0..200),
        only_theirs in proptest::collection::vec(any::<[u8; 16]>(), 0..200),
    ) {
        let set = |v: &[[u8; 16]]| v.iter().copied().map(ShortHash).collect::<BTreeSet<_>>();
        let (common, only_ours, only_theirs) = (set(&common), set(&only_ours), set(&only_theirs));
        let ours: BTreeSet<ShortHash> = common.union(&only_ours).copied().collect();
        let theirs: BTreeSet<ShortHash> = common.union(&only_theirs).copied().collect();
        let expect_need: Vec<ShortHash> = theirs.difference(&ours).copied().collect();
        let expect_have: Vec<ShortHash> = ours.difference(&theirs).copied().collect();
        let ours: Vec<ShortHash> = ours.into_iter().collect();
        let theirs: Vec<ShortHash> = theirs.into_iter().collect();
        let (need, have) = reconcile(&ours, &theirs);
        prop_assert_eq!(need, expect_need);
        prop_assert_eq!(have, expect_have);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(2048)))]

    /// Random bytes never panic the envelope or payload decoders.
    #[test]
    fn decoders_never_panic_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = Envelope::from_bytes(bytes.clone()).map(Envelope::open);
        let _ = Payload::decode(&bytes);
        let mut framed = vec![1u8];
        framed.extend_from_slice(key(1).id().as_bytes());
        framed.extend_from_slice(&bytes);
        let _ = open(framed);
    }

    /// Valid payloads with random edits never panic the payload decoder (this reaches far
    /// deeper into the structure than purely random bytes).
    #[test]
    fn decoder_never_panics_on_mutated_payloads(
        payload in valid_payload(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = payload.encode();
        for (index, value) in edits {
            let i = index.index(bytes.len());
            bytes[i] = value;
        }
        let _ = Payload::decode(&bytes);
        bytes.truncate(cut.index(bytes.len() + 1));
        let _ = Payload::decode(&bytes);
    }
}

/// Random revisions of one record by one author: several revision numbers, bodies and
/// withdrawals, so equal revisions with different bytes (equivocations) are common.
fn versions_of_one_record() -> impl Strategy<Value = Vec<Record>> {
    proptest::collection::vec((1u64..5, proptest::option::of(text(10)), 0u64..1000), 1..12)
        .prop_map(|specs| {
            specs
                .into_iter()
                .map(|(revision, title, jitter)| {
                    let body = title.map(|t| {
                        let mut v = steunpunt_protocol::testing::vacancy();
                        v.title = t;
                        Body::Vacancy(v)
                    });
                    let payload = Payload {
                        version: 1,
                        kind: Kind::Vacancy,
                        id: RecordId::new("r").expect("slug"),
                        revision,
                        updated_at: T0.plus_ms(jitter),
                        valid_until: T0.plus_ms(30 * DAY_MS),
                        body,
                    };
                    let envelope = Envelope::sign(&key(1), &payload.encode()).expect("fits");
                    envelope.open().expect("valid")
                })
                .collect()
        })
}

/// What a node holds after receiving `records` in this order, each possibly twice.
fn apply(records: &[&Record]) -> Option<Version> {
    let mut held: Option<Version> = None;
    for r in records {
        if merge(held.as_ref(), &r.version()).incoming_wins() {
            held = Some(r.version());
        }
    }
    held
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Merge is commutative, associative and idempotent: any arrival order, grouping or
    /// repetition ends with the same winner, which is the join of all versions.
    #[test]
    fn merge_laws(records in versions_of_one_record(), seed in any::<u64>()) {
        let expected = records.iter().map(Record::version).reduce(join);
        let in_order: Vec<&Record> = records.iter().collect();
        prop_assert_eq!(apply(&in_order), expected);

        // Commutative: a seeded shuffle.
        let mut shuffled = in_order.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(apply(&shuffled), expected);

        // Idempotent: everything delivered twice.
        let twice: Vec<&Record> = in_order.iter().chain(in_order.iter()).copied().collect();
        prop_assert_eq!(apply(&twice), expected);

        // Associative: merging the halves separately, then the two results.
        let mid = records.len() / 2;
        let left = records[..mid].iter().map(Record::version).reduce(join);
        let right = records[mid..].iter().map(Record::version).reduce(join);
        let grouped = match (left, right) { (Some(l), Some(r)) => Some(join(l, r)), (l, r) => l.or(r) };
        prop_assert_eq!(grouped, expected);
        for a in &records { for b in &records { for c in &records {
            let (a, b, c) = (a.version(), b.version(), c.version());
            prop_assert_eq!(join(join(a, b), c), join(a, join(b, c)));
            prop_assert_eq!(join(a, b), join(b, a));
            prop_assert_eq!(join(a, a), a);
        }}}
    }
}

/// Shortest vouching distances from `me` avoiding `blocked`: the reference for trust.
fn reference_distances(
    me: SteunpuntId,
    peerings: &BTreeMap<SteunpuntId, Peering>,
    blocked: &BTreeSet<SteunpuntId>,
    hops: u8,
) -> BTreeMap<SteunpuntId, u8> {
    let mut dist = BTreeMap::from([(me, 0u8)]);
    let mut queue = VecDeque::from([me]);
    while let Some(node) = queue.pop_front() {
        let d = dist[&node];
        if d == hops {
            continue;
        }
        for e in peerings
            .get(&node)
            .map(|p| p.vouches.clone())
            .unwrap_or_default()
        {
            if !blocked.contains(&e.steunpunt) && !dist.contains_key(&e.steunpunt) {
                dist.insert(e.steunpunt, d + 1);
                queue.push_back(e.steunpunt);
            }
        }
    }
    dist
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Trust never includes a blocked steunpunt nor one beyond `trust_hops`, includes every
    /// steunpunt reachable within the limit, and every reported path is a real vouching chain.
    #[test]
    fn trust_respects_blocks_and_hops(
        edges in proptest::collection::vec((0u8..12, 0u8..12), 0..40),
        my_blocks in proptest::collection::btree_set(1u8..12, 0..4),
        hops in 0u8..6,
    ) {
        let ids: Vec<SteunpuntId> = (0..12).map(|n| key(n + 100).id()).collect();
        let me = ids[0];
        let mut peerings: BTreeMap<SteunpuntId, Peering> = BTreeMap::new();
        for (from, to) in edges {
            if from == to { continue; }
            let p = peerings.entry(ids[from as usize]).or_default();
            if !p.vouches_for(&ids[to as usize]) {
                p.vouches.push(PeeringEntry { steunpunt: ids[to as usize], label: String::new() });
            }
        }
        let blocked: BTreeSet<SteunpuntId> = my_blocks.iter().map(|n| ids[*n as usize]).collect();
        let mine = peerings.entry(me).or_default();
        mine.vouches.retain(|e| !blocked.contains(&e.steunpunt));
        mine.blocks = blocked.iter().map(|id| PeeringEntry { steunpunt: *id, label: String::new() }).collect();

        let trust = TrustSet::compute(me, &peerings, hops);
        let expected = reference_distances(me, &peerings, &blocked, hops);
        prop_assert_eq!(trust.len(), expected.len());
        for (id, trusted) in trust.iter() {
            prop_assert!(!blocked.contains(id), "blocked steunpunt trusted");
            prop_assert!(trusted.hops <= hops, "beyond trust_hops");
            prop_assert_eq!(Some(&trusted.hops), expected.get(id), "not the shortest distance");
            prop_assert_eq!(trusted.path.len(), usize::from(trusted.hops) + 1);
            prop_assert_eq!(trusted.path.first(), Some(&me));
            prop_assert_eq!(trusted.path.last(), Some(id));
            for pair in trusted.path.windows(2) {
                prop_assert!(peerings.get(&pair[0]).is_some_and(|p| p.vouches_for(&pair[1])));
            }
        }
    }
}
