//! Region-wide search over the records the node holds: filters (municipality, category,
//! target group, engagement, MaS with age, remote, radius around a postcode or place,
//! publishing steunpunt) and plain word matching on folded text.
//!
//! This is a scan over the store; the full-text index with Dutch stemming replaces the
//! word matching and the scan, while these filters keep their meaning.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use steunpunt_protocol::body::{Location, Organisation, Vacancy};
use steunpunt_protocol::places::{Pc4, canonical_place_name, distance_km, place_centre};
use steunpunt_protocol::text::fold;
use steunpunt_protocol::{Body, Kind, Record, RecordId, RecordKey, SteunpuntId};

use crate::replication::{Engine, PublishError};
use crate::store::Store;

/// Most results one search returns.
pub const MAX_LIMIT: usize = 200;
/// Results when no limit is given.
pub const DEFAULT_LIMIT: usize = 20;
/// Radius when `near` is given without one.
pub const DEFAULT_RADIUS_KM: f64 = 15.0;

/// Filters of a search; all optional, all must hold.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words that should appear (any of them; more matches rank higher).
    #[serde(default)]
    pub q: Option<String>,
    /// Municipality, case- and diacritics-insensitive, common aliases understood.
    #[serde(default)]
    pub municipality: Option<String>,
    /// Vacancy category.
    #[serde(default)]
    pub category: Option<String>,
    /// Target group.
    #[serde(default)]
    pub target_group: Option<String>,
    /// Vacancy engagement.
    #[serde(default)]
    pub engagement: Option<String>,
    /// Only MaS-suitable vacancies.
    #[serde(default)]
    pub mas: bool,
    /// With `mas`: the pupil's age.
    #[serde(default)]
    pub age: Option<u8>,
    /// Only remote vacancies.
    #[serde(default)]
    pub remote: bool,
    /// Organisation expertise.
    #[serde(default)]
    pub expertise: Option<String>,
    /// Organisation kind.
    #[serde(default)]
    pub org_kind: Option<String>,
    /// A PC4 or a place name to measure distance from.
    #[serde(default)]
    pub near: Option<String>,
    /// Radius around `near`, in km.
    #[serde(default)]
    pub radius_km: Option<f64>,
    /// Only records of this steunpunt.
    #[serde(default)]
    pub author: Option<String>,
    /// Most results.
    #[serde(default)]
    pub limit: Option<usize>,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The record's JSON form.
    #[serde(flatten)]
    pub record: Value,
    /// Name of the publishing steunpunt.
    pub steunpunt: Option<String>,
    /// Its trust distance from us.
    pub hops: Option<u8>,
    /// Who vouched for it: the steunpunt before it on the vouching path.
    pub vouched_by: Option<SteunpuntId>,
    /// Distance from `near`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// Relevance: matched words, titles counting double.
    pub score: f64,
}

/// Why a query cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A parameter is wrong.
    #[error("{0}")]
    BadQuery(String),
    /// Reading records failed.
    #[error(transparent)]
    Store(#[from] PublishError),
}

fn location_of(body: &Body) -> Option<&Location> {
    match body {
        Body::Vacancy(v) => Some(&v.location),
        Body::Organisation(o) => Some(&o.location),
        _ => None,
    }
}

fn vacancy_matches(v: &Vacancy, q: &SearchQuery) -> bool {
    q.category.as_ref().is_none_or(|c| v.categories.contains(c))
        && q.target_group
            .as_ref()
            .is_none_or(|t| v.target_groups.contains(t))
        && q.engagement.as_ref().is_none_or(|e| &v.engagement == e)
        && (!q.remote || v.remote)
        && (!q.mas || q.age.map_or(v.mas.suitable, |age| v.mas.allows_age(age)))
}

fn organisation_matches(o: &Organisation, q: &SearchQuery) -> bool {
    q.expertise.as_ref().is_none_or(|x| o.expertise.contains(x))
        && q.org_kind.as_ref().is_none_or(|k| &o.kind == k)
        && q.target_group
            .as_ref()
            .is_none_or(|t| o.target_groups.contains(t))
}

/// Counts query words in the title (double) and the description.
fn word_score(words: &[String], title: &str, description: &str) -> f64 {
    let (title, description) = (fold(title), fold(description));
    words
        .iter()
        .map(|w| {
            if title.contains(w.as_str()) {
                2.0
            } else if description.contains(w.as_str()) {
                1.0
            } else {
                0.0
            }
        })
        .sum()
}

