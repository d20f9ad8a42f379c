//! What a search filters on: per record, the few facts the filters need (kept in memory,
//! so filtering never reads the store), and the checked form of a query.
//!
//! The selective filters are also tags on the record's document in the text index
//! ([`Entry::tags`], [`Plan::tags`]), so the index answers them together with the words
//! and only the records that carry every asked tag are checked exactly (dates, MaS age,
//! expiry, distance) on their [`Facts`], which the index keeps beside each document, so
//! a match is checked and ranked without being looked up.

use steunpunt_protocol::body::{Location, Mas};
use steunpunt_protocol::places::{Pc4, canonical_place_name, distance_km, place_centre};
use steunpunt_protocol::timestamp::Date;
use steunpunt_protocol::vocab::{
    CATEGORIES, ENGAGEMENTS, EXPERTISE, ORGANISATION_KINDS, TARGET_GROUPS, Vocabulary,
};
use steunpunt_protocol::{
    Body, Kind, Problem, Record, RecordHash, RecordKey, SteunpuntId, Timestamp,
};

use super::{
    DEFAULT_LIMIT, DEFAULT_RADIUS_KM, MAX_LIMIT, MAX_RADIUS_KM, SearchError, SearchQuery, Sort,
};

/// The facts about one vacancy or organisation that the filters and sorting need.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Which record.
    pub key: RecordKey,
    /// Its current revision.
    pub hash: RecordHash,
    /// Last change, for `sort=recent`.
    pub updated_at: Timestamp,
    /// After this it is gone, even before the engine purges it.
    pub valid_until: Timestamp,
    /// Municipality, folded and with aliases resolved.
    pub municipality: String,
    /// Coordinates, explicit or of the postcode.
    pub coordinates: Option<(f64, f64)>,
    /// Target groups.
    pub target_groups: Vec<String>,
    /// Kind-specific facts.
    pub detail: Detail,
}

/// Facts only one kind has.
#[derive(Debug, Clone)]
pub enum Detail {
    /// A vacancy.
    Vacancy {
        /// Categories.
        categories: Vec<String>,
        /// Engagement.
        engagement: String,
        /// Remote work.
        remote: bool,
        /// MaS suitability.
        mas: Mas,
        /// First day.
        start: Option<Date>,
        /// Last day.
        end: Option<Date>,
    },
    /// An organisation.
    Organisation {
        /// Expertise.
        expertise: Vec<String>,
        /// Kind of organisation.
        kind: String,
    },
}

/// What the exact checks and the order need of a record besides its tags: kept in the
/// text index as fast fields (read per match at the cost of an array access), so a query
/// that matches many records looks up only the page it returns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Facts {
    /// Last change, for `sort=recent`.
    pub updated_at: Timestamp,
    /// After this it is gone, even before the engine purges it.
    pub valid_until: Timestamp,
    /// Coordinates, explicit or of the postcode.
    pub coordinates: Option<(f64, f64)>,
    /// Its author, shortened: among equally good results our own come first.
    pub author: u64,
    /// The youngest MaS pupil it takes (any age when `None`).
    pub mas_min_age: Option<u8>,
    /// First day, as a Julian day number.
    pub start: Option<i64>,
    /// Last day, as a Julian day number.
    pub end: Option<i64>,
}

/// A steunpunt ID shortened for ranking: its first eight bytes.
pub fn short_id(id: &SteunpuntId) -> u64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&id.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// A date as its Julian day number.
fn day(date: Date) -> i64 {
    i64::from(date.0.to_julian_day())
}

