//! The CSV columns of vacancies and organisations, shared by import and export so that an
//! exported file can be imported again unchanged. One file may hold both kinds: the
//! `record` column (or a filled-in `title` or `name`) tells them apart.

use serde_json::{Map, Value};

use crate::t;

/// Which record kinds a column belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// Vacancies only.
    Vacancy,
    /// Organisations only.
    Organisation,
    /// Both kinds.
    Both,
}

/// How a cell's text maps to a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellType {
    /// Text as it is.
    Text,
    /// Values separated by `|`.
    List,
    /// ja/nee, yes/no, true/false, 1/0.
    Bool,
    /// A decimal number.
    Number,
    /// A whole number.
    Integer,
}

/// One column: its header name, where it sits in the record's JSON, its type and kinds.
#[derive(Debug)]
pub struct Column {
    /// Header name.
    pub name: &'static str,
    /// Path of the JSON field.
    pub path: &'static [&'static str],
    /// Type of the cell.
    pub cell: CellType,
    /// Kinds it belongs to.
    pub applies: Applies,
}

const fn col(
    name: &'static str,
    path: &'static [&'static str],
    cell: CellType,
    applies: Applies,
) -> Column {
    Column {
        name,
        path,
        cell,
        applies,
    }
}

use Applies::{Both, Organisation as Org, Vacancy as Vac};
use CellType::{Bool, Integer, List, Number, Text};

/// The column that names the record kind: `vacancy` or `organisation`.
pub const RECORD_COLUMN: &str = "record";
/// The column that names the publishing steunpunt (its ID): exports fill it in, import
/// refuses a row of another steunpunt.
pub const STEUNPUNT_COLUMN: &str = "steunpunt";

/// What a spreadsheet reads as the start of a formula. A cell that begins with one is
/// written with a `'` in front (the OWASP rule), which import takes off again, so a
/// formula in another centre's vacancy never runs in our staff's spreadsheet.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as written to a file a spreadsheet may open.
fn neutralised(text: String) -> String {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text
    }
}

/// A cell as read back: a `'` that neutralised a formula start is taken off.
fn unneutralised(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => text,
    }
}

/// Every column after `record`, in export order.
pub const COLUMNS: &[Column] = &[
    col("id", &["id"], Text, Both),
    col("title", &["title"], Text, Vac),
    col("name", &["name"], Text, Org),
    col("description", &["description"], Text, Both),
    col("organisation", &["organisation", "name"], Text, Vac),
    col("organisation_id", &["organisation", "id"], Text, Vac),
    col("kind", &["kind"], Text, Org),
    col("kvk", &["kvk"], Text, Org),
    col("categories", &["categories"], List, Vac),
    col("expertise", &["expertise"], List, Org),
    col("target_groups", &["target_groups"], List, Both),
    col("engagement", &["engagement"], Text, Vac),
    col("remote", &["remote"], Bool, Vac),
    col("mas_suitable", &["mas", "suitable"], Bool, Vac),
    col("mas_min_age", &["mas", "min_age"], Integer, Vac),
    col("hours_per_week", &["hours_per_week"], Number, Vac),
    col("time_of_day", &["time_of_day"], List, Vac),
    col("start", &["start"], Text, Vac),
    col("end", &["end"], Text, Vac),
    col("municipality", &["location", "municipality"], Text, Both),
    col("pc4", &["location", "pc4"], Text, Both),
    col("lat", &["location", "lat"], Number, Both),
    col("lon", &["location", "lon"], Number, Both),
    col("requirements", &["requirements"], List, Vac),
    col("rewards", &["rewards"], List, Vac),
    col("volunteers_needed", &["volunteers_needed"], Integer, Vac),
    col("relation", &["relation"], Text, Org),
    col("services", &["services"], Text, Org),
    col("vetted_on", &["vetted_on"], Text, Org),
    col("website", &["website"], Text, Org),
    col("email", &["contact", "email"], Text, Both),
    col("phone", &["contact", "phone"], Text, Both),
    col("contact_url", &["contact", "url"], Text, Both),
    col("contact_person", &["contact", "person"], Text, Both),
    col("apply_url", &["apply_url"], Text, Vac),
    col("valid_until", &["valid_until"], Text, Both),
];

/// All header names, `record` and `steunpunt` first.
pub fn header() -> Vec<&'static str> {
    [RECORD_COLUMN, STEUNPUNT_COLUMN]
        .into_iter()
        .chain(COLUMNS.iter().map(|c| c.name))
        .collect()
}

/// The column called `name`.
pub fn find(name: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|c| c.name == name)
}

