//! Record bodies, one module per kind.

pub mod common;
pub mod organisation;
pub mod peering;
pub mod profile;
pub mod vacancy;

pub use common::{Contact, Location};
pub use organisation::Organisation;
pub use peering::{Peering, PeeringEntry};
pub use profile::{Address, Profile};
pub use vacancy::{Mas, OrganisationRef, Vacancy};

use serde::Serialize;

/// The body of a live record; its variant always matches the record's kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Body {
    /// A steunpunt profile.
    Profile(Profile),
    /// A peering declaration.
    Peering(Peering),
    /// A partner organisation.
    Organisation(Organisation),
    /// A vacancy.
    Vacancy(Vacancy),
}

impl Body {
    /// The record kind this body belongs to.
    pub fn kind(&self) -> crate::id::Kind {
        use crate::id::Kind;
        match self {
            Body::Profile(_) => Kind::Profile,
            Body::Peering(_) => Kind::Peering,
            Body::Organisation(_) => Kind::Organisation,
            Body::Vacancy(_) => Kind::Vacancy,
        }
    }

    /// Everything wrong with the content of a vacancy or organisation typed by our own
    /// staff, before it becomes a record (a draft's shape and content problems are shown
    /// together). Profiles and peering records depend on their author: empty for them.
    pub fn problems(&self) -> Vec<crate::Problem> {
        let mut c = crate::validate::Checker::new(crate::Origin::Local);
        match self {
            Body::Organisation(b) => b.check(&mut c),
            Body::Vacancy(b) => b.check(&mut c),
            Body::Profile(_) | Body::Peering(_) => {}
        }
        c.finish().err().map(|e| e.problems).unwrap_or_default()
    }

    /// Whether `other` is clearly about the same vacancy or organisation: the same title
    /// (or name), the same organisation behind a vacancy and the same place, compared as
    /// people write them (case and accents aside). A draft without an id may only update
    /// a record it is the same as; anything else gets an id of its own.
    pub fn same_subject(&self, other: &Body) -> bool {
        use crate::text::fold;
        let place = |a: &Location, b: &Location| {
            fold(&a.municipality) == fold(&b.municipality) && a.pc4 == b.pc4
        };
        let organisation = |a: &OrganisationRef, b: &OrganisationRef| {
            a.id == b.id && a.name.as_deref().map(fold) == b.name.as_deref().map(fold)
        };
        match (self, other) {
            (Body::Vacancy(a), Body::Vacancy(b)) => {
                fold(&a.title) == fold(&b.title)
                    && organisation(&a.organisation, &b.organisation)
                    && place(&a.location, &b.location)
            }
            (Body::Organisation(a), Body::Organisation(b)) => {
                fold(&a.name) == fold(&b.name) && place(&a.location, &b.location)
            }
            _ => false,
        }
    }

    /// The top-level fields whose values differ between `self` and `newer`, in the order
    /// the record lists them: what an update changed, for the person who made it.
    pub fn changed_fields(&self, newer: &Body) -> Vec<String> {
        use ciborium::Value;
        let fields = |body: &Body| -> Vec<(String, Value)> {
            match Value::serialized(body) {
                Ok(Value::Map(entries)) => entries
                    .into_iter()
                    .filter_map(|(k, v)| Some((k.into_text().ok()?, v)))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let (old, new) = (fields(self), fields(newer));
        let value = |list: &[(String, Value)], field: &str| {
            list.iter()
                .find(|(f, _)| f == field)
                .map(|(_, v)| v.clone())
        };
        let mut changed: Vec<String> = new
            .iter()
            .filter(|(field, v)| value(&old, field).as_ref() != Some(v))
            .map(|(field, _)| field.clone())
            .collect();
        changed.extend(
            old.iter()
                .filter(|(field, _)| value(&new, field).is_none())
                .map(|(field, _)| field.clone()),
        );
        changed
    }
}
