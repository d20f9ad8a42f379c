//! schema.org JSON-LD of records: vacancies as `JobPosting` (employmentType VOLUNTEER),
//! organisations as `Organization`. One mapping of a record's JSON form, shared by the
//! CLI's export and the node's public pages, so both say the same to search engines.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

/// Keeps only the fields that have a value.
pub fn compact(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, compact(v)))
                .filter(|(_, v)| match v {
                    Value::Null => false,
                    Value::Array(a) => !a.is_empty(),
                    Value::Object(o) => !o.is_empty(),
                    Value::String(s) => !s.is_empty(),
                    _ => true,
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(compact).collect()),
        other => other,
    }
}

/// A record's name across the federation, `urn:steunpunt:AUTHOR:KIND:ID`: its JSON-LD
/// `@id` and the source of its HSDS ids, the same in every export from any node
/// (ARCHITECTURE.md, Identifiers in exports).
fn iri(author: &Value, kind: &Value, id: &Value) -> String {
    fn text(v: &Value) -> &str {
        v.as_str().unwrap_or_default()
    }
    record_iri(text(author), text(kind), text(id))
}

/// The IRI of the record `author`'s `kind` `id` (see [`iri_of`]): also the id of its
/// feed entries.
pub fn record_iri(author: &str, kind: &str, id: &str) -> String {
    format!("urn:steunpunt:{author}:{kind}:{id}")
}

/// A record's IRI from its JSON form.
pub fn iri_of(record: &Value) -> String {
    iri(&record["author"], &record["record"], &record["id"])
}

/// The later of two RFC 3339 moments or dates (both sort as text).
fn later(a: &Value, b: &Value) -> Value {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) if y > x => b.clone(),
        (Some(_), _) => a.clone(),
        _ => b.clone(),
    }
}

/// The records of one kind (`vacancy`, `organisation`).
pub fn by_kind<'a>(records: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    records.iter().filter(move |r| r["record"] == kind)
}

/// The place name of a location's postcode.
pub fn place_name(location: &Value) -> &'static str {
    location["pc4"]
        .as_str()
        .and_then(|pc4| pc4.parse::<u16>().ok())
        .and_then(steunpunt_protocol::places::lookup_pc4)
        .map_or("", |p| p.name)
}

fn postal_address(location: &Value) -> Value {
    json!({
        "@type": "PostalAddress",
        "postalCode": location["pc4"],
        "addressLocality": place_name(location),
        "addressRegion": location["municipality"],
        "addressCountry": "NL",
    })
}

fn geo(location: &Value) -> Value {
    if location["lat"].is_number() {
        json!({ "@type": "GeoCoordinates", "latitude": location["lat"], "longitude": location["lon"] })
    } else {
        Value::Null
    }
}

/// Up to the date: `2027-03-01T12:00:00Z` → `2027-03-01`.
fn date_part(value: &Value) -> Value {
    value
        .as_str()
        .and_then(|t| t.get(..10))
        .map_or(Value::Null, |d| Value::String(d.to_owned()))
}

/// An organisation as schema.org `Organization`: only properties schema.org defines for
/// it (target groups have none, so they are left out).
pub fn schema_organisation(org: &Value) -> Value {
    let location = &org["location"];
    json!({
        "@type": "Organization",
        "@id": iri_of(org),
        "name": org["name"],
        "description": org["description"],
        "url": org["website"],
        "email": org["contact"]["email"],
        "telephone": org["contact"]["phone"],
        "address": postal_address(location),
        "location": if location["lat"].is_number() {
            json!({ "@type": "Place", "geo": geo(location) })
        } else {
            Value::Null
        },
        "knowsAbout": org["expertise"],
        "additionalType": org["kind"],
        "identifier": org["kvk"].as_str().map(|kvk| {
            json!({ "@type": "PropertyValue", "propertyID": "KvK", "value": kvk })
        }),
    })
}

/// A vacancy as schema.org `JobPosting`; its organisation is looked up in
/// `organisations` (by IRI, from [`organisation_index`]) and named by reference.
pub fn job_posting(vacancy: &Value, organisations: &HashMap<String, &Value>) -> Value {
    let org_key = iri(
        &vacancy["author"],
        &json!("organisation"),
        &vacancy["organisation"]["id"],
    );
    let hiring = match organisations.get(&org_key) {
        Some(org) => json!({ "@type": "Organization", "@id": iri_of(org), "name": org["name"] }),
        None => json!({ "@type": "Organization", "name": vacancy["organisation"]["name"] }),
    };
    let remote = vacancy["remote"] == true;
    // Never before the work starts or ends: a posting valid until before its own work
    // would be dropped by job search engines while the work is still to come.
    let valid_through = later(
        &vacancy["valid_until"],
        &later(&vacancy["start"], &vacancy["end"]),
    );
    json!({
        "@type": "JobPosting",
        "@id": iri_of(vacancy),
        "identifier": {
            "@type": "PropertyValue",
            "propertyID": vacancy["author"],
            "value": vacancy["id"],
        },
        "title": vacancy["title"],
        "description": vacancy["description"],
        "employmentType": "VOLUNTEER",
        "datePosted": date_part(&vacancy["updated_at"]),
        "validThrough": valid_through,
        "hiringOrganization": hiring,
        "jobLocation": {
            "@type": "Place",
            "address": postal_address(&vacancy["location"]),
            "geo": geo(&vacancy["location"]),
        },
        "jobLocationType": if remote { json!("TELECOMMUTE") } else { Value::Null },
        // Google's rule for remote postings: say where applicants may live.
        "applicantLocationRequirements": if remote {
            json!({ "@type": "Country", "name": "NL" })
        } else {
            Value::Null
        },
        "occupationalCategory": vacancy["categories"],
        "workHours": vacancy["hours_per_week"].as_f64().map(|h| format!("{h} uur per week")),
        "jobStartDate": vacancy["start"],
        "totalJobOpenings": vacancy["volunteers_needed"],
        "qualifications": vacancy["requirements"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")),
        "jobBenefits": vacancy["rewards"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")),
        "directApply": if vacancy["apply_url"].is_string() { json!(true) } else { Value::Null },
        "url": vacancy["apply_url"],
        "applicationContact": {
            "@type": "ContactPoint",
            "email": vacancy["contact"]["email"],
            "telephone": vacancy["contact"]["phone"],
            "url": vacancy["contact"]["url"],
        },
    })
}

/// The organisations among `records`, by IRI.
pub fn organisation_index(records: &[Value]) -> HashMap<String, &Value> {
    by_kind(records, "organisation")
        .map(|org| (iri_of(org), org))
        .collect()
}
