//! Validation of records against the rules (ARCHITECTURE.md, Records), with messages a staff member
//! can act on: the field path, what is wrong, and what is allowed.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::places::Pc4;
use crate::vocab::Vocabulary;

/// Longest name or title, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest short text (labels, municipality names, list items), in characters.
pub const MAX_SHORT_CHARS: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 8000;
/// Longest free-text note (services, referral notes), in characters.
pub const MAX_NOTES_CHARS: usize = 4000;
/// Most items in a list field (categories, expertise, requirements, …).
pub const MAX_LIST_ITEMS: usize = 20;

/// Where a record comes from, which decides how strict validation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Typed or imported by our own staff: vocabulary slugs and postcodes must be known.
    Local,
    /// Received from a peer: slugs from a newer vocabulary and postcodes missing from our
    /// table are kept as they are; everything else is checked as for local input.
    Remote,
}

/// One thing wrong with a record (or, as a warning, likely wrong).
///
/// `code` and `values` let a client word the problem in its own language; `message` is
/// the English wording from [`RULES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// Where: a field path such as `location.pc4` or `categories[1]`; empty for the
    /// record as a whole.
    pub path: String,
    /// Which rule, one of the codes in [`RULES`].
    pub code: String,
    /// The values the wording refers to, such as `value`, `max` or `allowed`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// What is wrong and what is allowed, in English.
    pub message: String,
}

