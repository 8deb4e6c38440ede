//! `vix-ffi check`: proves at run time that a built library honours the Vix FFI v1
//! contract for every function its manifest declares.
//!
//! The checker never calls the library itself. Every rule runs in a child process (the
//! caller's own binary in child mode, see [`child_main`]), so that a library that crashes,
//! aborts or hangs is reported, with the call that did it, instead of taking the checker
//! down. The parent plans the jobs, runs them a few at a time with a time limit, and turns
//! what the children said into one [`RuleResult`] per rule per function.
//!
//! Runs happen in two rounds: first `robustness` for every operation, which also collects
//! outputs of accepted inputs, and `null-args` for every function of a typed signature;
//! then every other rule, whose inputs include those outputs, so that a decoder gets real
//! encodings to accept, and whose message rules make a typed function's NULL-pointer
//! calls only where `null-args` survived them.

mod args;
mod child;
mod corpus;
mod locate;
mod objects;
mod protocol;
mod reduce;
mod report;
mod rules;
mod supervise;
mod values;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use vix_ffi_gen::manifest::{self, CType, Function, Manifest, Output, ParamType, Signature};

pub use child::child_main;
pub use report::{Outcome, Report, RuleResult};
pub use rules::Rule;
pub use supervise::ChildCommand;

use corpus::Input;
use protocol::{DeclaredBlocks, Done, Event, Finding, Job, Replay, Task};
use supervise::{ChildRun, End};
use values::Value;

/// Default number of random inputs.
pub const DEFAULT_ITERATIONS: u32 = 64;
/// Default seed of the random inputs.
pub const DEFAULT_SEED: u64 = 1;
/// Default time limit of one child (one rule on one function).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Outputs of accepted inputs kept as inputs for every function.
const MAX_DERIVED: usize = 36;

/// What to check and how.
#[derive(Clone, Debug)]
pub struct Options {
    /// The manifest (`bindings.json`).
    pub spec: PathBuf,
    /// The library file (or a folder holding it); found like the generated loader does when
    /// absent.
    pub lib: Option<PathBuf>,
    /// Seed of the random inputs.
    pub seed: u64,
    /// How many random inputs.
    pub iterations: u32,
    /// Time limit of each child.
    pub timeout: Duration,
    /// Children run at once.
    pub jobs: usize,
    /// How to start a child.
    pub child: ChildCommand,
    /// `--fuzz`: how long to mutate inputs, in all (the functions share it).
    pub fuzz: Option<Duration>,
    /// `--replay FUNCTION=INPUT`: only `fuzz` on this function, with this input: hex for
    /// an operation; for a typed signature the encoded argument list (see `args`), or
    /// `#N`, fuzz argument list number `N` of `seed` and `iterations`.
    pub replay: Option<(String, String)>,
}

/// Why the check could not run at all (exit code 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// The manifest could not be read or is invalid.
    Manifest(String),
    /// The library could not be found or loaded.
    Library(String),
    /// The options make no sense (a timeout of zero, ...).
    Usage(String),
    /// A child process could not be started.
    Internal(String),
}

impl CheckError {
    /// `manifest`, `library`, `usage` or `internal`.
    pub fn kind(&self) -> &'static str {
        match self {
            CheckError::Manifest(_) => "manifest",
            CheckError::Library(_) => "library",
            CheckError::Usage(_) => "usage",
            CheckError::Internal(_) => "internal",
        }
    }

    /// `{"error": {"kind": ..., "message": ...}, "exit_code": 2}`: the `--json` output of
    /// a run that could not happen.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "error": { "kind": self.kind(), "message": self.message() },
            "exit_code": 2,
        })
        .to_string()
    }

    /// The message, without the kind.
    pub fn message(&self) -> &str {
        match self {
            CheckError::Manifest(m)
            | CheckError::Library(m)
            | CheckError::Usage(m)
            | CheckError::Internal(m) => m,
        }
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            CheckError::Manifest(_) => "bad manifest",
            CheckError::Library(_) => "library not loadable",
            CheckError::Usage(_) => "bad arguments",
            CheckError::Internal(_) => "cannot run the checks",
        };
        write!(f, "{what}: {}", self.message())
    }
}

impl std::error::Error for CheckError {}

/// What the checker can do with a function, from its declared signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Operation,
    Version,
    /// A typed signature (ABI v1.1) other than the operation shape: functions, and the
    /// constructors and methods of classes.
    Typed,
    /// A class as a whole (`void <c_name>_free(pkg_thing *)`, see [`objects`]).
    Class,
    Other,
}

fn shape_of(f: &Function) -> Shape {
    let types: Vec<CType> = f.args.iter().map(|a| a.ty).collect();
    let pointer = |t: CType| matches!(t, CType::U8Ptr | CType::CharPtr | CType::VoidPtr);
    match (f.restype, types.as_slice()) {
        (CType::VixStr, [CType::VixStatusPtr]) => Shape::Version,
        (
            CType::Int | CType::Int32,
            [in_ptr, CType::SizeT, out_ptr, CType::SizeT, CType::SizeTPtr, CType::VixStatusPtr],
        ) if pointer(*in_ptr) && pointer(*out_ptr) => Shape::Operation,
        (CType::Void, [CType::Handle]) if f.signature.is_none() => Shape::Class,
        _ if f.signature.is_some() => Shape::Typed,
        _ => Shape::Other,
    }
}

/// The shim the children preload (`shim/vix_check_shim.c`, built by `build.rs`).
#[cfg(vix_shim)]
const SHIM: &[u8] = include_bytes!(env!("VIX_CHECK_SHIM"));

/// Writes the shim where the children can preload it and adds it to their `LD_PRELOAD`:
/// the folder (removed when dropped) and the options to run with. Without a shim, or
/// when it cannot be written, the options as they are.
fn with_shim(options: &Options) -> (Option<tempfile::TempDir>, Options) {
    let mut options = options.clone();
    #[cfg(vix_shim)]
    {
        let written = tempfile::Builder::new()
            .prefix("vix-ffi-check-")
            .tempdir()
            .ok()
            .and_then(|dir| {
                let path = dir.path().join("libvix_check_shim.so");
                std::fs::write(&path, SHIM).ok()?;
                Some((dir, path))
            });
        if let Some((dir, path)) = written {
            let mut preload = path.into_os_string();
            if let Some(theirs) = std::env::var_os("LD_PRELOAD").filter(|v| !v.is_empty()) {
                preload.push(":");
                preload.push(theirs);
            }
            options.child.env.push(("LD_PRELOAD".into(), preload));
            return (Some(dir), options);
        }
    }
    (None, options)
}

