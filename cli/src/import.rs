//! Importing and publishing records from files: CSV (the columns of [`crate::columns`],
//! `;` or `,` separated, with or without a byte-order mark) or JSON (one object or an
//! array, such as `steunpunt export` writes). Every row is checked on its own; valid rows
//! are published even when others fail, and the report names each rejected row.

use std::collections::HashMap;
use std::io::Read as _;

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use serde_json::Value;
use steunpunt_api::{Client, ClientError, Outcome, Problem};
use steunpunt_protocol::text::fold;
use steunpunt_protocol::{Kind, RecordId};

use crate::columns;
use crate::explain::{self, Names};
use crate::output;
use crate::t;

/// Fields of an exported record that describe it rather than say what it is; an import
/// leaves them out.
const EXPORT_METADATA: &[&str] = &["revision", "updated_at", "hash", "withdrawn"];

/// Files with more rows than this get a progress bar.
const PROGRESS_FROM_ROWS: usize = 20;

/// One row of the input: where it is, and its record kind and draft, or why not.
pub(crate) struct Row {
    label: String,
    pub(crate) at: Place,
    parsed: Result<(&'static str, Value), Vec<String>>,
}

/// Most row numbers listed after a problem repeated in many rows.
const LISTED_ROWS: usize = 12;

/// Where a row is, for programs reading `--json` (the label is for people, in their
/// language): `{"line": 5}` in a CSV file, `{"item": 2}` in a JSON array.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Place {
    Line(u64),
    Item(usize),
}

impl Place {
    pub(crate) fn number(self) -> String {
        match self {
            Place::Line(n) => n.to_string(),
            Place::Item(n) => n.to_string(),
        }
    }
}

/// What to do with the rows.
pub struct Options<'a> {
    /// Only check, publish nothing.
    pub dry_run: bool,
    /// Every row must be of this kind (`vacancy publish`, `org publish`).
    pub kind: Option<&'a str>,
    /// JSON Lines instead of text.
    pub json: bool,
}

/// Reads a file, or standard input for `-`, without a byte-order mark.
fn read_source(file: &str) -> anyhow::Result<(String, String)> {
    let (name, text) = if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|_| anyhow::anyhow!(t!("import-stdin-unreadable")))?;
        (t!("import-stdin-name"), text)
    } else {
        let bytes = std::fs::read(file).with_context(|| t!("import-unreadable", file = file))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!(t!("import-not-utf8", file = file)))?;
        (file.to_owned(), text)
    };
    // Excel writes Windows line endings; counted as one, line numbers stay right.
    Ok((
        name,
        text.trim_start_matches('\u{feff}').replace("\r\n", "\n"),
    ))
}

fn is_json(file: &str, text: &str) -> bool {
    let lower = file.to_lowercase();
    if lower.ends_with(".json") {
        return true;
    }
    if lower.ends_with(".csv") {
        return false;
    }
    let first = text
        .lines()
        .map(str::trim_start)
        .find(|line| !line.is_empty() && !line.starts_with("//"));
    matches!(first.and_then(|line| line.chars().next()), Some('[' | '{'))
}

/// `text` with every line that starts with `//` (after spaces) left empty, so that a
/// template's explaining lines may stay and error line numbers stay right.
fn without_comment_lines(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn json_rows(name: &str, text: &str, me: &str, forced: Option<&str>) -> anyhow::Result<Vec<Row>> {
    let text = without_comment_lines(text);
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(t!(
            "import-bad-json",
            name = name,
            line = e.line(),
            column = e.column(),
            reason = e.to_string()
        ))
    })?;
    let (items, single) = match value {
        Value::Array(items) => (items, false),
        Value::Object(_) => (vec![value], true),
        _ => bail!(t!("import-json-shape", name = name)),
    };
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, item)| Row {
            label: if single {
                name.to_owned()
            } else {
                t!("import-item", n = i + 1)
            },
            at: Place::Item(i + 1),
            parsed: json_draft(item, me, forced),
        })
        .collect())
}

