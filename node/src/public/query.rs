//! The public search form's fields, in Dutch as the visitor sees them in the address bar,
//! and their translation into the node's [`SearchQuery`]. A wrong value is named by its
//! field with what is allowed, in Dutch, and the page is shown again with it.

use serde::Deserialize;
use steunpunt_api::search::{DEFAULT_LIMIT, MAX_RADIUS_KM};
use steunpunt_api::{SearchQuery, Sort};
use steunpunt_protocol::Problem;
use steunpunt_protocol::places::{lookup_pc4, lookup_place};
use steunpunt_protocol::vocab::{CATEGORIES, ENGAGEMENTS, TARGET_GROUPS, Vocabulary};

/// Most results one page or feed shows.
pub const MAX_SHOWN: usize = 100;
/// Most vacancies a widget shows.
pub const MAX_WIDGET: usize = 20;
/// The radius choices of the form, in km.
pub const RADII: [u16; 6] = [5, 10, 15, 25, 50, 100];
/// `straal` for "only this municipality".
pub const MUNICIPALITY_ONLY: &str = "gemeente";

/// The form's fields; all optional, unknown ones (such as a campaign's tags) ignored.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct Form {
    /// Words.
    pub wat: String,
    /// A municipality, place or four-digit postcode.
    pub waar: String,
    /// Radius in km around `waar`, or `gemeente`: only the municipality itself.
    pub straal: String,
    /// Category slug.
    pub categorie: String,
    /// Target group slug.
    pub doelgroep: String,
    /// Engagement slug.
    pub inzet: String,
    /// `ja`: only MaS placements.
    pub mas: String,
    /// With `mas`: the pupil's age.
    pub leeftijd: String,
    /// `ja`: only work from home.
    pub thuis: String,
    /// `relevantie`, `afstand` or `nieuw`.
    pub sortering: String,
    /// How many results (the widget's and the feed's size too).
    pub aantal: String,
    /// The widget's heading.
    pub kop: String,
}

/// A wrong field: its name in the form and what is allowed, in Dutch.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The form field.
    pub field: &'static str,
    /// What is wrong and what is allowed.
    pub message: String,
}