/// The column that holds the field at `path` (a node's problem path such as
/// `location.pc4` or `categories[2]`): the column of that field, or else the first column
/// inside it (`contact` → `email`).
pub fn column_for_path(path: &str) -> Option<&'static str> {
    let fields: Vec<&str> = path
        .split('.')
        .map(|part| part.split('[').next().unwrap_or(part))
        .collect();
    COLUMNS
        .iter()
        .find(|c| c.path == fields.as_slice())
        .or_else(|| COLUMNS.iter().find(|c| c.path.starts_with(&fields)))
        .map(|c| c.name)
}

/// What a kind (`vacancy` or `organisation`) is called in the chosen language.
pub fn kind_word(kind: &str) -> String {
    match kind {
        "organisation" => t!("kind-organisation"),
        _ => t!("kind-vacancy"),
    }
}

/// The record kind (`vacancy` or `organisation`) a `record` cell names, accepting Dutch.
pub fn record_kind(text: &str) -> Option<&'static str> {
    match text.trim().to_lowercase().as_str() {
        "vacancy" | "vacature" => Some("vacancy"),
        "organisation" | "organization" | "organisatie" => Some("organisation"),
        _ => None,
    }
}

fn applies_to(applies: Applies, kind: &str) -> bool {
    match applies {
        Both => true,
        Vac => kind == "vacancy",
        Org => kind == "organisation",
    }
}

fn parse_cell(column: &Column, text: &str) -> Result<Value, String> {
    let name = column.name;
    match column.cell {
        Text => Ok(Value::String(text.to_owned())),
        List => Ok(Value::Array(
            text.split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        )),
        Bool => match text.to_lowercase().as_str() {
            "ja" | "j" | "yes" | "y" | "true" | "1" => Ok(Value::Bool(true)),
            "nee" | "n" | "no" | "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(t!("column-not-yes-no", column = name, text = text)),
        },
        Number => text
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| t!("column-not-number", column = name, text = text)),
        Integer => text
            .parse::<u64>()
            .map(|n| Value::Number(n.into()))
            .map_err(|_| t!("column-not-whole", column = name, text = text)),
    }
}

fn set_path(target: &mut Map<String, Value>, path: &[&str], value: Value) {
    match path {
        [] => {}
        [last] => {
            target.insert((*last).to_owned(), value);
        }
        [first, rest @ ..] => {
            let inner = target
                .entry((*first).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = inner {
                set_path(inner, rest, value);
            }
        }
    }
}

/// Turns one CSV row (header names and cells) into the record kind and its JSON draft.
/// Empty cells are left out; a filled-in cell in a column of the other kind is an error.
pub fn row_to_draft(
    header: &[String],
    cells: &[String],
) -> Result<(&'static str, Value), Vec<String>> {
    let cell = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .and_then(|i| cells.get(i))
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
    };
    let kind = match cell(RECORD_COLUMN) {
        Some(text) => record_kind(text).ok_or_else(|| vec![t!("column-bad-kind", text = text)])?,
        None => match (cell("title"), cell("name")) {
            (Some(_), None) => "vacancy",
            (None, Some(_)) => "organisation",
            _ => return Err(vec![t!("column-unknown-kind")]),
        },
    };
    let mut draft = Map::new();
    let mut problems = Vec::new();
    for (name, text) in header.iter().zip(cells) {
        let text = unneutralised(text.trim());
        let Some(column) = find(name) else { continue };
        if text.is_empty() {
            continue;
        }
        if !applies_to(column.applies, kind) {
            problems.push(t!(
                "column-not-applicable",
                column = name.as_str(),
                kind = kind_word(kind)
            ));
            continue;
        }
        match parse_cell(column, text) {
            Ok(value) => set_path(&mut draft, column.path, value),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok((kind, Value::Object(draft)))
    } else {
        Err(problems)
    }
}

fn cell_text(value: &Value, decimal_comma: bool) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "ja".into(),
        Value::Bool(false) => "nee".into(),
        Value::Array(items) => items
            .iter()
            .map(|v| cell_text(v, decimal_comma))
            .collect::<Vec<_>>()
            .join("|"),
        Value::Number(n) if decimal_comma => n.to_string().replace('.', ","),
        other => other.to_string(),
    }
}

