//! Reading a draft as staff write it: the short forms that are unambiguous, Dutch dates,
//! vocabulary terms in any case; and every problem of its shape at once, each with the
//! field path and an example of the right form. Then the checks that depend on the clock
//! or the postcode table: an end date that has passed refuses the draft, likely mistakes
//! become warnings.

use serde_json::{Map, Value, json};
use steunpunt_protocol::body::vacancy::hours_range;
use steunpunt_protocol::body::{Location, Organisation, Vacancy};
use steunpunt_protocol::places::{canonical_place_name, distance_km, place_centre};
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::{Body, Date, Kind, Problem, RecordId, Timestamp};

use super::ApiError;
use crate::replication::EngineError;

/// A postcode this far from the centre of the municipality given with it is most likely
/// wrong; villages of a municipality lie closer.
const POSTCODE_ELSEWHERE_KM: f64 = 12.0;
/// A start date further ahead than this is most likely a typo in the year.
const START_AHEAD_MS: u64 = 366 * DAY_MS;

/// What a draft says, read.
pub(super) struct Read {
    pub body: Body,
    pub id: RecordId,
    /// No id was given: `id` was made from the title.
    pub id_from_title: bool,
    pub valid_until: Option<Timestamp>,
}

/// The form each top-level field takes, and an example of it, for the shape problems.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Text,
    List,
    Object,
    Number,
    Flag,
}