fn origin(near: &str) -> Result<(f64, f64), SearchError> {
    if let Ok(pc4) = Pc4::parse(near) {
        return pc4.place().map(|p| (p.lat, p.lon)).ok_or_else(|| {
            SearchError::BadQuery(format!("postcode {pc4} does not exist in the Netherlands"))
        });
    }
    place_centre(near).ok_or_else(|| {
        SearchError::BadQuery(format!(
            "`{near}` is neither a four-digit postcode nor a Dutch place name"
        ))
    })
}

/// Searches vacancies (`Kind::Vacancy`) or organisations (`Kind::Organisation`).
pub fn search<S: Store>(
    engine: &Engine<S>,
    kind: Kind,
    q: &SearchQuery,
) -> Result<Vec<Hit>, SearchError> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(SearchError::BadQuery(format!(
            "limit must be 1 to {MAX_LIMIT}"
        )));
    }
    if q.age.is_some() && !q.mas {
        return Err(SearchError::BadQuery(
            "age only applies together with mas".into(),
        ));
    }
    let author = q
        .author
        .as_deref()
        .map(|a| {
            a.parse::<SteunpuntId>()
                .map_err(|e| SearchError::BadQuery(e.to_string()))
        })
        .transpose()?;
    let centre = q.near.as_deref().map(origin).transpose()?;
    let radius = q.radius_km.unwrap_or(DEFAULT_RADIUS_KM);
    if !(radius > 0.0 && radius <= 500.0) {
        return Err(SearchError::BadQuery(
            "radius_km must be above 0 and at most 500".into(),
        ));
    }
    let municipality = q.municipality.as_deref().map(canonical_place_name);
    let words: Vec<String> =
        q.q.as_deref()
            .map(|t| fold(t).split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();

    let keys: Vec<RecordKey> = engine
        .index()
        .iter()
        .filter(|(k, m)| k.kind == kind && !m.withdrawn && author.is_none_or(|a| k.author == a))
        .map(|(k, _)| k.clone())
        .collect();
    let mut hits = Vec::new();
    for key in keys {
        let Some(record) = engine.get(&key)? else {
            continue;
        };
        let Some(body) = &record.payload().body else {
            continue;
        };
        let matches = match body {
            Body::Vacancy(v) => vacancy_matches(v, q),
            Body::Organisation(o) => organisation_matches(o, q),
            _ => false,
        };
        if !matches {
            continue;
        }
        let location = location_of(body);
        if let Some(m) = &municipality
            && location.is_none_or(|l| &canonical_place_name(&l.municipality) != m)
        {
            continue;
        }
        let distance = match (centre, location.and_then(Location::coordinates)) {
            (Some(c), Some(here)) => Some(distance_km(c, here)),
            (Some(_), None) => continue,
            _ => None,
        };
        if distance.is_some_and(|d| d > radius) {
            continue;
        }
        let (title, description) = match body {
            Body::Vacancy(v) => (v.title.as_str(), v.description.as_str()),
            Body::Organisation(o) => (o.name.as_str(), o.description.as_str()),
            _ => ("", ""),
        };
        let score = if words.is_empty() {
            1.0
        } else {
            word_score(&words, title, description)
        };
        if score == 0.0 {
            continue;
        }
        hits.push(hit(engine, &record, distance, score)?);
    }
    hits.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then(
            a.distance_km
                .unwrap_or(0.0)
                .total_cmp(&b.distance_km.unwrap_or(0.0)),
        )
    });
    hits.truncate(limit);
    Ok(hits)
}

fn hit<S: Store>(
    engine: &Engine<S>,
    record: &Record,
    distance: Option<f64>,
    score: f64,
) -> Result<Hit, SearchError> {
    let author = record.author();
    let profile_key = RecordKey {
        author,
        kind: Kind::Profile,
        id: RecordId::new("profile").unwrap_or_else(|_| unreachable!("`profile` is a slug")),
    };
    let steunpunt = match engine
        .get(&profile_key)?
        .and_then(|p| p.payload().body.clone())
    {
        Some(Body::Profile(p)) => Some(p.name),
        _ => None,
    };
    let trusted = engine.trust().get(&author);
    let vouched_by = trusted.and_then(|t| t.path.len().checked_sub(2).map(|i| t.path[i]));
    Ok(Hit {
        record: serde_json::to_value(record.to_json()).unwrap_or(Value::Null),
        steunpunt,
        hops: trusted.map(|t| t.hops),
        vouched_by,
        distance_km: distance.map(|d| (d * 10.0).round() / 10.0),
        score,
    })
}
