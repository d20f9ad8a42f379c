//! Dutch four-digit postcodes (PC4) with place names and coordinates, for validating
//! locations and for radius search.
//!
//! Data: GeoNames postal code data for the Netherlands (<https://www.geonames.org>),
//! licence CC BY 4.0. See `data/README.md`; keep the attribution wherever this ships.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::fold;

/// Attribution that must accompany the place data wherever it is shown or shipped.
pub const ATTRIBUTION: &str =
    "Postcode data: GeoNames (https://www.geonames.org), licence CC BY 4.0";

/// One PC4 area (or the part of one that belongs to a place).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    /// The four-digit postcode.
    pub pc4: u16,
    /// The place name as GeoNames spells it.
    pub name: &'static str,
    /// Latitude of the area's centre, degrees.
    pub lat: f64,
    /// Longitude of the area's centre, degrees.
    pub lon: f64,
}

include!(concat!(env!("OUT_DIR"), "/places_table.rs"));

/// Common names people use for places that GeoNames spells otherwise.
const ALIASES: &[(&str, &str)] = &[
    ("den bosch", "'s-hertogenbosch"),
    ("s-hertogenbosch", "'s-hertogenbosch"),
    ("hertogenbosch", "'s-hertogenbosch"),
    ("den haag", "'s-gravenhage"),
    ("the hague", "'s-gravenhage"),
    ("s-gravenhage", "'s-gravenhage"),
];

/// Folds a place name for comparison and resolves common aliases
/// (`Den Bosch` → `'s-hertogenbosch`).
pub fn canonical_place_name(name: &str) -> String {
    let folded = fold(name).replace('’', "'");
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == folded)
        .map(|(_, canonical)| (*canonical).to_owned())
        .unwrap_or(folded)
}

/// All places sharing this PC4 (usually one, sometimes two); empty if it does not exist.
pub fn places_for_pc4(pc4: u16) -> &'static [Place] {
    let start = PLACES.partition_point(|p| p.pc4 < pc4);
    let end = PLACES.partition_point(|p| p.pc4 <= pc4);
    &PLACES[start..end]
}

/// The first place of a PC4, if it exists.
pub fn lookup_pc4(pc4: u16) -> Option<&'static Place> {
    places_for_pc4(pc4).first()
}

/// Every PC4 area of a place, matched case- and diacritics-insensitively, aliases resolved.
pub fn lookup_place(name: &str) -> Vec<&'static Place> {
    let wanted = canonical_place_name(name);
    PLACES.iter().filter(|p| fold(p.name) == wanted).collect()
}

/// The mean centre of a place's PC4 areas, if the place is known.
pub fn place_centre(name: &str) -> Option<(f64, f64)> {
    let places = lookup_place(name);
    if places.is_empty() {
        return None;
    }
    let n = places.len() as f64;
    let lat = places.iter().map(|p| p.lat).sum::<f64>() / n;
    let lon = places.iter().map(|p| p.lon).sum::<f64>() / n;
    Some((lat, lon))
}

/// Great-circle distance in kilometres between two points (haversine, mean Earth radius).
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0088;
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// A Dutch four-digit postcode (1000–9999). JSON: `"4811"` (a number is accepted too);
/// wire: an integer. Whether it exists is checked by validation, not here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pc4(pub u16);

impl Pc4 {
    /// Parses four digits, optionally followed by letters of a full postcode (`4811 AB`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let digits: String = text.trim().chars().take(4).collect();
        let rest = text.trim().get(digits.len()..).unwrap_or("").trim();
        let full_postcode_tail =
            rest.is_empty() || (rest.len() == 2 && rest.chars().all(|c| c.is_ascii_alphabetic()));
        match digits.parse::<u16>() {
            Ok(n) if (1000..=9999).contains(&n) && digits.len() == 4 && full_postcode_tail => {
                Ok(Self(n))
            }
            _ => Err(format!(
                "`{text}` is not a Dutch postcode; give the four digits, e.g. 4811"
            )),
        }
    }

    /// The place data for this postcode, if it exists.
    pub fn place(self) -> Option<&'static Place> {
        lookup_pc4(self.0)
    }
}

impl fmt::Display for Pc4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

impl Serialize for Pc4 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            serializer.serialize_u16(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Pc4 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pc4Visitor;
        impl Visitor<'_> for Pc4Visitor {
            type Value = Pc4;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a four-digit Dutch postcode such as \"4811\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Pc4, E> {
                Pc4::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Pc4, E> {
                Pc4::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Pc4, E> {
                Pc4::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Pc4Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_sorted() {
        assert_eq!(PLACES.len(), 4328);
        let mut distinct: Vec<u16> = PLACES.iter().map(|p| p.pc4).collect();
        distinct.dedup();
        assert_eq!(distinct.len(), 4064);
        assert!(PLACES.windows(2).all(|w| w[0].pc4 <= w[1].pc4));
    }

    #[test]
    fn lookups_by_pc4_and_name() {
        assert_eq!(lookup_pc4(4811).map(|p| p.name), Some("Breda"));
        assert_eq!(places_for_pc4(1222).len(), 2);
        assert!(lookup_pc4(1000).is_none());
        let bosch = lookup_place("Den Bosch");
        assert!(!bosch.is_empty());
        assert!(bosch.iter().all(|p| p.name == "'s-Hertogenbosch"));
        assert_eq!(lookup_place("'S-HERTOGENBOSCH").len(), bosch.len());
        assert!(lookup_place("Atlantis").is_empty());
    }

    #[test]
    fn distance_breda_tilburg_is_about_22_km() {
        let breda = lookup_pc4(4811).map(|p| (p.lat, p.lon)).unwrap();
        let tilburg = lookup_pc4(5011).map(|p| (p.lat, p.lon)).unwrap();
        let d = distance_km(breda, tilburg);
        assert!((20.0..25.0).contains(&d), "{d}");
        assert_eq!(distance_km(breda, breda), 0.0);
    }

    #[test]
    fn pc4_parsing() {
        assert_eq!(Pc4::parse("4811"), Ok(Pc4(4811)));
        assert_eq!(Pc4::parse("4811 AB"), Ok(Pc4(4811)));
        assert_eq!(Pc4::parse("4811AB"), Ok(Pc4(4811)));
        assert!(Pc4::parse("0811").is_err());
        assert!(Pc4::parse("48111").is_err());
        assert!(Pc4::parse("Breda").is_err());
        assert_eq!(serde_json::from_str::<Pc4>("4811").unwrap(), Pc4(4811));
        assert_eq!(serde_json::to_string(&Pc4(4811)).unwrap(), "\"4811\"");
    }
}
