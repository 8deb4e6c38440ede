//! The child process: loads the library and applies one rule to one function.
//!
//! Everything that calls into the library runs here, never in the checker itself: a
//! crash, an abort or a hang takes down this process only, and the parent reports the last
//! step this process announced.

mod class;
mod dynamic;
mod ffi;
mod memory;
mod operation;
mod shim;
mod typed;
mod version;

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::sync::{Mutex, OnceLock};

use crate::protocol::{ClassLife, Done, Event, Finding, Job, Task, TypedSignature};
use crate::{corpus, values};

/// The protocol stream (a duplicate of the original standard output).
static PROTOCOL: OnceLock<Mutex<File>> = OnceLock::new();

/// Sends one event to the parent, at once (one `write` per line, so a crash right after
/// loses nothing).
pub(crate) fn emit(event: &Event) {
    let line = event.to_line();
    match PROTOCOL.get() {
        Some(file) => {
            let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
            let _ = file.write_all(line.as_bytes());
        }
        None => {
            let _ = std::io::stdout().write_all(line.as_bytes());
        }
    }
}

/// Announces the next risky step.
pub(crate) fn step(what: impl Into<String>) {
    emit(&Event::Step(what.into()));
}

/// Collects the violations of one rule: the first ones are sent, the rest counted.
pub(crate) struct Findings {
    sent: usize,
}

/// Findings beyond this many are counted, not sent.
const MAX_FINDINGS: usize = 20;

impl Findings {
    pub(crate) fn new() -> Findings {
        Findings { sent: 0 }
    }

    /// Reports one violation.
    pub(crate) fn add(
        &mut self,
        input: impl Into<String>,
        seen: impl Into<String>,
        expected: impl Into<String>,
    ) {
        self.sent += 1;
        if self.sent <= MAX_FINDINGS {
            emit(&Event::Finding(Finding {
                input: input.into(),
                seen: seen.into(),
                expected: expected.into(),
            }));
        }
    }

    /// How many violations were seen.
    pub(crate) fn count(&self) -> usize {
        self.sent
    }
}

