//! Region-wide search: `GET /v1/search/{kind}`.

use serde::{Deserialize, Serialize};
use steunpunt_protocol::SteunpuntId;

use crate::records::RecordView;

/// Most results one search returns.
pub const MAX_LIMIT: usize = 200;
/// Results when no limit is given.
pub const DEFAULT_LIMIT: usize = 20;
/// Radius when `near` is given without one.
pub const DEFAULT_RADIUS_KM: f64 = 15.0;
/// Largest radius.
pub const MAX_RADIUS_KM: f64 = 500.0;
/// Longest query text, in bytes.
pub const MAX_QUERY_BYTES: usize = 500;

/// Filters of a search; all optional, all must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words that should appear (any of them; more matches rank higher); at most 500 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 500))]
    pub q: Option<String>,
    /// Municipality, case- and diacritics-insensitive, common aliases understood.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    /// Vacancy category (vocabulary `category`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Target group (vocabulary `target group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group: Option<String>,
    /// Vacancy engagement: eenmalig, kortlopend, structureel or groepsklus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement: Option<String>,
    /// Only MaS-suitable vacancies.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mas: bool,
    /// With `mas`: the pupil's age.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(maximum = 255))]
    pub age: Option<u8>,
    /// Only remote vacancies.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remote: bool,
    /// Organisation expertise (vocabulary `expertise`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expertise: Option<String>,
    /// Organisation kind (vocabulary `organisation kind`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_kind: Option<String>,
    /// A four-digit postcode or a place name to measure distance from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub near: Option<String>,
    /// Radius around `near`, in km, more than 0 and at most 500 (default 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(exclusive_minimum = 0, maximum = 500))]
    pub radius_km: Option<f64>,
    /// Only vacancies that run on this date (`2027-03-01`): started by then, not ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(format = Date))]
    pub on: Option<String>,
    /// Only records of this steunpunt (its ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<SteunpuntId>))]
    pub author: Option<String>,
    /// Order: relevance (default), distance (needs `near`) or recent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<Sort>,
    /// Most results, 1 to 200 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<usize>,
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first (then nearest, then newest).
    #[default]
    Relevance,
    /// Nearest first; needs `near`.
    Distance,
    /// Most recently changed first.
    Recent,
}

/// One result: the record, who published it and how far away it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hit {
    /// The record.
    #[serde(flatten)]
    pub record: RecordView,
    /// Name of the publishing steunpunt, from its profile.
    pub steunpunt: Option<String>,
    /// Its trust distance from us.
    pub hops: Option<u8>,
    /// Who vouched for it: the steunpunt before it on the vouching path.
    pub vouched_by: Option<SteunpuntId>,
    /// Distance from `near` in km, one decimal, when `near` was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// Relevance: about 100 per matched word, plus more for matches in the title and for
    /// rare words; 0 without words.
    pub score: f64,
}

/// `GET /v1/search/{kind}`: the results, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    /// At most `limit` results.
    pub results: Vec<Hit>,
    /// How many records match in all (more than `results` holds when `limit` cut them).
    pub total: usize,
    /// Likely mistakes in the query, such as a municipality missing from the postcode
    /// table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::Problem>,
}