/// Runs every check.
pub fn check(options: &Options) -> Result<Report, CheckError> {
    let (_shim_dir, options) = with_shim(options);
    let options = &options;
    let manifest = read_manifest(&options.spec)?;
    let all = objects::functions(&manifest);
    // A class entry whose free the manifest does not declare cannot be checked as one.
    let shape_of = |f: &Function| match shape_of(f) {
        Shape::Class if objects::class_freed_by(&manifest, &f.symbol).is_none() => Shape::Other,
        shape => shape,
    };
    let manifest_dir = options
        .spec
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let env = std::env::var_os(&manifest.library.env_var);
    let candidates = locate::candidates(
        &manifest.library,
        &manifest_dir,
        options.lib.as_deref(),
        env.as_deref(),
    );
    let symbols: Vec<String> = all.iter().map(|f| f.symbol.clone()).collect();
    let (library, missing) = load(options, &manifest, candidates, symbols)?;
    let mangled = mangled_exports(&library, &missing);
    let missing: HashSet<String> = missing.into_iter().collect();

    let ascii = ascii_promised(&manifest);
    let blocks = blocks_declared(&manifest);

    let present = |f: &&Function| !missing.contains(&f.symbol);
    let operations: Vec<&Function> = all
        .iter()
        .filter(|f| shape_of(f) == Shape::Operation)
        .filter(present)
        .collect();
    let versions: Vec<&Function> = all
        .iter()
        .filter(|f| shape_of(f) == Shape::Version)
        .filter(present)
        .collect();

    let op_job = |f: &Function, rule: Rule, derived: &[Input]| Job {
        task: Task::Operation {
            library: library.clone(),
            function: f.name.clone(),
            symbol: f.symbol.clone(),
            rule,
            seed: options.seed,
            iterations: options.iterations,
            derived: derived.to_vec(),
            blocks: if rule == Rule::OutputBlocks {
                blocks.get(&f.symbol).cloned().unwrap_or_default()
            } else {
                Vec::new()
            },
            fuzz_ms: 0,
            replay: None,
        },
    };

    if let Some((name, hex)) = &options.replay {
        return replay(options, &manifest, &all, &library, &missing, name, hex);
    }
    let fuzzing = options.fuzz.is_some();
    let rules_of = |f: &Function| {
        let mut rules = operation_rules(f, &ascii, &blocks);
        if fuzzing {
            rules.push(Rule::Fuzz);
        }
        rules
    };

    let typed: Vec<&Function> = all
        .iter()
        .filter(|f| shape_of(f) == Shape::Typed)
        .filter(present)
        .collect();
    let typed_job = |f: &Function, rule: Rule, null_calls: bool| {
        f.signature.as_ref().map(|sig| Job {
            task: Task::Typed {
                library: library.clone(),
                function: f.name.clone(),
                symbol: f.symbol.clone(),
                rule,
                seed: options.seed,
                iterations: options.iterations,
                signature: objects::typed_signature(&manifest, sig),
                null_calls,
                fuzz_ms: 0,
                replay: None,
            },
        })
    };
    let classes: Vec<&Function> = all
        .iter()
        .filter(|f| shape_of(f) == Shape::Class)
        .filter(present)
        .collect();

    // Round 1: robustness of every operation, which also offers outputs of accepted
    // inputs; null-args of every typed function, so that the message rules of round 2
    // make its NULL-pointer calls only where they do not crash (a crash there is
    // null-args' finding, reported once).
    let mut keys1: Vec<(String, Rule)> = operations
        .iter()
        .map(|f| (f.symbol.clone(), Rule::Robustness))
        .collect();
    let mut round1: Vec<Job> = operations
        .iter()
        .map(|f| op_job(f, Rule::Robustness, &[]))
        .collect();
    const NULL_RULES: [Rule; 2] = [Rule::NullArgs, Rule::NullSelf];
    for f in &typed {
        let rules = f.signature.as_ref().map(Rule::typed).unwrap_or_default();
        for rule in NULL_RULES.into_iter().filter(|r| rules.contains(r)) {
            if let Some(job) = typed_job(f, rule, false) {
                keys1.push((f.symbol.clone(), rule));
                round1.push(job);
            }
        }
    }
    let runs1 = run_all(options, &round1)?;
    // A function whose NULL-pointer calls (null-args, and null-self for a method) all
    // returned: its message rules read their messages too.
    let survived = |run: &ChildRun| {
        run.end == End::Exited(0) && run.events.iter().any(|e| matches!(e, Event::Done(_)))
    };
    let null_runs = || {
        keys1
            .iter()
            .zip(&runs1)
            .filter(|((_, rule), _)| NULL_RULES.contains(rule))
    };
    let null_calls_crashed: HashSet<String> = null_runs()
        .filter(|(_, run)| !survived(run))
        .map(|((symbol, _), _)| symbol.clone())
        .collect();
    let null_calls_safe: HashSet<String> = null_runs()
        .map(|((symbol, _), _)| symbol.clone())
        .filter(|symbol| !null_calls_crashed.contains(symbol))
        .collect();
    let mut derived = Vec::new();
    let mut seen_bytes = HashSet::new();
    for run in &runs1 {
        for event in &run.events {
            if let Event::Output(input) = event {
                if derived.len() < MAX_DERIVED && seen_bytes.insert(input.bytes.clone()) {
                    derived.push(input.clone());
                }
            }
        }
    }

    // Round 2: every other rule.
    let mut keys = Vec::new();
    let mut round2 = Vec::new();
    for f in &operations {
        for rule in operation_rules(f, &ascii, &blocks)
            .into_iter()
            .filter(|r| *r != Rule::Robustness)
        {
            keys.push((f.symbol.clone(), rule));
            round2.push(op_job(f, rule, &derived));
        }
    }
    for f in &versions {
        for rule in Rule::VERSION {
            keys.push((f.symbol.clone(), rule));
            round2.push(Job {
                task: Task::Version {
                    library: library.clone(),
                    function: f.name.clone(),
                    symbol: f.symbol.clone(),
                    rule,
                },
            });
        }
    }
    for f in &typed {
        let Some(sig) = &f.signature else { continue };
        let null_calls = null_calls_safe.contains(&f.symbol);
        for rule in Rule::typed(sig)
            .into_iter()
            .filter(|r| !NULL_RULES.contains(r))
        {
            if let Some(job) = typed_job(f, rule, null_calls) {
                keys.push((f.symbol.clone(), rule));
                round2.push(job);
            }
        }
    }
    for f in &classes {
        let Some((id, _)) = objects::class_freed_by(&manifest, &f.symbol) else {
            continue;
        };
        let Some(class) = objects::life(&manifest, id) else {
            continue;
        };
        for rule in Rule::CLASS {
            keys.push((f.symbol.clone(), rule));
            round2.push(Job {
                task: Task::Class {
                    library: library.clone(),
                    rule,
                    seed: options.seed,
                    iterations: options.iterations,
                    class: class.clone(),
                    methods: objects::methods(&manifest, id),
                },
            });
        }
    }
    let runs2 = run_all(options, &round2)?;

    // Round 3 (--fuzz): every operation and typed function mutates inputs (argument
    // lists) for its share of the time; a failing one is rebuilt from its number and
    // reduced, replay by replay (`reduce`).
    let mut fuzz_notes: HashMap<String, String> = HashMap::new();
    let mut keys3 = Vec::new();
    let mut runs3 = Vec::new();
    let fuzzed = operations.len() + typed.len();
    if let (Some(total), true) = (options.fuzz, fuzzed > 0) {
        let workers = options.jobs.clamp(1, fuzzed);
        let share = total.mul_f64(workers as f64 / fuzzed as f64);
        let share_ms = share.as_millis() as u64;
        let mut round3 = Vec::new();
        for f in &operations {
            let mut job = op_job(f, Rule::Fuzz, &derived);
            if let Task::Operation { fuzz_ms, .. } = &mut job.task {
                *fuzz_ms = share_ms;
            }
            keys3.push((f.symbol.clone(), Rule::Fuzz));
            round3.push(job);
        }
        for f in &typed {
            let null_calls = null_calls_safe.contains(&f.symbol);
            if let Some(mut job) = typed_job(f, Rule::Fuzz, null_calls) {
                if let Task::Typed { fuzz_ms, .. } = &mut job.task {
                    *fuzz_ms = share_ms;
                }
                keys3.push((f.symbol.clone(), Rule::Fuzz));
                round3.push(job);
            }
        }
        runs3 = supervise::run_all(&options.child, &round3, share + options.timeout, workers)
            .map_err(|e| CheckError::Internal(format!("cannot start a child: {e}")))?;
        for (f, run) in operations.iter().zip(runs3.iter_mut()) {
            let Some(iteration) = fuzz_failure(run) else {
                continue;
            };
            let mut base = corpus::base(options.seed, options.iterations);
            base.extend(derived.iter().cloned());
            base.extend(corpus::boundary(options.seed));
            let found = corpus::mutate(&base, options.seed, iteration);
            let template = op_job(f, Rule::Fuzz, &derived);
            let job = |values: &[Value]| {
                let mut job = template.clone();
                if let Task::Operation { replay, .. } = &mut job.task {
                    *replay = values.first().and_then(Value::buffer).cloned();
                }
                job
            };
            let reduced = reduce::reduce(
                &options.child,
                options.timeout,
                run,
                &[ParamType::Bytes],
                &[Value::Buffer(found.clone())],
                &job,
            );
            let bytes = match (reduced.run, reduced.values.first().and_then(Value::buffer)) {
                (Some(reduced_run), Some(input)) => {
                    *run = reduced_run;
                    input.bytes.clone()
                }
                _ => found.bytes.clone(),
            };
            let hex = corpus::hex::encode(&bytes);
            fuzz_notes.insert(
                f.symbol.clone(),
                format!(
                    "fuzz input #{iteration} of seed {} ({} bytes), reduced to {} bytes: \
                     b\"{}\"\nreplay it: vix-ffi check --spec {} --lib {} --replay {}={hex}",
                    options.seed,
                    found.bytes.len(),
                    bytes.len(),
                    bytes.escape_ascii(),
                    options.spec.display(),
                    library.display(),
                    f.name,
                ),
            );
        }
        for (f, run) in typed.iter().zip(runs3.iter_mut().skip(operations.len())) {
            let Some(iteration) = fuzz_failure(run) else {
                continue;
            };
            let (Some(declared), Some(template)) = (&f.signature, typed_job(f, Rule::Fuzz, false))
            else {
                continue;
            };
            let spelled = objects::typed_signature(&manifest, declared);
            let Some(sig) = spelled.signature() else {
                continue;
            };
            let found = values::mutate(
                &sig,
                &values::fuzz_base(&sig, options.seed, options.iterations),
                options.seed,
                iteration,
            );
            let job = |values: &[Value]| {
                let mut job = template.clone();
                if let Task::Typed { replay, .. } = &mut job.task {
                    *replay = Some(Replay::Args(values.to_vec()));
                }
                job
            };
            let types: Vec<ParamType> = sig.params.iter().map(|p| p.ty).collect();
            let reduced =
                reduce::reduce(&options.child, options.timeout, run, &types, &found, &job);
            let class = |c: manifest::ClassId| {
                spelled
                    .classes
                    .iter()
                    .find(|life| life.id == c.0)
                    .map_or_else(|| "object".to_owned(), |life| life.name.clone())
            };
            let mut note = format!(
                "fuzz argument list #{iteration} of seed {}: {}",
                options.seed,
                args::show_call(&f.name, &sig, &found, &class)
            );
            let command = format!(
                "vix-ffi check --spec {} --lib {}",
                options.spec.display(),
                library.display()
            );
            match reduced.run {
                Some(reduced_run) => {
                    *run = reduced_run;
                    let bound = if reduced.bounded {
                        format!(
                            ", stopped at the bound of {} replays or {} s",
                            reduce::MAX_REPLAYS,
                            reduce::MAX_TIME.as_secs()
                        )
                    } else {
                        String::new()
                    };
                    note.push_str(&format!(
                        "\nreduced ({} replays{bound}) to: {}\nreplay it: {command} --replay \
                         {}={}",
                        reduced.replays,
                        args::show_call(&f.name, &sig, &reduced.values, &class),
                        f.name,
                        args::encode(&sig, &reduced.values),
                    ));
                }
                None => note.push_str(&format!(
                    "\nnot reduced: replayed alone in a new process, it did not fail the same \
                     way\nreplay it: {command} --seed {} --iterations {} --replay {}=#{iteration}",
                    options.seed, options.iterations, f.name,
                )),
            }
            fuzz_notes.insert(f.symbol.clone(), note);
        }
    }

    let mut runs: Vec<((String, Rule), ChildRun)> = keys1
        .into_iter()
        .zip(runs1)
        .chain(keys.into_iter().zip(runs2))
        .chain(keys3.into_iter().zip(runs3))
        .collect();

    let mut results = Vec::new();
    for f in &all {
        let shape = shape_of(f);
        let is_missing = missing.contains(&f.symbol);
        results.push(symbol_result(f, is_missing, mangled.get(&f.symbol)));
        let rules: Vec<Rule> = match shape {
            Shape::Operation => rules_of(f),
            Shape::Version => Rule::VERSION.to_vec(),
            Shape::Typed => {
                let mut rules = f.signature.as_ref().map(Rule::typed).unwrap_or_default();
                if fuzzing {
                    rules.push(Rule::Fuzz);
                }
                rules
            }
            Shape::Class => Rule::CLASS.to_vec(),
            Shape::Other => {
                results.push(result(
                    f,
                    Rule::Shape,
                    Outcome::Skip,
                    None,
                    format!(
                        "{} {}(...) is neither the operation shape, the version shape nor a \
                         typed signature: only its symbol is checked",
                        f.restype.c_name(),
                        f.symbol
                    ),
                    None,
                ));
                continue;
            }
        };
        for rule in rules {
            if is_missing {
                results.push(result(
                    f,
                    rule,
                    Outcome::Skip,
                    None,
                    format!("not checked: the library does not export {}", f.symbol),
                    None,
                ));
                continue;
            }
            let at = runs
                .iter()
                .position(|((symbol, r), _)| *symbol == f.symbol && *r == rule)
                .expect("every rule of every present function was run");
            let (_, run) = runs.swap_remove(at);
            let mut r = judge(f, rule, &run, options.timeout);
            if let (Rule::Fuzz, Outcome::Fail, Some(note)) =
                (rule, r.outcome, fuzz_notes.get(&f.symbol))
            {
                let mut detail = note.clone();
                push_line(&mut detail, r.detail.as_deref().unwrap_or_default());
                r.detail = Some(detail);
            }
            results.push(r);
        }
    }
    if !manifest
        .functions
        .iter()
        .any(|f| shape_of(f) == Shape::Version)
    {
        let symbol = format!("{}ffi_version", manifest.symbol_prefix);
        results.push(RuleResult {
            function: "(version)".into(),
            symbol: symbol.clone(),
            rule: Rule::Symbol,
            outcome: Outcome::Skip,
            input: None,
            seen: format!(
                "the manifest declares no function of the version shape; ABI v1 asks every \
                 module for `vix_str {symbol}(vix_status *)`: declare it to have it checked"
            ),
            expected: Rule::Symbol.expectation().into(),
            detail: None,
        });
    }

    report_escapes_once(&mut results);
    Ok(Report {
        manifest: options.spec.display().to_string(),
        library: library.display().to_string(),
        seed: options.seed,
        iterations: options.iterations,
        results,
    })
}

