//! The record commands staff use most: `vacancy` and `org` (list, show, publish, withdraw,
//! expiring) and `search`, with their arguments.

use crate::output::{cut, table};
use crate::{explain, import, output, show, steunpunt_id, steunpunt_names, t, template};
use clap::Subcommand;
use serde_json::json;
use steunpunt_api::{Client, Hit, ListQuery, RecordView, SearchQuery, Sort};
use steunpunt_protocol::Kind;
use steunpunt_protocol::timestamp::DAY_MS;

#[derive(Debug, Subcommand)]
pub(crate) enum RecordCommand {
    /// Publishes (or updates) records from a JSON file, or `-` for standard input; prints ids.
    ///
    /// Example: steunpunt vacancy publish voorlezen.json (or: steunpunt org publish partners.json)
    Publish {
        /// A JSON object, or an array of objects.
        file: String,
    },
    /// Withdraws one of our records; it disappears everywhere.
    ///
    /// Example: steunpunt vacancy withdraw voorlezen-op-school (or: steunpunt org withdraw ID)
    Withdraw {
        /// Record id.
        id: String,
    },
    /// Lists records held (of the whole region, or only ours).
    ///
    /// Example: steunpunt vacancy list --mine (or: steunpunt org list --mine)
    List {
        /// Only our own.
        #[arg(long)]
        mine: bool,
        /// More columns: organisation and engagement (organisations: kind and expertise),
        /// and when it was last changed.
        #[arg(long)]
        wide: bool,
    },
    /// Lists our own records that expire within a number of days; publish one again with a
    /// later `valid_until` to keep it.
    ///
    /// Example: steunpunt vacancy expiring --days 30
    Expiring {
        /// Within this many days.
        #[arg(long, default_value_t = EXPIRING_DAYS)]
        days: u64,
    },
    /// Prints a complete example with every field explained, to copy into a file, edit
    /// and publish; the `//` lines may stay.
    ///
    /// Example: steunpunt vacancy template > nieuw.json (or: steunpunt org template)
    Template,
    /// Shows one record in full: what, where, when, how to apply, and who published it.
    ///
    /// Example: steunpunt vacancy show voorlezen-op-de-basisschool (or: steunpunt org show ID)
    Show {
        /// Record id, as `list` and `search` show it.
        id: String,
        /// The publishing steunpunt's ID or name, when several have a record with this id
        /// (default: ours, then the only one that has it).
        #[arg(long)]
        steunpunt: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum OrgCommand {
    #[command(flatten)]
    Record(RecordCommand),
    /// Searches partner organisations in the region.
    ///
    /// Example: steunpunt org search --expertise schuldhulp --near Tilburg
    Search(Box<SearchArgs>),
}

#[derive(Debug, clap::Args)]
pub(crate) struct SearchArgs {
    /// Words to look for.
    words: Vec<String>,
    /// Municipality.
    #[arg(long)]
    municipality: Option<String>,
    /// A four-digit postcode or a place to measure distance from.
    #[arg(long)]
    near: Option<String>,
    /// Radius around --near, in km (default 15).
    #[arg(long)]
    radius_km: Option<f64>,
    /// Category (vacancies).
    #[arg(long)]
    category: Option<String>,
    /// Target group.
    #[arg(long)]
    target_group: Option<String>,
    /// Engagement (vacancies): eenmalig, kortlopend, structureel, groepsklus.
    #[arg(long)]
    engagement: Option<String>,
    /// Only placements suitable for a maatschappelijke stage.
    #[arg(long)]
    mas: bool,
    /// With --mas: the pupil's age.
    #[arg(long, requires = "mas")]
    age: Option<u8>,
    /// Only remote work.
    #[arg(long)]
    remote: bool,
    /// Expertise (organisations).
    #[arg(long)]
    expertise: Option<String>,
    /// Organisation kind (organisations).
    #[arg(long)]
    kind: Option<String>,
    /// Only vacancies that run on this date, e.g. 2027-06-12.
    #[arg(long)]
    on: Option<String>,
    /// Only records of this steunpunt: its name ("Tilburg" will do when only one name
    /// fits) or ID (sp_…).
    #[arg(long)]
    steunpunt: Option<String>,
    /// Order of results: relevance, distance (needs --near) or recent.
    #[arg(long, value_parser = ["relevance", "distance", "recent"])]
    sort: Option<String>,
    /// Most results.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// More columns: organisation and engagement (organisations: kind and expertise),
    /// and the relevance score.
    #[arg(long)]
    wide: bool,
}

impl SearchArgs {
    fn query(&self) -> SearchQuery {
        SearchQuery {
            q: (!self.words.is_empty()).then(|| self.words.join(" ")),
            municipality: self.municipality.clone(),
            near: self.near.clone(),
            radius_km: self.radius_km,
            category: self.category.clone(),
            target_group: self.target_group.clone(),
            engagement: self.engagement.clone(),
            mas: self.mas,
            age: self.age,
            remote: self.remote,
            expertise: self.expertise.clone(),
            org_kind: self.kind.clone(),
            on: self.on.clone(),
            author: self.steunpunt.clone(),
            sort: self.sort.as_deref().map(|s| match s {
                "distance" => Sort::Distance,
                "recent" => Sort::Recent,
                _ => Sort::Relevance,
            }),
            limit: Some(self.limit),
        }
    }
}

pub(crate) fn text(value: Option<&str>) -> String {
    cut(value.unwrap_or_default(), output::MAX_CELL)
}

/// Where a vacancy or organisation is.
pub(crate) fn municipality(record: &RecordView) -> Option<&str> {
    record
        .vacancy()
        .map(|v| v.location.municipality.as_str())
        .or_else(|| {
            record
                .organisation()
                .map(|o| o.location.municipality.as_str())
        })
}

fn records_table(api: &Client, kind: Kind, records: &[RecordView], total: usize, wide: bool) {
    let names = steunpunt_names(api);
    let rows = records
        .iter()
        .map(|r| {
            let mut row = vec![text(r.title()), text(municipality(r))];
            if wide {
                row.extend(show::wide_columns(r).map(|c| text(Some(&c))));
                row.push(show::day(r.updated_at));
            }
            row.extend([
                show::last_day(r.valid_until),
                names
                    .get(&r.author)
                    .cloned()
                    .unwrap_or_else(|| r.author.short()),
                r.id.to_string(),
            ]);
            row
        })
        .collect();
    let mut header = vec![t!("col-title"), t!("col-municipality")];
    if wide {
        header.extend(show::wide_headers(kind));
        header.push(t!("col-updated"));
    }
    header.extend([t!("col-valid-until"), t!("col-steunpunt"), t!("col-id")]);
    let id_column = header.len() - 1;
    table(&header, rows, &[id_column]);
    if total > records.len() {
        println!("{}", t!("shown-of", shown = records.len(), total = total));
    }
}

pub(crate) fn records(
    api: &Client,
    kind: Kind,
    command: RecordCommand,
    json: bool,
) -> anyhow::Result<()> {
    match command {
        RecordCommand::Publish { file } => import::run(
            api,
            &file,
            &import::Options {
                dry_run: false,
                kind: Some(kind.as_str()),
                json,
            },
        ),
        RecordCommand::Withdraw { id } => withdraw(api, kind, &id, json),
        RecordCommand::List { mine, wide } => list(api, kind, mine, wide, json),
        RecordCommand::Expiring { days } => expiring(api, kind, days, json),
        RecordCommand::Template => {
            print!("{}", template::render(kind));
            Ok(())
        }
        RecordCommand::Show { id, steunpunt } => {
            show::run(api, kind, &id, steunpunt.as_deref(), json)
        }
    }
}

fn withdraw(api: &Client, kind: Kind, id: &str, json: bool) -> anyhow::Result<()> {
    let record = api.withdraw(kind, id)?;
    if json {
        output::json(
            &json!({ "id": record.id, "revision": record.revision, "withdrawn": record.withdrawn }),
        );
    } else {
        println!("{}", t!("withdrawn", id = id));
    }
    Ok(())
}

pub(crate) fn list(
    api: &Client,
    kind: Kind,
    mine: bool,
    wide: bool,
    json: bool,
) -> anyhow::Result<()> {
    let page = api.records(
        kind,
        &ListQuery {
            mine,
            limit: Some(steunpunt_api::MAX_PAGE),
            ..ListQuery::default()
        },
    )?;
    if json {
        output::json_lines(&page.records);
    } else {
        records_table(api, kind, &page.records, page.total, wide);
    }
    Ok(())
}

/// Days ahead that `expiring` and `status` look at by default.
pub(crate) const EXPIRING_DAYS: u64 = 14;

/// Our own records of `kind` that expire within `days`, soonest first.
pub(crate) fn own_expiring(api: &Client, kind: Kind, days: u64) -> anyhow::Result<Vec<RecordView>> {
    let until = show::now().plus_ms(days.saturating_mul(DAY_MS));
    let mine = ListQuery {
        mine: true,
        ..ListQuery::default()
    };
    let mut found = api.records_where(kind, &mine, |r| r.valid_until <= until)?;
    found.sort_by_key(|r| r.valid_until);
    Ok(found)
}

pub(crate) fn expiring(api: &Client, kind: Kind, days: u64, json: bool) -> anyhow::Result<()> {
    let found = own_expiring(api, kind, days)?;
    if json {
        output::json_lines(&found);
    } else if found.is_empty() {
        println!("{}", t!("expiring-none", days = days));
    } else {
        let rows = found
            .iter()
            .map(|r| {
                vec![
                    text(r.title()),
                    show::last_day(r.valid_until),
                    r.id.to_string(),
                ]
            })
            .collect();
        table(
            &[t!("col-title"), t!("col-valid-until"), t!("col-id")],
            rows,
            &[2],
        );
        println!("{}", t!("expiring-hint"));
    }
    Ok(())
}

pub(crate) fn search(
    api: &Client,
    kind: Kind,
    args: &SearchArgs,
    json: bool,
) -> anyhow::Result<()> {
    let mut query = args.query();
    if let Some(steunpunt) = &args.steunpunt {
        query.author = Some(steunpunt_id(api, steunpunt)?.to_string());
    }
    let found = api.search(kind, &query).map_err(explain::Search)?;
    for warning in &found.warnings {
        output::say(&format!(
            "{}: {}",
            t!("warning"),
            explain::line(warning, explain::Names::Flags)
        ));
    }
    if json {
        output::json_lines(&found.results);
        return Ok(());
    }

    let with_distance = found.results.iter().any(|h| h.distance_km.is_some());
    let rows = found
        .results
        .iter()
        .map(|hit: &Hit| {
            let r = &hit.record;
            let mut row = vec![text(r.title()), text(municipality(r))];
            if args.wide {
                row.extend(show::wide_columns(r).map(|c| text(Some(&c))));
            }
            if with_distance {
                row.push(hit.distance_km.map(show::km).unwrap_or_default());
            }
            row.push(text(hit.steunpunt.as_deref()));
            row.push(r.id.to_string());
            if args.wide {
                row.push(format!("{:.0}", hit.score));
            }
            row
        })
        .collect();
    let mut header = vec![t!("col-title"), t!("col-municipality")];
    if args.wide {
        header.extend(show::wide_headers(kind));
    }
    if with_distance {
        header.push(t!("col-distance"));
    }
    header.extend([t!("col-steunpunt"), t!("col-id")]);
    if args.wide {
        header.push(t!("col-score"));
    }
    let id_column = header.len() - 1 - usize::from(args.wide);
    table(&header, rows, &[id_column]);
    if found.total > found.results.len() {
        println!(
            "{}",
            t!(
                "search-shown-of",
                shown = found.results.len(),
                total = found.total
            )
        );
    }
    Ok(())
}
