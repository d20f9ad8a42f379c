//! The `profile` record: who a steunpunt is and which nodes speak for it.

use serde::{Deserialize, Serialize};

use crate::validate::{Checker, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_SHORT_CHARS};

/// Most nodes one steunpunt may list.
pub const MAX_NODES: usize = 16;
/// Most municipalities in one werkgebied.
pub const MAX_MUNICIPALITIES: usize = 60;

/// A steunpunt's public profile; one per steunpunt, with id `profile`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    /// Name of the steunpunt.
    pub name: String,
    /// Municipalities served (werkgebied).
    #[serde(default)]
    pub municipalities: Vec<String>,
    /// Region label, e.g. `West-Brabant`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Visiting address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Functional e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Functional phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// What the steunpunt does.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// libp2p PeerIds of the steunpunt's nodes: the nodes allowed to connect on its behalf.
    #[serde(default)]
    pub nodes: Vec<String>,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    /// Street and number.
    pub street: String,
    /// Full postcode, e.g. `4811 AB`.
    pub postcode: String,
    /// Place.
    pub place: String,
}

/// Whether `text` looks like a libp2p PeerId in base58 (`12D3KooW…` or `Qm…`).
pub fn is_peer_id_text(text: &str) -> bool {
    const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    (40..=60).contains(&text.len())
        && (text.starts_with("12D3KooW") || text.starts_with("Qm"))
        && text.chars().all(|c| BASE58.contains(c))
}

fn is_full_postcode(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| *c != ' ').collect();
    compact.len() == 6
        && compact[..4]
            .parse::<u16>()
            .is_ok_and(|n| (1000..=9999).contains(&n))
        && compact[4..].chars().all(|c| c.is_ascii_alphabetic())
}

impl Profile {
    pub(crate) fn check(&self, c: &mut Checker) {
        c.name_text("name", &self.name, MAX_NAME_CHARS);
        if self.municipalities.is_empty() {
            c.problem("municipalities", "municipality_needed", &[]);
        }
        c.at_most(
            "municipalities",
            self.municipalities.len(),
            MAX_MUNICIPALITIES,
        );
        for (i, m) in self.municipalities.iter().enumerate() {
            c.required_text(&format!("municipalities[{i}]"), m, MAX_SHORT_CHARS);
        }
        c.optional_text("region", self.region.as_deref(), MAX_SHORT_CHARS);
        if let Some(address) = &self.address {
            c.at("address", |c| {
                c.required_text("street", &address.street, MAX_SHORT_CHARS);
                c.required_text("place", &address.place, MAX_SHORT_CHARS);
                if !is_full_postcode(&address.postcode) {
                    c.problem("postcode", "postcode", &[("value", &address.postcode)]);
                }
            });
        }
        c.url("website", self.website.as_deref());
        c.email("email", self.email.as_deref());
        c.phone("phone", self.phone.as_deref());
        c.optional_text(
            "description",
            Some(&self.description),
            MAX_DESCRIPTION_CHARS,
        );
        c.at_most("nodes", self.nodes.len(), MAX_NODES);
        for (i, node) in self.nodes.iter().enumerate() {
            if !is_peer_id_text(node) {
                c.problem(&format!("nodes[{i}]"), "peer_id", &[("value", node)]);
            } else if self.nodes[..i].contains(node) {
                c.problem(&format!("nodes[{i}]"), "repeated", &[("value", node)]);
            }
        }
    }
}
