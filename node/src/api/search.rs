//! Region-wide search: `GET /v1/search/{kind}`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use steunpunt_api::{SearchQuery, SearchResults};
use steunpunt_protocol::places::lookup_place;
use steunpunt_protocol::{Kind, Problem};

use super::extract::{Path, Query};
use super::{ApiError, ApiState, parse_kind, read};
use crate::actor::View;
use crate::clock::now;
use crate::search::{Plan, SearchError, hits};

/// Searches the records of the whole trusted region.
#[utoipa::path(get, path = "/v1/search/{kind}", tag = "search", params(("kind" = String, Path, description = "vacancies or organisations (singular accepted)"), SearchQuery), responses((status = 200, description = "the results, best first", body = SearchResults), (status = 400, description = "a filter is wrong: the message names it")))]
pub(super) async fn search(
    State(state): State<ApiState>,
    Path(kind): Path<String>,
    Query(query): Query<SearchQuery>,
) -> Result<Json<SearchResults>, ApiError> {
    let kind = parse_kind(&kind)?;
    if !matches!(kind, Kind::Vacancy | Kind::Organisation) {
        return Err(ApiError::bad_request(
            "unknown_kind",
            "search vacancies or organisations",
        ));
    }
    let mut plan = Plan::new(kind, &query).map_err(search_error)?;
    state
        .handle
        .own_changes_searchable()
        .await
        .map_err(ApiError::internal)?;
    plan.me = Some(state.handle.summary().me);
    let index = state.search.clone();
    let behind = index.is_behind();
    let _turn = state
        .searching
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    let (results, total) = read(&state, move |handle| {
        let (found, total) = index.find(&plan, now()).map_err(search_error)?;
        let results = hits(&View::new(handle), &found).map_err(search_error)?;
        Ok((results, total))
    })
    .await?;
    // A municipality the postcode table does not know is most likely misspelt.
    let mut warnings: Vec<Problem> = query
        .municipality
        .iter()
        .filter(|m| lookup_place(m).is_empty())
        .map(|m| Problem::new("municipality", "unknown_municipality", &[("value", m)]))
        .collect();
    if behind {
        warnings.push(Problem::new("", "search_behind", &[]));
    }
    Ok(Json(SearchResults {
        results,
        total,
        warnings,
    }))
}

fn search_error(e: SearchError) -> ApiError {
    match e {
        SearchError::BadQuery(problem) => {
            ApiError::with_problem(StatusCode::BAD_REQUEST, "bad_query", problem)
        }
        SearchError::Store(e) => e.into(),
        SearchError::Index(e) => ApiError::internal(e),
        SearchError::Damaged(e) => ApiError::internal(e),
    }
}
