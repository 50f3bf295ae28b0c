//! The `influence` binary: parse the arguments, hand them to their command in [`cli`], and
//! turn a failure into its message on stderr and its exit code (see [`cli`] for the codes).

mod cli;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

/// Blocks this large or larger are mapped on their own, and unmapped when freed.
const MMAP_THRESHOLD: i32 = 128 * 1024;

/// Keeps glibc's threshold for mapping a block on its own at its default instead of letting
/// it rise. glibc raises it each time a mapped block is freed, after which blocks of that
/// size come from the heap and stay in the process once freed: a study makes and drops a
/// tally of several megabytes per chunk of runs on every worker thread, and with the rising
/// threshold the freed ones added a fifth to the peak memory of a 200-actor world.
fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the allocator; it is called before
    // any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}

fn main() -> ExitCode {
    return_large_blocks();
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