/// A JSON item as a draft: export metadata removed, the kind from `record` or the fields.
fn json_draft(
    item: Value,
    me: &str,
    forced: Option<&str>,
) -> Result<(&'static str, Value), Vec<String>> {
    let Value::Object(mut fields) = item else {
        return Err(vec![t!("import-not-object")]);
    };
    if let Some(author) = fields.remove("author")
        && author.as_str() != Some(me)
    {
        return Err(vec![t!(
            "import-foreign",
            author = author.as_str().unwrap_or("?")
        )]);
    }
    if fields.get("withdrawn") == Some(&Value::Bool(true)) {
        return Err(vec![t!("import-withdrawal")]);
    }
    for field in EXPORT_METADATA {
        fields.remove(*field);
    }
    let named = fields.remove("record");
    let kind = match named.as_ref().and_then(Value::as_str) {
        Some(text) => {
            columns::record_kind(text).ok_or_else(|| vec![t!("import-bad-kind", text = text)])?
        }
        None if fields.contains_key("title") => "vacancy",
        None if fields.contains_key("name") => "organisation",
        None => match forced {
            Some("vacancy") => "vacancy",
            Some(_) => "organisation",
            None => return Err(vec![t!("import-unknown-kind")]),
        },
    };
    Ok((kind, Value::Object(fields)))
}

pub(crate) fn csv_rows(name: &str, text: &str, me: &str) -> anyhow::Result<Vec<Row>> {
    // An export's notice line (`# let op: …`, quoted when it holds the delimiter) is not
    // the header; the lines named in messages still count it, as the spreadsheet does.
    let mark = crate::export::CSV_NOTICE_MARK;
    let (text, skipped) = match text.split_once('\n') {
        Some((first, rest))
            if first.starts_with(mark) || first.starts_with(&format!("\"{mark}")) =>
        {
            (rest, 1)
        }
        _ => (text, 0),
    };
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains(';') { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .with_context(|| t!("import-no-header", name = name))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let allowed = columns::header();
    let unknown: Vec<&str> = header
        .iter()
        .filter(|h| !allowed.contains(&h.as_str()))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        bail!(t!(
            "import-unknown-columns",
            name = name,
            unknown = unknown.join(", "),
            known = allowed.join(", ")
        ));
    }
    for (i, h) in header.iter().enumerate() {
        if header[..i].contains(h) {
            bail!(t!(
                "import-repeated-column",
                name = name,
                column = h.as_str()
            ));
        }
    }
    if !header.iter().any(|h| h == "title" || h == "name") {
        bail!(t!("import-no-title-column", name = name));
    }
    let author_at = header.iter().position(|h| h == columns::STEUNPUNT_COLUMN);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let (line, parsed) = match record {
            Ok(record) => {
                let line = record.position().map_or(i as u64 + 2, |p| p.line()) + skipped;
                let cells: Vec<String> = record.iter().map(str::to_owned).collect();
                let parsed = if cells.iter().all(|c| c.trim().is_empty()) {
                    continue;
                } else if cells.len() != header.len() {
                    Err(vec![t!(
                        "import-cell-count",
                        cells = cells.len(),
                        header = header.len()
                    )])
                } else if let Some(author) = author_at
                    .and_then(|at| cells.get(at))
                    .map(|c| c.trim())
                    .filter(|c| !c.is_empty() && *c != me)
                {
                    // A region-wide export holds other centres' records: only their
                    // author may publish them.
                    Err(vec![t!("import-foreign", author = author)])
                } else {
                    columns::row_to_draft(&header, &cells)
                };
                (line, parsed)
            }
            Err(e) => {
                let line = e.position().map_or(i as u64 + 2, |p| p.line()) + skipped;
                (
                    line,
                    Err(vec![t!("import-unreadable-row", reason = e.to_string())]),
                )
            }
        };
        rows.push(Row {
            label: t!("import-line", line = line),
            at: Place::Line(line),
            parsed,
        });
    }
    Ok(rows)
}

/// The id a draft made from its title or name gets when no other record has it, as the
/// node makes it.
fn title_id(draft: &Value) -> Option<String> {
    let title = draft["title"].as_str().or(draft["name"].as_str())?;
    RecordId::slugify(title).map(|id| id.as_str().to_owned())
}

/// What names the record a row publishes: its own `id`, or else its title (or name) with
/// its organisation and place, compared case and accents aside as the node compares them
/// (`Body::same_subject`).
fn identity(draft: &Value) -> Option<String> {
    match draft["id"].as_str() {
        Some(id) => Some(format!("id {id}")),
        None => Some(fold(&format!(
            "{} {} {}",
            title_id(draft)?,
            draft["organisation"],
            draft["location"]
        ))),
    }
}

