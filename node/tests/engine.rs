//! The replication engine's rules, driven directly: ingest outcomes, trust gating and
//! trust changes, withdrawals, expiry, renewal, restart, and sync between two engines.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::BTreeSet;

use steunpunt_node::replication::{
    Engine, EngineConfig, IngestOutcome, ResponderSessions, SyncRun, Verdict,
};
use steunpunt_node::store::{MemoryStore, SledStore, Store};
use steunpunt_protocol::testing::{self, T0, in_30_days, key};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Kind, Record, RecordId, SteunpuntId, Timestamp};

fn engine(n: u8) -> Engine<MemoryStore> {
    Engine::open(MemoryStore::default(), key(n), EngineConfig::default(), T0).unwrap()
}

fn id(s: &str) -> RecordId {
    RecordId::new(s).unwrap()
}

fn vacancy(title: &str) -> Body {
    let mut v = testing::vacancy();
    v.title = title.into();
    Body::Vacancy(v)
}

fn publish<S: Store>(e: &mut Engine<S>, rid: &str, title: &str) -> Record {
    e.publish(Kind::Vacancy, id(rid), vacancy(title), in_30_days(), T0)
        .unwrap()
}

fn vouch<S: Store>(e: &mut Engine<S>, ids: &[SteunpuntId]) -> Record {
    let body = Body::Peering(testing::peering(ids, &[]));
    e.publish(
        Kind::Peering,
        id("peering"),
        body,
        T0.plus_ms(300 * DAY_MS),
        T0,
    )
    .unwrap()
}

fn bytes(r: &Record) -> Vec<u8> {
    r.envelope().as_bytes().to_vec()
}

#[test]
fn ingest_outcomes_and_verdicts() {
    let mut a = engine(1);
    let mut b = engine(2);
    let r1 = publish(&mut a, "voorlezen", "Voorlezen");
    // B does not trust A yet.
    assert_eq!(b.ingest(bytes(&r1), T0), IngestOutcome::Untrusted);
    vouch(&mut b, &[a.me()]);
    let outcome = b.ingest(bytes(&r1), T0);
    assert!(matches!(outcome, IngestOutcome::Accepted(_)));
    assert_eq!(outcome.verdict(), Verdict::Accept);
    assert_eq!(b.ingest(bytes(&r1), T0), IngestOutcome::Duplicate);
    let r2 = publish(&mut a, "voorlezen", "Voorlezen op school");
    assert!(matches!(
        b.ingest(bytes(&r2), T0),
        IngestOutcome::Accepted(_)
    ));
    assert_eq!(
        b.ingest(bytes(&r1), T0),
        IngestOutcome::Stale {
            equivocation: false
        }
    );
    let mut tampered = bytes(&r2);
    *tampered.last_mut().unwrap() ^= 1;
    let outcome = b.ingest(tampered, T0);
    assert_eq!(outcome.verdict(), Verdict::Reject);
    // Too early and too late.
    let late = a
        .publish(
            Kind::Vacancy,
            id("kort"),
            vacancy("Kort"),
            T0.plus_ms(1000),
            T0,
        )
        .unwrap();
    assert_eq!(
        b.ingest(bytes(&late), T0.plus_ms(1000)),
        IngestOutcome::Expired
    );
    let early = Timestamp(T0.0 - 11 * 60 * 1000);
    let r3 = publish(&mut a, "later", "Later");
    assert_eq!(b.ingest(bytes(&r3), early), IngestOutcome::FromFuture);
    let c = b.counters();
    assert_eq!(
        (
            c.accepted,
            c.duplicate,
            c.stale,
            c.untrusted,
            c.invalid,
            c.expired,
            c.from_future
        ),
        (2, 1, 1, 1, 1, 1, 1)
    );
}

#[test]
fn withdrawal_erases_the_body_and_is_not_undone_by_old_revisions() {
    let mut a = engine(1);
    let mut b = engine(2);
    vouch(&mut b, &[a.me()]);
    let r1 = publish(&mut a, "voorlezen", "Voorlezen");
    b.ingest(bytes(&r1), T0);
    let w = a
        .withdraw(Kind::Vacancy, id("voorlezen"), T0.plus_ms(1))
        .unwrap();
    assert!(matches!(
        b.ingest(bytes(&w), T0),
        IngestOutcome::Accepted(_)
    ));
    let held = b.get(&r1.key()).unwrap().unwrap();
    assert!(held.payload().body.is_none());
    assert!(
        b.store().get_by_hash(&r1.hash()).unwrap().is_none(),
        "old body is gone from disk"
    );
    assert_eq!(
        b.ingest(bytes(&r1), T0),
        IngestOutcome::Stale {
            equivocation: false
        }
    );
    assert!(
        a.withdraw(Kind::Vacancy, id("voorlezen"), T0.plus_ms(2))
            .is_err()
    );
}