/// Every rule a problem can name, with its English wording; `{name}` is replaced by the
/// problem's value of that name. Clients that speak another language keep a wording per
/// code (the CLI's catalogues test that they have every one).
pub const RULES: &[(&str, &str)] = &[
    ("empty", "is empty; fill it in"),
    (
        "too_long",
        "is {chars} characters long; at most {max} are allowed",
    ),
    (
        "control_characters",
        "contains control characters; use plain text",
    ),
    (
        "invisible_characters",
        "contains an invisible or direction-changing character ({codepoint}); remove it, as it can make the text look different from what it says",
    ),
    (
        "unknown_term",
        "`{value}` is not a known {vocabulary}; choose one of: {allowed}",
    ),
    ("invalid_code", "`{value}` is not a valid {vocabulary} code"),
    (
        "too_few",
        "needs at least {min} {vocabulary}; choose from: {allowed}",
    ),
    ("repeated", "`{value}` is listed twice"),
    (
        "too_many_items",
        "has {len} items; at most {max} are allowed",
    ),
    (
        "unknown_postcode",
        "postcode {value} does not exist in the Netherlands; check the four digits",
    ),
    (
        "email",
        "`{value}` is not an e-mail address like info@example.nl",
    ),
    (
        "phone",
        "`{value}` is not a phone number like 076-5221234 or +31 76 522 1234",
    ),
    (
        "url",
        "`{value}` is not a web address like https://www.example.nl",
    ),
    (
        "municipality_needed",
        "name at least one municipality that the steunpunt serves",
    ),
    ("postcode", "`{value}` is not a Dutch postcode like 4811 AB"),
    (
        "peer_id",
        "`{value}` is not a node PeerId (they start with 12D3KooW)",
    ),
    ("lists_itself", "a steunpunt cannot list itself"),
    (
        "vouched_and_blocked",
        "{value} is both vouched for and blocked; choose one",
    ),
    (
        "kvk",
        "`{value}` is not a KvK number; it has exactly 8 digits",
    ),
    (
        "organisation_needed",
        "give the organisation's record id or its name",
    ),
    ("age", "{value} is not a sensible age; use {min} to 99"),
    (
        "age_without_mas",
        "is only meaningful when mas.suitable is true",
    ),
    (
        "hours",
        "{value} is not allowed; give a number from {min} to {max}",
    ),
    ("end_before_start", "{end} is before the start date {start}"),
    ("volunteers_needed", "must be at least 1, or left out"),
    (
        "contact_needed",
        "give an e-mail address, phone number, contact url or apply_url so volunteers can respond",
    ),
    (
        "latitude",
        "{value} is not a latitude; use degrees from -90 to 90",
    ),
    (
        "longitude",
        "{value} is not a longitude; use degrees from -180 to 180",
    ),
    ("lat_lon_pair", "give both lat and lon, or neither"),
    ("managed_id", "a {kind} record always has the id `{kind}`"),
    ("revision", "starts at 1"),
    (
        "not_valid",
        "{valid_until} is not after updated_at {updated_at}; a record must be valid for some time",
    ),
    (
        "valid_too_long",
        "{valid_until} is more than 400 days after updated_at {updated_at}; renew the record instead",
    ),
    ("body_kind", "a {kind} record has a {body} body"),
    (
        "other_kind",
        "these are the fields of a {kind}; publish them as a {kind}",
    ),
    ("version", "must be {version}"),
    ("shape", "has the wrong form; write it like {example}"),
    (
        "shape_or",
        "has the wrong form; write it like {example}, or in short {short}",
    ),
    (
        "unknown_field",
        "is not a field of a {kind}; check the spelling",
    ),
    (
        "record_id",
        "`{value}` cannot be an id: use lowercase letters, digits and dashes, like voorlezen-op-school",
    ),
    (
        "id_needed",
        "give an id, or a title from which one can be made",
    ),
    (
        "date",
        "`{value}` is not a date; write it like 2027-03-01 or 1-3-2027",
    ),
    (
        "end_passed",
        "{end} has passed; a vacancy that has ended cannot be published",
    ),
    (
        "unknown_municipality",
        "`{value}` is not a place in the postcode table; check the spelling, or searches by place will not find it",
    ),
    (
        "postcode_elsewhere",
        "postcode {pc4} is in {place}, {km} km from {municipality}; check the postcode or the municipality",
    ),
    (
        "start_far",
        "{start} is more than a year ahead; check the year",
    ),
    (
        "phone_in_text",
        "looks like a phone number ({found}); put contact details in {use}, where they are known to be personal data and kept in one place",
    ),
    (
        "email_in_text",
        "looks like a personal e-mail address ({found}); put contact details in {use}, where they are known to be personal data and kept in one place",
    ),
    ("vacancies_only", "applies to vacancies only"),
    ("organisations_only", "applies to organisations only"),
    (
        "unknown_place",
        "`{value}` is neither a four-digit postcode nor a Dutch place name",
    ),
    ("limit", "must be 1 to {max}"),
    ("age_needs_mas", "only applies together with mas"),
    (
        "steunpunt_id",
        "`{value}` is not a steunpunt ID (sp_ and 56 letters and digits)",
    ),
    ("needs_near", "needs near (a postcode or a place)"),
    ("radius", "must be above 0 and at most {max}"),
    ("query_too_long", "at most {max} bytes of words"),
    (
        "lowers_valid_until",
        "{requested} is earlier than the current revision's {current}; a record's validity can only be extended (withdraw it to take it down)",
    ),
    (
        "too_large",
        "the record would be larger than 64 KiB; shorten the description or the lists",
    ),
    (
        "no_such_record",
        "there is no {kind} of ours with id `{id}`",
    ),
    (
        "managed_record",
        "the {kind} record is managed by the node: edit config.toml for the profile, use the peer commands for peering",
    ),
    ("own_steunpunt", "that is this steunpunt's own ID"),
    (
        "recovering",
        "this node is getting its own records back from its neighbours after a restore; try again in a minute",
    ),
    (
        "disk_full",
        "the disk holding the node's data is full, so nothing was stored; make room and try again (no restart needed)",
    ),
    (
        "search_behind",
        "the search index could not be updated; the newest changes may be missing from these results until there is room on the disk again",
    ),
    (
        "multiaddr",
        "`{value}` is not a node address like /ip4/192.0.2.10/tcp/4001/p2p/12D3KooW…",
    ),
    (
        "missing_peer_id",
        "the address must end in /p2p/ and the node's PeerId (the neighbour's `steunpunt status` shows it)",
    ),
];