/// Rejects a second row that names the record of an earlier one: it would silently
/// replace it.
fn reject_repeated_ids(rows: &mut [Row]) {
    let mut seen: HashMap<(&'static str, String), String> = HashMap::new();
    for row in rows {
        let Ok((kind, draft)) = &row.parsed else {
            continue;
        };
        let Some(identity) = identity(draft) else {
            continue;
        };
        let kind = *kind;
        if let Some(first) = seen.get(&(kind, identity.clone())) {
            let kind = columns::kind_word(kind);
            row.parsed = Err(vec![match draft["id"].as_str() {
                Some(id) => t!(
                    "import-same-id",
                    id = id,
                    first = first.as_str(),
                    kind = kind.as_str()
                ),
                None => t!(
                    "import-same-subject",
                    first = first.as_str(),
                    kind = kind.as_str()
                ),
            }]);
        } else {
            seen.insert((kind, identity), row.label.clone());
        }
    }
}

fn progress(rows: usize, json: bool) -> ProgressBar {
    if rows < PROGRESS_FROM_ROWS || json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(rows as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {} {{msg}} ({} {{eta}})",
        t!("import-progress-rows"),
        t!("import-progress-left")
    )) {
        bar.set_style(style);
    }
    bar
}

/// What happened to one row, as `--json` prints it.
#[derive(Serialize)]
struct RowReport<'a> {
    row: &'a str,
    #[serde(flatten)]
    at: Place,
    record: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    outcome: &'static str,
    /// With `updated`: the fields the row changed (the node's field names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changed: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dry_run: Option<bool>,
    /// Why it was rejected, in the chosen language: one line per problem (in `--json`
    /// one text, the lines separated by newlines).
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "one_text")]
    error: Vec<String>,
    /// The node's problems, as it gave them (empty when the CLI itself refused the row).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<Problem>,
    /// Likely mistakes that did not stop publishing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<Problem>,
}

fn one_text<S: serde::Serializer>(lines: &[String], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&lines.join("\n"))
}

/// The totals, as `--json` prints them last.
#[derive(Serialize)]
struct Summary {
    rows: usize,
    new: usize,
    updated: usize,
    unchanged: usize,
    rejected: usize,
    dry_run: bool,
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::New => "new",
        Outcome::Updated => "updated",
        Outcome::Unchanged => "unchanged",
    }
}

/// Lines said about rows, each once: a line said about many rows is printed once with
/// their numbers ("… (in 11 rijen: 4, 7, …)").
#[derive(Default)]
struct Said {
    lines: Vec<(String, Vec<(String, Place)>)>,
}

impl Said {
    fn add(&mut self, row: &Row, line: String) {
        let at = (row.label.clone(), row.at);
        match self.lines.iter_mut().find(|(l, _)| *l == line) {
            Some((_, rows)) => rows.push(at),
            None => self.lines.push((line, vec![at])),
        }
    }

    fn print(&self, prefix: &str) {
        for (line, rows) in &self.lines {
            let text = match rows.as_slice() {
                [(label, _)] => format!("{label}: {line}"),
                _ => {
                    let mut numbers: Vec<String> = rows
                        .iter()
                        .take(LISTED_ROWS)
                        .map(|(_, at)| at.number())
                        .collect();
                    if rows.len() > LISTED_ROWS {
                        numbers.push("…".into());
                    }
                    t!(
                        "repeated-in-rows",
                        problem = line.as_str(),
                        count = rows.len(),
                        rows = numbers.join(", ")
                    )
                }
            };
            output::say(&format!("{prefix}{text}"));
        }
    }
}