#[test]
fn equivocation_converges_to_the_lower_hash_everywhere() {
    // Two engines of the same steunpunt (a restored backup) each publish revision 1.
    let mut a1 = engine(1);
    let mut a2 = engine(1);
    let x = publish(&mut a1, "dubbel", "Versie een");
    let y = publish(&mut a2, "dubbel", "Versie twee");
    let mut b = engine(2);
    let mut c = engine(3);
    vouch(&mut b, &[a1.me()]);
    vouch(&mut c, &[a1.me()]);
    b.ingest(bytes(&x), T0);
    b.ingest(bytes(&y), T0);
    c.ingest(bytes(&y), T0);
    c.ingest(bytes(&x), T0);
    let winner = if x.hash() < y.hash() {
        x.hash()
    } else {
        y.hash()
    };
    assert_eq!(b.get(&x.key()).unwrap().unwrap().hash(), winner);
    assert_eq!(c.get(&x.key()).unwrap().unwrap().hash(), winner);
    assert_eq!(b.counters().equivocations, 1);
    assert_eq!(b.equivocations_by_author().get(&a1.me()), Some(&1));
}

#[test]
fn trust_changes_drop_untrusted_records_and_follow_vouches() {
    let mut a = engine(1);
    let mut b = engine(2);
    let mut c = engine(3);
    // A vouches for B, B vouches for C: A trusts C at two hops.
    let pa = vouch(&mut a, &[b.me()]);
    let pb = vouch(&mut b, &[c.me()]);
    let rc = publish(&mut c, "taalmaatje", "Taalmaatje");
    assert_eq!(a.ingest(bytes(&rc), T0), IngestOutcome::Untrusted);
    let accepted = a.ingest(bytes(&pb), T0);
    assert!(matches!(accepted, IngestOutcome::Accepted(ref acc) if acc.trust_changed));
    assert_eq!(a.trust().get(&c.me()).map(|t| t.hops), Some(2));
    assert!(matches!(
        a.ingest(bytes(&rc), T0),
        IngestOutcome::Accepted(_)
    ));
    // B stops vouching for C: A drops C's records.
    let pb2 = b
        .publish(
            Kind::Peering,
            id("peering"),
            Body::Peering(testing::peering(&[], &[])),
            T0.plus_ms(300 * DAY_MS),
            T0.plus_ms(1),
        )
        .unwrap();
    a.ingest(bytes(&pb2), T0.plus_ms(1));
    assert!(!a.trust().contains(&c.me()));
    assert!(a.get(&rc.key()).unwrap().is_none());
    assert_eq!(a.counters().purged_untrusted, 1);
    // With trust_hops 1, C is never trusted through B.
    let mut strict = Engine::open(
        MemoryStore::default(),
        key(1),
        EngineConfig {
            trust_hops: 1,
            ..EngineConfig::default()
        },
        T0,
    )
    .unwrap();
    strict.ingest(bytes(&pa), T0);
    strict.ingest(bytes(&pb), T0);
    assert!(!strict.trust().contains(&c.me()));
}

#[test]
fn blocked_steunpunt_is_never_trusted() {
    let mut a = engine(1);
    let mut b = engine(2);
    let c = engine(3);
    let body = Body::Peering(testing::peering(&[b.me()], &[c.me()]));
    a.publish(
        Kind::Peering,
        id("peering"),
        body,
        T0.plus_ms(300 * DAY_MS),
        T0,
    )
    .unwrap();
    let pb = vouch(&mut b, &[c.me()]);
    a.ingest(bytes(&pb), T0);
    assert!(a.trust().contains(&b.me()));
    assert!(!a.trust().contains(&c.me()));
}

#[test]
fn expiry_drops_records_and_renewal_keeps_own_profile_alive() {
    let mut a = engine(1);
    let node = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN".to_owned();
    let profile = Body::Profile(testing::profile("Steunpunt Breda", vec![node]));
    a.publish(Kind::Profile, id("profile"), profile, in_30_days(), T0)
        .unwrap();
    publish(&mut a, "voorlezen", "Voorlezen");
    // 10 days before expiry the profile is renewed, the vacancy is not.
    let later = T0.plus_ms(20 * DAY_MS);
    let renewed = a.renew_own(later).unwrap();
    assert_eq!(renewed.len(), 1);
    assert_eq!(renewed[0].payload().kind, Kind::Profile);
    assert_eq!(
        renewed[0].payload().valid_until,
        later.plus_ms(365 * DAY_MS)
    );
    let expired = a.expire(in_30_days()).unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].kind, Kind::Vacancy);
    assert_eq!(a.index().len(), 1);
}