impl Entry {
    /// The entry of a live vacancy or organisation, with its title and searchable text.
    pub fn of(record: &Record) -> Option<(Self, String, String)> {
        let payload = record.payload();
        let (location, target_groups, detail, title, body): (&Location, _, _, _, _) =
            match payload.body.as_ref()? {
                Body::Vacancy(v) => (
                    &v.location,
                    v.target_groups.clone(),
                    Detail::Vacancy {
                        categories: v.categories.clone(),
                        engagement: v.engagement.clone(),
                        remote: v.remote,
                        mas: v.mas,
                        start: v.start,
                        end: v.end,
                    },
                    v.title.clone(),
                    match &v.organisation.name {
                        Some(name) => format!("{}\n{name}", v.description),
                        None => v.description.clone(),
                    },
                ),
                Body::Organisation(o) => (
                    &o.location,
                    o.target_groups.clone(),
                    Detail::Organisation {
                        expertise: o.expertise.clone(),
                        kind: o.kind.clone(),
                    },
                    o.name.clone(),
                    match &o.services {
                        Some(services) => format!("{}\n{services}", o.description),
                        None => o.description.clone(),
                    },
                ),
                _ => return None,
            };
        let entry = Self {
            key: record.key(),
            hash: record.hash(),
            updated_at: payload.updated_at,
            valid_until: payload.valid_until,
            municipality: canonical_place_name(&location.municipality),
            coordinates: location.coordinates(),
            target_groups,
            detail,
        };
        Some((entry, title, body))
    }
}

impl Entry {
    /// The facts the index keeps beside this record's document.
    pub fn facts(&self) -> Facts {
        let (mas_min_age, start, end) = match &self.detail {
            Detail::Vacancy {
                mas, start, end, ..
            } => (mas.min_age, start.map(day), end.map(day)),
            Detail::Organisation { .. } => (None, None, None),
        };
        Facts {
            updated_at: self.updated_at,
            valid_until: self.valid_until,
            coordinates: self.coordinates,
            author: short_id(&self.key.author),
            mas_min_age,
            start,
            end,
        }
    }
}

/// The names of the filter tags, shared by a record's tags and a query's.
mod tag {
    pub const KIND: &str = "kind";
    pub const AUTHOR: &str = "author";
    pub const MUNICIPALITY: &str = "mun";
    pub const TARGET_GROUP: &str = "tg";
    pub const CATEGORY: &str = "cat";
    pub const ENGAGEMENT: &str = "eng";
    pub const EXPERTISE: &str = "exp";
    pub const ORG_KIND: &str = "org";
    /// Tags without a value.
    pub const REMOTE: &str = "remote";
    pub const MAS: &str = "mas";
}

/// A tag of `name` with a kind, author, municipality or vocabulary term.
fn tag(name: &str, value: impl std::fmt::Display) -> String {
    format!("{name}:{value}")
}

/// Sizes in degrees of the grid cells a record's place is tagged with, finest first. A
/// radius search asks for the cells its circle's bounding box touches, on the finest grid
/// that needs at most [`MAX_CELLS`] of them.
const CELL_DEGREES: [f64; 3] = [0.1, 0.5, 2.5];
const MAX_CELLS: usize = 64;
/// Kilometres per degree of latitude.
const KM_PER_DEGREE: f64 = 111.2;

/// The grid index of `degrees` on a grid of `size`.
#[allow(clippy::cast_possible_truncation)] // coordinates are checked to ±180°
fn grid(degrees: f64, size: f64) -> i64 {
    (degrees / size).floor() as i64
}

fn cell(level: usize, row: i64, column: i64) -> String {
    format!("geo{level}:{row}:{column}")
}

/// The cell tags of a place: one per grid.
fn cells_of((lat, lon): (f64, f64)) -> impl Iterator<Item = String> {
    CELL_DEGREES
        .iter()
        .enumerate()
        .map(move |(level, size)| cell(level, grid(lat, *size), grid(lon, *size)))
}

/// The cells around `centre` that hold every point within `radius_km`.
fn cells_around((lat, lon): (f64, f64), radius_km: f64) -> Vec<String> {
    let half_lat = radius_km / KM_PER_DEGREE;
    // Longitude degrees shrink towards the poles, most at the circle's edge nearest one.
    let narrowest = (lat.abs() + half_lat).min(89.0).to_radians().cos();
    let half_lon = (radius_km / (KM_PER_DEGREE * narrowest)).min(180.0);
    let mut level = 0;
    loop {
        let size = CELL_DEGREES[level];
        let rows = grid(lat - half_lat, size)..=grid(lat + half_lat, size);
        let columns = grid(lon - half_lon, size)..=grid(lon + half_lon, size);
        let count = (rows.end() - rows.start() + 1) * (columns.end() - columns.start() + 1);
        if usize::try_from(count).is_ok_and(|n| n <= MAX_CELLS) || level + 1 == CELL_DEGREES.len() {
            return rows
                .flat_map(|row| columns.clone().map(move |column| cell(level, row, column)))
                .collect();
        }
        level += 1;
    }
}

