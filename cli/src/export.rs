//! Exporting records in the forms other tools read: our own JSON (re-importable), CSV
//! (the import columns), schema.org JSON-LD (vacancies as `JobPosting`, organisations as
//! `Organization`) and Open Referral HSDS (organisations and their services).

use serde_json::{Value, json};

use steunpunt_api::RecordView;
use steunpunt_api::schema_org::{
    by_kind, compact, iri_of, job_posting, organisation_index, place_name, schema_organisation,
};

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

/// What a region-wide export says at its top: that it holds other centres' records and
/// people's contact details (AVG).
pub struct Notice {
    /// The exporting steunpunt's ID, which names the JSON-LD dataset.
    pub steunpunt: String,
    /// The notice, in the language of the CLI.
    pub text: String,
}

/// The first cell of a CSV notice line; import skips such a line.
pub const CSV_NOTICE_MARK: &str = "#";

/// Writes `records` in `format`. CSV, JSON-LD and HSDS are mappings of the record's JSON
/// form (the CSV columns are paths into it, the same table import reads them with).
/// `notice` goes at the top where the format has a place for it: the Excel CSV's first
/// line and a JSON-LD `Dataset`; our JSON (an array import reads back), the plain CSV
/// (for programs) and HSDS (whose list form allows no other field) have none, so the
/// CLI also prints it on standard error.
pub fn write(
    format: Format,
    records: &[RecordView],
    notice: Option<&Notice>,
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
            return csv(records, format == Format::Csv, notice, out);
        }
        Format::Jsonld => jsonld(records, notice),
        Format::Hsds => hsds(records),
    };
    serde_json::to_writer_pretty(&mut out, &document)?;
    writeln!(out)?;
    Ok(())
}

/// The import columns, `;` separated; for Excel (`excel`) with a byte-order mark, decimal
/// commas and the notice on the first line.
fn csv(
    records: &[Value],
    excel: bool,
    notice: Option<&Notice>,
    mut out: impl std::io::Write,
) -> anyhow::Result<()> {
    if excel {
        out.write_all("\u{feff}".as_bytes())?;
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_writer(&mut out);
    if let (true, Some(notice)) = (excel, notice) {
        writer.write_record([format!("{CSV_NOTICE_MARK} {}", notice.text)])?;
    }
    writer.write_record(columns::header())?;
    for record in records {
        writer.write_record(columns::record_to_row(record, excel))?;
    }
    writer.flush()?;
    Ok(())
}

/// schema.org JSON-LD of every vacancy and organisation.
fn jsonld(records: &[Value], notice: Option<&Notice>) -> Value {
    let organisations = organisation_index(records);
    let dataset = notice.map(|notice| {
        json!({
            "@type": "Dataset",
            "@id": format!("urn:steunpunt:{}:export", notice.steunpunt),
            "description": notice.text,
        })
    });
    let graph: Vec<Value> = dataset
        .into_iter()
        .chain(by_kind(records, "organisation").map(schema_organisation))
        .chain(by_kind(records, "vacancy").map(|v| job_posting(v, &organisations)))
        .map(compact)
        .collect();
    json!({ "@context": "https://schema.org", "@graph": graph })
}

/// An HSDS id: the UUID (version 5, URL namespace) of the record's IRI and `part` (the
/// same in every export from every node, so re-exports keep their ids).
fn hsds_id(iri: &str, part: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("{iri}{part}").as_bytes(),
    )
    .to_string()
}

/// An expertise term as an HSDS taxonomy term of the `steunpunt-expertise` taxonomy.
fn taxonomy_term(slug: &str) -> Value {
    let term = steunpunt_protocol::vocab::EXPERTISE.get(slug);
    let id = hsds_id(&format!("urn:steunpunt:vocabulary:expertise:{slug}"), "");
    json!({
        "id": id,
        "code": slug,
        "name": term.map_or(slug, |t| t.label),
        "description": term.map_or(slug, |t| t.gloss),
        "taxonomy": "steunpunt-expertise",
        "language": "nl",
    })
}