/// Entry point of the hidden child mode: reads a `Job` from standard input, runs it,
/// and returns the process exit code.
pub fn child_main() -> i32 {
    isolate_stdout();
    #[cfg(unix)]
    if let Some(file) = PROTOCOL.get() {
        use std::os::fd::AsRawFd as _;
        let fd = file.lock().unwrap_or_else(|e| e.into_inner()).as_raw_fd();
        shim::report_escapes(fd);
    }
    disable_core_dumps();
    die_with_parent();
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("vix-ffi check child: cannot read the job: {e}");
        return 3;
    }
    let job: Job = match serde_json::from_str(&text) {
        Ok(job) => job,
        Err(e) => {
            eprintln!("vix-ffi check child: invalid job: {e}");
            return 3;
        }
    };
    let done = match job.task {
        Task::Load {
            candidates,
            symbols,
        } => {
            load(&candidates, &symbols);
            return 0;
        }
        Task::Version {
            library,
            function,
            symbol,
            rule,
        } => {
            let lib = match open(&library.to_string_lossy()) {
                Ok(lib) => lib,
                Err(e) => return load_error(e),
            };
            // SAFETY: the manifest declares `symbol` with the version shape.
            match unsafe { lib.get::<ffi::VersionFn>(symbol.as_bytes()) } {
                Ok(f) => version::run(rule, &function, *f),
                Err(e) => return load_error(e.to_string()),
            }
        }
        Task::Operation {
            library,
            function,
            symbol,
            rule,
            seed,
            iterations,
            derived,
            blocks,
            fuzz_ms,
            replay,
        } => {
            let lib = match open(&library.to_string_lossy()) {
                Ok(lib) => lib,
                Err(e) => return load_error(e),
            };
            // SAFETY: the manifest declares `symbol` with the operation shape.
            let op = match unsafe { lib.get::<ffi::OpFn>(symbol.as_bytes()) } {
                // SAFETY: as above.
                Ok(f) => unsafe { ffi::Op::new(*f) },
                Err(e) => return load_error(e.to_string()),
            };
            let mut inputs = corpus::base(seed, iterations);
            inputs.extend(derived);
            let ctx = operation::Ctx {
                function,
                inputs,
                large: corpus::large(seed),
                text: corpus::text(seed, iterations),
                iterations,
                blocks,
                boundary: if matches!(
                    rule,
                    crate::rules::Rule::InputBounds | crate::rules::Rule::Fuzz
                ) {
                    corpus::boundary(seed)
                } else {
                    Vec::new()
                },
                seed,
                fuzz_ms,
                replay,
            };
            operation::run(rule, &op, &ctx)
        }
        Task::Typed {
            library,
            function,
            symbol,
            rule,
            seed,
            iterations,
            signature,
            null_calls,
            fuzz_ms,
            replay,
        } => {
            let lib = match open(&library.to_string_lossy()) {
                Ok(lib) => lib,
                Err(e) => return load_error(e),
            };
            let callee = match resolve(lib, &symbol, &signature) {
                Ok(callee) => callee,
                Err(Resolve::Unknown(e)) => {
                    eprintln!("vix-ffi check child: {e}");
                    return 3;
                }
                Err(Resolve::Load(e)) => return load_error(e),
            };
            let sig = callee.sig.clone();
            let ctx = typed::Ctx {
                function,
                cases: values::cases(&sig, seed, iterations),
                extremes: values::extreme_cases(&sig),
                buffers: values::buffer_cases(&sig, seed, iterations),
                boundary: values::boundary_cases(&sig, seed),
                seed,
                fuzz_ms,
                replay,
                iterations,
                null_calls,
                callee,
            };
            typed::run(rule, &ctx)
        }
        Task::Class {
            library,
            rule,
            seed,
            iterations,
            class,
            methods,
        } => {
            let lib = match open(&library.to_string_lossy()) {
                Ok(lib) => lib,
                Err(e) => return load_error(e),
            };
            let life = match lives(lib, std::slice::from_ref(&class)) {
                Ok(mut lives) => lives.remove(0),
                Err(Resolve::Unknown(e)) => {
                    eprintln!("vix-ffi check child: {e}");
                    return 3;
                }
                Err(Resolve::Load(e)) => return load_error(e),
            };
            let mut callees = Vec::new();
            for (name, symbol, signature) in &methods {
                match resolve(lib, symbol, signature) {
                    Ok(callee) => {
                        let cases = values::cases(&callee.sig, seed, iterations);
                        callees.push(class::Method {
                            name: name.clone(),
                            callee,
                            cases,
                        });
                    }
                    Err(Resolve::Unknown(e)) => {
                        eprintln!("vix-ffi check child: {e}");
                        return 3;
                    }
                    Err(Resolve::Load(e)) => return load_error(e),
                }
            }
            class::run(
                rule,
                &class::Ctx {
                    life,
                    methods: callees,
                    iterations,
                },
            )
        }
    };
    emit(&Event::Done(done));
    0
}

/// Why a typed function could not be resolved.
enum Resolve {
    /// A type the model does not know (a checker bug: exit code 3).
    Unknown(String),
    /// A symbol missing from the library.
    Load(String),
}

/// The function `symbol` of `signature` in `lib`, with the classes it names.
fn resolve(
    lib: &'static libloading::Library,
    symbol: &str,
    signature: &TypedSignature,
) -> Result<dynamic::Callee, Resolve> {
    let Some(sig) = signature.signature() else {
        return Err(Resolve::Unknown(format!("unknown type in {signature:?}")));
    };
    // SAFETY: only the address is taken here; it is called through the C parameter list
    // of the signature the manifest declares for `symbol`.
    let code = match unsafe { lib.get::<*mut std::ffi::c_void>(symbol.as_bytes()) } {
        Ok(code) => *code,
        Err(e) => return Err(Resolve::Load(e.to_string())),
    };
    // SAFETY: the manifest declares `symbol` with this signature.
    let callee = unsafe { dynamic::Callee::new(sig, code) };
    Ok(callee.with_lives(lives(lib, &signature.classes)?))
}

/// The classes of `classes`, resolved in `lib`: each `free`, and the call that makes one.
fn lives(
    lib: &'static libloading::Library,
    classes: &[ClassLife],
) -> Result<Vec<dynamic::Life>, Resolve> {
    let mut out = Vec::new();
    for class in classes {
        // SAFETY: only the address is taken; it is called as `void free(pkg_thing *)`.
        let free = match unsafe { lib.get::<*mut std::ffi::c_void>(class.free.as_bytes()) } {
            Ok(code) => *code,
            Err(e) => {
                return Err(Resolve::Load(format!(
                    "{e} ({} releases the {} objects the call needs, and is not exported)",
                    class.free, class.name
                )))
            }
        };
        let maker = match &class.maker {
            Some(m) => Some((
                resolve(lib, &m.symbol, &m.signature)?,
                m.args.clone(),
                m.function.clone(),
            )),
            None => None,
        };
        // SAFETY: the manifest names `free` as the class's release function.
        out.push(unsafe {
            dynamic::Life::new(
                class.id,
                class.name.clone(),
                class.free.clone(),
                free,
                maker,
            )
        });
    }
    Ok(out)
}

