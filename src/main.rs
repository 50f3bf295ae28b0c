//! The `influence` binary: parse the arguments, hand them to their command in [`cli`], and
//! turn a failure into its message on stderr and its exit code (see [`cli`] for the codes).

mod cli;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli::progress::catch_signals();
    let result = match cli.command {
        Command::Run(args) => cli::run::exec(args),
        Command::Seeds(args) => cli::seeds::exec(args),
        Command::Compare(args) => cli::compare::exec(args),
        Command::Ablate(args) => cli::ablate::exec(args),
        Command::Validate(args) => cli::validate::exec(args),
        Command::Replay(args) => cli::replay::exec(args),
        Command::Chart(args) => cli::chart::exec(args),
        Command::Report(args) => cli::report::exec(args),
        Command::Merge(args) => cli::merge::exec(args),
        Command::Sensitivity(args) => cli::sensitivity::exec(args),
        Command::Generate(args) => cli::generate::exec(args),
        Command::Discover(args) => cli::discover::exec(args),
        Command::Blocs(args) => cli::blocs::exec(args),
        Command::Calibrate(args) => cli::calibrate::exec(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let code = failure.report();
            // A command stopped by a signal exits as the shell expects: 128 + the signal.
            match cli::progress::caught_signal() {
                Some(sig) => ExitCode::from(cli::progress::signal_exit_code(sig)),
                None => code,
            }
        }
    }
}
