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
}