impl Entry {
    /// The tags of this record's document in the text index.
    pub fn tags(&self) -> Vec<String> {
        let mut tags = vec![
            tag(tag::KIND, self.key.kind),
            tag(tag::AUTHOR, self.key.author),
            tag(tag::MUNICIPALITY, &self.municipality),
        ];
        tags.extend(self.coordinates.into_iter().flat_map(cells_of));
        tags.extend(self.target_groups.iter().map(|t| tag(tag::TARGET_GROUP, t)));
        match &self.detail {
            Detail::Vacancy {
                categories,
                engagement,
                remote,
                mas,
                ..
            } => {
                tags.extend(categories.iter().map(|c| tag(tag::CATEGORY, c)));
                tags.push(tag(tag::ENGAGEMENT, engagement));
                if *remote {
                    tags.push(tag::REMOTE.to_owned());
                }
                if mas.suitable {
                    tags.push(tag::MAS.to_owned());
                }
            }
            Detail::Organisation { expertise, kind } => {
                tags.extend(expertise.iter().map(|x| tag(tag::EXPERTISE, x)));
                tags.push(tag(tag::ORG_KIND, kind));
            }
        }
        tags
    }
}

/// A query, checked: every value known to be meaningful.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Vacancies or organisations.
    pub kind: Kind,
    /// The words, if any.
    pub words: Option<String>,
    municipality: Option<String>,
    category: Option<String>,
    target_group: Option<String>,
    engagement: Option<String>,
    mas_age: Option<Option<u8>>,
    remote: bool,
    on: Option<Date>,
    expertise: Option<String>,
    org_kind: Option<String>,
    author: Option<SteunpuntId>,
    /// Only records of these steunpunten (the public site's part of the region); never
    /// empty when given.
    pub authors: Option<Vec<SteunpuntId>>,
    centre: Option<(f64, f64)>,
    radius_km: f64,
    /// Order of results.
    pub sort: Sort,
    /// Most results.
    pub limit: usize,
    /// Our own steunpunt, whose records come first among equally good ones.
    pub me: Option<SteunpuntId>,
}

/// A wrong query parameter `param`, breaking rule `code` (see `steunpunt_protocol::validate::RULES`).
fn bad(param: &str, code: &str, values: &[(&str, &dyn std::fmt::Display)]) -> SearchError {
    SearchError::BadQuery(Problem::new(param, code, values))
}

/// A vocabulary term, in any case.
fn slug(
    vocabulary: &Vocabulary,
    given: Option<&String>,
    param: &str,
) -> Result<Option<String>, SearchError> {
    let Some(given) = given else { return Ok(None) };
    let slug = given.trim().to_lowercase();
    if vocabulary.contains(&slug) {
        Ok(Some(slug))
    } else {
        Err(bad(
            param,
            "unknown_term",
            &[
                ("value", given),
                ("vocabulary", &vocabulary.name),
                ("allowed", &vocabulary.slugs()),
            ],
        ))
    }
}

fn only_for(kind: Kind, wanted: Kind, given: bool, param: &str) -> Result<(), SearchError> {
    if given && kind != wanted {
        let code = if wanted == Kind::Vacancy {
            "vacancies_only"
        } else {
            "organisations_only"
        };
        return Err(bad(param, code, &[]));
    }
    Ok(())
}

/// The coordinates of a PC4 or a place name.
pub fn origin(near: &str) -> Result<(f64, f64), SearchError> {
    if let Ok(pc4) = Pc4::parse(near) {
        return pc4
            .place()
            .map(|p| (p.lat, p.lon))
            .ok_or_else(|| bad("near", "unknown_postcode", &[("value", &pc4)]));
    }
    place_centre(near).ok_or_else(|| bad("near", "unknown_place", &[("value", &near)]))
}

