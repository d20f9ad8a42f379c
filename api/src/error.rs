//! The body of every error answer: `{"error": {"code": "…", "message": "…"}}`, with the
//! problems of a refused record, and the shape of one problem (also used for warnings).

use serde::{Deserialize, Serialize};
pub use steunpunt_protocol::Problem;

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
