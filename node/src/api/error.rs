//! API errors: a status, a stable code and a message a person can act on, as JSON
//! `{"error": {"code": "...", "message": "..."}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use steunpunt_api::{ErrorBody, ErrorDetail, Problem};
use steunpunt_protocol::authoring::AuthorError;

use crate::replication::EngineError;

/// An error answer of the API.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// What went wrong and what to do.
    pub message: String,
    /// For a refused record: each problem.
    pub problems: Vec<Problem>,
}

impl ApiError {
    /// 400 with a code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// An error answer with `code` whose cause is one `problem`, so clients word it in
    /// their own language.
    pub fn with_problem(status: StatusCode, code: &'static str, problem: Problem) -> Self {
        Self {
            status,
            code,
            message: problem.to_string(),
            problems: vec![problem],
        }
    }

    /// 400 `invalid_record` listing every problem of a draft.
    pub fn invalid(problems: Vec<Problem>) -> Self {
        let message = problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            problems,
            ..Self::bad_request("invalid_record", message)
        }
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// 500 for failures of the node itself.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: message.to_string(),
            problems: Vec::new(),
        }
    }

    /// 401.
    pub fn unauthorized() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: "missing or wrong bearer token; use the token in DATA_DIR/api.token".into(),
            problems: Vec::new(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                problems: self.problems,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Author(AuthorError::Invalid(invalid)) => Self::invalid(invalid.problems),
            EngineError::Author(AuthorError::LowersValidUntil { requested, current }) => {
                Self::with_problem(
                    StatusCode::BAD_REQUEST,
                    "invalid_record",
                    Problem::new(
                        "valid_until",
                        "lowers_valid_until",
                        &[("requested", &requested), ("current", &current)],
                    ),
                )
            }
            EngineError::Author(AuthorError::TooLarge(_)) => Self::with_problem(
                StatusCode::BAD_REQUEST,
                "invalid_record",
                Problem::new("", "too_large", &[]),
            ),
            EngineError::Author(a) => Self::bad_request("invalid_record", a.to_string()),
            EngineError::NotFound { kind, id } => Self::with_problem(
                StatusCode::NOT_FOUND,
                "not_found",
                Problem::new("id", "no_such_record", &[("kind", &kind), ("id", &id)]),
            ),
            EngineError::NoFreeId { kind, id } => Self::with_problem(
                StatusCode::BAD_REQUEST,
                "invalid_record",
                Problem::new("id", "no_free_id", &[("kind", &kind), ("id", &id)]),
            ),
            EngineError::Managed(kind) => Self::with_problem(
                StatusCode::BAD_REQUEST,
                "managed_record",
                Problem::new("", "managed_record", &[("kind", &kind)]),
            ),
            EngineError::Recovering => Self::with_problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "recovering",
                Problem::new("", "recovering", &[]),
            ),
            EngineError::OwnSteunpunt => Self::with_problem(
                StatusCode::BAD_REQUEST,
                "self",
                Problem::new("steunpunt", "own_steunpunt", &[]),
            ),
            EngineError::Store(crate::store::StoreError::DiskFull) => Self::with_problem(
                StatusCode::INSUFFICIENT_STORAGE,
                "disk_full",
                Problem::new("", "disk_full", &[]),
            ),
            EngineError::Store(s) => Self::internal(s),
            EngineError::Damaged(d) => Self::internal(d),
        }
    }
}
