//! The `peering` record: whom a steunpunt vouches for and whom it blocks. Publishing it
//! makes the federation graph visible and verifiable (ARCHITECTURE.md, Trust).

use serde::{Deserialize, Serialize};

use crate::keys::SteunpuntId;
use crate::validate::{Checker, MAX_SHORT_CHARS};

/// Most entries in the vouches and blocks lists together.
pub const MAX_PEERING_ENTRIES: usize = 300;

/// A steunpunt's declaration of neighbours; one per steunpunt, with id `peering`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Peering {
    /// Steunpunten this one vouches for.
    #[serde(default)]
    pub vouches: Vec<PeeringEntry>,
    /// Steunpunten this one refuses to trust, even when others vouch for them.
    #[serde(default)]
    pub blocks: Vec<PeeringEntry>,
}

/// One steunpunt in a peering list, with a label for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeeringEntry {
    /// The steunpunt.
    pub steunpunt: SteunpuntId,
    /// A human label, e.g. `Vrijwilligerscentrale Tilburg`.
    #[serde(default)]
    pub label: String,
}

impl Peering {
    /// Whether this record vouches for `id`.
    pub fn vouches_for(&self, id: &SteunpuntId) -> bool {
        self.vouches.iter().any(|e| e.steunpunt == *id)
    }

    /// Whether this record blocks `id`.
    pub fn blocks(&self, id: &SteunpuntId) -> bool {
        self.blocks.iter().any(|e| e.steunpunt == *id)
    }

    pub(crate) fn check(&self, author: &SteunpuntId, c: &mut Checker) {
        let total = self.vouches.len() + self.blocks.len();
        c.at_most("", total, MAX_PEERING_ENTRIES);
        for (list, entries) in [("vouches", &self.vouches), ("blocks", &self.blocks)] {
            for (i, entry) in entries.iter().enumerate() {
                let field = format!("{list}[{i}]");
                c.at(field, |c| {
                    c.optional_text("label", Some(&entry.label), MAX_SHORT_CHARS);
                    if entry.steunpunt == *author {
                        c.problem("steunpunt", "lists_itself", &[]);
                    }
                    if entries[..i].iter().any(|e| e.steunpunt == entry.steunpunt) {
                        c.problem("steunpunt", "repeated", &[("value", &entry.steunpunt)]);
                    }
                });
            }
        }
        for (i, entry) in self.blocks.iter().enumerate() {
            if self.vouches_for(&entry.steunpunt) {
                c.problem(
                    &format!("blocks[{i}].steunpunt"),
                    "vouched_and_blocked",
                    &[("value", &entry.steunpunt)],
                );
            }
        }
    }
}