/// The number of the mutated input a failed `fuzz` run was trying, if it failed.
fn fuzz_failure(run: &ChildRun) -> Option<u64> {
    let failed =
        run.end != End::Exited(0) || run.events.iter().any(|e| matches!(e, Event::Finding(_)));
    if !failed {
        return None;
    }
    run.events.iter().rev().find_map(|e| match e {
        Event::Fuzzing { iteration } => Some(*iteration),
        _ => None,
    })
}

/// `--replay FUNCTION=INPUT`: `fuzz` on one input of one function (hex for an operation;
/// for a typed signature an encoded argument list, or `#N`).
fn replay(
    options: &Options,
    manifest: &Manifest,
    all: &[Function],
    library: &Path,
    missing: &HashSet<String>,
    name: &str,
    hex: &str,
) -> Result<Report, CheckError> {
    let Some(f) = all
        .iter()
        .find(|f| f.name == name && matches!(shape_of(f), Shape::Operation | Shape::Typed))
    else {
        return Err(CheckError::Usage(format!(
            "--replay: the manifest declares no function {name:?} of the operation shape or \
             of a typed signature"
        )));
    };
    if let (Shape::Typed, Some(sig)) = (shape_of(f), &f.signature) {
        let spelled = objects::typed_signature(manifest, sig);
        let Some(model) = spelled.signature() else {
            return Err(CheckError::Internal(format!(
                "{name}: a type of its signature is unknown to the checker"
            )));
        };
        let given = if let Some(number) = hex.strip_prefix('#') {
            let n = number.parse::<u64>().map_err(|_| {
                CheckError::Usage(format!(
                    "--replay {name}={hex}: after `#` comes the number of a fuzz argument \
                     list, as a report prints it ({name}=#12, with the run's --seed and \
                     --iterations)"
                ))
            })?;
            Replay::Number(n)
        } else {
            let values = args::decode(&model, hex, "the replayed input").map_err(|e| {
                CheckError::Usage(format!(
                    "--replay {name}={hex}: {e} (the list a fuzz report prints, or #N for \
                     fuzz argument list number N)"
                ))
            })?;
            Replay::Args(values)
        };
        let mut results = vec![symbol_result(f, missing.contains(&f.symbol), None)];
        if !missing.contains(&f.symbol) {
            let job = Job {
                task: Task::Typed {
                    library: library.to_path_buf(),
                    function: f.name.clone(),
                    symbol: f.symbol.clone(),
                    rule: Rule::Fuzz,
                    seed: options.seed,
                    iterations: options.iterations,
                    signature: spelled,
                    null_calls: false,
                    fuzz_ms: 0,
                    replay: Some(given),
                },
            };
            let runs = run_all(options, &[job])?;
            results.push(judge(f, Rule::Fuzz, &runs[0], options.timeout));
        }
        return Ok(Report {
            manifest: options.spec.display().to_string(),
            library: library.display().to_string(),
            seed: options.seed,
            iterations: options.iterations,
            results,
        });
    }
    let Some(bytes) = corpus::hex::decode(hex) else {
        return Err(CheckError::Usage(format!(
            "--replay: {hex:?} is not an even number of hex digits"
        )));
    };
    let mut results = vec![symbol_result(f, missing.contains(&f.symbol), None)];
    if !missing.contains(&f.symbol) {
        let job = Job {
            task: Task::Operation {
                library: library.to_path_buf(),
                function: f.name.clone(),
                symbol: f.symbol.clone(),
                rule: Rule::Fuzz,
                seed: options.seed,
                iterations: options.iterations,
                derived: Vec::new(),
                blocks: Vec::new(),
                fuzz_ms: 0,
                replay: Some(Input {
                    label: "the replayed input".into(),
                    bytes,
                    null_ptr: false,
                }),
            },
        };
        let runs = run_all(options, &[job])?;
        results.push(judge(f, Rule::Fuzz, &runs[0], options.timeout));
    }
    Ok(Report {
        manifest: options.spec.display().to_string(),
        library: library.display().to_string(),
        seed: options.seed,
        iterations: options.iterations,
        results,
    })
}

