//! `steunpunt`: the command-line tool for steunpunt staff and admins. It talks to a node
//! only through the node's local HTTP API (`steunpunt init` runs `steunpuntd init`).

mod i18n;

mod admin;

mod columns;
mod explain;
mod export;
mod import;
mod output;
mod records;
mod show;
mod template;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{CommandFactory as _, Parser, Subcommand};
use serde_json::json;
use steunpunt_api::{AddPeer, BlockPeer, Client, ExportQuery};
use steunpunt_protocol::text::fold;
use steunpunt_protocol::{Kind, SteunpuntId};

use crate::i18n::Lang;
use crate::records::{
    EXPIRING_DAYS, OrgCommand, RecordCommand, SearchArgs, own_expiring, records, search,
};

/// Publish and search volunteer vacancies and partner organisations across the region.
///
/// Example: steunpunt search voorlezen --near 4811 --radius-km 15
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Data directory of the node (default: $STEUNPUNT_DATA_DIR, then the platform's data
    /// directory).
    #[arg(long, env = "STEUNPUNT_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Print JSON: one object, or JSON Lines for lists.
    #[arg(long, global = true)]
    json: bool,
    /// Language of messages and tables: nl (default) or en; without it, an English
    /// LANG or LC_ALL chooses English.
    #[arg(long, global = true, value_enum, hide_possible_values = true)]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Creates a new steunpunt: keys and config.toml in the data directory.
    ///
    /// Example: steunpunt --data-dir ./breda init --name "Steunpunt Breda" --municipality Breda
    Init {
        /// Name of the steunpunt.
        #[arg(long)]
        name: String,
        /// Municipality served (repeatable).
        #[arg(long)]
        municipality: Vec<String>,
        /// libp2p listen address (repeatable), e.g. /ip4/0.0.0.0/tcp/4001.
        #[arg(long)]
        listen: Vec<String>,
        /// API address, e.g. 127.0.0.1:7300.
        #[arg(long)]
        api: Option<String>,
    },
    /// Shows the node: steunpunt ID, PeerId, addresses, peers, record counts.
    ///
    /// Example: steunpunt status
    Status,
    /// Neighbouring centres.
    #[command(subcommand)]
    Peer(PeerCommand),
    /// The federation as this node sees it: every trusted steunpunt with its
    /// municipalities, distance, who vouched for it and how many records it has.
    ///
    /// Example: steunpunt region (a picture: steunpunt region --format dot | dot -Tpng > regio.png)
    Region {
        /// table (default) or dot (Graphviz: who vouches for whom).
        #[arg(long, value_enum, default_value = "table")]
        format: admin::RegionFormat,
    },
    /// Our vacancies.
    #[command(subcommand)]
    Vacancy(RecordCommand),
    /// Our partner organisations.
    #[command(subcommand, name = "org")]
    Org(OrgCommand),
    /// Searches vacancies in the whole trusted region, in Dutch: `voorlezen` also finds
    /// `voorleesvrijwilliger`; more matching words and matches in titles rank higher.
    ///
    /// Example: steunpunt search voorlezen --mas --age 14 --near 4811 --radius-km 20
    Search(Box<SearchArgs>),
    /// Publishes vacancies and organisations from a CSV or JSON file, row by row.
    ///
    /// CSV: a header row with the columns listed in the README (`;` or `,` separated,
    /// UTF-8). JSON: an object or an array, such as `export` writes. Importing the same
    /// file again changes nothing.
    ///
    /// Example: steunpunt import vacatures.csv --dry-run
    Import {
        /// The file (`.csv` or `.json`), or `-` for standard input.
        file: String,
        /// Check every row, publish nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Prints all records held (or only ours) in a format other tools read.
    ///
    /// Examples:
    ///
    ///   steunpunt export --mine > backup.json
    ///
    ///   steunpunt export --format jsonld > vacatures.jsonld
    Export {
        /// Output format: json (re-importable), csv (the import columns), jsonld
        /// (schema.org) or hsds (Open Referral).
        #[arg(long, value_enum, default_value = "json")]
        format: export::Format,
        /// Only our own records.
        #[arg(long)]
        mine: bool,
    },
    /// Prints shell completions.
    ///
    /// Example: steunpunt completions bash > /etc/bash_completion.d/steunpunt
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
enum PeerCommand {
    /// Peers with a neighbouring centre: vouches for it and connects to its node.
    ///
    /// Example: steunpunt peer add /ip4/192.0.2.10/tcp/4001/p2p/12D3KooW… --steunpunt sp_…
    Add {
        /// The neighbour's node address, ending in /p2p/PEER_ID.
        multiaddr: String,
        /// The neighbour's steunpunt ID (sp_…).
        #[arg(long)]
        steunpunt: String,
        /// A label, e.g. the neighbour's name.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Lists our neighbours.
    ///
    /// Example: steunpunt peer list
    List,
    /// Stops vouching for a neighbour and connecting to it.
    ///
    /// Example: steunpunt peer remove "Steunpunt Tilburg" (or the steunpunt ID, sp_…)
    Remove {
        /// Steunpunt ID (sp_…) or the neighbour's name.
        id: String,
    },
    /// Blocks a steunpunt: never trusted, even when others vouch for it.
    ///
    /// Example: steunpunt peer block sp_…
    Block {
        /// Steunpunt ID (sp_…) or the name of a trusted steunpunt.
        id: String,
    },
}

fn data_dir(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    match given {
        Some(dir) => Ok(dir),
        None => dirs::data_dir()
            .map(|d| d.join("steunpunt"))
            .ok_or_else(|| anyhow::anyhow!(t!("error-no-data-dir"))),
    }
}

/// Runs `steunpuntd init` next to this binary (or on PATH).
fn init(
    dir: &Path,
    name: &str,
    municipalities: &[String],
    listen: &[String],
    api: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let sibling = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|p| p.join("steunpuntd")));
    let daemon = sibling
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("steunpuntd"));
    let mut command = std::process::Command::new(&daemon);
    command
        .arg("--data-dir")
        .arg(dir)
        .args(["init", "--name", name]);
    for m in municipalities {
        command.args(["--municipality", m]);
    }
    for l in listen {
        command.args(["--listen", l]);
    }
    if let Some(api) = api {
        command.args(["--api", api]);
    }
    if json {
        command.arg("--json");
    }
    let status = command
        .status()
        .with_context(|| t!("init-cannot-run", daemon = daemon.display().to_string()))?;
    if !status.success() {
        bail!(t!("init-failed"));
    }
    Ok(())
}