/// The English wording of `code` with `values` filled in; the code itself when unknown.
fn word(code: &str, values: &BTreeMap<String, String>) -> String {
    let Some((_, template)) = RULES.iter().find(|(c, _)| *c == code) else {
        return code.to_owned();
    };
    let mut out = (*template).to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl Problem {
    /// A problem at `path` breaking rule `code`, with the values its wording names.
    pub fn new(path: impl Into<String>, code: &str, values: &[(&str, &dyn fmt::Display)]) -> Self {
        let values: BTreeMap<String, String> = values
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.to_string()))
            .collect();
        debug_assert!(
            RULES.iter().any(|(c, _)| *c == code),
            "no wording for rule `{code}`"
        );
        Self {
            path: path.into(),
            message: word(code, &values),
            code: code.to_owned(),
            values,
        }
    }
}

/// Everything wrong with a record; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The problems, in field order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            p.fmt(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// Collects problems while walking a record, keeping track of the field path.
pub(crate) struct Checker {
    origin: Origin,
    path: Vec<String>,
    problems: Vec<Problem>,
}

impl Checker {
    pub(crate) fn new(origin: Origin) -> Self {
        Self {
            origin,
            path: Vec::new(),
            problems: Vec::new(),
        }
    }

    pub(crate) fn origin(&self) -> Origin {
        self.origin
    }

    /// Runs `check` with `segment` appended to the path.
    pub(crate) fn at(&mut self, segment: impl Into<String>, check: impl FnOnce(&mut Self)) {
        self.path.push(segment.into());
        check(self);
        self.path.pop();
    }

    fn path_to(&self, field: &str) -> String {
        let mut path = String::new();
        for segment in self.path.iter().map(String::as_str).chain([field]) {
            if segment.is_empty() {
                continue;
            }
            if !path.is_empty() && !segment.starts_with('[') {
                path.push('.');
            }
            path.push_str(segment);
        }
        path
    }

    /// Records a problem with `field` (relative to the current path; "" for the path
    /// itself) under rule `code` of [`RULES`].
    pub(crate) fn problem(
        &mut self,
        field: &str,
        code: &str,
        values: &[(&str, &dyn fmt::Display)],
    ) {
        let path = self.path_to(field);
        self.problems.push(Problem::new(path, code, values));
    }