impl Plan {
    /// Checks `q` for a search of `kind`.
    pub fn new(kind: Kind, q: &SearchQuery) -> Result<Self, SearchError> {
        let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(bad("limit", "limit", &[("max", &MAX_LIMIT)]));
        }
        if q.age.is_some() && !q.mas {
            return Err(bad("age", "age_needs_mas", &[]));
        }
        let vacancy_only = [
            (q.category.is_some(), "category"),
            (q.engagement.is_some(), "engagement"),
            (q.mas, "mas"),
            (q.remote, "remote"),
            (q.on.is_some(), "on"),
        ];
        for (given, param) in vacancy_only {
            only_for(kind, Kind::Vacancy, given, param)?;
        }
        only_for(kind, Kind::Organisation, q.expertise.is_some(), "expertise")?;
        only_for(kind, Kind::Organisation, q.org_kind.is_some(), "org_kind")?;
        let author = q
            .author
            .as_deref()
            .map(|a| {
                a.parse::<SteunpuntId>()
                    .map_err(|_| bad("author", "steunpunt_id", &[("value", &a)]))
            })
            .transpose()?;
        let centre = q.near.as_deref().map(origin).transpose()?;
        if q.radius_km.is_some() && centre.is_none() {
            return Err(bad("radius_km", "needs_near", &[]));
        }
        let radius_km = q.radius_km.unwrap_or(DEFAULT_RADIUS_KM);
        if !(radius_km > 0.0 && radius_km <= MAX_RADIUS_KM) {
            return Err(bad("radius_km", "radius", &[("max", &MAX_RADIUS_KM)]));
        }
        let sort = q.sort.unwrap_or_default();
        if sort == Sort::Distance && centre.is_none() {
            return Err(bad("sort", "needs_near", &[]));
        }
        let on =
            q.on.as_deref()
                .map(|d| Date::parse(d).map_err(|_| bad("on", "date", &[("value", &d)])))
                .transpose()?;
        let words =
            q.q.as_deref()
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_owned);
        if words
            .as_ref()
            .is_some_and(|w| w.len() > super::MAX_QUERY_BYTES)
        {
            return Err(bad(
                "q",
                "query_too_long",
                &[("max", &super::MAX_QUERY_BYTES)],
            ));
        }
        Ok(Self {
            kind,
            words,
            municipality: q.municipality.as_deref().map(canonical_place_name),
            category: slug(&CATEGORIES, q.category.as_ref(), "category")?,
            target_group: slug(&TARGET_GROUPS, q.target_group.as_ref(), "target_group")?,
            engagement: slug(&ENGAGEMENTS, q.engagement.as_ref(), "engagement")?,
            mas_age: q.mas.then_some(q.age),
            remote: q.remote,
            on,
            expertise: slug(&EXPERTISE, q.expertise.as_ref(), "expertise")?,
            org_kind: slug(&ORGANISATION_KINDS, q.org_kind.as_ref(), "org_kind")?,
            author,
            authors: None,
            centre,
            radius_km,
            sort,
            limit,
            me: None,
        })
    }

    /// What a record must carry to pass this query's selective filters: each group one
    /// of its tags. A record with them all passes every filter but those of
    /// [`Self::holds`]; a radius asks for one of the grid cells around its centre, which
    /// [`Self::holds`] then narrows to the circle.
    pub fn tags(&self) -> Vec<Vec<String>> {
        let mut tags = vec![tag(tag::KIND, self.kind)];
        let given = [
            (tag::AUTHOR, self.author.map(|a| a.to_string())),
            (tag::MUNICIPALITY, self.municipality.clone()),
            (tag::TARGET_GROUP, self.target_group.clone()),
            (tag::CATEGORY, self.category.clone()),
            (tag::ENGAGEMENT, self.engagement.clone()),
            (tag::EXPERTISE, self.expertise.clone()),
            (tag::ORG_KIND, self.org_kind.clone()),
        ];
        tags.extend(
            given
                .into_iter()
                .filter_map(|(name, value)| value.map(|v| tag(name, v))),
        );
        if self.remote {
            tags.push(tag::REMOTE.to_owned());
        }
        if self.mas_age.is_some() {
            tags.push(tag::MAS.to_owned());
        }
        let mut groups: Vec<Vec<String>> = tags.into_iter().map(|t| vec![t]).collect();
        if let Some(authors) = &self.authors {
            groups.push(authors.iter().map(|a| tag(tag::AUTHOR, a)).collect());
        }
        if let Some(centre) = self.centre {
            groups.push(cells_around(centre, self.radius_km));
        }
        groups
    }

    /// Whether `entry` answers this query at `now`, checked exactly; with its distance
    /// from `near`, if given.
    pub fn admits(&self, entry: &Entry, now: Timestamp) -> Option<Option<f64>> {
        let tagged = entry.key.kind == self.kind
            && self.author.is_none_or(|a| entry.key.author == a)
            && self
                .authors
                .as_ref()
                .is_none_or(|set| set.contains(&entry.key.author))
            && self
                .municipality
                .as_ref()
                .is_none_or(|m| &entry.municipality == m)
            && self
                .target_group
                .as_ref()
                .is_none_or(|t| entry.target_groups.contains(t))
            && match &entry.detail {
                Detail::Vacancy {
                    categories,
                    engagement,
                    remote,
                    mas,
                    ..
                } => {
                    self.category
                        .as_ref()
                        .is_none_or(|c| categories.contains(c))
                        && self.engagement.as_ref().is_none_or(|e| engagement == e)
                        && (!self.remote || *remote)
                        && (self.mas_age.is_none() || mas.suitable)
                }
                Detail::Organisation { expertise, kind } => {
                    self.expertise
                        .as_ref()
                        .is_none_or(|x| expertise.contains(x))
                        && self.org_kind.as_ref().is_none_or(|k| kind == k)
                }
            };
        if tagged {
            self.holds(&entry.facts(), now)
        } else {
            None
        }
    }

    /// The checks beyond the tags, for a record that carries every tag of
    /// [`Self::tags`]: expiry, MaS age, the date and the distance, with the distance from
    /// `near` if given.
    pub fn holds(&self, facts: &Facts, now: Timestamp) -> Option<Option<f64>> {
        let passes = facts.valid_until > now
            && self
                .mas_age
                .is_none_or(|age| match (age, facts.mas_min_age) {
                    (Some(age), Some(min)) => age >= min,
                    _ => true,
                })
            && self.on.is_none_or(|on| {
                let on = day(on);
                facts.start.is_none_or(|s| s <= on) && facts.end.is_none_or(|e| on <= e)
            });
        if !passes {
            return None;
        }
        match self.centre {
            None => Some(None),
            Some(centre) => {
                let distance = distance_km(centre, facts.coordinates?);
                (distance <= self.radius_km).then_some(Some(distance))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use steunpunt_protocol::places::distance_km;

    use super::{MAX_CELLS, cells_around, cells_of};

    /// The point `km` from `(lat, lon)` towards `bearing` degrees.
    fn towards((lat, lon): (f64, f64), bearing: f64, km: f64) -> (f64, f64) {
        let (phi, lambda, theta) = (lat.to_radians(), lon.to_radians(), bearing.to_radians());
        let delta = km / 6371.0;
        let phi2 = (phi.sin() * delta.cos() + phi.cos() * delta.sin() * theta.cos()).asin();
        let lambda2 = lambda
            + (theta.sin() * delta.sin() * phi.cos()).atan2(delta.cos() - phi.sin() * phi2.sin());
        (phi2.to_degrees(), lambda2.to_degrees())
    }

    /// The index may only narrow a radius search: every place within the radius lies in
    /// one of the cells asked for.
    #[test]
    fn the_cells_around_a_circle_hold_every_place_in_it() {
        for centre in [
            (51.589, 4.776),
            (53.219, 6.567),
            (50.851, 5.691),
            (52.37, 4.89),
        ] {
            for radius in [0.5, 5.0, 15.0, 40.0, 120.0, 500.0] {
                let around = cells_around(centre, radius);
                assert!(
                    around.len() <= MAX_CELLS || radius >= 500.0,
                    "{radius} km: {}",
                    around.len()
                );
                for step in 0..72 {
                    for part in [0.0, 0.3, 0.7, 0.99, 1.0] {
                        let place = towards(centre, f64::from(step) * 5.0, radius * part);
                        if distance_km(centre, place) > radius {
                            continue;
                        }
                        assert!(
                            cells_of(place).any(|cell| around.contains(&cell)),
                            "{place:?} is {} km from {centre:?}, within {radius} km, in no cell asked for",
                            distance_km(centre, place)
                        );
                    }
                }
            }
        }
    }
}
