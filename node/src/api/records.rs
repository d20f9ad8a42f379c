//! Records: `/v1/records`, `/v1/export`. Reads run on a blocking thread straight on the
//! store; writes go to the record keeper and are durable when answered.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::Value;
use steunpunt_api::{
    DEFAULT_PAGE, Draft, Export, ExportQuery, ListQuery, MAX_PAGE, Outcome, PublishQuery,
    Published, RecordPage, RecordView,
};
use steunpunt_protocol::body::{Organisation, Vacancy};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Date, Kind, RecordId, RecordKey, SteunpuntId, Timestamp};

use super::extract::{JsonBody, Path, Query};
use super::{ApiError, ApiState, answered, parse_kind, parse_steunpunt, read};
use crate::actor::{NodeHandle, now};
use crate::replication::{Draft as OwnDraft, DraftOutcome, PublishError};

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
            .map_err(PublishError::Store)?
            .decode_stored()
            .map_err(|e| ApiError::internal(PublishError::Damaged(e)))?;
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

/// Reads `valid_until` from a draft: a date (valid through that day) or a date and time.
fn parse_valid_until(value: &Value) -> Result<Timestamp, ApiError> {
    let bad = || {
        ApiError::bad_request(
            "invalid_record",
            "valid_until: give a date like 2027-06-30 or a time like 2027-06-30T12:00:00Z",
        )
    };
    match value {
        Value::String(text) => match Date::parse(text) {
            Ok(date) => Ok(date.start().plus_ms(DAY_MS)),
            Err(_) => Timestamp::parse_rfc3339(text).map_err(|_| bad()),
        },
        Value::Number(n) => n.as_u64().map(Timestamp).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// Parses the body fields of a draft strictly: unknown fields are named, so a typo such as
/// `titel` is not silently dropped.
fn parse_body<T: serde::de::DeserializeOwned>(fields: Draft) -> Result<T, ApiError> {
    let mut unknown = Vec::new();
    let parsed: Result<T, _> =
        serde_ignored::deserialize(Value::Object(fields), |path| unknown.push(path.to_string()));
    let unknown_note = || {
        if unknown.is_empty() {
            String::new()
        } else {
            format!(
                "; unknown field(s): {} (check the spelling)",
                unknown.join(", ")
            )
        }
    };
    let parsed = parsed
        .map_err(|e| ApiError::bad_request("invalid_record", format!("{e}{}", unknown_note())))?;
    if !unknown.is_empty() {
        return Err(ApiError::bad_request(
            "unknown_field",
            format!(
                "unknown field(s): {}; check the spelling against the documented field names",
                unknown.join(", ")
            ),
        ));
    }
    Ok(parsed)
}

/// Accepts what staff naturally write where it is unambiguous, so a first draft does not
/// fail on shape: `"organisation": "Naam"` (its name), `"contact": "info@…"` (an e-mail
/// address; a web address or else a phone number), `"location": "4811 Breda"` (postcode
/// and municipality, either order), `"mas": true` or `"mas": 14` (suitable, from that
/// age), and vocabulary terms in any case (`Structureel`).
fn shorthand(fields: &mut Draft) {
    if let Some(Value::String(name)) = fields.get("organisation") {
        let name = name.trim().to_owned();
        fields.insert("organisation".into(), serde_json::json!({ "name": name }));
    }
    if let Some(Value::String(text)) = fields.get("contact") {
        let text = text.trim().to_owned();
        let field = if text.contains('@') {
            "email"
        } else if text.starts_with("http://") || text.starts_with("https://") {
            "url"
        } else {
            "phone"
        };
        fields.insert("contact".into(), serde_json::json!({ field: text }));
    }
    if let Some(Value::String(text)) = fields.get("location") {
        let words: Vec<&str> = text.split_whitespace().collect();
        let is_pc4 = |w: &&str| w.len() == 4 && w.chars().all(|c| c.is_ascii_digit());
        let location = match words.as_slice() {
            [first, rest @ ..] if is_pc4(first) && !rest.is_empty() => {
                serde_json::json!({ "pc4": first, "municipality": rest.join(" ") })
            }
            [rest @ .., last] if is_pc4(last) && !rest.is_empty() => {
                serde_json::json!({ "pc4": last, "municipality": rest.join(" ") })
            }
            _ => serde_json::json!({ "municipality": text.trim() }),
        };
        fields.insert("location".into(), location);
    }
    match fields.get("mas") {
        Some(Value::Bool(suitable)) => {
            let suitable = *suitable;
            fields.insert("mas".into(), serde_json::json!({ "suitable": suitable }));
        }
        Some(Value::Number(age)) => {
            let age = age.clone();
            fields.insert(
                "mas".into(),
                serde_json::json!({ "suitable": true, "min_age": age }),
            );
        }
        _ => {}
    }
    let lower = |value: &mut Value| {
        if let Value::String(text) = value {
            *text = text.trim().to_lowercase();
        }
    };
    for field in ["engagement", "kind", "relation"] {
        if let Some(value) = fields.get_mut(field) {
            lower(value);
        }
    }
    for field in ["categories", "target_groups", "time_of_day", "expertise"] {
        if let Some(Value::Array(items)) = fields.get_mut(field) {
            items.iter_mut().for_each(lower);
        }
    }
}

/// Publishes a draft of one of our vacancies or organisations. A draft that says what the
/// live revision says changes nothing (`outcome: unchanged`), so imports can be repeated.
#[utoipa::path(post, path = "/v1/records/{kind}", tag = "records", params(("kind" = String, Path, description = "vacancy or organisation (plural accepted)"), PublishQuery), request_body(content = Vacancy, description = "the body fields, plus optional `id` and `valid_until` (a date or date-time); an organisation takes the Organisation fields"), responses((status = 201, description = "published: a new record, durable", body = Published), (status = 200, description = "updated, unchanged, or checked only (dry_run)", body = Published), (status = 400, description = "field path, what is wrong and what is allowed")))]
pub(super) async fn publish(
    State(state): State<ApiState>,
    Path(kind): Path<String>,
    Query(query): Query<PublishQuery>,
    JsonBody(draft): JsonBody<Value>,
) -> Result<(StatusCode, Json<Published>), ApiError> {
    let kind = parse_kind(&kind)?;
    let Value::Object(mut fields) = draft else {
        return Err(ApiError::bad_request(
            "invalid_record",
            "send one JSON object with the record's fields",
        ));
    };
    shorthand(&mut fields);
    let given_id = fields.remove("id");
    let valid_until = fields
        .remove("valid_until")
        .map(|v| parse_valid_until(&v))
        .transpose()?;
    let (body, title) = match kind {
        Kind::Vacancy => {
            let vacancy = parse_body::<Vacancy>(fields)?;
            let title = vacancy.title.clone();
            (Body::Vacancy(vacancy), title)
        }
        Kind::Organisation => {
            let organisation = parse_body::<Organisation>(fields)?;
            let name = organisation.name.clone();
            (Body::Organisation(organisation), name)
        }
        Kind::Profile | Kind::Peering => {
            return Err(ApiError::bad_request(
                "not_publishable",
                format!(
                    "the {kind} record is managed by the node: edit config.toml for the profile, use /v1/peers for peering"
                ),
            ));
        }
    };
    let id = match given_id {
        Some(Value::String(id)) => RecordId::new(id)
            .map_err(|e| ApiError::bad_request("invalid_record", format!("id: {e}")))?,
        Some(_) => return Err(ApiError::bad_request("invalid_record", "id: must be text")),
        None => RecordId::slugify(&title).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_record",
                "id: give an id, or a title from which one can be made",
            )
        })?,
    };
    let draft = OwnDraft {
        kind,
        id,
        body,
        valid_until,
    };
    let dry_run = query.dry_run;
    let (record, outcome) = answered(state.handle.publish(draft, dry_run).await)?;
    let outcome = match outcome {
        DraftOutcome::New => Outcome::New,
        DraftOutcome::Updated => Outcome::Updated,
        DraftOutcome::Unchanged => Outcome::Unchanged,
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
            dry_run,
        }),
    ))
}

/// Withdraws one of our records: it disappears on every node.
#[utoipa::path(delete, path = "/v1/records/{kind}/{id}", tag = "records", params(("kind" = String, Path, description = "vacancy or organisation (plural accepted)"), ("id" = String, Path, description = "record id")), responses((status = 200, description = "the withdrawal, durable", body = RecordView), (status = 404, description = "no such own record")))]
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