#[test]
fn restart_keeps_everything_and_drops_what_expired_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Engine::open(
        SledStore::open(dir.path()).unwrap(),
        key(1),
        EngineConfig::default(),
        T0,
    )
    .unwrap();
    let b = engine(2);
    vouch(&mut a, &[b.me()]);
    let r = publish(&mut a, "voorlezen", "Voorlezen");
    a.publish(
        Kind::Vacancy,
        id("kort"),
        vacancy("Kort"),
        T0.plus_ms(DAY_MS),
        T0,
    )
    .unwrap();
    let fingerprint = a.fingerprint();
    drop(a);
    let a = Engine::open(
        SledStore::open(dir.path()).unwrap(),
        key(1),
        EngineConfig::default(),
        T0,
    )
    .unwrap();
    assert_eq!(a.fingerprint(), fingerprint);
    assert!(
        a.trust().contains(&b.me()),
        "trust is rebuilt from the stored peering"
    );
    drop(a);
    let a = Engine::open(
        SledStore::open(dir.path()).unwrap(),
        key(1),
        EngineConfig::default(),
        T0.plus_ms(2 * DAY_MS),
    )
    .unwrap();
    assert_eq!(a.index().len(), 2);
    assert!(a.get(&r.key()).unwrap().is_some());
}

/// Runs one sync from `from` to `to` in memory; returns the run's figures.
fn sync(
    from: &mut Engine<MemoryStore>,
    to: &mut Engine<MemoryStore>,
    now: Timestamp,
) -> steunpunt_node::replication::SyncStats {
    sync_between(from, now, to, now)
}

#[test]
fn sync_repairs_both_directions_within_the_common_trust() {
    let mut a = engine(1);
    let mut b = engine(2);
    let c = engine(3);
    vouch(&mut a, &[b.me()]);
    vouch(&mut b, &[a.me(), c.me()]);
    for i in 0..30 {
        publish(&mut a, &format!("a{i}"), &format!("Vacature A {i}"));
        publish(&mut b, &format!("b{i}"), &format!("Vacature B {i}"));
    }
    let stats = sync(&mut a, &mut b, T0);
    // B trusts C but A does not: the first Open is restricted, then everything moves.
    assert_eq!(stats.needed, 31, "30 vacancies and B's peering");
    assert_eq!(stats.offered, 31);
    assert_eq!(stats.accepted, 31);
    assert_eq!(stats.accepted_by_peer, 31);
    let common: BTreeSet<SteunpuntId> = [a.me(), b.me()].into();
    assert_eq!(a.sync_items(&common, T0).len(), 62);
    let mut ours = a.sync_items(&common, T0);
    let mut theirs = b.sync_items(&common, T0);
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs);
    // A second sync finds nothing to move, in few round trips and little traffic.
    let again = sync(&mut a, &mut b, T0);
    assert_eq!((again.needed, again.offered), (0, 0));
    assert!(again.round_trips <= 2, "{again:?}");
}

#[test]
fn one_missing_record_costs_at_most_three_round_trips() {
    let mut a = engine(1);
    let mut b = engine(2);
    vouch(&mut a, &[b.me()]);
    vouch(&mut b, &[a.me()]);
    for i in 0..300 {
        publish(&mut b, &format!("b{i}"), &format!("Vacature {i}"));
    }
    sync(&mut a, &mut b, T0);
    let r = publish(&mut b, "nieuw", "Nieuwe vacature");
    let stats = sync(&mut a, &mut b, T0);
    assert_eq!(stats.accepted, 1);
    assert!(a.get(&r.key()).unwrap().is_some());
    assert!(stats.round_trips <= 3, "{stats:?}");
    let overhead = stats.bytes_sent + stats.bytes_received - stats.record_bytes;
    assert!(
        overhead <= 4096,
        "{overhead} bytes besides the record: {stats:?}"
    );
}