fn checked_slug(
    vocabulary: &Vocabulary,
    given: &str,
    field: &'static str,
) -> Result<Option<String>, FieldError> {
    let given = given.trim();
    if given.is_empty() {
        return Ok(None);
    }
    if vocabulary.contains(given) {
        Ok(Some(given.to_owned()))
    } else {
        Err(FieldError {
            field,
            message: format!(
                "‘{given}’ is geen keuze van deze lijst; kies een van: {}",
                vocabulary
                    .terms
                    .iter()
                    .map(|t| t.label)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }
}

fn yes(value: &str) -> bool {
    matches!(value.trim(), "ja" | "1" | "on" | "true")
}

impl Form {
    /// Whether `mas` is asked for.
    pub fn mas(&self) -> bool {
        yes(&self.mas)
    }

    /// Whether `thuis` is asked for.
    pub fn remote(&self) -> bool {
        yes(&self.thuis)
    }

    /// How many results, between 1 and `max` (`default` when not given).
    pub fn count(&self, default: usize, max: usize) -> Result<usize, FieldError> {
        let given = self.aantal.trim();
        if given.is_empty() {
            return Ok(default);
        }
        match given.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(FieldError {
                field: "aantal",
                message: format!("‘{given}’ is geen aantal van 1 tot en met {max}"),
            }),
        }
    }

    /// The node's query for this form: `limit` results, ordered as asked (or `sort`).
    pub fn query(&self, limit: usize, sort: Option<Sort>) -> Result<SearchQuery, FieldError> {
        let mut q = SearchQuery {
            q: Some(self.wat.trim().to_owned()).filter(|w| !w.is_empty()),
            category: checked_slug(&CATEGORIES, &self.categorie, "categorie")?,
            target_group: checked_slug(&TARGET_GROUPS, &self.doelgroep, "doelgroep")?,
            engagement: checked_slug(&ENGAGEMENTS, &self.inzet, "inzet")?,
            mas: self.mas(),
            remote: self.remote(),
            limit: Some(limit),
            sort,
            ..SearchQuery::default()
        };
        let age = self.leeftijd.trim();
        if !age.is_empty() {
            match age.parse::<u8>() {
                Ok(a) if (6..=25).contains(&a) => {
                    q.age = Some(a);
                    q.mas = true;
                }
                _ => {
                    return Err(FieldError {
                        field: "leeftijd",
                        message: format!("‘{age}’ is geen leeftijd van 6 tot en met 25 jaar"),
                    });
                }
            }
        }
        let place = self.waar.trim();
        if !place.is_empty() {
            let known = match place.parse::<u16>() {
                Ok(pc4) if place.len() == 4 => lookup_pc4(pc4).is_some(),
                _ => !lookup_place(place).is_empty(),
            };
            if !known {
                return Err(FieldError {
                    field: "waar",
                    message: format!(
                        "‘{place}’ kennen we niet als plaats of postcode; geef een Nederlandse plaatsnaam of een postcode van vier cijfers (zoals 4811)"
                    ),
                });
            }
            let radius = self.straal.trim();
            if radius == MUNICIPALITY_ONLY {
                q.municipality = Some(place.to_owned());
            } else {
                q.near = Some(place.to_owned());
                if !radius.is_empty() {
                    match radius.parse::<f64>() {
                        Ok(km) if km > 0.0 && km <= MAX_RADIUS_KM => q.radius_km = Some(km),
                        _ => {
                            return Err(FieldError {
                                field: "straal",
                                message: format!(
                                    "‘{radius}’ is geen afstand; kies een straal van 1 tot {MAX_RADIUS_KM} km, of alleen de gemeente"
                                ),
                            });
                        }
                    }
                }
            }
        }
        if q.sort.is_none() {
            q.sort = match self.sortering.trim() {
                "" | "relevantie" => None,
                "afstand" if q.near.is_some() => Some(Sort::Distance),
                "afstand" => None,
                "nieuw" => Some(Sort::Recent),
                other => {
                    return Err(FieldError {
                        field: "sortering",
                        message: format!(
                            "‘{other}’ is geen volgorde; kies relevantie, afstand of nieuw"
                        ),
                    });
                }
            };
        }
        Ok(q)
    }

    /// The form as a query string (for links to the next page, feeds and the widget),
    /// with the fields that are set only and say something: no radius without a place,
    /// no order that is the default anyway.
    pub fn to_query_string(&self) -> String {
        let no_place = self.waar.trim().is_empty();
        let straal = if no_place { "" } else { self.straal.as_str() };
        let sortering = match self.sortering.trim() {
            "relevantie" => "",
            "afstand" if no_place => "",
            other => other,
        };
        let pairs: [(&str, &str); 12] = [
            ("wat", &self.wat),
            ("waar", &self.waar),
            ("straal", straal),
            ("categorie", &self.categorie),
            ("doelgroep", &self.doelgroep),
            ("inzet", &self.inzet),
            ("mas", &self.mas),
            ("leeftijd", &self.leeftijd),
            ("thuis", &self.thuis),
            ("sortering", sortering),
            ("aantal", &self.aantal),
            ("kop", &self.kop),
        ];
        let set: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (*k, v.trim()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        serde_urlencoded::to_string(set).unwrap_or_default()
    }

    /// The same form with another `aantal`.
    pub fn with_count(&self, count: usize) -> Self {
        Self {
            aantal: count.to_string(),
            ..self.clone()
        }
    }
}

/// A problem the node's search found in a query the form made, in the form's terms.
pub fn from_problem(problem: &Problem) -> FieldError {
    let field = match problem.path.as_str() {
        "q" => "wat",
        "near" | "municipality" => "waar",
        "radius_km" => "straal",
        "category" => "categorie",
        "target_group" => "doelgroep",
        "engagement" => "inzet",
        "age" => "leeftijd",
        "sort" => "sortering",
        "limit" => "aantal",
        _ => "wat",
    };
    let message = match problem.code.as_str() {
        "query_too_long" => format!(
            "de zoekwoorden zijn te lang; gebruik hoogstens {} tekens",
            steunpunt_api::search::MAX_QUERY_BYTES
        ),
        _ => "deze waarde kunnen we niet gebruiken; pas haar aan en zoek opnieuw".to_owned(),
    };
    FieldError { field, message }
}

/// Results per page when none are asked for.
pub const DEFAULT_SHOWN: usize = DEFAULT_LIMIT;

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &str) -> Form {
        serde_urlencoded::from_str(pairs).unwrap()
    }

    #[test]
    fn the_form_becomes_the_nodes_query() {
        let q = form("wat=voorlezen&waar=4811&straal=25&mas=ja&leeftijd=14&sortering=afstand")
            .query(20, None)
            .unwrap();
        assert_eq!(q.q.as_deref(), Some("voorlezen"));
        assert_eq!(q.near.as_deref(), Some("4811"));
        assert_eq!(q.radius_km, Some(25.0));
        assert!(q.mas);
        assert_eq!(q.age, Some(14));
        assert_eq!(q.sort, Some(Sort::Distance));
        let q = form("waar=Tilburg&straal=gemeente&utm_source=krant")
            .query(20, None)
            .unwrap();
        assert_eq!(q.municipality.as_deref(), Some("Tilburg"));
        assert_eq!(q.near, None);
    }

    #[test]
    fn a_wrong_field_is_named_with_what_is_allowed() {
        let e = form("waar=Atlantis").query(20, None).unwrap_err();
        assert_eq!(e.field, "waar");
        assert!(e.message.contains("postcode van vier cijfers"), "{e:?}");
        let e = form("categorie=vissen").query(20, None).unwrap_err();
        assert_eq!(e.field, "categorie");
        assert!(e.message.contains("kies een van"), "{e:?}");
        let e = form("leeftijd=veertien").query(20, None).unwrap_err();
        assert_eq!(e.field, "leeftijd");
        let e = form("waar=Breda&straal=-3").query(20, None).unwrap_err();
        assert_eq!(e.field, "straal");
        let e = form("aantal=100000").count(20, MAX_SHOWN).unwrap_err();
        assert_eq!(e.field, "aantal");
    }

    #[test]
    fn the_query_string_keeps_only_what_is_set() {
        let f = form("wat=koken&mas=ja&waar=");
        assert_eq!(f.to_query_string(), "wat=koken&mas=ja");
        assert_eq!(form(&f.to_query_string()), f);
        // What the form sends with nothing chosen says nothing.
        let f = form("wat=&waar=&straal=15&categorie=&sortering=relevantie&mas=ja");
        assert_eq!(f.to_query_string(), "mas=ja");
    }
}