/// The symbols of the functions that at least one `python.api` entry calls with
/// `"ascii": true`: the library's promise that their every successful output is ASCII.
fn ascii_promised(manifest: &Manifest) -> HashSet<String> {
    manifest
        .python
        .api
        .iter()
        .filter(|api| {
            api.ascii
                && api
                    .call
                    .signature()
                    .is_some_and(|s| s.output == Output::Str)
        })
        .filter_map(|api| manifest.functions.get(api.calls))
        .map(|f| f.symbol.clone())
        .collect()
}

/// The `output_blocks` declarations of every function that at least one `python.api`
/// entry calls with one, by symbol: each distinct `{"in": a, "out": b}` once, in manifest
/// order, with the names of the entries that declare it. Two entries that declare
/// different sizes for one function are both checked (`output-blocks` reports each
/// declaration the library does not keep), rather than refused as a conflict: the manifest
/// parser accepts them, and the report then says which entry is wrong.
fn blocks_declared(manifest: &Manifest) -> HashMap<String, Vec<DeclaredBlocks>> {
    let mut declared: HashMap<String, Vec<DeclaredBlocks>> = HashMap::new();
    for api in &manifest.python.api {
        let (Some(blocks), Some(f)) = (api.output_blocks, manifest.functions.get(api.calls)) else {
            continue;
        };
        if !api.call.signature().is_some_and(Signature::is_operation) {
            continue;
        }
        let list = declared.entry(f.symbol.clone()).or_default();
        match list
            .iter_mut()
            .find(|d| (d.input, d.output) == (blocks.input, blocks.output))
        {
            Some(same) => same.entries.push(api.name.clone()),
            None => list.push(DeclaredBlocks {
                input: blocks.input,
                output: blocks.output,
                entries: vec![api.name.clone()],
            }),
        }
    }
    declared
}

