//! `vix-ffi check`: runs the ABI v1 conformance checks of `vix-ffi-check` on a built
//! library and prints one line per rule per function.
//!
//! Exit codes: 0 when every rule passed (or was skipped), 1 on any violation, 2 when the
//! checks could not run (bad manifest, library not loadable).
//!
//! The library is only ever called in child processes: this same binary, started again
//! with the hidden `--child` flag, which reads its job on standard input.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use vix_ffi_check::{CheckError, ChildCommand, Options};

/// Options of `vix-ffi check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The manifest (`bindings.json`) declaring the functions to check.
    #[arg(long, value_name = "FILE", required_unless_present = "child")]
    spec: Option<PathBuf>,
    /// The library file, or a folder holding it [default: searched like the generated
    /// loader: $<library.env_var> entries, library.search_paths relative to the manifest,
    /// then the system loader].
    #[arg(long, value_name = "PATH")]
    lib: Option<PathBuf>,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
    /// Seed of the random inputs (the same seed gives the same inputs).
    #[arg(long, value_name = "N", default_value_t = vix_ffi_check::DEFAULT_SEED)]
    seed: u64,
    /// How many random inputs each operation gets.
    #[arg(long, value_name = "N", default_value_t = vix_ffi_check::DEFAULT_ITERATIONS)]
    iterations: u32,
    /// Time limit, in seconds, of one rule on one function; a call still running then is
    /// reported as a hang.
    #[arg(long, value_name = "SECS", default_value_t = vix_ffi_check::DEFAULT_TIMEOUT.as_secs_f64())]
    timeout: f64,
    /// Child processes run at once [default: the number of CPUs, at most 4].
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Also mutate the inputs (and scalar arguments) of every function for this many
    /// seconds in all (reproducible with --seed), and report a crash, a hang or a breach of
    /// the contract with the smallest input it reduces to and a command that replays it.
    #[arg(long, value_name = "SECONDS")]
    fuzz: Option<f64>,
    /// Replay one input of one function, as a fuzz report prints it: FUNCTION=HEX for an
    /// operation; for a typed signature FUNCTION=ARGS, one comma-separated value per
    /// parameter (hex bytes or `null`, integers, floats such as NaN or -0.0, true/false,
    /// `new` for an object), or FUNCTION=#N, fuzz argument list N of --seed.
    #[arg(long, value_name = "FUNCTION=INPUT")]
    replay: Option<String>,
    /// Internal: run one job read from standard input (how the checker calls the library).
    #[arg(long, hide = true)]
    child: bool,
}

/// Runs the command and exits with its code (0, 1 or 2).
pub fn run(args: Args) -> Result<()> {
    if args.child {
        std::process::exit(vix_ffi_check::child_main());
    }
    let code = check(args);
    let _ = std::io::stdout().flush();
    if code != 0 {
        std::process::exit(code);
    }
    Ok(())
}

fn check(args: Args) -> i32 {
    let spec = args.spec.expect("clap requires --spec without --child");
    let program = match std::env::current_exe() {
        Ok(program) => program,
        Err(e) => {
            let e = CheckError::Internal(format!("cannot find the vix-ffi executable: {e}"));
            return could_not_run(args.json, &e);
        }
    };
    let timeout = match Duration::try_from_secs_f64(args.timeout) {
        Ok(timeout) if !timeout.is_zero() => timeout,
        _ => {
            let e = CheckError::Usage("--timeout must be a positive number of seconds".into());
            return could_not_run(args.json, &e);
        }
    };
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(4)
    });
    let fuzz = match args.fuzz.map(Duration::try_from_secs_f64) {
        None => None,
        Some(Ok(fuzz)) if !fuzz.is_zero() => Some(fuzz),
        Some(_) => {
            let e = CheckError::Usage("--fuzz must be a positive number of seconds".into());
            return could_not_run(args.json, &e);
        }
    };
    let replay = match args.replay.as_deref().map(|r| r.split_once('=')) {
        None => None,
        Some(Some((function, hex))) => Some((function.to_owned(), hex.to_owned())),
        Some(None) => {
            let e = CheckError::Usage(
                "--replay takes FUNCTION=INPUT (hex, or a typed argument list)".into(),
            );
            return could_not_run(args.json, &e);
        }
    };
    let options = Options {
        fuzz,
        replay,
        spec,
        lib: args.lib,
        seed: args.seed,
        iterations: args.iterations,
        timeout,
        jobs,
        child: ChildCommand {
            program,
            args: vec!["check".into(), "--child".into()],
            env: Vec::new(),
        },
    };
    match vix_ffi_check::check(&options) {
        Ok(report) => {
            if args.json {
                println!("{}", report.to_json());
            } else {
                print!("{}", report.to_text());
            }
            report.exit_code()
        }
        Err(e) => could_not_run(args.json, &e),
    }
}

/// Exit code 2, with the reason on standard error (and as JSON on standard output).
fn could_not_run(json: bool, error: &CheckError) -> i32 {
    eprintln!("vix-ffi check: {error}");
    if json {
        println!("{}", error.to_json());
    }
    2
}