fn load_error(message: String) -> i32 {
    eprintln!("vix-ffi check child: {message}");
    emit(&Event::Done(Done::Skipped {
        reason: format!("the library could not be loaded in the child: {message}"),
    }));
    0
}

/// The library stays loaded until the process exits: unloading runs its destructors,
/// which are not under test.
fn open(path: &str) -> Result<&'static libloading::Library, String> {
    #[cfg(unix)]
    let lib = {
        use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};
        // SAFETY: loading runs the library's initialisers; that is what this process is
        // for. RTLD_NOW makes a missing dependency symbol an error here rather than a
        // crash at the first call.
        unsafe { Library::open(Some(path), RTLD_NOW | RTLD_LOCAL) }.map(libloading::Library::from)
    };
    #[cfg(not(unix))]
    // SAFETY: as above.
    let lib = unsafe { libloading::Library::new(path) };
    lib.map(|lib| &*Box::leak(Box::new(lib)))
        .map_err(|e| e.to_string())
}

fn load(candidates: &[String], symbols: &[String]) {
    let mut errors = Vec::new();
    for candidate in candidates {
        let looks_like_path = candidate.contains(std::path::MAIN_SEPARATOR);
        if looks_like_path && !std::path::Path::new(candidate).exists() {
            errors.push((candidate.clone(), "no such file".to_owned()));
            continue;
        }
        step(format!("loading {candidate} (running its initialisers)"));
        match open(candidate) {
            Ok(lib) => {
                let missing = symbols
                    .iter()
                    .filter(|symbol| {
                        // SAFETY: only looks the symbol up; it is never called through
                        // this type.
                        unsafe { lib.get::<unsafe extern "C" fn()>(symbol.as_bytes()) }.is_err()
                    })
                    .cloned()
                    .collect();
                emit(&Event::Loaded {
                    path: loaded_path(candidate),
                    missing,
                });
                return;
            }
            Err(e) => errors.push((candidate.clone(), e)),
        }
    }
    emit(&Event::LoadFailed(errors));
}

/// The file the system loader picked for a bare name (read back from the process's
/// mappings on Linux); the name itself elsewhere.
fn loaded_path(candidate: &str) -> String {
    if candidate.contains(std::path::MAIN_SEPARATOR) {
        return candidate.to_owned();
    }
    #[cfg(target_os = "linux")]
    if let Ok(maps) = std::fs::read_to_string("/proc/self/maps") {
        let suffix = format!("/{candidate}");
        if let Some(path) = maps
            .lines()
            .filter_map(|line| line.split_whitespace().nth(5))
            .find(|path| path.ends_with(&suffix))
        {
            return path.to_owned();
        }
    }
    candidate.to_owned()
}

/// Keeps the protocol stream for ourselves and sends the library's own standard output
/// to standard error, so that its `printf` cannot break a protocol line.
fn isolate_stdout() {
    #[cfg(unix)]
    {
        use std::os::fd::FromRawFd as _;
        // SAFETY: dup/dup2 on the standard descriptors, which are open.
        let proto = unsafe { libc::dup(1) };
        if proto < 0 {
            return;
        }
        // SAFETY: as above.
        unsafe { libc::dup2(2, 1) };
        // SAFETY: `proto` is a fresh descriptor that nothing else owns.
        let file = unsafe { File::from_raw_fd(proto) };
        let _ = PROTOCOL.set(Mutex::new(file));
    }
}

/// The child runs in its own process group (so a timeout can kill all of it), which also
/// keeps it out of the terminal's Ctrl-C: make sure a hung child does not outlive an
/// interrupted checker.
fn die_with_parent() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_PDEATHSIG) takes a signal number and has no other effect.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
    }
}

/// A crash of the library under test is expected here; it should not leave a core file.
fn disable_core_dumps() {
    #[cfg(unix)]
    {
        let limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit with a valid, initialised struct.
        unsafe { libc::setrlimit(libc::RLIMIT_CORE, &limit) };
    }
}
