//! The body of every error answer: `{"error": {"code": "…", "message": "…"}}`.

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
}
