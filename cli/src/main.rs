//! `steunpunt`: the command-line tool for steunpunt staff and admins.

use std::path::PathBuf;

use clap::Parser;

/// Publish and search volunteer vacancies and partners across the region.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Data directory of the node to talk to.
    #[arg(long, env = "STEUNPUNT_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let _args = Args::parse();
    anyhow::bail!("no command given; run `steunpunt --help`")
}
