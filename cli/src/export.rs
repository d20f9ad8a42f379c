//! Exporting records in the forms other tools read: our own JSON (re-importable), CSV
//! (the import columns), schema.org JSON-LD (vacancies as `JobPosting`, organisations as
//! `Organization`) and Open Referral HSDS (organisations and their services).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use steunpunt_api::RecordView;

use crate::columns;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Our own JSON form; `steunpunt import` reads it back.
    Json,
    /// The import columns for Dutch Excel: `;` separated, decimal comma, a byte-order
    /// mark so Excel reads UTF-8.
    Csv,
    /// The import columns, `;` separated, decimal point, no byte-order mark.
    CsvPlain,
    /// schema.org JSON-LD: JobPosting (employmentType VOLUNTEER) and Organization.
    Jsonld,
    /// Open Referral HSDS 3.0 JSON: organisations with their services and locations.
    Hsds,
}

/// Writes `records` in `format`. CSV, JSON-LD and HSDS are mappings of the record's JSON
/// form (the CSV columns are paths into it, the same table import reads them with).
pub fn write(
    format: Format,
    records: &[RecordView],
    mut out: impl std::io::Write,
) -> anyhow::Result<()> {
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut out, records)?;
        writeln!(out)?;
        return Ok(());
    }
    let records = records
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<Value>, _>>()?;
    let records = records.as_slice();
    let document = match format {
        Format::Json => unreachable!("written above"),
        Format::Csv | Format::CsvPlain => {
            let excel = format == Format::Csv;
            if excel {
                out.write_all("\u{feff}".as_bytes())?;
            }
            let mut writer = csv::WriterBuilder::new()
                .delimiter(b';')
                .from_writer(&mut out);
            writer.write_record(columns::header())?;
            for record in records {
                writer.write_record(columns::record_to_row(record, excel))?;
            }
            writer.flush()?;
            return Ok(());
        }
        Format::Jsonld => jsonld(records),
        Format::Hsds => hsds(records),
    };
    serde_json::to_writer_pretty(&mut out, &document)?;
    writeln!(out)?;
    Ok(())
}

