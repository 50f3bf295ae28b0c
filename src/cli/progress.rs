//! What a long command shows and listens to while it simulates: a progress bar on a terminal,
//! and SIGINT (Ctrl-C) or SIGTERM (`kill`, `timeout`, schedulers) turned into a cancel flag
//! the library polls, with a watcher that ends the process if the command does not stop.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over `runs` runs on stderr, hidden when stderr is not a terminal so that logs and
/// tests see no control sequences.
pub fn progress_bar(runs: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {per_sec}  eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// Set by SIGINT or SIGTERM: the batch stops at its next chunk and the staged output is
/// removed.
pub fn interrupt_flag() -> Arc<AtomicBool> {
    Arc::clone(flag())
}

fn flag() -> &'static Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| Arc::new(AtomicBool::new(false)))
}

/// The signal caught, 0 before any.
static CAUGHT: AtomicI32 = AtomicI32::new(0);

/// How long a command has to stop on its own after a signal before the process removes its
/// staging directories and exits regardless: a simulation stops at its next chunk, well
/// within this, but writing a file or drawing a chart does not look at the flag.
const GRACE: Duration = Duration::from_millis(400);

/// The signal that stopped the command, if one did: SIGINT (2) or SIGTERM (15).
pub fn caught_signal() -> Option<i32> {
    match CAUGHT.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// The exit code of a command stopped by `sig`, as a shell reports it: 128 + the signal.
pub fn signal_exit_code(sig: i32) -> u8 {
    u8::try_from(128 + sig).unwrap_or(1)
}

/// Catches SIGINT and SIGTERM for the whole process. A signal raises the interrupt flag,
/// which the simulation polls; if the command has not ended within [`GRACE`] (it was
/// writing files or drawing charts), a watcher thread removes every staging directory,
/// without racing a commit, and exits with 128 + the signal. Either way the previous
/// output is left exactly as it was.
pub fn catch_signals() {
    install();
    let _ = std::thread::Builder::new()
        .name("signals".into())
        .spawn(watch);
}

#[cfg(unix)]
fn install() {
    extern "C" fn on_signal(sig: libc::c_int) {
        // An atomic store is all a signal handler may safely do; the first signal wins.
        let _ = CAUGHT.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
    }
    let handler = on_signal as extern "C" fn(libc::c_int);
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: `on_signal` only stores into an atomic, which is async-signal-safe, and
        // has the signature `signal` expects for a handler.
        unsafe {
            libc::signal(sig, handler as libc::sighandler_t);
        }
    }
}

#[cfg(not(unix))]
fn install() {
    let _ = ctrlc::set_handler(|| {
        let _ = CAUGHT.compare_exchange(0, 2, Ordering::SeqCst, Ordering::SeqCst);
    });
}

fn watch() {
    let sig = loop {
        if let Some(sig) = caught_signal() {
            break sig;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    flag().store(true, Ordering::SeqCst);
    std::thread::sleep(GRACE);
    // Held until the exit: no commit can start after the staging directories are gone.
    let _held = influence::output::atomic::abandon_staged();
    let name = if sig == 15 { "SIGTERM" } else { "SIGINT" };
    eprintln!("error: interrupted by {name}; nothing was written, any previous output is intact");
    std::process::exit(i32::from(signal_exit_code(sig)));
}