/// One partner organisation as an HSDS organization with its contact, phone, location
/// and one service (what it offers: its services note, else its description, with its
/// expertise as taxonomy terms). Partners have no street address, so the location has
/// coordinates and a name but no address (HSDS requires a street in an address).
fn hsds_organisation(org: &Value) -> Value {
    let iri = iri_of(org);
    let id = hsds_id(&iri, "");
    let service_id = hsds_id(&iri, "#service");
    let location = &org["location"];
    let place = place_name(location);
    let (lat, lon) = match (location["lat"].as_f64(), location["lon"].as_f64()) {
        (Some(lat), Some(lon)) => (json!(lat), json!(lon)),
        _ => location["pc4"]
            .as_str()
            .and_then(|pc4| pc4.parse::<u16>().ok())
            .and_then(steunpunt_protocol::places::lookup_pc4)
            .map_or((Value::Null, Value::Null), |p| (json!(p.lat), json!(p.lon))),
    };
    let contact = &org["contact"];
    compact(json!({
        "id": id,
        "name": org["name"],
        "description": org["description"],
        "email": contact["email"],
        "website": org["website"],
        "legal_status": org["kind"],
        "organization_identifiers": org["kvk"].as_str().map(|kvk| vec![json!({
            "id": hsds_id(&iri, "#kvk"),
            "identifier_scheme": "NL-KVK",
            "identifier_type": "KvK-nummer",
            "identifier": kvk,
        })]),
        "contacts": contact["person"].as_str().map(|person| vec![json!({
            "id": hsds_id(&iri, "#contact"),
            "name": person,
            "email": contact["email"],
        })]),
        "phones": contact["phone"].as_str().map(|number| vec![json!({
            "id": hsds_id(&iri, "#phone"),
            "number": number,
        })]),
        "locations": [{
            "id": hsds_id(&iri, "#location"),
            "location_type": "physical",
            "name": format!("{} ({})", place, location["pc4"].as_str().unwrap_or_default()).trim_end_matches(" ()").to_owned(),
            "latitude": lat,
            "longitude": lon,
        }],
        "services": [{
            "id": service_id,
            "organization_id": id,
            "name": org["name"],
            "description": org["services"].as_str().or(org["description"].as_str()),
            "status": "active",
            "email": contact["email"],
            "url": contact["url"],
            "last_modified": org["updated_at"],
            "attributes": org["expertise"].as_array().map(|terms| terms.iter().filter_map(Value::as_str).map(|slug| {
                let term = taxonomy_term(slug);
                json!({
                    "id": hsds_id(&iri, &format!("#expertise:{slug}")),
                    "link_id": service_id,
                    "link_type": "expertise",
                    "link_entity": "service",
                    "taxonomy_term_id": term["id"],
                    "taxonomy_term": term,
                })
            }).collect::<Vec<_>>()),
        }],
    }))
}

/// Open Referral HSDS 3.0: the partner organisations as one Page of the organization
/// list (HSDS's list form). Vacancies are not in it: HSDS describes services people can
/// use, and has no place for work volunteers can do.
fn hsds(records: &[Value]) -> Value {
    let contents: Vec<Value> = by_kind(records, "organisation")
        .map(hsds_organisation)
        .collect();
    let total = contents.len();
    json!({
        "total_items": total,
        "total_pages": 1,
        "page_number": 1,
        "size": total,
        "first_page": true,
        "last_page": true,
        "empty": total == 0,
        "contents": contents,
    })
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
        let doc = jsonld(&sample(), None);
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
        let doc = jsonld(&records, None);
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
    fn a_region_wide_export_says_so_at_its_top_where_the_format_allows() {
        let notice = Notice {
            steunpunt: "sp_test".into(),
            text: "let op: gegevens van andere steunpunten; deel ze niet".into(),
        };
        let doc = jsonld(&sample(), Some(&notice));
        assert_eq!(doc["@graph"][0]["@type"], "Dataset");
        assert_eq!(doc["@graph"][0]["@id"], "urn:steunpunt:sp_test:export");
        assert_eq!(doc["@graph"][0]["description"], notice.text.as_str());
        let text = |excel| {
            let mut out = Vec::new();
            csv(&sample(), excel, Some(&notice), &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let excel = text(true);
        let mut lines = excel.trim_start_matches('\u{feff}').lines();
        // Quoted, as the notice holds the delimiter: Excel shows it in one cell.
        assert_eq!(
            lines.next(),
            Some("\"# let op: gegevens van andere steunpunten; deel ze niet\"")
        );
        assert!(lines.next().unwrap().starts_with("record;steunpunt;"));
        assert!(text(false).starts_with("record;steunpunt;"));
        // Import reads the Excel file back past the notice.
        let rows = crate::import::csv_rows(
            "export.csv",
            excel.trim_start_matches('\u{feff}'),
            "sp_test",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        // Lines as the spreadsheet numbers them: notice, header, then the records.
        let lines: Vec<String> = rows.iter().map(|r| r.at.number()).collect();
        assert_eq!(lines, ["3", "4"]);
    }

    #[test]
    fn hsds_lists_organisations_with_a_service() {
        let doc = hsds(&sample());
        assert_eq!(
            (doc["total_items"].as_u64(), doc["empty"].as_bool()),
            (Some(1), Some(false))
        );
        let orgs = doc["contents"].as_array().unwrap();
        assert_eq!(orgs.len(), 1, "vacancies are not HSDS organisations");
        let org = &orgs[0];
        assert!(uuid::Uuid::parse_str(org["id"].as_str().unwrap()).is_ok());
        assert_eq!(
            org["id"],
            hsds(&sample())["contents"][0]["id"],
            "stable ids"
        );
        assert_eq!(org["organization_identifiers"][0]["identifier"], "12345678");
        assert_eq!(org["services"][0]["description"], "Taalcafé en taalmaatjes");
        assert_eq!(org["services"][0]["organization_id"], org["id"]);
        let term = &org["services"][0]["attributes"][0]["taxonomy_term"];
        assert_eq!(
            (term["code"].as_str(), term["taxonomy"].as_str()),
            (Some("taal"), Some("steunpunt-expertise"))
        );
        assert!(term["name"].is_string() && term["description"].is_string());
        assert_eq!(org["locations"][0]["name"], "Tilburg (5038)");
        assert!(org["locations"][0]["latitude"].is_number());
        assert!(
            org.get("last_modified").is_none(),
            "not an organization field"
        );
    }
}