/// Every field a draft of `kind` takes, with its form and an example.
fn forms(kind: Kind) -> &'static [(&'static str, Form, &'static str)] {
    match kind {
        Kind::Vacancy => &[
            ("id", Form::Text, r#""voorlezen-op-school""#),
            ("title", Form::Text, r#""Voorlezen op de basisschool""#),
            (
                "description",
                Form::Text,
                r#""Lees wekelijks voor aan groep 3.""#,
            ),
            (
                "organisation",
                Form::Object,
                r#"{"name": "OBS De Vlier"} or "OBS De Vlier""#,
            ),
            ("categories", Form::List, r#"["onderwijs-school"]"#),
            ("target_groups", Form::List, r#"["kinderen"]"#),
            ("engagement", Form::Text, r#""structureel""#),
            ("remote", Form::Flag, "false"),
            (
                "mas",
                Form::Object,
                r#"{"suitable": true, "min_age": 14} or true or 14"#,
            ),
            ("hours_per_week", Form::Number, "2"),
            ("time_of_day", Form::List, r#"["middag"]"#),
            ("start", Form::Text, r#""2027-03-01""#),
            ("end", Form::Text, r#""2027-06-30""#),
            (
                "location",
                Form::Object,
                r#"{"municipality": "Breda", "pc4": "4811"} or "4811 Breda""#,
            ),
            ("requirements", Form::List, r#"["Geduld"]"#),
            ("rewards", Form::List, r#"["Onkostenvergoeding"]"#),
            ("volunteers_needed", Form::Number, "2"),
            (
                "contact",
                Form::Object,
                r#"{"email": "info@devlier.nl", "phone": "076-5221234"} or "info@devlier.nl""#,
            ),
            (
                "apply_url",
                Form::Text,
                r#""https://www.devlier.nl/vrijwilligers""#,
            ),
            ("valid_until", Form::Text, r#""2027-06-30""#),
        ],
        _ => &[
            ("id", Form::Text, r#""taalhuis-breda""#),
            ("name", Form::Text, r#""Taalhuis Breda""#),
            ("kind", Form::Text, r#""stichting""#),
            ("kvk", Form::Text, r#""12345678""#),
            ("description", Form::Text, r#""Taallessen en taalmaatjes.""#),
            ("website", Form::Text, r#""https://www.taalhuisbreda.nl""#),
            (
                "contact",
                Form::Object,
                r#"{"email": "info@taalhuis.nl", "phone": "076-5221234"} or "info@taalhuis.nl""#,
            ),
            (
                "location",
                Form::Object,
                r#"{"municipality": "Breda", "pc4": "4811"} or "4811 Breda""#,
            ),
            ("expertise", Form::List, r#"["taal"]"#),
            ("target_groups", Form::List, r#"["nieuwkomers"]"#),
            ("relation", Form::Text, r#""partner""#),
            ("services", Form::Text, r#""Intake op dinsdag""#),
            ("vetted_on", Form::Text, r#""2026-09-01""#),
            ("valid_until", Form::Text, r#""2027-09-01""#),
        ],
    }
}

/// Examples of nested fields, for shape problems deeper in a draft.
const NESTED: &[(&str, &str)] = &[
    ("organisation.name", r#""OBS De Vlier""#),
    ("organisation.id", r#""obs-de-vlier""#),
    ("mas.suitable", "true"),
    ("mas.min_age", "14"),
    ("location.municipality", r#""Breda""#),
    ("location.pc4", r#""4811""#),
    ("location.lat", "51.589"),
    ("location.lon", "4.776"),
    ("contact.email", r#""info@devlier.nl""#),
    ("contact.phone", r#""076-5221234""#),
    ("contact.url", r#""https://www.devlier.nl""#),
    ("contact.person", r#""Anna de Vries""#),
];

fn shape(kind: Kind, path: &str) -> Problem {
    let top = path.split(['.', '[']).next().unwrap_or(path);
    let example = NESTED
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, e)| *e)
        .or_else(|| {
            let (_, form, example) = forms(kind).iter().find(|(f, _, _)| *f == top)?;
            // An item of a list: one text of the example list.
            Some(if path.ends_with(']') && *form == Form::List {
                r#""…""#
            } else {
                example
            })
        })
        .unwrap_or(r#""…""#);
    match example.split_once(" or ") {
        Some((full, short)) => {
            Problem::new(path, "shape_or", &[("example", &full), ("short", &short)])
        }
        None => Problem::new(path, "shape", &[("example", &example)]),
    }
}

/// `1-3-2027`, `01-03-2027`, `1/3/2027` or `1.3.2027` (day, month, year, as the
/// Netherlands writes dates and Excel saves them) as `2027-03-01`.
fn iso_date(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.trim().split(['-', '/', '.']).collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    let digits = |s: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit())
    };
    if !(digits(day, 1..=2) && digits(month, 1..=2) && digits(year, 4..=4)) {
        return None;
    }
    Some(format!("{year}-{month:0>2}-{day:0>2}"))
}

/// Rewrites the unambiguous short forms into the full ones and checks the form of every
/// top-level field; a field of the wrong form is a problem.
fn normalise(
    kind: Kind,
    fields: &mut Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> Vec<(&'static str, String)> {
    let mut typed = Vec::new();
    fields.values_mut().for_each(whole_numbers);
    if let Some(Value::String(name)) = fields.get("organisation") {
        let name = name.trim().to_owned();
        fields.insert("organisation".into(), json!({ "name": name }));
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
        fields.insert("contact".into(), json!({ field: text }));
    }
    if let Some(Value::String(text)) = fields.get("location") {
        let words: Vec<&str> = text.split_whitespace().collect();
        let is_pc4 = |w: &&str| w.len() == 4 && w.chars().all(|c| c.is_ascii_digit());
        let location = match words.as_slice() {
            [first, rest @ ..] if is_pc4(first) && !rest.is_empty() => {
                json!({ "pc4": first, "municipality": rest.join(" ") })
            }
            [rest @ .., last] if is_pc4(last) && !rest.is_empty() => {
                json!({ "pc4": last, "municipality": rest.join(" ") })
            }
            _ => json!({ "municipality": text.trim() }),
        };
        fields.insert("location".into(), location);
    }
    match fields.get("mas") {
        Some(Value::Bool(suitable)) => {
            let suitable = *suitable;
            fields.insert("mas".into(), json!({ "suitable": suitable }));
        }
        Some(Value::Number(age)) => {
            let age = age.clone();
            fields.insert("mas".into(), json!({ "suitable": true, "min_age": age }));
        }
        _ => {}
    }
    for field in ["start", "end", "vetted_on", "valid_until"] {
        if let Some(Value::String(text)) = fields.get_mut(field) {
            typed.push((field, text.trim().to_owned()));
            if let Some(iso) = iso_date(text) {
                *text = iso;
            } else {
                *text = text.trim().to_owned();
            }
        }
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
    // Hours become a 32-bit float in the record, so they are checked as sent first: 1e-300
    // would become 0, 80.000000000001 would become 80.
    let allowed = hours_range();
    if kind == Kind::Vacancy
        && let Some(Value::Number(number)) = fields.get("hours_per_week")
        && let Some(hours) = number.as_f64()
        && !allowed.contains(&hours)
    {
        let (min, max) = allowed.into_inner();
        problems.push(Problem::new(
            "hours_per_week",
            "hours",
            &[("value", &hours), ("min", &min), ("max", &max)],
        ));
        fields.insert("hours_per_week".into(), Value::Null);
    }
    // The form of each field; `null` means "not given" for every optional one.
    for &(field, form, example) in forms(kind) {
        let Some(value) = fields.get(field) else {
            continue;
        };
        let fits = match (form, value) {
            (_, Value::Null) => true,
            (Form::Text, Value::String(_))
            | (Form::List, Value::Array(_))
            | (Form::Object, Value::Object(_))
            | (Form::Number, Value::Number(_))
            | (Form::Flag, Value::Bool(_)) => true,
            // `valid_until` may also be milliseconds since 1970.
            (Form::Text, Value::Number(_)) => field == "valid_until",
            _ => false,
        };
        if !fits {
            problems.push(shape(kind, field));
            // The example stands in, so that reading goes on to find the other problems.
            let stand_in = example.split(" or ").next().unwrap_or(example);
            fields.insert(
                field.to_owned(),
                serde_json::from_str(stand_in).unwrap_or(Value::Null),
            );
        }
    }
    typed
}

/// Parses the body fields strictly: every unknown field is named, so a typo such as
/// `titel` is not silently dropped; a value of the wrong form is named by its path.
fn parse_body<T: serde::de::DeserializeOwned>(
    kind: Kind,
    fields: Map<String, Value>,
    typed: &[(&str, String)],
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let mut unknown = Vec::new();
    let mut note = |path: serde_ignored::Path<'_>| unknown.push(path.to_string());
    let ignored = serde_ignored::Deserializer::new(Value::Object(fields), &mut note);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(ignored);
    for path in unknown {
        problems.push(Problem::new(path, "unknown_field", &[("kind", &kind)]));
    }
    match parsed {
        Ok(body) => Some(body),
        Err(e) => {
            let path = e.path().to_string();
            let problem = match (e.inner().to_string(), path.as_str()) {
                (_, "start" | "end" | "vetted_on") => {
                    // As typed, not as rewritten from a Dutch date.
                    let value = typed
                        .iter()
                        .find(|(field, _)| *field == path)
                        .map_or("", |(_, text)| text.as_str());
                    Problem::new(path.as_str(), "date", &[("value", &value)])
                }
                // A field that must be given is missing.
                (message, _) if message.starts_with("missing field") => {
                    let field = message.split('`').nth(1).unwrap_or_default();
                    let full = if path == "." || path.is_empty() {
                        field.to_owned()
                    } else {
                        format!("{path}.{field}")
                    };
                    Problem::new(full, "empty", &[])
                }
                _ => shape(kind, &path),
            };
            problems.push(problem);
            None
        }
    }
}

/// Reads `valid_until`: a date (valid through that day), a date and time, or
/// milliseconds since 1970.
fn valid_until(value: &Value, problems: &mut Vec<Problem>) -> Option<Timestamp> {
    let read = match value {
        Value::String(text) => Date::parse(text)
            .map(|date| date.start().plus_ms(DAY_MS))
            .or_else(|_| Timestamp::parse_deadline(text))
            .ok(),
        Value::Number(n) => n.as_u64().map(Timestamp),
        _ => None,
    };
    if read.is_none() {
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        problems.push(Problem::new("valid_until", "date", &[("value", &text)]));
    }
    read
}

/// Writes `10.0` as `10`: JSON has one kind of number, and a spreadsheet or script may
/// write a whole number with a decimal point where a count or an age is asked.
fn whole_numbers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|f| f.fract() == 0.0)
                && number.is_f64()
                && float.abs() < 9.0e15
            {
                #[allow(clippy::cast_possible_truncation)]
                let whole = float as i64;
                *number = whole.into();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// Reads a draft of `kind`, or says everything wrong with its form at once.
pub(super) fn read(kind: Kind, draft: Value) -> Result<Read, ApiError> {
    if matches!(kind, Kind::Profile | Kind::Peering) {
        return Err(EngineError::Managed(kind).into());
    }
    let Value::Object(mut fields) = draft else {
        return Err(ApiError::invalid(vec![Problem::new(
            "",
            "shape",
            &[("example", &r#"{"title": "…", …}"#)],
        )]));
    };
    // A vacancy's fields sent as an organisation, or the other way round: one problem
    // that says so, rather than each field named as unknown.
    let other = if kind == Kind::Vacancy {
        Kind::Organisation
    } else {
        Kind::Vacancy
    };
    let takes = |kind: Kind, field: &str| forms(kind).iter().any(|(name, ..)| *name == field);
    if fields.keys().any(|f| takes(other, f) && !takes(kind, f))
        && !fields.keys().any(|f| takes(kind, f) && !takes(other, f))
    {
        return Err(ApiError::invalid(vec![Problem::new(
            "",
            "other_kind",
            &[("kind", &other)],
        )]));
    }
    let mut problems = Vec::new();
    let typed = normalise(kind, &mut fields, &mut problems);
    let given_id = fields.remove("id");
    let id_from_title = matches!(given_id, None | Some(Value::Null));
    let valid_until = fields
        .remove("valid_until")
        .filter(|v| !v.is_null())
        .and_then(|v| valid_until(&v, &mut problems));
    let body = match kind {
        Kind::Vacancy => {
            parse_body::<Vacancy>(kind, fields, &typed, &mut problems).map(Body::Vacancy)
        }
        // Organisations; the node's own kinds were refused above.
        _ => {
            parse_body::<Organisation>(kind, fields, &typed, &mut problems).map(Body::Organisation)
        }
    };
    let title = match &body {
        Some(Body::Vacancy(v)) => Some(v.title.as_str()),
        Some(Body::Organisation(o)) => Some(o.name.as_str()),
        _ => None,
    };
    let id = match given_id {
        Some(Value::String(id)) => RecordId::new(id.clone())
            .map_err(|_| problems.push(Problem::new("id", "record_id", &[("value", &id)])))
            .ok(),
        Some(Value::Null) | None => match title {
            Some(title) => RecordId::slugify(title)
                .ok_or_else(|| problems.push(Problem::new("id", "id_needed", &[])))
                .ok(),
            None => None,
        },
        Some(_) => {
            problems.push(shape(kind, "id"));
            None
        }
    };
    match (body, id) {
        (Some(body), Some(id)) if problems.is_empty() => Ok(Read {
            body,
            id,
            id_from_title,
            valid_until,
        }),
        (body, _) => {
            // The content's own problems too, so one round shows everything; not those
            // inside a field that already has the wrong form (an example stood in).
            if let Some(body) = body {
                let shaped: Vec<String> = problems.iter().map(|p| p.path.clone()).collect();
                let inside = |path: &str| {
                    shaped.iter().any(|s| {
                        path == s
                            || path.starts_with(&format!("{s}."))
                            || path.starts_with(&format!("{s}["))
                    })
                };
                problems.extend(body.problems().into_iter().filter(|p| !inside(&p.path)));
            }
            Err(ApiError::invalid(problems))
        }
    }
}

/// Refuses what cannot be right at `now`: a vacancy whose end date has passed.
pub(super) fn refusals(body: &Body, now: Timestamp) -> Result<(), ApiError> {
    if let Body::Vacancy(v) = body
        && let Some(end) = v.end
        && end.start().plus_ms(DAY_MS) <= now
    {
        return Err(ApiError::invalid(vec![Problem::new(
            "end",
            "end_passed",
            &[("end", &end)],
        )]));
    }
    Ok(())
}

/// Likely mistakes that do not stop publishing: a municipality missing from the postcode
/// table (searches by place would not find the record), a postcode far from the
/// municipality given with it, a start date more than a year ahead.
pub(super) fn warnings(body: &Body, now: Timestamp) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    let location: Option<&Location> = match body {
        Body::Vacancy(v) => Some(&v.location),
        Body::Organisation(o) => Some(&o.location),
        _ => None,
    };
    if let Some(location) = location {
        let municipality = location.municipality.trim();
        match place_centre(municipality) {
            None if !municipality.is_empty() => out.push(Problem::new(
                "location.municipality",
                "unknown_municipality",
                &[("value", &municipality)],
            )),
            None => {}
            Some(centre) => {
                if let Some(place) = location.pc4.and_then(|pc4| pc4.place()) {
                    let km = distance_km(centre, (place.lat, place.lon));
                    let same =
                        canonical_place_name(place.name) == canonical_place_name(municipality);
                    if !same && km > POSTCODE_ELSEWHERE_KM {
                        out.push(Problem::new(
                            "location.pc4",
                            "postcode_elsewhere",
                            &[
                                ("pc4", &place.pc4),
                                ("place", &place.name),
                                ("km", &format!("{km:.0}")),
                                ("municipality", &municipality),
                            ],
                        ));
                    }
                }
            }
        }
    }
    if let Body::Vacancy(v) = body
        && let Some(start) = v.start
        && start.start() > now.plus_ms(START_AHEAD_MS)
    {
        out.push(Problem::new("start", "start_far", &[("start", &start)]));
    }
    let free_text: Vec<(&str, &str)> = match body {
        Body::Vacancy(v) => vec![("title", &v.title), ("description", &v.description)],
        Body::Organisation(o) => {
            let mut texts = vec![("description", o.description.as_str())];
            texts.extend(o.services.as_deref().map(|s| ("services", s)));
            texts
        }
        _ => Vec::new(),
    };
    for (field, text) in free_text {
        if let Some(phone) = phone_number_in(text) {
            out.push(Problem::new(
                field,
                "phone_in_text",
                &[("found", &phone), ("use", &"contact.phone")],
            ));
        }
        if let Some(email) = personal_email_in(text) {
            out.push(Problem::new(
                field,
                "email_in_text",
                &[("found", &email), ("use", &"contact.email")],
            ));
        }
    }
    out
}

/// The first thing in `text` that looks like a Dutch phone number: at least nine digits,
/// starting with 0 or +31, with only spaces, dashes, dots or brackets between them (so
/// a date, a postcode or opening hours are not one).
fn phone_number_in(text: &str) -> Option<String> {
    let is_part = |c: char| c.is_ascii_digit() || " -.()/+".contains(c);
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit() || c == '+') {
        let run: &str = &rest[start..];
        let end = run.find(|c: char| !is_part(c)).unwrap_or(run.len());
        let candidate = run[..end].trim_end_matches(|c: char| !c.is_ascii_digit());
        let digits: String = candidate.chars().filter(char::is_ascii_digit).collect();
        let dutch = candidate.starts_with('0') || candidate.starts_with("+31");
        if dutch && (9..=13).contains(&digits.len()) && !looks_like_times(candidate) {
            return Some(candidate.to_owned());
        }
        rest = &run[end.max(1)..];
    }
    None
}

/// "09.00-12.00" or "9:00 - 17:00": hours, not a number to call.
fn looks_like_times(candidate: &str) -> bool {
    candidate
        .split(['-', '/'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .all(|part| {
            let pieces: Vec<&str> = part.split(['.', ':']).collect();
            pieces.len() == 2 && pieces.iter().all(|p| (1..=2).contains(&p.len()))
        })
}

/// Addresses that name a role, not a person: fine in a description.
const ROLE_ADDRESSES: [&str; 14] = [
    "info",
    "contact",
    "vrijwilligers",
    "vrijwilligerswerk",
    "vacatures",
    "aanmelden",
    "secretariaat",
    "administratie",
    "post",
    "mail",
    "receptie",
    "algemeen",
    "welkom",
    "hallo",
];

/// The first e-mail address in `text` whose name part is not a role (info@, …).
fn personal_email_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || "<>(),;:\"'".contains(c))
        .map(|word| word.trim_end_matches(['.', '!', '?']))
        .filter(|word| {
            word.split_once('@').is_some_and(|(name, domain)| {
                !name.is_empty() && domain.contains('.') && !domain.starts_with('.')
            })
        })
        .find(|word| {
            let name = word.split('@').next().unwrap_or_default().to_lowercase();
            !ROLE_ADDRESSES.contains(&name.as_str())
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn phone_numbers_and_personal_addresses_in_free_text_are_found() {
        for (text, found) in [
            ("Bel Anja op 06-12345678.", Some("06-12345678")),
            ("Telefoon: 076 522 12 34 (ma-vr)", Some("076 522 12 34")),
            ("of +31 6 1234 5678", Some("+31 6 1234 5678")),
            ("Start 2027-03-01, postcode 4811 XS", None),
            ("Open van 09.00-12.00 en 13:30 - 17:00 uur", None),
            ("Voor 10 tot 12 kinderen van 4 tot 8 jaar", None),
        ] {
            assert_eq!(phone_number_in(text).as_deref(), found, "{text}");
        }
        for (text, found) in [
            (
                "Mail anja.devries@gmail.com voor meer",
                Some("anja.devries@gmail.com"),
            ),
            (
                "Schrijf naar <p.jansen@buurthuis.nl>.",
                Some("p.jansen@buurthuis.nl"),
            ),
            (
                "Meer weten? info@buurthuis.nl of vrijwilligers@bieb.nl",
                None,
            ),
            ("Volg @buurthuis op sociale media", None),
        ] {
            assert_eq!(personal_email_in(text).as_deref(), found, "{text}");
        }
    }

    #[test]
    fn dutch_dates_become_iso() {
        assert_eq!(iso_date("1-3-2027").as_deref(), Some("2027-03-01"));
        assert_eq!(iso_date("01-03-2027").as_deref(), Some("2027-03-01"));
        assert_eq!(iso_date(" 31/12/2027 ").as_deref(), Some("2027-12-31"));
        assert_eq!(iso_date("1.3.2027").as_deref(), Some("2027-03-01"));
        assert_eq!(iso_date("2027-03-01"), None);
        assert_eq!(iso_date("1-3-27"), None);
    }

    fn problems(kind: Kind, draft: Value) -> Vec<Problem> {
        match read(kind, draft) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems,
        }
    }

    #[test]
    fn every_wrong_form_is_named_with_an_example() {
        let found = problems(
            Kind::Vacancy,
            json!({
                "title": "Voorlezen",
                "description": "Lees voor",
                "organisation": 5,
                "categories": "onderwijs-school",
                "engagement": "structureel",
                "location": ["Breda"],
                "contact": "info@devlier.nl",
                "titel": "x",
            }),
        );
        let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["organisation", "categories", "location", "titel"]);
        assert!(found[0].values["example"].contains(r#""OBS De Vlier""#));
        assert!(found[2].values["short"].contains("4811 Breda"));
        assert_eq!(found[3].code, "unknown_field");
    }

    #[test]
    fn every_example_stands_in() {
        for kind in [Kind::Vacancy, Kind::Organisation] {
            for (field, _, example) in forms(kind) {
                let first = example.split(" or ").next().unwrap();
                assert!(
                    serde_json::from_str::<Value>(first).is_ok(),
                    "{field}: {example}"
                );
            }
        }
    }

    #[test]
    fn nested_forms_and_dates_name_their_path() {
        let base = json!({
            "title": "Voorlezen",
            "description": "Lees voor",
            "organisation": "OBS De Vlier",
            "categories": ["onderwijs-school"],
            "engagement": "structureel",
            "location": {"municipality": "Breda", "pc4": true},
            "contact": "info@devlier.nl",
        });
        let found = problems(Kind::Vacancy, base.clone());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].path.as_str(), found[0].code.as_str()),
            ("location.pc4", "shape")
        );
        assert_eq!(found[0].values["example"], r#""4811""#);
        let mut late = base;
        late["location"] = json!("Breda");
        late["start"] = json!("maart");
        let found = problems(Kind::Vacancy, late);
        assert_eq!(
            (found[0].path.as_str(), found[0].code.as_str()),
            ("start", "date")
        );
        assert_eq!(found[0].values["value"], "maart");
    }
}