/// Publishes (or with `dry_run` checks) every row of `file`; prints a report and fails when
/// any row was rejected.
pub fn run(api: &Client, file: &str, options: &Options) -> anyhow::Result<()> {
    let me = api.status()?.steunpunt_id.to_string();
    let (name, text) = read_source(file)?;
    let csv = !is_json(file, &text);
    let mut rows = if csv {
        csv_rows(&name, &text, &me)?
    } else {
        json_rows(&name, &text, &me, options.kind)?
    };
    let names = if csv { Names::Columns } else { Names::Fields };
    if let Some(wanted) = options.kind {
        for row in &mut rows {
            if let Ok((kind, _)) = &row.parsed
                && *kind != wanted
            {
                row.parsed = Err(vec![t!(
                    "import-wrong-kind",
                    kind = columns::kind_word(kind),
                    wanted = columns::kind_word(wanted)
                )]);
            }
        }
    }
    reject_repeated_ids(&mut rows);
    let bar = progress(rows.len(), options.json);
    let mut reports = Vec::with_capacity(rows.len());
    let mut errors = Said::default();
    let mut warnings = Said::default();
    for row in &rows {
        let report = match &row.parsed {
            Err(lines) => rejected(row, None, lines.clone(), Vec::new()),
            Ok((kind, draft)) => {
                let answer = match (kind.parse::<Kind>(), draft) {
                    (Ok(record_kind), Value::Object(fields)) => {
                        api.publish(record_kind, fields, options.dry_run)
                    }
                    _ => Err(ClientError::Other(format!("{kind} is not a record kind"))),
                };
                match answer {
                    Ok(published) => RowReport {
                        row: &row.label,
                        at: row.at,
                        record: Some(kind),
                        id: Some(published.record.id.as_str().to_owned()),
                        outcome: outcome_name(published.outcome),
                        changed: published.changed,
                        dry_run: Some(options.dry_run),
                        error: Vec::new(),
                        problems: Vec::new(),
                        warnings: published.warnings,
                    },
                    Err(ClientError::Refused {
                        message, problems, ..
                    }) => {
                        let lines = if problems.is_empty() {
                            vec![message]
                        } else {
                            problems.iter().map(|p| explain::line(p, names)).collect()
                        };
                        rejected(row, Some(kind), lines, problems)
                    }
                    Err(fatal) => {
                        bar.abandon();
                        return Err(anyhow::Error::new(fatal)
                            .context(t!("import-stopped", row = row.label.as_str())));
                    }
                }
            }
        };
        for line in &report.error {
            errors.add(row, line.clone());
        }
        if let (Some(line), false) = (
            done_line(row, &report, names, options.dry_run),
            options.json,
        ) {
            bar.suspend(|| output::say(&format!("{}: {line}", row.label)));
        }
        for warning in &report.warnings {
            warnings.add(row, explain::line(warning, names));
        }
        if options.json {
            bar.suspend(|| output::json(&report));
        } else if options.kind.is_some() && report.error.is_empty() {
            bar.suspend(|| println!("{}", report.id.as_deref().unwrap_or_default()));
        }
        bar.inc(1);
        reports.push(report);
    }
    bar.finish_and_clear();
    let count = |outcome: &str| reports.iter().filter(|r| r.outcome == outcome).count();
    let summary = Summary {
        rows: rows.len(),
        new: count("new"),
        updated: count("updated"),
        unchanged: count("unchanged"),
        rejected: count("rejected"),
        dry_run: options.dry_run,
    };
    if options.json {
        output::json(&serde_json::json!({ "summary": summary }));
    } else {
        warnings.print(&format!("{}: ", t!("warning")));
    }
    let single = rows.len() == 1;
    if !options.json && !single {
        errors.print("");
    }
    if !options.json && (options.kind.is_none() || !single) {
        let line = t!(
            "import-summary",
            rows = summary.rows,
            new = summary.new,
            updated = summary.updated,
            unchanged = summary.unchanged,
            rejected = summary.rejected
        );
        // Wrapped at the terminal's width, never inside a word.
        if options.dry_run {
            output::say(&format!("{line} {}", t!("import-dry-run-note")));
        } else {
            output::say(&line);
        }
    }
    if summary.rejected > 0 {
        if let [only] = reports.as_slice() {
            // One record: its problems once, in the error itself.
            let reason = output::listed(&only.error);
            bail!(t!(
                "import-one-failed",
                row = only.row,
                reason = reason.as_str()
            ));
        }
        bail!(t!(
            "import-some-failed",
            rejected = summary.rejected,
            rows = rows.len()
        ));
    }
    Ok(())
}

/// What a person is told of a row that was published: each update with the fields it
/// changed, and each new record that got a numbered id because another of ours has its
/// title. Nothing for new and unchanged rows otherwise.
fn done_line(row: &Row, report: &RowReport, names: Names, dry_run: bool) -> Option<String> {
    let id = report.id.as_deref()?;
    let Ok((kind, draft)) = &row.parsed else {
        return None;
    };
    match report.outcome {
        "updated" => {
            let fields: Vec<String> = report
                .changed
                .iter()
                .map(|field| match names {
                    Names::Columns => columns::column_for_path(field).unwrap_or(field).to_owned(),
                    _ => field.clone(),
                })
                .collect();
            let fields = fields.join(", ");
            Some(if dry_run {
                t!("import-would-update", id = id, fields = fields.as_str())
            } else {
                t!("import-updated", id = id, fields = fields.as_str())
            })
        }
        "new" if draft["id"].is_null() && title_id(draft).is_some_and(|made| made != id) => {
            let kind = columns::kind_word(kind);
            Some(if dry_run {
                t!("import-would-number", id = id, kind = kind.as_str())
            } else {
                t!("import-numbered", id = id, kind = kind.as_str())
            })
        }
        _ => None,
    }
}

fn rejected<'a>(
    row: &'a Row,
    kind: Option<&'static str>,
    lines: Vec<String>,
    problems: Vec<Problem>,
) -> RowReport<'a> {
    RowReport {
        row: &row.label,
        at: row.at,
        record: kind,
        id: None,
        outcome: "rejected",
        changed: Vec::new(),
        dry_run: None,
        error: lines,
        problems,
        warnings: Vec::new(),
    }
}
