//! `steunpuntd`: runs a steunpunt's node in the foreground.

use std::path::PathBuf;

use clap::Parser;

/// Runs a Steunpunt Federatie node in the foreground.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Data directory with the keys, configuration and records.
    #[arg(long, env = "STEUNPUNT_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::bail!(
        "this build of steunpuntd cannot run a node yet (data directory: {})",
        args.data_dir
            .map_or_else(|| "not set".to_owned(), |d| d.display().to_string())
    )
}
