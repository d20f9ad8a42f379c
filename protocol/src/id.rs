//! What names a record: its kind, its id (a slug chosen by the author) and its key
//! (author, kind, id). A leaf module: everything else refers to records through these.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::keys::SteunpuntId;

/// Longest record id.
pub const MAX_ID_LEN: usize = 64;

/// The kind of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A steunpunt's profile (one per steunpunt).
    Profile,
    /// A steunpunt's peering declaration (one per steunpunt).
    Peering,
    /// A partner organisation.
    Organisation,
    /// A volunteer vacancy.
    Vacancy,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 4] = [
        Kind::Profile,
        Kind::Peering,
        Kind::Organisation,
        Kind::Vacancy,
    ];

    /// The lower-case name used on the wire, in the API and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Profile => "profile",
            Kind::Peering => "peering",
            Kind::Organisation => "organisation",
            Kind::Vacancy => "vacancy",
        }
    }

    /// Whether a steunpunt has exactly one record of this kind, with the kind as its id.
    pub fn is_singleton(self) -> bool {
        matches!(self, Kind::Profile | Kind::Peering)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!("`{s}` is not a record kind; use profile, peering, organisation or vacancy")
            })
    }
}

/// Whether `text` is a slug: 1–64 of `a–z`, `0–9` and `-`, starting with a letter or digit.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_ID_LEN
        && !text.starts_with('-')
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A record id: a short slug chosen by the author, unique per author and kind.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecordId(String);

impl RecordId {
    /// Checks and wraps an id.
    pub fn new(text: impl Into<String>) -> Result<Self, String> {
        let text = text.into();
        if is_slug(&text) {
            Ok(Self(text))
        } else {
            Err(format!(
                "`{text}` is not a valid id; use 1 to {MAX_ID_LEN} lower-case letters, digits and hyphens, starting with a letter or digit"
            ))
        }
    }

    /// Makes an id from free text (a title), e.g. `Voorlezen op school!` → `voorlezen-op-school`.
    /// Returns `None` if nothing usable remains.
    pub fn slugify(text: &str) -> Option<Self> {
        let mut slug = String::new();
        for c in crate::text::fold(text).chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
            if slug.len() >= MAX_ID_LEN {
                break;
            }
        }
        let slug = slug.trim_end_matches('-').to_owned();
        Self::new(slug).ok()
    }

    /// The `n`th id made from the same title: `voorlezen-op-school-2` for 2, shortened
    /// where needed to stay within [`MAX_ID_LEN`]. The first is the id itself.
    pub fn numbered(&self, n: u32) -> Self {
        if n <= 1 {
            return self.clone();
        }
        let suffix = format!("-{n}");
        let room = MAX_ID_LEN.saturating_sub(suffix.len());
        let base = self.0[..self.0.len().min(room)].trim_end_matches('-');
        Self(format!("{base}{suffix}"))
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id of a steunpunt's one profile record.
    pub fn profile() -> Self {
        Self(Kind::Profile.as_str().to_owned())
    }

    /// The id of a steunpunt's one peering record.
    pub fn peering() -> Self {
        Self(Kind::Peering.as_str().to_owned())
    }
}

impl TryFrom<String> for RecordId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<RecordId> for String {
    fn from(value: RecordId) -> Self {
        value.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordId({})", self.0)
    }
}

/// What identifies a record across revisions: (author, kind, id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RecordKey {
    /// The publishing steunpunt.
    pub author: SteunpuntId,
    /// The kind.
    pub kind: Kind,
    /// The author's id for it.
    pub id: RecordId,
}

impl RecordKey {
    /// The key of `author`'s profile record.
    pub fn profile(author: SteunpuntId) -> Self {
        Self {
            author,
            kind: Kind::Profile,
            id: RecordId::profile(),
        }
    }

    /// The key of `author`'s peering record.
    pub fn peering(author: SteunpuntId) -> Self {
        Self {
            author,
            kind: Kind::Peering,
            id: RecordId::peering(),
        }
    }
}
