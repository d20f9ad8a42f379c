//! Records: `/v1/records`, `/v1/export`. Reads run on a blocking thread straight on the
//! store; writes go to the record keeper and are durable when answered.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::Value;
use steunpunt_api::{
    DEFAULT_PAGE, Export, ExportQuery, ListQuery, MAX_PAGE, Outcome, PublishQuery, Published,
    RecordPage, RecordView,
};
use steunpunt_protocol::body::Vacancy;
use steunpunt_protocol::{Kind, RecordId, RecordKey, SteunpuntId};

use super::extract::{JsonBody, Path, Query};
use super::{ApiError, ApiState, answered, draft, parse_kind, parse_steunpunt, read};
use crate::actor::NodeHandle;
use crate::clock::now;
use crate::replication::{Draft as OwnDraft, DraftOutcome, EngineError};

/// A page of the held records of one kind.
#[utoipa::path(get, path = "/v1/records/{kind}", tag = "records", params(("kind" = String, Path, description = "vacancy, organisation, profile or peering (plural accepted)"), ListQuery), responses((status = 200, description = "a page of records in their JSON form, in key order", body = RecordPage)))]
pub(super) async fn list_records(
    State(state): State<ApiState>,
    Path(kind): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Json<RecordPage>, ApiError> {
    let kind = parse_kind(&kind)?;
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(
            "bad_limit",
            format!("limit must be 1 to {MAX_PAGE}"),
        ));
    }
    let offset = query.offset;
    let mut author = query.author.as_deref().map(parse_steunpunt).transpose()?;
    if query.mine {
        let me = state.handle.summary().me;
        if author.is_some_and(|a| a != me) {
            return Ok(Json(RecordPage {
                total: 0,
                offset,
                records: Vec::new(),
            }));
        }
        author = Some(me);
    }
    let withdrawn = query.withdrawn;
    let (total, records) = read(&state, move |handle| {
        held(handle, kind, author, offset, limit, withdrawn)
    })
    .await?;
    Ok(Json(RecordPage {
        total,
        offset,
        records,
    }))
}

/// One held record.
#[utoipa::path(get, path = "/v1/records/{kind}/{author}/{id}", tag = "records", params(("kind" = String, Path, description = "vacancy, organisation, profile or peering"), ("author" = String, Path, description = "steunpunt ID (sp_…)"), ("id" = String, Path, description = "record id")), responses((status = 200, description = "the record", body = RecordView), (status = 404, description = "not held")))]
pub(super) async fn get_record(
    State(state): State<ApiState>,
    Path((kind, author, id)): Path<(String, String, String)>,
) -> Result<Json<RecordView>, ApiError> {
    let key = RecordKey {
        author: parse_steunpunt(&author)?,
        kind: parse_kind(&kind)?,
        id: RecordId::new(id).map_err(|e| ApiError::bad_request("bad_id", e))?,
    };
    let record = state.handle.get(&key)?.ok_or_else(|| {
        ApiError::not_found(format!("no {} `{}` by {}", key.kind, key.id, key.author))
    })?;
    Ok(Json(RecordView::from(&record)))
}

/// The held, unexpired records of `kind` (of `author` when given; withdrawals only when
/// asked for), in key order: how many match, and the page from `offset` of at most
/// `limit`.
fn held(
    handle: &NodeHandle,
    kind: Kind,
    author: Option<SteunpuntId>,
    offset: usize,
    limit: usize,
    withdrawn: bool,
) -> Result<(usize, Vec<RecordView>), ApiError> {
    let now = now();
    let mut total = 0;
    let mut records = Vec::new();
    for envelope in handle.store().scan(kind, author.as_ref()) {
        let record = envelope
            .map_err(EngineError::Store)?
            .decode_stored()
            .map_err(|e| ApiError::internal(EngineError::Damaged(e)))?;
        let payload = record.payload();
        if payload.valid_until <= now || (payload.is_withdrawal() && !withdrawn) {
            continue;
        }
        if total >= offset && records.len() < limit {
            records.push(RecordView::from(&record));
        }
        total += 1;
    }
    Ok((total, records))
}

