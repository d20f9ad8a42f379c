//! `steunpuntd`: runs a steunpunt's node in the foreground.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use steunpunt_node::daemon::{Overrides, start};
use steunpunt_node::data_dir::{DATA_DIR_ENV, DataDir, InitOptions};
use tracing_subscriber::EnvFilter;

/// Runs a Steunpunt Federatie node in the foreground.
///
/// Example: steunpuntd --data-dir /var/lib/steunpunt
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Data directory with the keys, configuration and records.
    #[arg(long, env = DATA_DIR_ENV, global = true)]
    data_dir: Option<PathBuf>,
    /// libp2p address to listen on (repeatable); overrides config.toml.
    #[arg(long, env = "STEUNPUNT_LISTEN", value_delimiter = ',')]
    listen: Vec<String>,
    /// API address; overrides config.toml.
    #[arg(long, env = "STEUNPUNT_API")]
    api: Option<String>,
    /// Serve the public site on this address (`[public]` in config.toml, turned on).
    #[arg(long, env = "STEUNPUNT_PUBLIC")]
    public: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Creates a new steunpunt in the data directory: keys and config.toml.
    ///
    /// Example: steunpuntd --data-dir ./breda init --name "Steunpunt Breda" --municipality Breda
    Init {
        /// Name of the steunpunt.
        #[arg(long)]
        name: String,
        /// Municipality served (repeatable).
        #[arg(long)]
        municipality: Vec<String>,
        /// libp2p listen address (repeatable).
        #[arg(long)]
        listen: Vec<String>,
        /// API address.
        #[arg(long)]
        api: Option<String>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Writes a backup of what cannot come back from the region: the keys, config.toml
    /// and the neighbour list (peers.json), as one tar file readable by its owner only.
    /// `-` writes to standard output, for example into gpg.
    ///
    /// Example: steunpuntd --data-dir /var/lib/steunpunt backup steunpunt-breda.tar
    Backup {
        /// The file to write; it must not exist yet.
        file: PathBuf,
    },
    /// Restores a backup into a new or empty data directory. The node then takes its
    /// records back from the neighbours when it starts. `-` reads standard input.
    ///
    /// Example: steunpuntd --data-dir /var/lib/steunpunt restore steunpunt-breda.tar
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Sets a damaged store aside (nothing is deleted), so that the next start takes every
    /// record back from the neighbours, this steunpunt's own included.
    ///
    /// Example: steunpuntd --data-dir /var/lib/steunpunt restore-from-region
    RestoreFromRegion,
}

/// Services start with a soft limit of 1,024 open files; the node's connections, store
/// and index files fit easily under the hard limit, so the soft one is raised to it
/// (at most 65,536).
fn raise_open_file_limit() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        const WANTED: u64 = 65_536;
        let mut limit = getrlimit(Resource::Nofile);
        let hard = limit.maximum.unwrap_or(WANTED);
        let wanted = hard.min(WANTED);
        if limit.current.is_some_and(|soft| soft < wanted) {
            limit.current = Some(wanted);
            match setrlimit(Resource::Nofile, limit) {
                Ok(()) => tracing::debug!(files = wanted, "raised the open-file limit"),
                Err(e) => tracing::debug!("cannot raise the open-file limit: {e}"),
            }
        }
    }
}

/// "1 neighbour", "3 neighbours".
fn neighbours(count: usize) -> String {
    match count {
        1 => "1 neighbour".to_owned(),
        n => format!("{n} neighbours"),
    }
}

async fn wait_for_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("steunpuntd: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One or two plain sentences, no backtrace: this is read by admins.
            eprintln!("steunpuntd: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,libp2p=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        // When the log goes into a pipe that has closed (`| tee` stopped by the same
        // Ctrl-C), the subscriber's own complaint would panic on the closed stderr and
        // end the node before it cleans up; lost log lines are the lesser harm.
        .log_internal_errors(false)
        .init();
    let args = Args::parse();
    let data_dir = DataDir::resolve(args.data_dir)?;
    if let Some(Command::Backup { file }) = &args.command {
        let report = if file.as_os_str() == "-" {
            data_dir.backup(std::io::stdout().lock())?
        } else {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let out = options.open(file).with_context(|| {
                format!(
                    "cannot create {} (an existing file is never replaced)",
                    file.display()
                )
            })?;
            let mut out = std::io::BufWriter::new(out);
            let report = data_dir.backup(&mut out)?;
            out.into_inner()
                .map_err(|e| e.into_error())
                .and_then(|f| f.sync_all())
                .with_context(|| format!("cannot write {}", file.display()))?;
            report
        };
        eprintln!(
            "Backup of {}\n  steunpunt-ID {}\n  {}; {}.",
            report.name,
            report.steunpunt,
            report.files.join(", "),
            neighbours(report.neighbours)
        );
        eprintln!(
            "Keep it where only admins can read it, away from this machine.\n\
             Make a new one after every peer add, peer remove or peer block."
        );
        return Ok(());
    }
    if let Some(Command::Restore { file }) = &args.command {
        let shown = file.display().to_string();
        let report = if file.as_os_str() == "-" {
            data_dir.restore(std::io::stdin().lock(), &shown)?
        } else {
            let input =
                std::fs::File::open(file).with_context(|| format!("cannot read {shown}"))?;
            data_dir.restore(std::io::BufReader::new(input), &shown)?
        };
        println!(
            "Restored {} into {}\n  steunpunt-ID {}\n  {}; {}.",
            report.name,
            data_dir.root().display(),
            report.steunpunt,
            report.files.join(", "),
            neighbours(report.neighbours)
        );
        println!(
            "Start steunpuntd now: it takes this steunpunt's records back from the\n\
             neighbours before it publishes anything of its own."
        );
        return Ok(());
    }
    if let Some(Command::RestoreFromRegion) = args.command {
        let aside = data_dir.set_aside_store()?;
        println!(
            "Moved {} to\n  {}",
            aside.moved.join(", "),
            aside.folder.display()
        );
        if aside.neighbours == 0 {
            println!(
                "This node has no neighbours in peers.json, so nothing can come back yet:\n\
                 start steunpuntd and add a neighbour with `steunpunt peer add`."
            );
        } else {
            println!(
                "Start steunpuntd now: it takes the records back from {} before\n\
                 it publishes anything of its own.",
                neighbours(aside.neighbours)
            );
        }
        return Ok(());
    }
    if let Some(Command::Init {
        name,
        municipality,
        listen,
        api,
        json,
    }) = args.command
    {
        let report = data_dir.init(InitOptions {
            name,
            municipalities: municipality,
            listen,
            api,
        })?;
        if json {
            println!("{}", serde_json::to_string(&report)?);
        } else {
            println!(
                "Created steunpunt {} in {}",
                report.steunpunt_id,
                report.data_dir.display()
            );
            println!("Node PeerId: {}", report.peer_id);
            println!(
                "Back up {} now: it is this steunpunt's identity.",
                data_dir.steunpunt_key_path().display()
            );
        }
        return Ok(());
    }
    raise_open_file_limit();
    let node = start(
        data_dir,
        Overrides {
            listen: args.listen,
            api: args.api,
            public: args.public,
        },
    )
    .await?;
    wait_for_signal()
        .await
        .context("waiting for a stop signal")?;
    tracing::info!("stopping");
    node.shutdown().await;
    Ok(())
}