/// One record's JSON form as a CSV row in `header()` order; numbers with a decimal comma
/// when `decimal_comma` (for Dutch spreadsheets).
pub fn record_to_row(record: &Value, decimal_comma: bool) -> Vec<String> {
    let kind = record["record"].as_str().unwrap_or_default();
    let author = record["author"].as_str().unwrap_or_default();
    [kind.to_owned(), author.to_owned()]
        .into_iter()
        .chain(COLUMNS.iter().map(|column| {
            if !applies_to(column.applies, kind) {
                return String::new();
            }
            let value = column.path.iter().fold(record, |v, key| &v[*key]);
            neutralised(cell_text(value, decimal_comma))
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
        (
            pairs.iter().map(|(h, _)| (*h).to_owned()).collect(),
            pairs.iter().map(|(_, c)| (*c).to_owned()).collect(),
        )
    }

    #[test]
    fn a_vacancy_row_becomes_a_nested_draft() {
        let (h, c) = row(&[
            ("title", "Voorlezen op school"),
            ("categories", "onderwijs-school | taal-inburgering"),
            ("mas_suitable", "ja"),
            ("mas_min_age", "14"),
            ("hours_per_week", "2,5"),
            ("municipality", "Breda"),
            ("pc4", "4811"),
            ("expertise", ""),
        ]);
        let (kind, draft) = row_to_draft(&h, &c).unwrap();
        assert_eq!(kind, "vacancy");
        assert_eq!(draft["categories"][1], "taal-inburgering");
        assert_eq!(draft["mas"]["suitable"], true);
        assert_eq!(draft["mas"]["min_age"], 14);
        assert_eq!(draft["hours_per_week"], 2.5);
        assert_eq!(draft["location"]["pc4"], "4811");
        assert!(draft.get("expertise").is_none());
    }

    #[test]
    fn problem_paths_name_their_column() {
        assert_eq!(column_for_path("location.pc4"), Some("pc4"));
        assert_eq!(column_for_path("categories[2]"), Some("categories"));
        assert_eq!(column_for_path("contact"), Some("email"));
        assert_eq!(column_for_path("mas.min_age"), Some("mas_min_age"));
        assert_eq!(column_for_path("organisation.name"), Some("organisation"));
        assert_eq!(column_for_path("nergens"), None);
    }

    #[test]
    fn bad_cells_are_named_with_what_is_allowed() {
        let (h, c) = row(&[
            ("title", "x"),
            ("remote", "misschien"),
            ("expertise", "taal"),
        ]);
        let err = row_to_draft(&h, &c).unwrap_err().join("; ");
        assert!(
            err.contains("kolom remote: `misschien` is geen ja of nee"),
            "{err}"
        );
        assert!(
            err.contains("kolom expertise hoort niet bij een vacature"),
            "{err}"
        );
        let (h, c) = row(&[("description", "geen titel of naam")]);
        assert!(row_to_draft(&h, &c).unwrap_err()[0].contains("niet te zien"));
        let (h, c) = row(&[("record", "taart"), ("title", "x")]);
        assert!(row_to_draft(&h, &c).unwrap_err()[0].contains("schrijf vacature of organisatie"));
    }

    #[test]
    fn formulas_are_neutralised_on_export_and_restored_on_import() {
        let record = serde_json::json!({
            "record": "vacancy", "author": "sp_ander", "id": "x",
            "title": "=HYPERLINK(\"https://voorbeeld.nl\";\"klik\")",
            "description": "-5 graden buiten, @buurthuis binnen",
            "engagement": "eenmalig",
            "contact": {"phone": "+31 6 1234 5678"}
        });
        let header: Vec<String> = header().iter().map(|h| (*h).to_owned()).collect();
        let row = record_to_row(&record, true);
        let cell = |name: &str| &row[header.iter().position(|h| h == name).unwrap()];
        assert_eq!(cell("steunpunt"), "sp_ander");
        assert!(cell("title").starts_with("'=HYPERLINK"));
        assert!(cell("description").starts_with("'-5"));
        assert_eq!(cell("phone"), "'+31 6 1234 5678");
        assert_eq!(cell("engagement"), "eenmalig");
        let (_, draft) = row_to_draft(&header, &row).unwrap();
        for field in ["title", "description", "contact"] {
            assert_eq!(draft[field], record[field], "{field}");
        }
    }

    #[test]
    fn export_rows_import_to_the_same_fields() {
        let record = serde_json::json!({
            "record": "organisation", "id": "taalhuis", "name": "Taalhuis", "kind": "stichting",
            "description": "Taalles", "expertise": ["taal", "digitale-vaardigheden"],
            "location": {"municipality": "Tilburg", "pc4": "5038", "lat": 51.56, "lon": 5.08},
            "contact": {"email": "info@taalhuis.example"}
        });
        let header: Vec<String> = header().iter().map(|h| (*h).to_owned()).collect();
        let (kind, draft) = row_to_draft(&header, &record_to_row(&record, false)).unwrap();
        assert_eq!(kind, "organisation");
        let (_, dutch) = row_to_draft(&header, &record_to_row(&record, true)).unwrap();
        assert_eq!(dutch, draft, "a decimal comma reads back the same");
        for field in [
            "id",
            "name",
            "kind",
            "description",
            "expertise",
            "location",
            "contact",
        ] {
            assert_eq!(draft[field], record[field], "{field}");
        }
    }
}
