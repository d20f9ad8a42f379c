//! The `organisation` record: a partner the steunpunt works with or refers people to.

use serde::{Deserialize, Serialize};

use super::common::{Contact, Location};
use crate::timestamp::Date;
use crate::validate::{Checker, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_NOTES_CHARS};
use crate::vocab::{EXPERTISE, ORGANISATION_KINDS, RELATIONS, TARGET_GROUPS};

/// A partner organisation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    /// Name of the organisation.
    pub name: String,
    /// Kind (vocabulary `organisation kind`).
    pub kind: String,
    /// KvK (Chamber of Commerce) number: 8 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kvk: Option<String>,
    /// What the organisation does.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Functional contact details.
    #[serde(default)]
    pub contact: Contact,
    /// Where it is.
    pub location: Location,
    /// Expertise (vocabulary `expertise`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expertise: Vec<String>,
    /// Target groups (vocabulary `target group`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_groups: Vec<String>,
    /// Relation to the steunpunt (vocabulary `relation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    /// Services and referral notes for staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<String>,
    /// When the steunpunt last checked these details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vetted_on: Option<Date>,
}

impl Organisation {
    pub(crate) fn check(&self, c: &mut Checker) {
        c.name_text("name", &self.name, MAX_NAME_CHARS);
        c.slug("kind", &self.kind, &ORGANISATION_KINDS);
        if let Some(kvk) = &self.kvk
            && (kvk.len() != 8 || !kvk.chars().all(|ch| ch.is_ascii_digit()))
        {
            c.problem("kvk", "kvk", &[("value", kvk)]);
        }
        c.optional_text(
            "description",
            Some(&self.description),
            MAX_DESCRIPTION_CHARS,
        );
        c.url("website", self.website.as_deref());
        c.at("contact", |c| self.contact.check(c));
        c.at("location", |c| self.location.check(c));
        c.slugs("expertise", &self.expertise, &EXPERTISE, 0);
        c.slugs("target_groups", &self.target_groups, &TARGET_GROUPS, 0);
        if let Some(relation) = &self.relation {
            c.slug("relation", relation, &RELATIONS);
        }
        c.optional_text("services", self.services.as_deref(), MAX_NOTES_CHARS);
    }
}