/// The rules applied to `f`, a function of the operation shape, in report order: every
/// one of [`Rule::OPERATION`], then, when it is declared with a typed signature,
/// `status-range` and (for a `str` output) `str-utf8`, then `ascii-output` when its output
/// is promised ASCII, then `output-blocks` when its output size is declared.
fn operation_rules(
    f: &Function,
    ascii: &HashSet<String>,
    blocks: &HashMap<String, Vec<DeclaredBlocks>>,
) -> Vec<Rule> {
    let mut rules = Rule::OPERATION.to_vec();
    if let Some(sig) = &f.signature {
        // Declared with a typed signature (ABI v1.1): its status codes and its text.
        rules.push(Rule::StatusRange);
        if sig.output == Output::Str {
            rules.push(Rule::StrUtf8);
        }
    }
    if ascii.contains(&f.symbol) {
        rules.push(Rule::AsciiOutput);
    }
    if blocks.contains_key(&f.symbol) {
        rules.push(Rule::OutputBlocks);
    }
    rules
}

fn read_manifest(spec: &Path) -> Result<Manifest, CheckError> {
    let text = std::fs::read_to_string(spec)
        .map_err(|e| CheckError::Manifest(format!("cannot read {}: {e}", spec.display())))?;
    manifest::parse(&text).map_err(|diagnostics| {
        CheckError::Manifest(format!(
            "{} has {} error(s):\n{diagnostics}",
            spec.display(),
            diagnostics.len()
        ))
    })
}

fn run_all(options: &Options, jobs: &[Job]) -> Result<Vec<ChildRun>, CheckError> {
    supervise::run_all(&options.child, jobs, options.timeout, options.jobs).map_err(|e| {
        CheckError::Internal(format!(
            "cannot start {}: {e}",
            options.child.program.display()
        ))
    })
}

/// Loads the library in a child: the path that loaded and the missing symbols.
fn load(
    options: &Options,
    manifest: &Manifest,
    candidates: Vec<String>,
    symbols: Vec<String>,
) -> Result<(PathBuf, Vec<String>), CheckError> {
    let job = Job {
        task: Task::Load {
            candidates: candidates.clone(),
            symbols,
        },
    };
    let runs = run_all(options, &[job])?;
    let run = &runs[0];
    for event in &run.events {
        match event {
            Event::Loaded { path, missing } => return Ok((PathBuf::from(path), missing.clone())),
            Event::LoadFailed(errors) => {
                let mut message = format!(
                    "could not load {} ({}); tried:",
                    locate::file_name(&manifest.library),
                    if options.lib.is_some() {
                        "given with --lib".to_owned()
                    } else {
                        format!(
                            "searched in ${}, library.search_paths, then the system loader",
                            manifest.library.env_var
                        )
                    }
                );
                for (path, error) in errors {
                    message.push_str(&format!("\n  {path}: {error}"));
                }
                return Err(CheckError::Library(message));
            }
            _ => {}
        }
    }
    let step = last_step(run).unwrap_or_else(|| "starting".into());
    let how = match run.end {
        End::Signaled(signal) => format!("was killed by {}", supervise::signal_name(signal)),
        End::TimedOut => format!("did not finish within {:?}", options.timeout),
        End::Exited(code) => format!("exited with code {code}"),
    };
    Err(CheckError::Library(format!(
        "the child process {how} while {step}{}",
        stderr_note(&run.stderr)
    )))
}

fn last_step(run: &ChildRun) -> Option<String> {
    run.events.iter().rev().find_map(|e| match e {
        Event::Step(s) => Some(s.clone()),
        _ => None,
    })
}

fn stderr_note(stderr: &str) -> String {
    let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
    if tail.is_empty() {
        return String::new();
    }
    let lines: Vec<&str> = tail.into_iter().rev().collect();
    format!("\nits standard error ended with:\n  {}", lines.join("\n  "))
}

