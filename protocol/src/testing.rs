//! Realistic sample records and keys for tests, simulations and benchmarks. Compiled only
//! for tests or with the `testing` feature.

use crate::body::{
    Address, Contact, Location, Mas, Organisation, OrganisationRef, Peering, PeeringEntry, Profile,
    Vacancy,
};
use crate::keys::{SteunpuntId, SteunpuntKey};
use crate::places::Pc4;
use crate::timestamp::{DAY_MS, Date, Timestamp};

/// A fixed moment (2026-11-01T00:00:00Z) so tests do not depend on the clock.
pub const T0: Timestamp = Timestamp(1_793_491_200_000);

/// A deterministic key for steunpunt number `n`.
pub fn key(n: u8) -> SteunpuntKey {
    let mut secret = [0u8; 32];
    secret[0] = n;
    secret[31] = 0x5a;
    SteunpuntKey::from_secret_bytes(&secret)
}

/// Thirty days after `T0`.
pub fn in_30_days() -> Timestamp {
    T0.plus_ms(30 * DAY_MS)
}

/// The first revision of `body` as record `id` of steunpunt 1, made at `T0` and valid for
/// thirty days. Panics when `id` or `body` is invalid: a test's sample must be valid.
#[allow(clippy::expect_used)]
pub fn published(body: crate::body::Body, id: &str) -> crate::envelope::Record {
    crate::authoring::author(
        &key(1),
        None,
        crate::authoring::Revision {
            kind: body.kind(),
            id: crate::id::RecordId::new(id).expect("a valid sample id"),
            body: Some(body),
            valid_until: in_30_days(),
        },
        T0,
    )
    .expect("a valid sample record")
}

/// A valid vacancy in Breda.
pub fn vacancy() -> Vacancy {
    Vacancy {
        title: "Voorleesvrijwilliger in de bibliotheek".into(),
        description: "Lees wekelijks voor aan kinderen van 4 tot 8 jaar in de bibliotheek.".into(),
        organisation: OrganisationRef {
            id: None,
            name: Some("Bibliotheek Breda".into()),
        },
        categories: vec!["onderwijs-school".into(), "kunst-cultuur-erfgoed".into()],
        target_groups: vec!["kinderen".into()],
        engagement: "structureel".into(),
        remote: false,
        mas: Mas {
            suitable: true,
            min_age: Some(14),
        },
        hours_per_week: Some(2.5),
        time_of_day: vec!["middag".into()],
        start: Date::parse("2026-12-01").ok(),
        end: None,
        location: Location {
            municipality: "Breda".into(),
            pc4: Some(Pc4(4811)),
            lat: None,
            lon: None,
        },
        requirements: vec!["VOG".into()],
        rewards: vec!["onkostenvergoeding".into()],
        volunteers_needed: Some(3),
        contact: Contact {
            email: Some("vrijwilligers@bibliotheekbreda.nl".into()),
            phone: Some("076-5221234".into()),
            url: None,
            person: None,
        },
        apply_url: Some("https://www.bibliotheekbreda.nl/vrijwilligers".into()),
    }
}

/// A valid partner organisation in Tilburg.
pub fn organisation() -> Organisation {
    Organisation {
        name: "SchuldHulpMaatje Tilburg".into(),
        kind: "vrijwilligersorganisatie".into(),
        kvk: Some("41098765".into()),
        description: "Getrainde vrijwilligers helpen mensen met geldzorgen.".into(),
        website: Some("https://www.schuldhulpmaatje.nl".into()),
        contact: Contact {
            email: Some("tilburg@schuldhulpmaatje.nl".into()),
            ..Contact::default()
        },
        location: Location {
            municipality: "Tilburg".into(),
            pc4: Some(Pc4(5011)),
            lat: Some(51.5855),
            lon: Some(5.0862),
        },
        expertise: vec!["schuldhulp".into()],
        target_groups: vec!["iedereen".into()],
        relation: Some("samenwerkingspartner".into()),
        services: Some("Verwijzen via het sociaal wijkteam.".into()),
        vetted_on: Date::parse("2026-10-15").ok(),
    }
}

/// A valid steunpunt profile listing `nodes`.
pub fn profile(name: &str, nodes: Vec<String>) -> Profile {
    Profile {
        name: name.into(),
        municipalities: vec!["Breda".into()],
        region: Some("West-Brabant".into()),
        address: Some(Address {
            street: "Grote Markt 1".into(),
            postcode: "4811 XS".into(),
            place: "Breda".into(),
        }),
        website: Some("https://www.steunpunt-breda.nl".into()),
        email: Some("info@steunpunt-breda.nl".into()),
        phone: None,
        description: "Steunpunt vrijwilligerswerk Breda.".into(),
        nodes,
    }
}

/// A peering record vouching for `vouches` and blocking `blocks`.
pub fn peering(vouches: &[SteunpuntId], blocks: &[SteunpuntId]) -> Peering {
    let entries = |ids: &[SteunpuntId]| {
        ids.iter()
            .map(|id| PeeringEntry {
                steunpunt: *id,
                label: id.short(),
            })
            .collect()
    };
    Peering {
        vouches: entries(vouches),
        blocks: entries(blocks),
    }
}

/// The short hash standing for item `n` in reconciliation tests.
pub fn short_item(n: u32) -> crate::hash::ShortHash {
    crate::hash::RecordHash::of(&n.to_be_bytes()).short()
}

/// The short items of `a` that `b` lacks, sorted.
pub fn short_items_only_in(a: &[u32], b: &[u32]) -> Vec<crate::hash::ShortHash> {
    let mut only: Vec<_> = a
        .iter()
        .filter(|n| !b.contains(n))
        .map(|n| short_item(*n))
        .collect();
    only.sort();
    only
}