/// Keeps only the fields that have a value.
fn compact(value: Value) -> Value {
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

/// A stable identifier for a record across the federation: author, kind and id.
fn global_id(record: &Value) -> String {
    global_id_of(&record["author"], &record["record"], &record["id"])
}

fn global_id_of(author: &Value, kind: &Value, id: &Value) -> String {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    format!("{}/{}/{}", text(author), text(kind), text(id))
}

/// The record's IRI in JSON-LD: `urn:steunpunt:AUTHOR:KIND:ID`, absolute and the same in
/// every export from any node (ARCHITECTURE.md, Interfaces).
fn iri(author: &Value, kind: &Value, id: &Value) -> String {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    format!("urn:steunpunt:{}:{}:{}", text(author), text(kind), text(id))
}

fn iri_of(record: &Value) -> String {
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

fn by_kind<'a>(records: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    records.iter().filter(move |r| r["record"] == kind)
}

/// The place name of a location's postcode.
fn place_name(location: &Value) -> &'static str {
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
fn schema_organisation(org: &Value) -> Value {
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

fn job_posting(vacancy: &Value, organisations: &HashMap<String, &Value>) -> Value {
    let org_key = global_id_of(
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

fn organisation_index(records: &[Value]) -> HashMap<String, &Value> {
    by_kind(records, "organisation")
        .map(|org| (global_id(org), org))
        .collect()
}

/// schema.org JSON-LD of every vacancy and organisation.
fn jsonld(records: &[Value]) -> Value {
    let organisations = organisation_index(records);
    let graph: Vec<Value> = by_kind(records, "organisation")
        .map(schema_organisation)
        .chain(by_kind(records, "vacancy").map(|v| job_posting(v, &organisations)))
        .map(compact)
        .collect();
    json!({ "@context": "https://schema.org", "@graph": graph })
}

/// Open Referral HSDS 3.0: each organisation with a service describing what it offers (its
/// services notes and expertise) and its location.
fn hsds(records: &[Value]) -> Value {
    let organisations: Vec<Value> = by_kind(records, "organisation")
        .map(|org| {
            let id = global_id(org);
            let location = &org["location"];
            let service_description = match org["services"].as_str() {
                Some(notes) => notes.to_owned(),
                None => org["description"].as_str().unwrap_or_default().to_owned(),
            };
            compact(json!({
                "id": id,
                "name": org["name"],
                "description": org["description"],
                "email": org["contact"]["email"],
                "website": org["website"],
                "legal_status": org["kind"],
                "last_modified": org["updated_at"],
                "organization_identifiers": org["kvk"].as_str().map(|kvk| vec![json!({
                    "id": format!("{id}/kvk"),
                    "identifier_scheme": "NL-KVK",
                    "identifier_type": "KvK-nummer",
                    "identifier": kvk,
                })]),
                "phones": org["contact"]["phone"].as_str().map(|p| vec![json!({ "id": format!("{id}/phone"), "number": p })]),
                "locations": [{
                    "id": format!("{id}/location"),
                    "location_type": "physical",
                    "latitude": location["lat"],
                    "longitude": location["lon"],
                    "addresses": [{
                        "id": format!("{id}/address"),
                        "address_type": "physical",
                        "city": place_name(location),
                        "region": location["municipality"],
                        "state_province": "",
                        "postal_code": location["pc4"],
                        "country": "NL",
                    }],
                }],
                "services": [{
                    "id": format!("{id}/service"),
                    "organization_id": id,
                    "name": org["name"],
                    "description": service_description,
                    "status": "active",
                    "email": org["contact"]["email"],
                    "url": org["contact"]["url"],
                    "attributes": org["expertise"].as_array().map(|e| e.iter().map(|x| json!({
                        "id": format!("{id}/expertise/{}", x.as_str().unwrap_or_default()),
                        "link_type": "expertise",
                        "taxonomy_term": { "term": x, "taxonomy": "steunpunt-expertise" },
                    })).collect::<Vec<_>>()),
                    "eligibility_description": org["target_groups"].as_array().map(|g| g.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")),
                }],
            }))
        })
        .collect();
    json!({ "organizations": organisations })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Value> {
        let author = "sp_test";
        vec![
            json!({"author": author, "record": "organisation", "id": "taalhuis", "name": "Taalhuis Tilburg",
                   "kind": "stichting", "kvk": "12345678", "description": "Taalles voor iedereen",
                   "services": "Taalcafé en taalmaatjes", "expertise": ["taal"],
                   "location": {"municipality": "Tilburg", "pc4": "5038"},
                   "contact": {"email": "info@taalhuis.example"}, "updated_at": "2026-11-01T10:00:00Z"}),
            json!({"author": author, "record": "vacancy", "id": "taalmaatje", "title": "Taalmaatje",
                   "description": "Oefen Nederlands", "organisation": {"id": "taalhuis"},
                   "categories": ["taal-inburgering"], "engagement": "structureel", "remote": false,
                   "mas": {"suitable": true, "min_age": 14},
                   "location": {"municipality": "Tilburg", "pc4": "5038"},
                   "valid_until": "2027-02-01T00:00:00Z", "updated_at": "2026-11-01T10:00:00Z"}),
        ]
    }

    #[test]
    fn jsonld_has_volunteer_job_postings_and_organisations() {
        let doc = jsonld(&sample());
        let graph = doc["@graph"].as_array().unwrap();
        let org = graph.iter().find(|n| n["@type"] == "Organization").unwrap();
        assert_eq!(org["name"], "Taalhuis Tilburg");
        assert_eq!(org["address"]["addressCountry"], "NL");
        let job = graph.iter().find(|n| n["@type"] == "JobPosting").unwrap();
        assert_eq!(job["employmentType"], "VOLUNTEER");
        assert_eq!(job["hiringOrganization"]["name"], "Taalhuis Tilburg");
        assert_eq!(job["hiringOrganization"]["@id"], org["@id"]);
        assert_eq!(job["datePosted"], "2026-11-01");
        assert!(
            job.get("jobLocationType").is_none(),
            "empty fields are left out"
        );
        // Absolute ids, the same from every node.
        assert_eq!(job["@id"], "urn:steunpunt:sp_test:vacancy:taalmaatje");
        assert_eq!(org["@id"], "urn:steunpunt:sp_test:organisation:taalhuis");
        assert_eq!(job["identifier"]["@type"], "PropertyValue");
        assert_eq!(job["identifier"]["value"], "taalmaatje");
        // Only what schema.org defines for an Organization, and no empty Place.
        assert!(org.get("audience").is_none() && org.get("location").is_none());
        assert!(job.get("directApply").is_none(), "no apply URL");
    }

    #[test]
    fn jsonld_follows_the_job_posting_rules_for_remote_and_later_work() {
        let mut records = sample();
        records[1]["remote"] = json!(true);
        records[1]["start"] = json!("2027-03-01");
        records[1]["apply_url"] = json!("https://taalhuis.example/aanmelden");
        let doc = jsonld(&records);
        let job = doc["@graph"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["@type"] == "JobPosting")
            .unwrap();
        assert_eq!(job["jobLocationType"], "TELECOMMUTE");
        assert_eq!(job["applicantLocationRequirements"]["name"], "NL");
        assert_eq!(
            job["validThrough"], "2027-03-01",
            "not before the work starts"
        );
        assert_eq!(job["directApply"], true);
    }

    #[test]
    fn hsds_lists_organisations_with_a_service() {
        let doc = hsds(&sample());
        let orgs = doc["organizations"].as_array().unwrap();
        assert_eq!(orgs.len(), 1, "vacancies are not HSDS organisations");
        let org = &orgs[0];
        assert_eq!(org["organization_identifiers"][0]["identifier"], "12345678");
        assert_eq!(org["services"][0]["description"], "Taalcafé en taalmaatjes");
        assert_eq!(org["services"][0]["organization_id"], org["id"]);
        assert_eq!(org["locations"][0]["addresses"][0]["postal_code"], "5038");
    }
}
