//! Field groups shared by several record kinds.

use serde::{Deserialize, Serialize};

use crate::places::Pc4;
use crate::validate::{Checker, MAX_SHORT_CHARS};

pub(crate) fn is_false(value: &bool) -> bool {
    !*value
}

/// Where a vacancy or partner is. Radius search uses the coordinates, or else the PC4 centre.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    /// Municipality (gemeente), e.g. `Breda`.
    #[serde(default)]
    pub municipality: String,
    /// Four-digit postcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pc4: Option<Pc4>,
    /// Latitude in degrees (optional; needs `lon`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    /// Longitude in degrees (optional; needs `lat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
}

impl Location {
    /// The best known coordinates: explicit ones, else the PC4 centre.
    pub fn coordinates(&self) -> Option<(f64, f64)> {
        match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => Some((lat, lon)),
            _ => self.pc4.and_then(Pc4::place).map(|p| (p.lat, p.lon)),
        }
    }

    pub(crate) fn check(&self, c: &mut Checker) {
        c.required_text("municipality", &self.municipality, MAX_SHORT_CHARS);
        if let Some(pc4) = self.pc4 {
            c.pc4("pc4", pc4);
        }
        match (self.lat, self.lon) {
            (None, None) => {}
            (Some(lat), Some(lon)) => {
                if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
                    c.problem("lat", "latitude", &[("value", &lat)]);
                }
                if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
                    c.problem("lon", "longitude", &[("value", &lon)]);
                }
            }
            _ => c.problem("", "lat_lon_pair", &[]),
        }
    }
}

/// Functional contact details. A named person is optional and erased like the rest of the
/// body on withdrawal or expiry (AVG).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    /// Functional e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Functional phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Web page for contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Optional name of a contact person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
}

impl Contact {
    /// Whether any way to get in touch is given.
    pub fn is_reachable(&self) -> bool {
        self.email.is_some() || self.phone.is_some() || self.url.is_some()
    }

    pub(crate) fn check(&self, c: &mut Checker) {
        c.email("email", self.email.as_deref());
        c.phone("phone", self.phone.as_deref());
        c.url("url", self.url.as_deref());
        c.optional_text("person", self.person.as_deref(), MAX_SHORT_CHARS);
    }
}
