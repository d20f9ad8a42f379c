//! The body of every error answer: `{"error": {"code": "…", "message": "…"}}`, with the
//! problems of a refused record, and the shape of one problem (also used for warnings).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The body of every error answer of the API, whatever the status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable machine-readable code, such as `invalid_record` or `unauthorized`.
    pub code: String,
    /// What went wrong and what to do, for a person; names the field when one is wrong.
    pub message: String,
    /// For a refused record: every problem, one per field, so a client can show each
    /// in its own language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// One thing wrong (or, as a warning, likely wrong) with a record or a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// The field path, such as `location.pc4` or `categories[1]`; empty for the whole.
    pub path: String,
    /// Which rule: a stable code such as `unknown_term` or `shape`.
    pub code: String,
    /// The values the wording refers to, such as `value`, `allowed` or `example`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// What is wrong and what is allowed, in English.
    pub message: String,
}

impl From<steunpunt_protocol::Problem> for Problem {
    fn from(p: steunpunt_protocol::Problem) -> Self {
        Self {
            path: p.path,
            code: p.code,
            values: p.values,
            message: p.message,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}
