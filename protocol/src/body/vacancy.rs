//! The `vacancy` record: volunteer work offered by a local organisation.

use serde::{Deserialize, Serialize};

use super::common::{Contact, Location, is_false};
use crate::id::RecordId;
use crate::timestamp::Date;
use crate::validate::{Checker, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS};
use crate::vocab::{CATEGORIES, ENGAGEMENTS, TARGET_GROUPS, TIMES_OF_DAY};

/// Youngest age a MaS placement may state.
pub const MIN_MAS_AGE: u8 = 10;
/// Fewest hours per week a vacancy may state (six minutes); also keeps tiny numbers from
/// turning into 0 in the record's 32-bit float.
pub const MIN_HOURS_PER_WEEK: f32 = 0.1;
/// Most hours per week a vacancy may ask.
pub const MAX_HOURS_PER_WEEK: f32 = 80.0;

/// A volunteer vacancy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Vacancy {
    /// Short title.
    pub title: String,
    /// What the work is.
    pub description: String,
    /// The organisation offering the work.
    #[serde(default)]
    pub organisation: OrganisationRef,
    /// Fields of work (vocabulary `category`), at least one.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Target groups (vocabulary `target group`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_groups: Vec<String>,
    /// How volunteers engage (vocabulary `engagement`).
    pub engagement: String,
    /// Whether the work can be done remotely.
    #[serde(default, skip_serializing_if = "is_false")]
    pub remote: bool,
    /// Suitability for a maatschappelijke stage.
    #[serde(default, skip_serializing_if = "Mas::is_unsuitable")]
    pub mas: Mas,
    /// Hours per week asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_per_week: Option<f32>,
    /// When the work takes place (vocabulary `time of day`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub time_of_day: Vec<String>,
    /// First day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    /// Last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// Where the work is.
    pub location: Location,
    /// Requirements, e.g. `VOG`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
    /// What volunteers get, e.g. `onkostenvergoeding`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rewards: Vec<String>,
    /// How many volunteers are needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volunteers_needed: Option<u16>,
    /// Functional contact details.
    #[serde(default)]
    pub contact: Contact,
    /// Where to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_url: Option<String>,
}

/// The organisation behind a vacancy: the id of one of the author's organisation records,
/// or just a name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisationRef {
    /// Id of the author's `organisation` record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<RecordId>,
    /// Name, when there is no organisation record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The hours a vacancy may state, as the decimals people write (0.1, not the 32-bit
/// float's 0.10000000149), to check a number as it arrives before it becomes a float.
pub fn hours_range() -> std::ops::RangeInclusive<f64> {
    let decimal = |hours: f32| hours.to_string().parse().unwrap_or(f64::from(hours));
    decimal(MIN_HOURS_PER_WEEK)..=decimal(MAX_HOURS_PER_WEEK)
}

/// Maatschappelijke stage (MaS) suitability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mas {
    /// Whether pupils can do this as their civic internship.
    #[serde(default)]
    pub suitable: bool,
    /// Youngest age allowed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age: Option<u8>,
}

impl Mas {
    fn is_unsuitable(&self) -> bool {
        !self.suitable && self.min_age.is_none()
    }

    /// Whether a pupil of `age` may take this placement.
    pub fn allows_age(&self, age: u8) -> bool {
        self.suitable && self.min_age.is_none_or(|min| age >= min)
    }
}

impl Vacancy {
    pub(crate) fn check(&self, c: &mut Checker) {
        c.name_text("title", &self.title, MAX_NAME_CHARS);
        c.required_text("description", &self.description, MAX_DESCRIPTION_CHARS);
        c.at("organisation", |c| {
            if self.organisation.id.is_none() && self.organisation.name.is_none() {
                c.problem("", "organisation_needed", &[]);
            }
            if let Some(name) = &self.organisation.name {
                c.name_text("name", name, MAX_NAME_CHARS);
            }
        });
        c.slugs("categories", &self.categories, &CATEGORIES, 1);
        c.slugs("target_groups", &self.target_groups, &TARGET_GROUPS, 0);
        c.slug("engagement", &self.engagement, &ENGAGEMENTS);
        if let Some(age) = self.mas.min_age {
            if !(MIN_MAS_AGE..=99).contains(&age) {
                c.problem(
                    "mas.min_age",
                    "age",
                    &[("value", &age), ("min", &MIN_MAS_AGE)],
                );
            }
            if !self.mas.suitable {
                c.problem("mas.min_age", "age_without_mas", &[]);
            }
        }
        if let Some(hours) = self.hours_per_week
            && !(MIN_HOURS_PER_WEEK..=MAX_HOURS_PER_WEEK).contains(&hours)
        {
            c.problem(
                "hours_per_week",
                "hours",
                &[
                    ("value", &hours),
                    ("min", &MIN_HOURS_PER_WEEK),
                    ("max", &MAX_HOURS_PER_WEEK),
                ],
            );
        }
        c.slugs("time_of_day", &self.time_of_day, &TIMES_OF_DAY, 0);
        if let (Some(start), Some(end)) = (self.start, self.end)
            && end < start
        {
            c.problem(
                "end",
                "end_before_start",
                &[("end", &end), ("start", &start)],
            );
        }
        c.at("location", |c| self.location.check(c));
        c.text_list("requirements", &self.requirements);
        c.text_list("rewards", &self.rewards);
        if self.volunteers_needed == Some(0) {
            c.problem("volunteers_needed", "volunteers_needed", &[]);
        }
        c.at("contact", |c| self.contact.check(c));
        c.url("apply_url", self.apply_url.as_deref());
        if !self.contact.is_reachable() && self.apply_url.is_none() {
            c.problem("contact", "contact_needed", &[]);
        }
    }
}
