//! `vacancy show` and `org show`: one record in full, worded for the person who passes it
//! on to a volunteer or a client: what, where, when, how to apply, and who published it
//! (and through whom we trust that steunpunt).

use anyhow::bail;
use std::time::{SystemTime, UNIX_EPOCH};

use steunpunt_api::{Client, ClientError, ListQuery, RecordView, Status};
use steunpunt_protocol::body::{Contact, Location, Organisation, Vacancy};
use steunpunt_protocol::vocab::{self, Vocabulary};
use steunpunt_protocol::{Date, Kind, RecordId, RecordKey, SteunpuntId, Timestamp};

use crate::i18n::{Lang, lang};
use crate::{output, t};

/// Width the text is wrapped to.
const WIDTH: usize = 80;

fn kind_word(kind: Kind) -> String {
    crate::columns::kind_word(kind.as_str())
}

fn command_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Organisation => "org",
        _ => "vacancy",
    }
}

fn not_found(error: &ClientError) -> bool {
    matches!(error, ClientError::Refused { status: 404, .. })
}

/// The record `id` of `kind`: of `steunpunt` when given, else ours, else the only
/// steunpunt's that has one with this id.
fn find(
    api: &Client,
    kind: Kind,
    id: &str,
    steunpunt: Option<&str>,
    me: SteunpuntId,
) -> anyhow::Result<RecordView> {
    let missing = || {
        anyhow::anyhow!(t!(
            "show-not-found",
            kind = kind_word(kind),
            id = id,
            command = command_word(kind)
        ))
    };
    let record_id = RecordId::new(id).map_err(|_| missing())?;
    let author = steunpunt
        .map(|text| crate::steunpunt_id(api, text))
        .transpose()?;
    for author in author
        .into_iter()
        .chain((steunpunt.is_none()).then_some(me))
    {
        let key = RecordKey {
            author,
            kind,
            id: record_id.clone(),
        };
        match api.record(&key) {
            Ok(record) => return Ok(record),
            Err(e) if not_found(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if steunpunt.is_some() {
        return Err(missing());
    }
    let mut found = api.records_where(kind, &ListQuery::default(), |r| r.id == record_id)?;
    match found.len() {
        0 => Err(missing()),
        1 => Ok(found.remove(0)),
        _ => {
            let authors: Vec<String> = found.iter().map(|r| r.author.to_string()).collect();
            bail!(t!(
                "show-ambiguous",
                kind = kind_word(kind),
                id = id,
                steunpunten = authors.join(", ")
            ))
        }
    }
}

/// A date as people write it: "1 december 2026".
pub fn date(date: Date) -> String {
    let d = date.0;
    let month = match u8::from(d.month()) {
        1 => t!("month-1"),
        2 => t!("month-2"),
        3 => t!("month-3"),
        4 => t!("month-4"),
        5 => t!("month-5"),
        6 => t!("month-6"),
        7 => t!("month-7"),
        8 => t!("month-8"),
        9 => t!("month-9"),
        10 => t!("month-10"),
        11 => t!("month-11"),
        _ => t!("month-12"),
    };
    t!("date", day = d.day(), month = month, year = d.year())
}

/// Now, by this machine's clock.
pub fn now() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    Timestamp(millis)
}

/// The last day a record is valid: `valid_until` is the first moment it no longer is
/// (a vacancy valid through 8 December has `valid_until` 9 December 00:00).
pub fn last_day(valid_until: Timestamp) -> String {
    day(Timestamp(valid_until.0.saturating_sub(1)))
}

/// The day of a moment, as people write it.
pub fn day(moment: Timestamp) -> String {
    let text = moment.to_string();
    text.get(..10)
        .and_then(|d| Date::parse(d).ok())
        .map_or(text.clone(), date)
}

/// How long ago `since` was, in the largest whole unit: "3 uur", "12 minuten".
pub fn duration_since(since: Timestamp) -> String {
    duration(now().0.saturating_sub(since.0) / 1000)
}

/// How long until `until`, in the largest whole unit.
pub fn duration_until(until: Timestamp) -> String {
    duration(until.0.saturating_sub(now().0) / 1000)
}

fn duration(secs: u64) -> String {
    match secs {
        0..60 => t!("duration-seconds", n = secs),
        60..3600 => t!("duration-minutes", n = secs / 60),
        3600..86400 => t!("duration-hours", n = secs / 3600),
        _ => t!("duration-days", n = secs / 86400),
    }
}

/// A distance, with a decimal comma in Dutch: "3,4 km".
pub fn km(distance: f64) -> String {
    format!("{} km", output::decimal(distance))
}

/// A vocabulary term as staff call it: the Dutch label, or the English gloss in English.
fn term(vocabulary: &Vocabulary, slug: &str) -> String {
    vocabulary.get(slug).map_or_else(
        || slug.to_owned(),
        |t| match lang() {
            Lang::En => t.gloss.to_owned(),
            Lang::Nl => t.label.to_owned(),
        },
    )
}

fn terms(vocabulary: &Vocabulary, slugs: &[String]) -> String {
    slugs
        .iter()
        .map(|s| term(vocabulary, s))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `list --wide` and `search --wide` add to the default columns: for a vacancy its
/// organisation and engagement, for an organisation its kind and expertise; their headers
/// for `kind`.
pub fn wide_columns(record: &RecordView) -> [String; 2] {
    if let Some(v) = record.vacancy() {
        let organisation = v
            .organisation
            .name
            .clone()
            .or_else(|| v.organisation.id.as_ref().map(ToString::to_string))
            .unwrap_or_default();
        [organisation, term(&vocab::ENGAGEMENTS, &v.engagement)]
    } else if let Some(o) = record.organisation() {
        [
            term(&vocab::ORGANISATION_KINDS, &o.kind),
            terms(&vocab::EXPERTISE, &o.expertise),
        ]
    } else {
        [String::new(), String::new()]
    }
}

/// The headers of [`wide_columns`] for records of `kind`.
pub fn wide_headers(kind: Kind) -> [String; 2] {
    match kind {
        Kind::Organisation => [t!("col-kind"), t!("col-expertise")],
        _ => [t!("col-organisation"), t!("col-engagement")],
    }
}

fn place(location: &Location) -> String {
    match location.pc4 {
        Some(pc4) => format!("{} ({pc4})", location.municipality),
        None => location.municipality.clone(),
    }
}

fn contact(contact: &Contact) -> String {
    [
        &contact.person,
        &contact.email,
        &contact.phone,
        &contact.url,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect::<Vec<_>>()
    .join(" · ")
}

/// Lines of `label  value`, the value wrapped at word boundaries under itself.
struct Sheet {
    lines: Vec<(String, String)>,
}

impl Sheet {
    fn add(&mut self, label: String, value: impl Into<String>) {
        let value = value.into();
        if !value.trim().is_empty() {
            self.lines.push((label, value));
        }
    }

    fn print(&self, title: &str) {
        println!("{title}");
        println!("{}", "─".repeat(title.chars().count().min(WIDTH)));
        // Always within 80 columns, also when the text goes into a file or an e-mail.
        print!("{}", output::labelled_text(&self.lines, Some(WIDTH)));
    }
}

/// The publishing steunpunt's name, from its profile.
fn name_of(api: &Client, steunpunt: SteunpuntId) -> String {
    api.record(&RecordKey::profile(steunpunt))
        .ok()
        .and_then(|r| r.profile().map(|p| p.name.clone()))
        .unwrap_or_else(|| steunpunt.short())
}

/// Who published it, and how we came to trust them.
fn publisher(api: &Client, status: &Status, author: SteunpuntId) -> String {
    let name = name_of(api, author);
    if author == status.steunpunt_id {
        return format!("{name} ({})", t!("show-own"));
    }
    match status.trust.iter().find(|t| t.steunpunt == author) {
        Some(trusted) if trusted.hops <= 1 => format!("{name} ({})", t!("show-neighbour")),
        Some(trusted) => {
            let voucher = trusted
                .vouched_by
                .map(|v| name_of(api, v))
                .unwrap_or_default();
            format!(
                "{name}, {}",
                t!("show-trusted-via", voucher = voucher, hops = trusted.hops)
            )
        }
        None => name,
    }
}

fn vacancy_sheet(api: &Client, record: &RecordView, v: &Vacancy, sheet: &mut Sheet) {
    let organisation = match (&v.organisation.name, &v.organisation.id) {
        (Some(name), _) => name.clone(),
        (None, Some(id)) => api
            .record(&RecordKey {
                author: record.author,
                kind: Kind::Organisation,
                id: id.clone(),
            })
            .ok()
            .and_then(|r| r.organisation().map(|o| o.name.clone()))
            .unwrap_or_else(|| id.to_string()),
        (None, None) => String::new(),
    };
    sheet.add(t!("show-organisation"), organisation);
    let mut where_ = place(&v.location);
    if v.remote {
        where_ = format!("{where_}; {}", t!("show-remote"));
    }
    sheet.add(t!("show-where"), where_);
    sheet.add(t!("show-what"), v.description.clone());
    sheet.add(
        t!("show-categories"),
        terms(&vocab::CATEGORIES, &v.categories),
    );
    sheet.add(
        t!("show-target-groups"),
        terms(&vocab::TARGET_GROUPS, &v.target_groups),
    );
    sheet.add(
        t!("show-engagement"),
        term(&vocab::ENGAGEMENTS, &v.engagement),
    );
    if let Some(hours) = v.hours_per_week {
        let hours = match lang() {
            Lang::Nl => hours.to_string().replace('.', ","),
            Lang::En => hours.to_string(),
        };
        sheet.add(t!("show-hours"), hours);
    }
    sheet.add(
        t!("show-time-of-day"),
        terms(&vocab::TIMES_OF_DAY, &v.time_of_day),
    );
    let period = [
        v.start.map(|d| t!("show-from", date = date(d))),
        v.end.map(|d| t!("show-until", date = date(d))),
    ];
    sheet.add(
        t!("show-period"),
        period.into_iter().flatten().collect::<Vec<_>>().join(" "),
    );
    if v.mas.suitable {
        let mas = match v.mas.min_age {
            Some(age) => t!("show-mas-from-age", age = age),
            None => t!("show-mas-suitable"),
        };
        sheet.add(t!("show-mas"), mas);
    }
    sheet.add(t!("show-requirements"), v.requirements.join(", "));
    sheet.add(t!("show-rewards"), v.rewards.join(", "));
    if let Some(n) = v.volunteers_needed {
        sheet.add(
            t!("show-volunteers-needed"),
            t!("show-volunteers-count", count = n),
        );
    }
    sheet.add(t!("show-contact"), contact(&v.contact));
    sheet.add(t!("show-apply"), v.apply_url.clone().unwrap_or_default());
}

fn organisation_sheet(o: &Organisation, sheet: &mut Sheet) {
    sheet.add(t!("show-kind"), term(&vocab::ORGANISATION_KINDS, &o.kind));
    sheet.add(t!("show-where"), place(&o.location));
    sheet.add(t!("show-what"), o.description.clone());
    sheet.add(t!("show-expertise"), terms(&vocab::EXPERTISE, &o.expertise));
    sheet.add(
        t!("show-target-groups"),
        terms(&vocab::TARGET_GROUPS, &o.target_groups),
    );
    if let Some(relation) = &o.relation {
        sheet.add(t!("show-relation"), term(&vocab::RELATIONS, relation));
    }
    sheet.add(t!("show-services"), o.services.clone().unwrap_or_default());
    sheet.add(t!("show-contact"), contact(&o.contact));
    sheet.add(t!("show-website"), o.website.clone().unwrap_or_default());
    sheet.add(t!("show-kvk"), o.kvk.clone().unwrap_or_default());
    if let Some(vetted) = o.vetted_on {
        sheet.add(t!("show-vetted-on"), date(vetted));
    }
}

/// Prints the record `id` of `kind` (see [`find`]), or its JSON form with `json`.
pub fn run(
    api: &Client,
    kind: Kind,
    id: &str,
    steunpunt: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let status = api.status()?;
    let record = find(api, kind, id, steunpunt, status.steunpunt_id)?;
    if json {
        output::json(&record);
        return Ok(());
    }
    let mut sheet = Sheet { lines: Vec::new() };
    match (record.vacancy(), record.organisation()) {
        (Some(v), _) => vacancy_sheet(api, &record, v, &mut sheet),
        (None, Some(o)) => organisation_sheet(o, &mut sheet),
        (None, None) => sheet.add(String::new(), t!("show-withdrawn")),
    }
    sheet.add(
        t!("show-published-by"),
        publisher(api, &status, record.author),
    );
    sheet.add(t!("show-steunpunt-id"), record.author.to_string());
    sheet.add(
        t!("show-updated"),
        t!(
            "show-revision",
            date = day(record.updated_at),
            revision = record.revision
        ),
    );
    sheet.add(t!("show-valid-until"), last_day(record.valid_until));
    sheet.add(t!("show-id"), record.id.to_string());
    sheet.print(record.title().unwrap_or(record.id.as_str()));
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use steunpunt_protocol::Date;
    use steunpunt_protocol::timestamp::DAY_MS;

    #[test]
    fn valid_through_a_date_shows_that_date() {
        // What publishing makes of `"valid_until": "2026-12-08"`.
        let valid_until = Date::parse("2026-12-08").unwrap().start().plus_ms(DAY_MS);
        assert_eq!(super::last_day(valid_until), "8 december 2026");
        assert_eq!(super::day(valid_until), "9 december 2026");
    }
}
