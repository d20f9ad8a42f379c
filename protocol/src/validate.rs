//! Validation of records against the rules (ARCHITECTURE.md, Records), with messages a staff member
//! can act on: the field path, what is wrong, and what is allowed.

use std::fmt;

use serde::Serialize;

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

/// One thing wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where: a field path such as `location.pc4` or `categories[1]`.
    pub path: String,
    /// What is wrong and what is allowed.
    pub message: String,
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
            write!(f, "{}: {}", p.path, p.message)?;
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

    /// Records a problem with `field` (relative to the current path; "" for the path itself).
    pub(crate) fn problem(&mut self, field: &str, message: impl Into<String>) {
        let path = self.path_to(field);
        self.problems.push(Problem {
            path,
            message: message.into(),
        });
    }

    /// Text that must be present (not blank) and at most `max` characters.
    pub(crate) fn required_text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.problem(field, "is empty; fill it in");
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
            self.problem(
                field,
                format!("is {chars} characters long; at most {max} are allowed"),
            );
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            self.problem(field, "contains control characters; use plain text");
        }
    }

    /// One vocabulary slug.
    pub(crate) fn slug(&mut self, field: &str, value: &str, vocabulary: &Vocabulary) {
        if self.origin == Origin::Local && !vocabulary.contains(value) {
            self.problem(
                field,
                format!(
                    "`{value}` is not a known {}; choose one of: {}",
                    vocabulary.name,
                    vocabulary.slugs()
                ),
            );
        } else if !crate::id::is_slug(value) {
            self.problem(
                field,
                format!("`{value}` is not a valid {} code", vocabulary.name),
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
                format!(
                    "needs at least {min} {}; choose from: {}",
                    vocabulary.name,
                    vocabulary.slugs()
                ),
            );
        }
        self.list_len(field, values.len());
        for (i, value) in values.iter().enumerate() {
            self.slug(&format!("{field}[{i}]"), value, vocabulary);
            if values[..i].contains(value) {
                self.problem(
                    &format!("{field}[{i}]"),
                    format!("`{value}` is listed twice"),
                );
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

    pub(crate) fn list_len(&mut self, field: &str, len: usize) {
        if len > MAX_LIST_ITEMS {
            self.problem(
                field,
                format!("has {len} items; at most {MAX_LIST_ITEMS} are allowed"),
            );
        }
    }

    /// A postcode: locally it must exist in the PC4 table.
    pub(crate) fn pc4(&mut self, field: &str, value: Pc4) {
        if self.origin == Origin::Local && value.place().is_none() {
            self.problem(
                field,
                format!(
                    "postcode {value} does not exist in the Netherlands; check the four digits"
                ),
            );
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
            self.problem(
                field,
                format!("`{value}` is not an e-mail address like info@example.nl"),
            );
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
            self.problem(
                field,
                format!("`{value}` is not a phone number like 076-5221234 or +31 76 522 1234"),
            );
        }
    }

    /// A web address (http or https).
    pub(crate) fn url(&mut self, field: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        let ok = value.len() <= 2000
            && url::Url::parse(value)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            self.problem(
                field,
                format!("`{value}` is not a web address like https://www.example.nl"),
            );
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
            c.at("location", |c| c.problem("pc4", "x"));
            c.problem("categories[1]", "y");
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
