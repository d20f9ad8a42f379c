//! The node as a whole: `GET /v1/status`, `POST /v1/sync`.

use serde::{Deserialize, Serialize};
use steunpunt_protocol::{Kind, SteunpuntId, Timestamp};

/// `GET /v1/status`: who the node is, whom it is connected to and trusts, what it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Status {
    /// Our steunpunt ID.
    pub steunpunt_id: SteunpuntId,
    /// Our node's libp2p PeerId.
    pub peer_id: String,
    /// Addresses the node listens on.
    pub listen_addrs: Vec<String>,
    /// Nodes connected now.
    pub peers: Vec<ConnectedPeer>,
    /// How many steunpunten we trust, ourselves included.
    pub trusted_steunpunten: usize,
    /// Every trusted steunpunt with its distance.
    pub trust: Vec<Trusted>,
    /// Live records held, per kind.
    pub record_counts: RecordCounts,
    /// Withdrawals held.
    pub withdrawn: u64,
    /// After a restore into an empty store: our own records are still coming back from
    /// the neighbours, and nothing of ours can be published until they have.
    #[serde(default)]
    pub recovering: bool,
    /// Space on the disk that holds the data directory, when the system tells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<DiskSpace>,
    /// Writing to the store fails, until a write succeeds again; reading goes on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writes_failing: Option<WriteFailure>,
}

/// Why writing to the store fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WriteFailure {
    /// The disk is full: writing works again as soon as there is room.
    pub disk_full: bool,
    /// The node's own account, in English.
    pub message: String,
}

/// Space on a disk, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiskSpace {
    /// Available to the node.
    pub free_bytes: u64,
    /// The disk's size.
    pub total_bytes: u64,
}

impl DiskSpace {
    /// Less than this is too little to keep storing records and their index.
    pub const LOW_BYTES: u64 = 1 << 30;

    /// Whether the disk is nearly full: under 1 GiB free, or under 2 % of it (a large
    /// disk with gigabytes left is not worth a warning: a node's records take far less).
    pub fn is_low(&self) -> bool {
        self.free_bytes < Self::LOW_BYTES || self.free_bytes < self.total_bytes / 50
    }
}

/// A node connected now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectedPeer {
    /// Its PeerId.
    pub peer_id: String,
    /// The steunpunt it speaks for, once known.
    pub steunpunt: Option<SteunpuntId>,
    /// Connected since then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Timestamp>,
}

/// The federation as this node sees it: `GET /v1/region`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Region {
    /// Every trusted steunpunt, ourselves first, then by distance.
    pub steunpunten: Vec<RegionMember>,
}

/// One trusted steunpunt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionMember {
    /// Its ID.
    pub steunpunt: SteunpuntId,
    /// Its name, once its profile is held.
    pub name: Option<String>,
    /// The municipalities it serves, from its profile.
    pub municipalities: Vec<String>,
    /// Vouching steps from us: 0 is ourselves.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 255))]
    pub hops: u8,
    /// The steunpunt before it on the vouching path; none for ourselves.
    pub vouched_by: Option<SteunpuntId>,
    /// The trusted steunpunten it vouches for (its peering record).
    pub vouches_for: Vec<SteunpuntId>,
    /// Its live vacancies held here.
    pub vacancies: u64,
    /// Its live partner organisations held here.
    pub organisations: u64,
    /// When the newest of its records held here was made: when we last heard news
    /// from it.
    pub last_change: Option<Timestamp>,
}

/// A trusted steunpunt and how we came to trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trusted {
    /// The steunpunt.
    pub steunpunt: SteunpuntId,
    /// Vouching steps from us: 0 is ourselves, 1 a neighbour we peered with.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 255))]
    pub hops: u8,
    /// The steunpunt before it on the vouching path; none for ourselves.
    pub vouched_by: Option<SteunpuntId>,
}

/// Live records held, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordCounts {
    /// Vacancies.
    pub vacancy: u64,
    /// Partner organisations.
    pub organisation: u64,
    /// Steunpunt profiles.
    pub profile: u64,
    /// Peering declarations.
    pub peering: u64,
}

impl RecordCounts {
    /// Sets the count of one kind.
    pub fn set(&mut self, kind: Kind, count: u64) {
        match kind {
            Kind::Vacancy => self.vacancy = count,
            Kind::Organisation => self.organisation = count,
            Kind::Profile => self.profile = count,
            Kind::Peering => self.peering = count,
        }
    }
}

/// `POST /v1/sync`: reconciliations started with connected neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncStarted {
    /// How many were started now.
    pub started: usize,
    /// How many start within 3 seconds: the last sync with that neighbour was more
    /// recent than that, and a node never opens syncs with one neighbour faster (its
    /// neighbours would take it for a flood).
    #[serde(default)]
    pub soon: usize,
}

#[cfg(test)]
mod tests {
    use super::DiskSpace;

    const GIB: u64 = 1 << 30;

    #[test]
    fn a_disk_is_low_under_a_gigabyte_or_two_percent() {
        let disk = |free, total| DiskSpace {
            free_bytes: free * GIB / 10,
            total_bytes: total * GIB,
        };
        assert!(!disk(113, 252).is_low(), "11.3 of 252 GiB is plenty");
        assert!(disk(5, 20).is_low(), "half a GiB");
        assert!(disk(30, 200).is_low(), "3 of 200 GiB is 1.5 %");
        assert!(!disk(30, 20).is_low(), "3 of 20 GiB");
    }
}