#[test]
fn a_page_is_ingested_whatever_its_order() {
    let mut a = engine(1);
    let mut b = engine(2);
    let mut c = engine(3);
    vouch(&mut a, &[b.me()]);
    let pb = vouch(&mut b, &[c.me()]);
    let rc = publish(&mut c, "taalmaatje", "Taalmaatje");
    // C's vacancy comes before the peering record that makes C trusted.
    let page = a.ingest_page([bytes(&rc), bytes(&pb)], T0);
    assert_eq!((page.accepted, page.offences), (2, 0));
    assert!(a.get(&rc.key()).unwrap().is_some());
    assert_eq!(
        a.counters().untrusted,
        0,
        "the retried record is not counted as refused"
    );
}

#[test]
fn a_page_that_withdraws_trust_keeps_the_records_that_follow_out() {
    let mut a = engine(1);
    let mut b = engine(2);
    let mut c = engine(3);
    vouch(&mut a, &[b.me()]);
    let vouching = vouch(&mut b, &[c.me()]);
    a.ingest(bytes(&vouching), T0);
    assert!(a.trust().contains(&c.me()));
    // B stops vouching for C; C's vacancy follows in the same page, checked for trust
    // before B's new peering record was stored.
    let dropping = vouch(&mut b, &[]);
    let rc = publish(&mut c, "taalmaatje", "Taalmaatje");
    let page = a.ingest_page([bytes(&dropping), bytes(&rc)], T0);
    assert_eq!(page.accepted, 1);
    assert!(!a.trust().contains(&c.me()));
    assert!(
        a.get(&rc.key()).unwrap().is_none(),
        "an untrusted author's record was stored"
    );
}

#[test]
fn trust_generation_moves_exactly_when_trust_changes() {
    let mut a = engine(1);
    let mut b = engine(2);
    let c = engine(3);
    let start = a.trust_generation();
    vouch(&mut a, &[b.me()]);
    assert_eq!(a.trust_generation(), start + 1);
    publish(&mut a, "voorlezen", "Voorlezen");
    assert_eq!(
        a.trust_generation(),
        start + 1,
        "a vacancy does not change trust"
    );
    let pb = vouch(&mut b, &[c.me()]);
    a.ingest(bytes(&pb), T0);
    assert_eq!(a.trust_generation(), start + 2);
}

/// One sync between two engines, each on its own clock.
fn sync_between(
    from: &mut Engine<MemoryStore>,
    from_now: Timestamp,
    to: &mut Engine<MemoryStore>,
    to_now: Timestamp,
) -> steunpunt_node::replication::SyncStats {
    let mut sessions = ResponderSessions::default();
    let (mut run, mut request) = SyncRun::start(from, 1, from_now).unwrap();
    loop {
        let response = to
            .serve_sync(&mut sessions, "from", request, to_now)
            .response;
        match run.on_response(from, response, from_now).unwrap() {
            Some(next) => request = next,
            None => break,
        }
    }
    run.stats().clone()
}

/// Clocks that disagree: five minutes apart, two nodes converge both ways; a record
/// dated an hour ahead of a node's clock is refused as from the future, and taken by a
/// later sync once the clocks agree.
#[test]
fn clocks_minutes_apart_converge_and_a_record_from_the_future_waits() {
    const MINUTE: u64 = 60_000;
    let mut a = engine(1);
    let mut b = engine(2);
    vouch(&mut a, &[b.me()]);
    vouch(&mut b, &[a.me()]);
    let a_clock = T0.plus_ms(5 * MINUTE);
    for i in 0..10 {
        a.publish(
            Kind::Vacancy,
            id(&format!("a{i}")),
            vacancy("Bij A"),
            in_30_days(),
            a_clock,
        )
        .unwrap();
        b.publish(
            Kind::Vacancy,
            id(&format!("b{i}")),
            vacancy("Bij B"),
            in_30_days(),
            T0,
        )
        .unwrap();
    }
    sync_between(&mut a, a_clock, &mut b, T0);
    let vacancies =
        |e: &Engine<MemoryStore>| e.index().keys().filter(|k| k.kind == Kind::Vacancy).count();
    assert_eq!((vacancies(&a), vacancies(&b)), (20, 20));

    let hour_ahead = T0.plus_ms(60 * MINUTE);
    let early = a
        .publish(
            Kind::Vacancy,
            id("later"),
            vacancy("Later"),
            in_30_days(),
            hour_ahead,
        )
        .unwrap();
    assert_eq!(b.ingest(bytes(&early), T0), IngestOutcome::FromFuture);
    sync_between(&mut a, hour_ahead, &mut b, T0);
    assert_eq!(vacancies(&b), 20, "not taken while it is an hour ahead");
    assert!(b.counters().from_future >= 1);
    sync_between(&mut a, hour_ahead, &mut b, hour_ahead);
    assert_eq!(vacancies(&b), 21, "taken once the clocks agree");
}