/// Names of the steunpunten whose profiles we hold.
pub(crate) fn steunpunt_names(api: &Client) -> HashMap<SteunpuntId, String> {
    admin::one_per_steunpunt(api, Kind::Profile)
        .iter()
        .filter_map(|(id, r)| Some((*id, r.profile()?.name.clone())))
        .collect()
}

/// The steunpunt `text` names: its ID (sp_…), or, when only one fits, the name of a
/// steunpunt whose profile we hold or the label of a neighbour (case and accents aside;
/// "Tilburg" finds "Steunpunt Tilburg").
pub(crate) fn steunpunt_id(api: &Client, text: &str) -> anyhow::Result<SteunpuntId> {
    let text = text.trim();
    if text.starts_with("sp_") {
        return text.parse().map_err(|_| {
            anyhow::anyhow!(i18n::problem(&steunpunt_protocol::Problem::new(
                "",
                "steunpunt_id",
                &[("value", &text)]
            )))
        });
    }
    let mut known: Vec<(SteunpuntId, String)> = steunpunt_names(api).into_iter().collect();
    if let Ok(peers) = api.peers() {
        known.extend(
            peers
                .peers
                .into_iter()
                .filter(|p| !p.label.is_empty())
                .map(|p| (p.steunpunt, p.label)),
        );
    }
    let wanted = fold(text);
    let fitting = |exact: bool| {
        let mut ids: Vec<SteunpuntId> = known
            .iter()
            .filter(|(_, name)| {
                let name = fold(name);
                if exact {
                    name == wanted
                } else {
                    name.contains(&wanted)
                }
            })
            .map(|(id, _)| *id)
            .collect();
        ids.sort_by_key(ToString::to_string);
        ids.dedup();
        ids
    };
    let mut found = fitting(true);
    if found.is_empty() {
        found = fitting(false);
    }
    let name = |id: &SteunpuntId| {
        known
            .iter()
            .find(|(k, _)| k == id)
            .map_or_else(|| id.to_string(), |(_, n)| format!("{n} ({id})"))
    };
    match found.as_slice() {
        [one] => Ok(*one),
        [] => {
            let mut names: Vec<String> = known.iter().map(|(_, n)| n.clone()).collect();
            names.sort();
            names.dedup();
            bail!(t!(
                "steunpunt-unknown-name",
                name = text,
                known = names.join(", ")
            ))
        }
        many => bail!(t!(
            "steunpunt-ambiguous-name",
            name = text,
            found = many.iter().map(name).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    let json = args.json;
    if let Command::Completions { shell } = args.command {
        clap_complete::generate(shell, &mut command(), "steunpunt", &mut std::io::stdout());
        return Ok(());
    }
    let dir = data_dir(args.data_dir)?;
    if let Command::Init {
        name,
        municipality,
        listen,
        api,
    } = &args.command
    {
        return init(&dir, name, municipality, listen, api.as_deref(), json);
    }
    let api = Client::connect(&dir)?;
    match args.command {
        Command::Init { .. } | Command::Completions { .. } => unreachable!("handled above"),
        Command::Status => {
            if json {
                output::json(&api.status()?);
            } else {
                let expiring = own_expiring(&api, Kind::Vacancy, EXPIRING_DAYS)?.len();
                admin::status(&api, expiring, EXPIRING_DAYS)?;
            }
        }
        Command::Region { format } => admin::region(&api, format, json)?,
        Command::Peer(PeerCommand::Add {
            multiaddr,
            steunpunt,
            label,
        }) => {
            let steunpunt = steunpunt_id(&api, &steunpunt)?.to_string();
            let added = api.add_peer(&AddPeer {
                multiaddr,
                steunpunt: steunpunt.clone(),
                label: label.clone(),
            })?;
            if json {
                output::json(&added)
            } else {
                let name = if label.is_empty() {
                    steunpunt.clone()
                } else {
                    format!("{label} ({steunpunt})")
                };
                println!("{}", t!("peer-added", name = name));
                if let Some(old) = &added.replaced {
                    println!("{}", t!("peer-replaced", old = old.as_str()));
                }
                admin::after_peer_add(&api, added.steunpunt)?;
            }
        }
        Command::Peer(PeerCommand::List) => admin::peers(&api, json)?,
        Command::Peer(PeerCommand::Remove { id }) => {
            let removed = api.remove_peer(&steunpunt_id(&api, &id)?.to_string())?;
            if json {
                output::json(&removed)
            } else {
                println!("{}", t!("peer-removed", steunpunt = id.as_str()));
            }
        }
        Command::Peer(PeerCommand::Block { id }) => {
            let blocked =
                api.block_peer(&steunpunt_id(&api, &id)?.to_string(), &BlockPeer::default())?;
            if json {
                output::json(&blocked)
            } else {
                println!("{}", t!("peer-blocked", steunpunt = id.as_str()));
            }
        }
        Command::Vacancy(command) => records(&api, Kind::Vacancy, command, json)?,
        Command::Org(OrgCommand::Record(command)) => {
            records(&api, Kind::Organisation, command, json)?
        }
        Command::Search(search_args) => search(&api, Kind::Vacancy, &search_args, json)?,
        Command::Org(OrgCommand::Search(search_args)) => {
            search(&api, Kind::Organisation, &search_args, json)?
        }
        Command::Import { file, dry_run } => import::run(
            &api,
            &file,
            &import::Options {
                dry_run,
                kind: None,
                json,
            },
        )?,
        Command::Export { format, mine } => {
            // `--json` asks for JSON, which `export` writes unless another format is asked.
            if json && format != export::Format::Json {
                bail!(t!("export-json-and-format"));
            }
            let exported = api.export(&ExportQuery { mine, kind: None })?;
            let me = api.status()?.steunpunt_id;
            let others = exported.records.iter().filter(|r| r.author != me).count();
            let notice = (others > 0).then(|| export::Notice {
                steunpunt: me.to_string(),
                text: t!("export-others-data", count = others),
            });
            if let Some(notice) = &notice {
                // Before the records, so it is the first thing staff read.
                eprintln!("{}", notice.text);
            }
            let out = std::io::stdout().lock();
            export::write(format, &exported.records, notice.as_ref(), out)?;
        }
    }
    Ok(())
}

/// Output piped into a program that stops reading (`| head`) ends quietly, with success:
/// the standard library panics when printing to a closed pipe, so that panic ends the
/// program here instead.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if text.contains("failed printing to stdout") && text.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// The language asked for on the command line, before it is parsed (help texts depend on it).
fn lang_argument() -> Option<Lang> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().enumerate().find_map(|(i, arg)| {
        let value = match arg.strip_prefix("--lang") {
            Some("") => args.get(i + 1).map(String::as_str),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        }?;
        <Lang as clap::ValueEnum>::from_str(value, true).ok()
    })
}

/// The command line's definition, with its help in the chosen language: the English help is
/// in the doc comments here, the Dutch in the catalogue (`help-…` ids).
fn command() -> clap::Command {
    let command = Args::command();
    if i18n::lang() == Lang::En {
        return command;
    }
    localise(command, "help", true)
}

fn localise(mut command: clap::Command, id: &str, root: bool) -> clap::Command {
    use clap::{Arg, ArgAction};
    if let Some(about) = i18n::lookup(id) {
        command = command.about(about);
    }
    // Without a Dutch long text the short one serves; the English one must not show.
    command = match i18n::lookup(&format!("{id}--long")) {
        Some(long) => command.long_about(long),
        None => command.long_about(clap::builder::Resettable::Reset),
    };
    command = command
        .help_template(t!("help-template"))
        .subcommand_help_heading(t!("help-heading-commands"))
        .subcommand_value_name(t!("help-value-command"))
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(t!("help-flag"))
                .help_heading(t!("help-heading-options")),
        );
    if root {
        command = command.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(t!("help-version"))
                .help_heading(t!("help-heading-options")),
        );
    }
    let arguments: Vec<(String, bool)> = command
        .get_arguments()
        .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"))
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (argument, positional) in arguments {
        let help = i18n::lookup(&format!("{id}--{argument}"));
        let heading = if positional {
            t!("help-heading-arguments")
        } else {
            t!("help-heading-options")
        };
        command = command.mut_arg(&argument, |a| {
            let a = a.help_heading(heading);
            match help {
                Some(help) => a.help(help).long_help(clap::builder::Resettable::Reset),
                None => a,
            }
        });
    }
    let subcommands: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in subcommands {
        let sub_id = format!("{id}-{name}");
        command = command.mut_subcommand(&name, |s| localise(s, &sub_id, false));
    }
    command
}