    /// Text that must be present (not blank) and at most `max` characters.
    pub(crate) fn required_text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.problem(field, "empty", &[]);
        } else {
            self.text(field, value, max);
        }
    }

    /// Optional text of at most `max` characters.
    pub(crate) fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(value) = value {
            self.text(field, value, max);
        }
    }

    fn text(&mut self, field: &str, value: &str, max: usize) {
        let chars = value.chars().count();
        if chars > max {
            self.problem(field, "too_long", &[("chars", &chars), ("max", &max)]);
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            self.problem(field, "control_characters", &[]);
        }
        // Overrides and isolates reorder what is shown (U+202E turns "exe.txt" around);
        // no text of ours needs them.
        self.invisible(
            field,
            value,
            |c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'),
        );
    }

    /// A title or name: required text without zero-width characters either, which make
    /// two names that look the same differ (or a name look like another).
    pub(crate) fn name_text(&mut self, field: &str, value: &str, max: usize) {
        self.required_text(field, value, max);
        self.invisible(field, value, |c| {
            matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
        });
    }

    fn invisible(&mut self, field: &str, value: &str, refused: impl Fn(char) -> bool) {
        if let Some(c) = value.chars().find(|c| refused(*c)) {
            let codepoint = format!("U+{:04X}", u32::from(c));
            self.problem(field, "invisible_characters", &[("codepoint", &codepoint)]);
        }
    }

    /// One vocabulary slug.
    pub(crate) fn slug(&mut self, field: &str, value: &str, vocabulary: &Vocabulary) {
        if self.origin == Origin::Local && !vocabulary.contains(value) {
            self.problem(
                field,
                "unknown_term",
                &[
                    ("value", &value),
                    ("vocabulary", &vocabulary.name),
                    ("allowed", &vocabulary.slugs()),
                ],
            );
        } else if !crate::id::is_slug(value) {
            self.problem(
                field,
                "invalid_code",
                &[("value", &value), ("vocabulary", &vocabulary.name)],
            );
        }
    }

    /// A list of vocabulary slugs without repeats, with `min..=MAX_LIST_ITEMS` items.
    pub(crate) fn slugs(
        &mut self,
        field: &str,
        values: &[String],
        vocabulary: &Vocabulary,
        min: usize,
    ) {
        if values.len() < min {
            self.problem(
                field,
                "too_few",
                &[
                    ("min", &min),
                    ("vocabulary", &vocabulary.name),
                    ("allowed", &vocabulary.slugs()),
                ],
            );
        }
        self.list_len(field, values.len());
        for (i, value) in values.iter().enumerate() {
            self.slug(&format!("{field}[{i}]"), value, vocabulary);
            if values[..i].contains(value) {
                self.problem(&format!("{field}[{i}]"), "repeated", &[("value", value)]);
            }
        }
    }

    /// A list of short free-text items.
    pub(crate) fn text_list(&mut self, field: &str, values: &[String]) {
        self.list_len(field, values.len());
        for (i, value) in values.iter().enumerate() {
            self.required_text(&format!("{field}[{i}]"), value, MAX_SHORT_CHARS);
        }
    }

    /// A list of at most `max` items.
    pub(crate) fn at_most(&mut self, field: &str, len: usize, max: usize) {
        if len > max {
            self.problem(field, "too_many_items", &[("len", &len), ("max", &max)]);
        }
    }

    pub(crate) fn list_len(&mut self, field: &str, len: usize) {
        self.at_most(field, len, MAX_LIST_ITEMS);
    }

    /// A postcode: locally it must exist in the PC4 table.
    pub(crate) fn pc4(&mut self, field: &str, value: Pc4) {
        if self.origin == Origin::Local && value.place().is_none() {
            self.problem(field, "unknown_postcode", &[("value", &value)]);
        }
    }

    /// A functional e-mail address.
    pub(crate) fn email(&mut self, field: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        let valid = value.len() <= 254
            && !value.chars().any(char::is_whitespace)
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if !valid {
            self.problem(field, "email", &[("value", &value)]);
        }
    }

    /// A phone number: digits with optional `+`, spaces, dashes, dots and parentheses.
    pub(crate) fn phone(&mut self, field: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        let digits = value.chars().filter(char::is_ascii_digit).count();
        let allowed = value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        if !allowed || !(6..=15).contains(&digits) || value.len() > 32 {
            self.problem(field, "phone", &[("value", &value)]);
        }
    }

    /// A web address (http or https).
    pub(crate) fn url(&mut self, field: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        let ok = value.len() <= 2000
            && url::Url::parse(value)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            self.problem(field, "url", &[("value", &value)]);
        }
    }

    /// Ends the walk.
    pub(crate) fn finish(self) -> Result<(), ValidationError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                problems: self.problems,
            })
        }
    }
}

