//! Points in time (unix milliseconds) and calendar dates.
//!
//! On the wire a [`Timestamp`] is an integer; in JSON it is RFC 3339 text, and integers are
//! accepted too. A [`Date`] is `YYYY-MM-DD` text everywhere.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Milliseconds per day, for durations written in days.
pub const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// A point in time as milliseconds since the unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// Milliseconds since the unix epoch.
    pub fn as_millis(self) -> u64 {
        self.0
    }

    /// This time plus `ms` milliseconds, saturating.
    pub fn plus_ms(self, ms: u64) -> Self {
        Self(self.0.saturating_add(ms))
    }

    /// Parses RFC 3339 text such as `2027-03-01T12:00:00Z`.
    pub fn parse_rfc3339(text: &str) -> Result<Self, String> {
        u64::try_from(Self::rfc3339_ms(text)?)
            .map(Self)
            .map_err(|_| format!("`{text}` is before 1970"))
    }

    /// Like [`Self::parse_rfc3339`], but a moment before 1970 reads as 1970: for a deadline
    /// given by people, "long past" rather than unreadable.
    pub fn parse_deadline(text: &str) -> Result<Self, String> {
        Ok(Self(u64::try_from(Self::rfc3339_ms(text)?).unwrap_or(0)))
    }

    fn rfc3339_ms(text: &str) -> Result<i128, String> {
        let parsed = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
            format!("`{text}` is not a date and time like 2027-03-01T12:00:00Z ({e})")
        })?;
        Ok(parsed.unix_timestamp_nanos() / 1_000_000)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = i128::from(self.0) * 1_000_000;
        match OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
        {
            Some(text) => f.write_str(&text),
            None => write!(f, "{}ms", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            serializer.serialize_u64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;
        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date and time like 2027-03-01T12:00:00Z, or unix milliseconds")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                u64::try_from(v)
                    .map(Timestamp)
                    .map_err(|_| E::custom("a time before 1970 is not allowed"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse_rfc3339(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(TimestampVisitor)
    }
}

/// A calendar date (`YYYY-MM-DD`), for start and end dates and vetting dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub time::Date);

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(text, &format)
            .map(Self)
            .map_err(|_| format!("`{text}` is not a date; write it as YYYY-MM-DD, e.g. 2027-03-01"))
    }

    /// The first millisecond of this date in UTC.
    pub fn start(self) -> Timestamp {
        let seconds = self.0.midnight().assume_utc().unix_timestamp();
        Timestamp(u64::try_from(seconds).unwrap_or(0).saturating_mul(1000))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Date::parse(&text).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_json_is_rfc3339_and_accepts_integers() {
        let t = Timestamp(1_700_000_000_123);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2023-11-14T22:13:20.123Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        assert_eq!(
            serde_json::from_str::<Timestamp>("1700000000123").unwrap(),
            t
        );
        let err = serde_json::from_str::<Timestamp>("\"gisteren\"").unwrap_err();
        assert!(err.to_string().contains("2027-03-01T12:00:00Z"));
    }

    #[test]
    fn date_round_trips_and_rejects_nonsense() {
        let d = Date::parse("2027-02-28").unwrap();
        assert_eq!(d.to_string(), "2027-02-28");
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2027-02-28\"");
        assert!(Date::parse("2027-02-30").is_err());
        assert!(Date::parse("28-02-2027").is_err());
        assert_eq!(
            Date::parse("1970-01-02").unwrap().start(),
            Timestamp(DAY_MS)
        );
    }
}