/// A mistake on the command line, said in the chosen language (clap's own words are
/// English), with the usage line and a pointer to --help; with `--json` as a JSON object.
fn usage_error(error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let text = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(list)) => list.join(", "),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        _ => String::new(),
    };
    let arg = text(ContextKind::InvalidArg);
    let mut said = match error.kind() {
        ErrorKind::InvalidSubcommand => t!(
            "usage-unknown-command",
            command = text(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::UnknownArgument => t!("usage-unknown-option", option = arg),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let valid = text(ContextKind::ValidValue);
            if valid.is_empty() {
                t!(
                    "usage-bad-value",
                    value = text(ContextKind::InvalidValue),
                    option = arg
                )
            } else {
                t!(
                    "usage-bad-choice",
                    value = text(ContextKind::InvalidValue),
                    option = arg,
                    valid = valid
                )
            }
        }
        ErrorKind::MissingRequiredArgument => t!("usage-missing", missing = arg),
        ErrorKind::ArgumentConflict => {
            t!(
                "usage-conflict",
                option = arg,
                other = text(ContextKind::PriorArg)
            )
        }
        _ => return None,
    };
    for kind in [ContextKind::SuggestedSubcommand, ContextKind::SuggestedArg] {
        let suggested = text(kind);
        if !suggested.is_empty() {
            said.push('\n');
            said.push_str(&t!("usage-did-you-mean", suggested = suggested));
        }
    }
    let usage = text(ContextKind::Usage);
    if let Some(line) = usage.trim().strip_prefix("Usage:") {
        said.push_str(&format!("\n\n{}: {}", t!("usage-heading"), line.trim()));
    }
    said.push_str(&format!("\n{}", t!("usage-more")));
    Some(said)
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    i18n::init(lang_argument());
    let parsed = command()
        .try_get_matches()
        .and_then(|matches| <Args as clap::FromArgMatches>::from_arg_matches(&matches));
    let args = match parsed {
        Ok(args) => args,
        Err(e) => {
            if !e.use_stderr() {
                e.exit();
            }
            let json = std::env::args().any(|a| a == "--json");
            let said = usage_error(&e).unwrap_or_else(|| {
                e.to_string()
                    .trim_start_matches("error: ")
                    .trim()
                    .to_owned()
            });
            if json {
                eprintln!(
                    "{}",
                    json!({ "error": { "code": "usage", "message": said } })
                );
            } else {
                output::say(&format!("steunpunt: {said}"));
            }
            return ExitCode::from(2);
        }
    };
    let json = args.json;
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                eprintln!("{}", explain::error_json(&e));
            } else {
                output::say(&format!("steunpunt: {}", explain::error(&e)));
            }
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use clap::CommandFactory as _;

    use super::Args;

    /// Every `help-…` id the command line needs.
    fn ids(command: &clap::Command, id: &str, out: &mut Vec<String>) {
        out.push(id.to_owned());
        for argument in command.get_arguments() {
            if !matches!(argument.get_id().as_str(), "help" | "version") {
                out.push(format!("{id}--{}", argument.get_id()));
            }
        }
        for sub in command.get_subcommands() {
            ids(sub, &format!("{id}-{}", sub.get_name()), out);
        }
    }

    #[test]
    fn every_command_and_argument_has_dutch_help() {
        crate::i18n::init(Some(crate::i18n::Lang::Nl));
        let mut all = Vec::new();
        ids(&Args::command(), "help", &mut all);
        let missing: Vec<&String> = all
            .iter()
            .filter(|id| crate::i18n::lookup(id).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "no Dutch help for:\n{}",
            missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
        super::command().debug_assert();
    }
}