/// Publishes a draft of one of our vacancies or organisations. A draft that says what the
/// live revision says changes nothing (`outcome: unchanged`), so imports can be repeated.
#[utoipa::path(post, path = "/v1/records/{kind}", tag = "records", params(("kind" = String, Path, description = "vacancy or organisation (plural accepted)"), PublishQuery), request_body(content = Vacancy, description = "the body fields, plus optional `id` and `valid_until` (a date or date-time); an organisation takes the Organisation fields. Short forms are accepted where they are unambiguous: `organisation` as the organisation's name, `contact` as one e-mail address, web address or phone number, `location` as `4811 Breda`, `mas` as `true` or a minimum age, dates as `1-3-2027`, vocabulary terms in any case. A refused draft is answered 400 with every problem at once in `error.problems`; likely mistakes come back as `warnings`."), responses((status = 201, description = "published: a new record, durable", body = Published), (status = 200, description = "updated, unchanged, or checked only (dry_run)", body = Published), (status = 400, description = "field path, what is wrong and what is allowed"), (status = 503, description = "after a restore, our own records are still coming back from the neighbours; try again"), (status = 507, description = "the disk is full: nothing was stored; make room and try again")))]
pub(super) async fn publish(
    State(state): State<ApiState>,
    Path(kind): Path<String>,
    Query(query): Query<PublishQuery>,
    JsonBody(draft): JsonBody<Value>,
) -> Result<(StatusCode, Json<Published>), ApiError> {
    let kind = parse_kind(&kind)?;
    let draft::Read {
        body,
        id,
        id_from_title,
        valid_until,
    } = draft::read(kind, draft)?;
    let now = now();
    draft::refusals(&body, now)?;
    let warnings = draft::warnings(&body, now);
    let draft = OwnDraft {
        kind,
        id,
        id_from_title,
        body,
        valid_until,
    };
    let dry_run = query.dry_run;
    let (record, outcome) = answered(state.handle.publish(draft, dry_run).await)?;
    let (outcome, changed) = match outcome {
        DraftOutcome::New => (Outcome::New, Vec::new()),
        DraftOutcome::Updated { changed } => (Outcome::Updated, changed),
        DraftOutcome::Unchanged => (Outcome::Unchanged, Vec::new()),
    };
    let status = if outcome == Outcome::New && !dry_run {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(Published {
            record: RecordView::from(&record),
            outcome,
            changed,
            dry_run,
            warnings,
        }),
    ))
}

/// Withdraws one of our records: it disappears on every node.
#[utoipa::path(delete, path = "/v1/records/{kind}/{id}", tag = "records", params(("kind" = String, Path, description = "vacancy or organisation (plural accepted)"), ("id" = String, Path, description = "record id")), responses((status = 200, description = "the withdrawal, durable", body = RecordView), (status = 404, description = "no such own record"), (status = 503, description = "after a restore, our own records are still coming back from the neighbours; try again"), (status = 507, description = "the disk is full: nothing was stored; make room and try again")))]
pub(super) async fn withdraw(
    State(state): State<ApiState>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<RecordView>, ApiError> {
    let kind = parse_kind(&kind)?;
    let id = RecordId::new(id).map_err(|e| ApiError::bad_request("bad_id", e))?;
    let record = answered(state.handle.withdraw(kind, id).await)?;
    Ok(Json(RecordView::from(&record)))
}

/// Every live record (or only ours), vacancies and organisations unless a kind is named,
/// in the JSON form that publishing accepts.
#[utoipa::path(get, path = "/v1/export", tag = "records", params(ExportQuery), responses((status = 200, description = "every live record asked for, organisations first", body = Export)))]
pub(super) async fn export(
    State(state): State<ApiState>,
    Query(query): Query<ExportQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let kinds = match query.kind {
        Some(kind) => vec![kind],
        None => vec![Kind::Organisation, Kind::Vacancy],
    };
    let author = query.mine.then(|| state.handle.summary().me);
    // Read and serialised on a blocking thread: a large export holds up no other request.
    let body = read(&state, move |handle| {
        let mut records = Vec::new();
        for kind in kinds {
            records.extend(held(handle, kind, author, 0, usize::MAX, false)?.1);
        }
        serde_json::to_vec(&Export { records }).map_err(ApiError::internal)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body))
}