/// The problems of a label for people (a neighbour's name in the peering list), checked
/// when staff give it, before it reaches a record.
pub fn label_problems(label: &str) -> Vec<Problem> {
    let mut c = Checker::new(Origin::Local);
    c.optional_text("label", Some(label), MAX_SHORT_CHARS);
    c.finish().err().map(|e| e.problems).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::CATEGORIES;

    fn problems(origin: Origin, check: impl FnOnce(&mut Checker)) -> Vec<Problem> {
        let mut c = Checker::new(origin);
        check(&mut c);
        c.finish().err().map(|e| e.problems).unwrap_or_default()
    }

    #[test]
    fn paths_nest() {
        let p = problems(Origin::Local, |c| {
            c.at("location", |c| c.problem("pc4", "empty", &[]));
            c.problem("categories[1]", "empty", &[]);
        });
        assert_eq!(p[0].path, "location.pc4");
        assert_eq!(p[1].path, "categories[1]");
    }

    #[test]
    fn unknown_slug_lists_the_valid_ones_locally_only() {
        let local = problems(Origin::Local, |c| c.slug("category", "zorgen", &CATEGORIES));
        assert!(
            local[0]
                .message
                .contains("zorg-verzorging, welzijn-sociale-hulpverlening")
        );
        assert!(
            problems(Origin::Remote, |c| c.slug(
                "category",
                "nieuw-veld",
                &CATEGORIES
            ))
            .is_empty()
        );
        assert_eq!(
            problems(Origin::Remote, |c| c.slug(
                "category",
                "Not A Slug",
                &CATEGORIES
            ))
            .len(),
            1
        );
    }

    #[test]
    fn text_rules() {
        assert!(
            problems(Origin::Local, |c| c.required_text(
                "title",
                "Voorlezen",
                200
            ))
            .is_empty()
        );
        assert_eq!(
            problems(Origin::Local, |c| c.required_text("title", "  ", 200))[0].message,
            "is empty; fill it in"
        );
        let long = "a".repeat(201);
        assert!(
            problems(Origin::Local, |c| c.required_text("title", &long, 200))[0]
                .message
                .contains("at most 200")
        );
        assert_eq!(
            problems(Origin::Local, |c| c.required_text("title", "a\u{7}b", 200)).len(),
            1
        );
        assert!(
            problems(Origin::Local, |c| c.required_text(
                "d",
                "regel 1\nregel 2\tx",
                200
            ))
            .is_empty()
        );
    }

    #[test]
    fn contact_rules() {
        for ok in ["info@steunpunt-breda.nl", "a.b+c@x.example.org"] {
            assert!(
                problems(Origin::Local, |c| c.email("e", Some(ok))).is_empty(),
                "{ok}"
            );
        }
        for bad in [
            "info", "info@", "@x.nl", "a@b", "a b@c.nl", "a@@b.nl", "a@b.nl.",
        ] {
            assert_eq!(
                problems(Origin::Local, |c| c.email("e", Some(bad))).len(),
                1,
                "{bad}"
            );
        }
        for ok in ["076-5221234", "+31 76 522 1234", "(076) 522.12.34"] {
            assert!(
                problems(Origin::Local, |c| c.phone("p", Some(ok))).is_empty(),
                "{ok}"
            );
        }
        for bad in ["12345", "bel ons", "+31 76 522 1234 1234 1234"] {
            assert_eq!(
                problems(Origin::Local, |c| c.phone("p", Some(bad))).len(),
                1,
                "{bad}"
            );
        }
        for ok in ["https://www.example.nl", "http://example.nl/pad?x=1"] {
            assert!(
                problems(Origin::Local, |c| c.url("u", Some(ok))).is_empty(),
                "{ok}"
            );
        }
        for bad in [
            "www.example.nl",
            "ftp://example.nl",
            "javascript:alert(1)",
            "https://",
        ] {
            assert_eq!(
                problems(Origin::Local, |c| c.url("u", Some(bad))).len(),
                1,
                "{bad}"
            );
        }
    }

    #[test]
    fn unknown_pc4_is_an_error_locally_only() {
        let local = problems(Origin::Local, |c| c.pc4("pc4", Pc4(1000)));
        assert!(local[0].message.contains("does not exist"));
        assert!(problems(Origin::Remote, |c| c.pc4("pc4", Pc4(1000))).is_empty());
        assert!(problems(Origin::Local, |c| c.pc4("pc4", Pc4(4811))).is_empty());
    }

    #[test]
    fn lists_repeat_and_length() {
        let twice = vec!["zorg-verzorging".to_owned(), "zorg-verzorging".to_owned()];
        assert_eq!(
            problems(Origin::Local, |c| c.slugs(
                "categories",
                &twice,
                &CATEGORIES,
                1
            ))
            .len(),
            1
        );
        assert_eq!(
            problems(Origin::Local, |c| c.slugs(
                "categories",
                &[],
                &CATEGORIES,
                1
            ))
            .len(),
            1
        );
        let many: Vec<String> = (0..21).map(|i| format!("eis {i}")).collect();
        assert_eq!(
            problems(Origin::Local, |c| c.text_list("requirements", &many)).len(),
            1
        );
    }
}
