//! `influence generate`: a synthetic world of N actors, for scale tests and benchmarks; the
//! work is [`influence::scenario::generate::generate_world`].

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use influence::scenario::generate::{WorldSpec, generate_world};

use super::Failure;

pub const HELP: &str = "\
Examples:
  influence generate --actors 200 > world200.toml
  influence generate --actors 50 --events 400 --seed 3 --out world50.toml
  influence run world200.toml --runs 100

Writes a valid, commented scenario of rival blocs with great powers and small states,
scheduled visits and deals within blocs, hazards and triggers across them, and outcomes:
a synthetic region for testing scale, not a real one. The same arguments give the same
bytes.";

#[derive(Args)]
pub struct GenerateArgs {
    /// Number of actors (3 to 5000).
    #[arg(long)]
    actors: usize,
    /// Number of events (default: 2 per actor).
    #[arg(long)]
    events: Option<usize>,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write to this file instead of standard output (refused if it exists).
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn exec(args: GenerateArgs) -> Result<(), Failure> {
    let spec = match args.events {
        Some(events) => WorldSpec::new(args.actors, events, args.seed),
        None => WorldSpec::with_default_events(args.actors, args.seed),
    }
    .map_err(|e| Failure::BadInput(format!("error: {e}")))?;
    let text = generate_world(&spec);
    match args.out {
        Some(path) => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| {
                    Failure::Other(format!("error: cannot create {}: {e}", path.display()))
                })?;
            file.write_all(text.as_bytes()).map_err(|e| {
                Failure::Other(format!("error: cannot write {}: {e}", path.display()))
            })?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not a failure of the generator.
            let _ = out.write_all(text.as_bytes());
        }
    }
    Ok(())
}