fn push_line(text: &mut String, line: &str) {
    if line.is_empty() {
        return;
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(line);
}

/// The C++-mangled names under which the library at `path` exports some of the `missing`
/// symbols: a function declared without `extern "C"` (`_Z14raw_hex_decodePKhm...` for
/// `raw_hex_decode`). Read from the file's dynamic symbol table; nothing when it cannot
/// be read.
fn mangled_exports(path: &Path, missing: &[String]) -> HashMap<String, String> {
    let mut found = HashMap::new();
    if missing.is_empty() {
        return found;
    }
    let Ok(bytes) = std::fs::read(path) else {
        return found;
    };
    let Ok(elf) = goblin::elf::Elf::parse(&bytes) else {
        return found;
    };
    for sym in elf.dynsyms.iter().filter(|s| s.st_shndx != 0) {
        let Some(name) = elf.dynstrtab.get_at(sym.st_name) else {
            continue;
        };
        if let Some(symbol) = missing.iter().find(|m| is_mangled_form(name, m)) {
            found
                .entry(symbol.clone())
                .or_insert_with(|| name.to_owned());
        }
    }
    found
}

/// Whether `name` is the Itanium C++ mangling of a function called `symbol` (at namespace
/// scope or in a namespace): `_Z<len><symbol>...` or `_ZN...<len><symbol>...`.
fn is_mangled_form(name: &str, symbol: &str) -> bool {
    let Some(rest) = name.strip_prefix("_Z") else {
        return false;
    };
    let part = format!("{}{symbol}", symbol.len());
    rest.starts_with(&part) || (rest.starts_with('N') && rest.contains(&part))
}

fn symbol_result(f: &Function, missing: bool, mangled: Option<&String>) -> RuleResult {
    if let (true, Some(mangled)) = (missing, mangled) {
        let mut r = result(
            f,
            Rule::Symbol,
            Outcome::Fail,
            None,
            format!(
                "{} is not exported by the library, which exports {mangled}: the function is \
                 compiled as C++ without extern \"C\", so only its C++-mangled name exists",
                f.symbol
            ),
            None,
        );
        r.expected = format!(
            "the symbol {} exported: declare the function extern \"C\" (in the header it \
             includes, or at its definition)",
            f.symbol
        );
        return r;
    }
    if missing {
        result(
            f,
            Rule::Symbol,
            Outcome::Fail,
            None,
            format!("{} is not exported by the library", f.symbol),
            None,
        )
    } else {
        result(
            f,
            Rule::Symbol,
            Outcome::Pass,
            None,
            format!("{} exported", f.symbol),
            None,
        )
    }
}

fn result(
    f: &Function,
    rule: Rule,
    outcome: Outcome,
    input: Option<String>,
    seen: String,
    detail: Option<String>,
) -> RuleResult {
    RuleResult {
        function: f.name.clone(),
        symbol: f.symbol.clone(),
        rule,
        outcome,
        input,
        seen,
        expected: rule.expectation().into(),
        detail,
    }
}

/// What the report expects of a function that a C++ exception escaped.
const ESCAPE_ADVICE: &str = "no exception leaves an extern \"C\" function: catch every \
    exception (std::bad_alloc included, and catch (...)) and answer with an error status; \
    vix_ffi.hpp's vix::ffi::sized, with_result and guard do";

/// What the report expects of a Rust function that aborted when an allocation failed.
const RUST_ALLOC_ADVICE: &str = "an error status when an allocation fails: Rust's Vec, \
    String and Box abort instead, so allocate with try_reserve (Vec::try_reserve_exact) in \
    a sized function and return an error on failure, as examples/base64_ffi does; a \
    function returning Vec cannot, and fails this rule";

/// What the report expects of a Rust function that aborted allocating what an argument
/// asked for (under a rule other than `allocation-failure`).
const RUST_SIZE_ADVICE: &str = "no crash: a size taken from an argument is allocated \
    with try_reserve (Vec::try_reserve_exact) and refused with an error status when it \
    cannot be had; Rust's vec![...; n], Vec::with_capacity and String::with_capacity abort \
    the process instead";

/// The C++ exception that was in flight when the child aborted, as the report names it
/// (`a C++ exception (std::invalid_argument)`), from the shim's report or, without the
/// shim, from what Rust's runtime printed on meeting it.
fn escaped_exception(run: &ChildRun) -> Option<String> {
    let reported = run.events.iter().rev().find_map(|e| match e {
        Event::Escaped { mangled, name } => Some(if name.is_empty() {
            mangled.clone()
        } else {
            name.clone()
        }),
        _ => None,
    });
    match reported {
        Some(name) => Some(format!("a C++ exception ({name})")),
        None if matches!(run.end, End::Signaled(_))
            && run.stderr.contains("Rust cannot catch foreign exceptions") =>
        {
            Some("a foreign (C++) exception".into())
        }
        None => None,
    }
}

/// Says a C++ exception that escaped a function once: the first rule it ended keeps the
/// report, the function's other rules it ended are skipped, pointing at that one.
fn report_escapes_once(results: &mut [RuleResult]) {
    let mut first: HashMap<String, Rule> = HashMap::new();
    for r in results.iter_mut() {
        if r.outcome != Outcome::Fail || r.expected != ESCAPE_ADVICE {
            continue;
        }
        match first.get(&r.symbol) {
            None => {
                first.insert(r.symbol.clone(), r.rule);
            }
            Some(rule) => {
                r.outcome = Outcome::Skip;
                r.seen = format!(
                    "not checked past the exception that escapes {}() (reported under {})",
                    r.symbol,
                    rule.name()
                );
                r.input = None;
                r.detail = None;
                r.expected = r.rule.expectation().into();
            }
        }
    }
}

/// Turns what a child said, and how it ended, into the verdict of its rule.
fn judge(f: &Function, rule: Rule, run: &ChildRun, timeout: Duration) -> RuleResult {
    let findings: Vec<&Finding> = run
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Finding(finding) => Some(finding),
            _ => None,
        })
        .collect();
    let done = run.events.iter().rev().find_map(|e| match e {
        Event::Done(done) => Some(done),
        _ => None,
    });
    let total = match done {
        Some(Done::Checked { violations, .. }) => (*violations).max(findings.len()),
        _ => findings.len(),
    };
    let more = |skip: usize| -> Option<String> {
        let rest: Vec<String> = findings
            .iter()
            .skip(skip)
            .take(5)
            .map(|x| {
                format!(
                    "also: {}: seen {}; expected {}",
                    x.input, x.seen, x.expected
                )
            })
            .collect();
        let extra = total.saturating_sub(skip + rest.len());
        let mut text = rest.join("\n");
        if extra > 0 {
            text.push_str(&format!("\n... and {extra} more"));
        }
        (!text.is_empty()).then_some(text)
    };
    let crash = match (&run.end, done) {
        (End::Exited(0), Some(_)) => None,
        (End::Signaled(signal), _) => Some(format!(
            "the process killed by {}",
            supervise::signal_name(*signal)
        )),
        (End::TimedOut, _) => Some(format!(
            "no return within {} s (the process was killed)",
            timeout.as_secs_f64()
        )),
        (End::Exited(code), _) => Some(format!(
            "the process exited with code {code} before the rule finished (did the library \
             call exit()?)"
        )),
    };
    let step = last_step(run).unwrap_or_else(|| "starting".into());
    let escaped = escaped_exception(run);
    // An escaped exception is said in the author's terms; the checker's own last words
    // about it ("Rust cannot catch foreign exceptions") would say nothing more.
    // Under any rule: a size the library tried to allocate (a length at the limit of its
    // type, under extreme-values) aborts the same way as an allocation made to fail.
    let rust_abort =
        matches!(run.end, End::Signaled(_)) && run.stderr.contains("memory allocation of");
    // Rust's abort message is quoted in the verdict; the backtrace after it is the
    // checker's own frames.
    let note = if escaped.is_some() || rust_abort {
        String::new()
    } else {
        stderr_note(&run.stderr)
    };
    let crash = match (&escaped, crash) {
        (Some(exception), Some(_)) => Some(format!(
            "{exception} escaped {}(): the process aborted",
            f.symbol
        )),
        (None, Some(crash)) if rust_abort => {
            let said = run
                .stderr
                .lines()
                .find(|l| l.contains("memory allocation of"))
                .unwrap_or_default()
                .trim();
            Some(format!(
                "{crash}: Rust's standard library aborts when an allocation fails (\"{said}\")"
            ))
        }
        (_, crash) => crash,
    };
    if let Some(first) = findings.first() {
        // A violation seen before a crash says more than the crash (guard bytes changed,
        // then the guard page faulted): it leads, the crash follows in the detail.
        let mut detail = more(1).unwrap_or_default();
        if let Some(crash) = &crash {
            push_line(&mut detail, &format!("then, while {step}: {crash}"));
            push_line(&mut detail, note.trim_start_matches('\n'));
        }
        let mut r = result(
            f,
            rule,
            Outcome::Fail,
            Some(first.input.clone()),
            first.seen.clone(),
            (!detail.is_empty()).then_some(detail),
        );
        r.expected = first.expected.clone();
        if total > 1 {
            r.seen = format!("{} ({total} violations in all)", first.seen);
        }
        return r;
    }
    if let Some(seen) = crash {
        let fault = matches!(run.end, End::Signaled(s) if s == libc::SIGSEGV || s == libc::SIGBUS);
        let expected = if run.end == End::TimedOut {
            "every call returns"
        } else if escaped.is_some() {
            ESCAPE_ADVICE
        } else if rust_abort && rule == Rule::AllocationFailure {
            RUST_ALLOC_ADVICE
        } else if rust_abort {
            RUST_SIZE_ADVICE
        } else if rule == Rule::AllocationFailure {
            rule.expectation()
        } else if matches!(rule, Rule::FreeNull | Rule::NullSelf) {
            // Called with NULL, and crashed: what the rule asks is exactly not that.
            rule.expectation()
        } else if rule == Rule::InputBounds && fault {
            // The guard page faulted: the call announced last read outside its input.
            rule.expectation()
        } else {
            "no crash"
        };
        let detail = note.trim_start_matches('\n');
        return RuleResult {
            expected: expected.to_owned(),
            ..result(
                f,
                rule,
                Outcome::Fail,
                Some(format!("while {step}")),
                seen,
                (!detail.is_empty()).then(|| detail.to_owned()),
            )
        };
    }
    match done {
        Some(Done::Skipped { reason }) => {
            result(f, rule, Outcome::Skip, None, reason.clone(), None)
        }
        Some(Done::Checked { seen, .. }) => {
            result(f, rule, Outcome::Pass, None, seen.clone(), None)
        }
        None => unreachable!("a child that exited 0 without Done is judged a crash above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vix_ffi_gen::manifest::Arg;

    fn function(restype: CType, args: &[CType]) -> Function {
        Function {
            name: "f".into(),
            symbol: "p_f".into(),
            restype,
            args: args
                .iter()
                .enumerate()
                .map(|(i, &ty)| Arg {
                    name: format!("a{i}"),
                    ty,
                })
                .collect(),
            doc: None,
            signature: None,
        }
    }

    #[test]
    fn shapes_follow_the_declared_signature() {
        use CType::*;
        let op = [U8Ptr, SizeT, U8Ptr, SizeT, SizeTPtr, VixStatusPtr];
        assert_eq!(shape_of(&function(Int, &op)), Shape::Operation);
        assert_eq!(shape_of(&function(Int32, &op)), Shape::Operation);
        let chars = [CharPtr, SizeT, VoidPtr, SizeT, SizeTPtr, VixStatusPtr];
        assert_eq!(shape_of(&function(Int, &chars)), Shape::Operation);
        let wrong = [U8Ptr, SizeT, U8Ptr, SizeT, SizeT, VixStatusPtr];
        assert_eq!(shape_of(&function(Int, &wrong)), Shape::Other);
        assert_eq!(shape_of(&function(VixStr, &[VixStatusPtr])), Shape::Version);
        assert_eq!(shape_of(&function(Int, &[VixStatusPtr])), Shape::Other);
    }

    #[test]
    fn typed_functions_get_the_rules_their_signatures_call_for() {
        let text = include_str!("../../../tests/fixtures/c_typed/bindings.json");
        let manifest = manifest::parse(text).unwrap_or_else(|d| panic!("{d}"));
        let (ascii, blocks) = (ascii_promised(&manifest), blocks_declared(&manifest));
        for f in &manifest.functions {
            let shape = shape_of(f);
            match f.name.as_str() {
                "version" => assert_eq!(shape, Shape::Version),
                // One buffer in, one buffer out: the operation's rules and the typed ones.
                "hexlify" => {
                    assert_eq!(shape, Shape::Operation);
                    let rules = operation_rules(f, &ascii, &blocks);
                    assert_eq!(
                        &rules[Rule::OPERATION.len()..],
                        [
                            Rule::StatusRange,
                            Rule::StrUtf8,
                            Rule::AsciiOutput,
                            Rule::OutputBlocks
                        ]
                    );
                }
                name => {
                    assert_eq!(shape, Shape::Typed, "{name}");
                    let rules = f.signature.as_ref().map(Rule::typed).unwrap_or_default();
                    let scalar_out = name != "repeat"
                        && name != "concat"
                        && name != "reset"
                        && name != "describe";
                    assert_eq!(rules.contains(&Rule::ScalarOutput), scalar_out, "{name}");
                    let sized = ["repeat", "concat", "describe"].contains(&name);
                    assert_eq!(rules.contains(&Rule::SizeQuery), sized, "{name}");
                    assert!(rules.contains(&Rule::StatusRange), "{name}");
                }
            }
        }
    }

    /// The manifest entry of an operation-shaped function called `name`.
    fn operation_json(name: &str) -> String {
        format!(
            r#"{{"name": "{name}", "args": [
                {{"name": "in_ptr", "type": "u8_ptr"}}, {{"name": "in_len", "type": "size_t"}},
                {{"name": "out_ptr", "type": "u8_ptr"}}, {{"name": "out_cap", "type": "size_t"}},
                {{"name": "out_len", "type": "size_t_ptr"}},
                {{"name": "out_status", "type": "vix_status_ptr"}}]}}"#
        )
    }

    #[test]
    fn only_functions_promised_ascii_get_ascii_output() {
        let text = format!(
            r#"{{
              "library": {{"name": "demo", "env_var": "DEMO_LIB_PATH", "search_paths": []}},
              "symbol_prefix": "demo_",
              "functions": [{}, {}, {}, {}],
              "python": {{"package": "demo", "exports": ["api"], "api": [
                {{"name": "encode", "calls": "encode", "kind": "bytes_to_str", "ascii": true}},
                {{"name": "encode_text", "calls": "encode", "kind": "bytes_to_str"}},
                {{"name": "escape", "calls": "escape", "kind": "str_to_str", "ascii": true}},
                {{"name": "upper", "calls": "upper", "kind": "str_to_str", "ascii": false}},
                {{"name": "decode", "calls": "decode", "kind": "str_to_bytes"}}
              ]}}
            }}"#,
            operation_json("encode"),
            operation_json("escape"),
            operation_json("upper"),
            operation_json("decode")
        );
        let manifest = manifest::parse(&text).unwrap_or_else(|d| panic!("{d}"));
        let ascii = ascii_promised(&manifest);
        let expected: HashSet<String> = ["demo_encode".into(), "demo_escape".into()].into();
        assert_eq!(ascii, expected);
        let blocks = blocks_declared(&manifest);
        assert!(blocks.is_empty(), "{blocks:?}");
        for f in &manifest.functions {
            let rules = operation_rules(f, &ascii, &blocks);
            assert_eq!(&rules[..Rule::OPERATION.len()], &Rule::OPERATION[..]);
            let promised = f.name == "encode" || f.name == "escape";
            let tail: &[Rule] = if promised { &[Rule::AsciiOutput] } else { &[] };
            assert_eq!(&rules[Rule::OPERATION.len()..], tail, "{}", f.name);
        }
    }

    #[test]
    fn only_functions_declaring_output_blocks_get_output_blocks() {
        let text = format!(
            r#"{{
              "library": {{"name": "demo", "env_var": "DEMO_LIB_PATH", "search_paths": []}},
              "symbol_prefix": "demo_",
              "functions": [{}, {}, {}],
              "python": {{"package": "demo", "exports": ["api"], "api": [
                {{"name": "encode", "calls": "encode", "kind": "bytes_to_str", "ascii": true,
                  "output_blocks": {{"in": 3, "out": 4}}}},
                {{"name": "encode_bytes", "calls": "encode", "kind": "bytes_to_bytes",
                  "output_blocks": {{"in": 3, "out": 4}}}},
                {{"name": "encode_wide", "calls": "encode", "kind": "bytes_to_bytes",
                  "output_blocks": {{"in": 6, "out": 8}}}},
                {{"name": "decode", "calls": "decode", "kind": "str_to_bytes"}},
                {{"name": "hexlify", "calls": "hexlify", "kind": "bytes_to_bytes",
                  "output_blocks": {{"in": 1, "out": 2}}}}
              ]}}
            }}"#,
            operation_json("encode"),
            operation_json("decode"),
            operation_json("hexlify")
        );
        let manifest = manifest::parse(&text).unwrap_or_else(|d| panic!("{d}"));
        let blocks = blocks_declared(&manifest);
        let declared = |input, output, entries: &[&str]| DeclaredBlocks {
            input,
            output,
            entries: entries.iter().map(|e| e.to_string()).collect(),
        };
        let mut expected = HashMap::new();
        // The same declaration from two entries is one, naming both; a different one on the
        // same function is kept too, and checked on its own.
        expected.insert(
            "demo_encode".to_owned(),
            vec![
                declared(3, 4, &["encode", "encode_bytes"]),
                declared(6, 8, &["encode_wide"]),
            ],
        );
        expected.insert(
            "demo_hexlify".to_owned(),
            vec![declared(1, 2, &["hexlify"])],
        );
        assert_eq!(blocks, expected);
        let ascii = ascii_promised(&manifest);
        for f in &manifest.functions {
            let rules = operation_rules(f, &ascii, &blocks);
            assert_eq!(&rules[..Rule::OPERATION.len()], &Rule::OPERATION[..]);
            let tail: &[Rule] = match f.name.as_str() {
                "encode" => &[Rule::AsciiOutput, Rule::OutputBlocks],
                "hexlify" => &[Rule::OutputBlocks],
                _ => &[],
            };
            assert_eq!(&rules[Rule::OPERATION.len()..], tail, "{}", f.name);
        }
    }

    fn run(events: Vec<Event>, end: End) -> ChildRun {
        ChildRun {
            events,
            end,
            stderr: String::new(),
        }
    }

    #[test]
    fn mangled_forms_are_recognised() {
        assert!(is_mangled_form(
            "_Z14raw_hex_decodePKhmPhmPmP10vix_status",
            "raw_hex_decode"
        ));
        assert!(is_mangled_form("_ZN3lib6encodeEPKhm", "encode"));
        assert!(!is_mangled_form("_Z14raw_hex_encodev", "raw_hex_decode"));
        assert!(!is_mangled_form("raw_hex_decode", "raw_hex_decode"));
    }

    #[test]
    fn a_crash_names_the_last_step() {
        let f = function(CType::Int, &[]);
        let r = judge(
            &f,
            Rule::SizeQuery,
            &run(
                vec![Event::Step("calling f(x, out_ptr NULL, out_cap 0)".into())],
                End::Signaled(11),
            ),
            DEFAULT_TIMEOUT,
        );
        assert_eq!(r.outcome, Outcome::Fail);
        assert_eq!(
            r.input.as_deref(),
            Some("while calling f(x, out_ptr NULL, out_cap 0)")
        );
        assert!(r.seen.contains("SIGSEGV"), "{}", r.seen);
    }

    #[test]
    fn a_rust_abort_on_a_huge_size_is_said_under_any_rule() {
        let f = function(CType::Int, &[]);
        let mut aborted = run(
            vec![Event::Step("calling f(length=9223372036854775807)".into())],
            End::Signaled(libc::SIGABRT),
        );
        aborted.stderr = "memory allocation of 9223372036854775807 bytes failed\nstack \
                          backtrace:\n   0: std::alloc::rust_oom\n"
            .into();
        let r = judge(&f, Rule::ExtremeValues, &aborted, DEFAULT_TIMEOUT);
        assert_eq!(r.outcome, Outcome::Fail);
        assert!(
            r.seen
                .contains("(\"memory allocation of 9223372036854775807 bytes failed\")"),
            "{}",
            r.seen
        );
        assert_eq!(r.expected, RUST_SIZE_ADVICE);
        // The checker's own backtrace is not quoted.
        assert!(r.detail.is_none(), "{:?}", r.detail);
        let r = judge(&f, Rule::AllocationFailure, &aborted, DEFAULT_TIMEOUT);
        assert_eq!(r.expected, RUST_ALLOC_ADVICE);
    }

    #[test]
    fn findings_fail_and_skips_stay_skips() {
        let f = function(CType::Int, &[]);
        let finding = Finding {
            input: "i".into(),
            seen: "s".into(),
            expected: "e".into(),
        };
        let done = Event::Done(Done::Checked {
            seen: "ok".into(),
            violations: 1,
        });
        let r = judge(
            &f,
            Rule::OneShort,
            &run(vec![Event::Finding(finding), done.clone()], End::Exited(0)),
            DEFAULT_TIMEOUT,
        );
        assert_eq!((r.outcome, r.seen.as_str()), (Outcome::Fail, "s"));
        let r = judge(
            &f,
            Rule::OneShort,
            &run(vec![done], End::Exited(0)),
            DEFAULT_TIMEOUT,
        );
        assert_eq!(r.outcome, Outcome::Pass);
        let skip = Event::Done(Done::Skipped {
            reason: "no accepted input found".into(),
        });
        let r = judge(
            &f,
            Rule::OneShort,
            &run(vec![skip], End::Exited(0)),
            DEFAULT_TIMEOUT,
        );
        assert_eq!(r.outcome, Outcome::Skip);
        let r = judge(
            &f,
            Rule::OneShort,
            &run(vec![], End::TimedOut),
            DEFAULT_TIMEOUT,
        );
        assert_eq!(r.outcome, Outcome::Fail);
        assert!(r.seen.contains("no return"));
    }
}
