//! `vix-ffi build`: from a Rust crate written with `#[vix_ffi::export]`, or a CMake
//! project using `vix_ffi_add_library()`, to a wheel, in one command; and the steps it
//! shares with `vix-ffi develop`.
//!
//! 1. the library: `cargo build --release --lib` (or `cargo-zigbuild` for `--manylinux`),
//!    the file taken from cargo's JSON messages; or, with `--cmake DIR`, `cmake`
//!    configure and build in Release (zig as the compiler for `--manylinux`), the file
//!    taken from CMake's file API (`build/cmake.rs`);
//! 2. the manifest: `from-rust` writes it (and the header) in the crate; a CMake project
//!    has its own (`DIR/bindings.json` or `--spec`);
//! 3. with `--check`, `vix-ffi check` on the built library;
//! 4. `gen-python` and 5. `gen-package --copy-lib` into `<target>/vix-ffi/<lib>/`;
//! 6. the wheel, built by the project's backend (hatchling) into `<target>/wheels/`.
//!
//! Steps 3 to 6 are the same code for both kinds of project ([`finish`]). The steps named
//! after commands run this same executable as `vix-ffi <step> ...`, so they behave
//! exactly as the commands of the same name; their output is shown when they fail. Every
//! tool is found before the (long) compilation starts, and the wheel is renamed into
//! place only once it is complete.

pub mod cargo;
pub mod cmake;
pub mod tools;
mod wheel;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use vix_ffi_gen::package::{dist, native, version};

use cargo::{Compiler, Package};
use tools::{Manylinux, PythonSource};

/// Options of `vix-ffi build`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The crate's folder, holding its Cargo.toml.
    #[arg(long = "crate", value_name = "DIR", default_value = ".")]
    krate: PathBuf,
    /// Build the CMake project in DIR (a CMakeLists.txt using vix_ffi_add_library())
    /// instead of a Rust crate: configured and built in Release under DIR/target/.
    #[arg(long, value_name = "DIR", conflicts_with = "krate")]
    cmake: Option<PathBuf>,
    /// With --cmake: the project's manifest [default: DIR/bindings.json].
    #[arg(long, value_name = "FILE", requires = "cmake")]
    spec: Option<PathBuf>,
    /// Where to put the wheel [default: <cargo target folder>/wheels, or DIR/target/wheels
    /// with --cmake].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Link against an older glibc with zig, for a wheel that installs on older Linux
    /// systems: 2014 (glibc 2.17, every Linux still maintained), 2_28, ... [default: host,
    /// plain cargo or CMake and this machine's glibc]. Needs ziglang, and cargo-zigbuild
    /// for a Rust crate.
    #[arg(long, value_name = "LEVEL")]
    manylinux: Option<Manylinux>,
    /// Run `vix-ffi check` on the built library, and write no wheel if it fails.
    #[arg(long)]
    check: bool,
    /// The Python that builds the wheel (it needs hatchling) and runs zig (`-m ziglang`)
    /// [default: the active virtual environment's, else python3].
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// The wheel's PEP 440 version [default: $VIX_PY_VERSION, else the crate's version, or
    /// the CMake project's].
    #[arg(long)]
    version: Option<String>,
    /// The distribution name, what `pip install` takes [default: vix-<package>].
    #[arg(long)]
    dist: Option<String>,
}

/// One line per step, and the step's name on its error.
pub(crate) struct Progress {
    total: usize,
    done: usize,
}

impl Progress {
    pub(crate) fn new(total: usize) -> Self {
        Progress { total, done: 0 }
    }

    /// Prints `[n/total] name: what`, runs `f`, and names the step on failure.
    pub(crate) fn step<T>(
        &mut self,
        name: &str,
        what: &str,
        f: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        self.done += 1;
        eprintln!("[{}/{}] {name}: {what}", self.done, self.total);
        f().with_context(|| format!("{name} failed"))
    }
}

/// Runs this executable as `vix-ffi <args>`, returning its standard output; on failure,
/// its messages become the error.
pub(crate) fn run_self(args: &[&std::ffi::OsStr]) -> Result<String> {
    run_self_with(args, &[])
}

/// [`run_self`] with environment variables set for the child.
pub(crate) fn run_self_with(
    args: &[&std::ffi::OsStr],
    env: &[(&str, std::ffi::OsString)],
) -> Result<String> {
    let exe = std::env::current_exe().context("cannot find the vix-ffi executable")?;
    let output = Command::new(&exe)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!(
            "{}{}",
            stdout,
            stderr.trim_end().trim_start_matches("error: ")
        );
    }
    Ok(stdout)
}

/// What the first steps found: the package, its built library and its manifest.
pub(crate) struct Described {
    pub package: Package,
    pub library: PathBuf,
    pub manifest_path: PathBuf,
    pub python_package: String,
    pub library_name: String,
}

/// Steps "cargo build" and "from-rust".
pub(crate) fn compile_and_describe(
    progress: &mut Progress,
    package: Package,
    compiler: &Compiler,
    release: bool,
) -> Result<Described> {
    let how = match compiler {
        Compiler::Cargo => format!(
            "cargo build --lib{}",
            if release { " --release" } else { "" }
        ),
        Compiler::Zig { target, .. } => format!(
            "cargo zigbuild --lib{} --target {target}",
            if release { " --release" } else { "" }
        ),
    };
    let library = progress.step("cargo build", &how, || {
        cargo::build(&package, compiler, release)
    })?;
    let manifest_path = package.dir.join("bindings.json");
    let (python_package, library_name) =
        progress.step("from-rust", "the manifest and the C header", || {
            run_self(&[
                "from-rust".as_ref(),
                "--crate".as_ref(),
                package.dir.as_os_str(),
            ])?;
            read_manifest(&manifest_path)
        })?;
    Ok(Described {
        package,
        library,
        manifest_path,
        python_package,
        library_name,
    })
}

/// The wheel's version: `--version`, else `$VIX_PY_VERSION`, else the crate's, checked
/// and normalised by PEP 440.
pub(crate) fn python_version(
    option: Option<&str>,
    env: Option<&str>,
    crate_version: &str,
) -> Result<String> {
    python_version_from(option, env, crate_version, "the crate's version")
}

/// [`python_version`] with another last resort, named `fallback_name` in messages.
fn python_version_from(
    option: Option<&str>,
    env: Option<&str>,
    fallback: &str,
    fallback_name: &str,
) -> Result<String> {
    let (raw, from) = match (option, env.filter(|v| !v.is_empty())) {
        (Some(v), _) => (v, "--version".to_owned()),
        (None, Some(v)) => (v, format!("${}", vix_ffi_gen::package::VERSION_ENV_VAR)),
        (None, None) => (fallback, fallback_name.to_owned()),
    };
    version::normalize_version(raw)
        .map_err(|e| anyhow::anyhow!("{from}: {e}; pass --version with a PEP 440 version"))
}

/// The distribution name `gen-package` gives by default.
pub(crate) fn default_dist(python_package: &str) -> String {
    dist::normalize_dist_name(&format!("vix-{python_package}"))
}

/// `path` made absolute against the current folder.
pub(crate) fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))
}

/// The compiler for a `--manylinux` level, with every tool found.
fn compiler_for(level: Manylinux, python: &Path) -> Result<Compiler> {
    match level {
        Manylinux::Host => Ok(Compiler::Cargo),
        Manylinux::Glibc(minor) => {
            let target = tools::zig_target(&tools::host_triple()?, minor)?;
            let zigbuild = tools::find_zigbuild()?;
            let python = tools::find_zig(python)?;
            Ok(Compiler::Zig {
                zigbuild,
                target,
                python,
            })
        }
    }
}

/// The command that runs zig's C (`tool` = `cc`) or C++ (`c++`) compiler for a
/// cargo-zigbuild target (`x86_64-unknown-linux-gnu.2.17` becomes zig's
/// `x86_64-linux-gnu.2.17`), with `python -m ziglang` or `zig` on `PATH`.
pub(crate) fn zig_command(python: Option<&Path>, target: &str, tool: &str) -> Vec<String> {
    let zig_target = target.replacen("-unknown-", "-", 1);
    let mut words = match python {
        Some(python) => vec![python.display().to_string(), "-m".into(), "ziglang".into()],
        None => vec!["zig".into()],
    };
    words.extend([tool.to_owned(), "-target".into(), zig_target]);
    words
}

/// The `$CC` that compiles C for a cargo-zigbuild target, as one string.
fn zig_cc(python: Option<&Path>, target: &str) -> String {
    zig_command(python, target, "cc").join(" ")
}

/// What the last steps take, however the library was built: the library file and the
/// manifest that describes it.
pub(crate) struct Built {
    pub library: PathBuf,
    pub manifest_path: PathBuf,
    pub python_package: String,
    pub library_name: String,
}

/// How the last steps make the wheel: the options both kinds of project share.
struct Packaging {
    python: PathBuf,
    python_source: PythonSource,
    level: Manylinux,
    dist: Option<String>,
    out_dir: PathBuf,
    /// `<target>/vix-ffi/<library>`: the generated package and project.
    work: PathBuf,
    version: String,
    description: Option<String>,
    /// `$CC` for the compiled backend: zig for the library's glibc with `--manylinux`.
    cc: Option<String>,
}

/// The manifest at `path`, parsed: its Python package and library names.
pub(crate) fn read_manifest(path: &Path) -> Result<(String, String)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let manifest = vix_ffi_gen::manifest::parse(&text).map_err(|d| {
        anyhow::anyhow!(
            "{} does not parse: {} (`vix-ffi gen-python --spec {}` shows every problem)",
            path.display(),
            d.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("; "),
            path.display()
        )
    })?;
    Ok((manifest.python.package, manifest.library.name))
}

/// The one-line summary of a package's description, when it fits in one.
fn one_line(description: Option<&str>) -> Option<String> {
    description
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|d| !d.is_empty() && d.chars().count() <= 512)
}

/// Runs `vix-ffi build`.
pub fn run(args: Args) -> Result<()> {
    match args.cmake.clone() {
        Some(dir) => run_cmake(args, &dir),
        None => run_cargo(args),
    }
}

/// The Python to use, checked for hatchling before anything is built.
fn python_for(args: &Args) -> Result<(PathBuf, PythonSource)> {
    let (python, python_source) = tools::choose_python(
        args.python.as_deref(),
        std::env::var_os("VIRTUAL_ENV").as_deref(),
        std::env::var_os("PATH").as_deref(),
    )?;
    wheel::check_backend(&python, python_source)?;
    Ok((python, python_source))
}

/// `vix-ffi build` of a Rust crate.
fn run_cargo(args: Args) -> Result<()> {
    let crate_dir = absolute(&args.krate)?;
    let package = cargo::metadata(&crate_dir)?;
    // Everything that can be found out before compiling is, so that a missing tool does
    // not cost a build.
    let (python, python_source) = python_for(&args)?;
    let level = args.manylinux.unwrap_or(Manylinux::Host);
    let compiler = compiler_for(level, &python)?;
    let env_version = std::env::var(vix_ffi_gen::package::VERSION_ENV_VAR).ok();
    let py_version = python_version(
        args.version.as_deref(),
        env_version.as_deref(),
        &package.version,
    )?;
    let out_dir = match &args.out {
        Some(out) => absolute(out)?,
        None => package.target_dir.join("wheels"),
    };

    let mut progress = Progress::new(if args.check { 6 } else { 5 });
    let described = compile_and_describe(&mut progress, package, &compiler, true)?;
    let Described {
        package,
        library,
        manifest_path,
        python_package,
        library_name,
    } = described;
    let built = Built {
        library,
        manifest_path,
        python_package,
        library_name,
    };
    let packaging = Packaging {
        python,
        python_source,
        level,
        dist: args.dist,
        out_dir,
        work: package.target_dir.join("vix-ffi").join(&built.library_name),
        version: py_version,
        description: one_line(package.description.as_deref()),
        cc: match &compiler {
            Compiler::Cargo => None,
            Compiler::Zig {
                target,
                python: zig,
                ..
            } => Some(zig_cc(zig.as_deref(), target)),
        },
    };
    finish(&mut progress, &built, &packaging, args.check)
}

/// `vix-ffi build --cmake DIR`.
fn run_cmake(args: Args, dir: &Path) -> Result<()> {
    let source = absolute(dir)?;
    let project = cmake::Project::new(&source, args.spec.as_deref(), args.manylinux)?;
    // The manifest first: a mistake in it should not wait for a compilation.
    let (python_package, library_name) = read_manifest(&project.manifest)?;
    let (python, python_source) = python_for(&args)?;
    let cmake_exe = cmake::find_cmake()?;
    let level = args.manylinux.unwrap_or(Manylinux::Host);
    let zig = match level {
        Manylinux::Host => None,
        Manylinux::Glibc(minor) => Some(cmake::Zig {
            target: tools::zig_target_of_host(minor)?,
            python: tools::find_zig(&python)?,
        }),
    };
    let out_dir = match &args.out {
        Some(out) => absolute(out)?,
        None => project.target_dir.join("wheels"),
    };
    let mut progress = Progress::new(if args.check { 6 } else { 5 });
    let (configured, library) = cmake_steps(
        &mut progress,
        &project,
        &cmake_exe,
        zig.as_ref(),
        &library_name,
    )?;
    let py_version = cmake_version(args.version.as_deref(), &configured, &source)?;
    let built = Built {
        library,
        manifest_path: project.manifest.clone(),
        python_package,
        library_name,
    };
    let packaging = Packaging {
        python,
        python_source,
        level,
        dist: args.dist,
        out_dir,
        work: project.target_dir.join("vix-ffi").join(&built.library_name),
        version: py_version,
        description: one_line(Some(&configured.description)),
        cc: zig.as_ref().map(|z| zig_cc(z.python.as_deref(), &z.target)),
    };
    finish(&mut progress, &built, &packaging, args.check)
}

/// Steps "cmake configure" and "cmake build" of the library named `library_name`: what
/// configuring found, and the built file.
pub(crate) fn cmake_steps(
    progress: &mut Progress,
    project: &cmake::Project,
    cmake_exe: &Path,
    zig: Option<&cmake::Zig>,
    library_name: &str,
) -> Result<(cmake::Configured, PathBuf)> {
    let os = native::Os::host().context("vix-ffi builds on Linux, macOS and Windows")?;
    let file_name = os.library_file_name(library_name);
    let configured = progress.step(
        "cmake configure",
        &format!(
            "cmake -S {} -B {} -DCMAKE_BUILD_TYPE={}{}",
            project.source.display(),
            project.build_dir.display(),
            project.config,
            if zig.is_some() {
                " with zig cc and zig c++"
            } else {
                ""
            }
        ),
        || project.configure(cmake_exe, zig, &file_name, library_name),
    )?;
    let library = progress.step(
        "cmake build",
        &format!(
            "cmake --build {} --config {} --target {}",
            project.build_dir.display(),
            project.config,
            configured.target
        ),
        || project.build(cmake_exe, &configured),
    )?;
    Ok((configured, library))
}

/// The wheel's version for a CMake project: `--version`, else `$VIX_PY_VERSION`, else
/// `project(... VERSION ...)`; an error when there is none.
pub(crate) fn cmake_version(
    option: Option<&str>,
    configured: &cmake::Configured,
    source: &Path,
) -> Result<String> {
    let env_version = std::env::var(vix_ffi_gen::package::VERSION_ENV_VAR).ok();
    let env = env_version.as_deref().filter(|v| !v.is_empty());
    if option.is_none() && env.is_none() && configured.version.is_empty() {
        bail!(
            "the CMake project in {} has no version, and the wheel needs one: give it one \
             (`project(NAME VERSION 0.1.0 ...)`) or pass --version",
            source.display()
        );
    }
    python_version_from(
        option,
        env,
        &configured.version,
        "the CMake project's version",
    )
}

/// The steps after the build: `check` (with `--check`), `gen-python`, `gen-package`, the
/// wheel, and what was built.
fn finish(progress: &mut Progress, built: &Built, how: &Packaging, check: bool) -> Result<()> {
    let os =
        native::Os::host().context("vix-ffi build makes wheels on Linux, macOS and Windows")?;
    if check {
        let summary = progress.step("check", "vix-ffi check on the built library", || {
            check_library(&built.manifest_path, &built.library)
        })?;
        eprintln!("      {summary}");
    }

    let gen = how.work.join("gen");
    let project = how.work.join("project");
    progress.step("gen-python", "the Python package", || {
        run_self(&[
            "gen-python".as_ref(),
            "--spec".as_ref(),
            built.manifest_path.as_os_str(),
            "--out".as_ref(),
            gen.as_os_str(),
        ])
        .map(drop)
    })?;

    let inspected = progress.step(
        "gen-package",
        "the project around it, with the library",
        || {
            let library = &built.library;
            let inspected = native::inspect_file(library, os)
                .map_err(|e| anyhow::anyhow!("{}: {e}", library.display()))?;
            if let Manylinux::Glibc(minor) = how.level {
                match tools::tag_glibc(&inspected.platform_tag) {
                    Some((2, needed)) if needed <= minor => {}
                    _ => bail!(
                        "the library was linked for glibc 2.{minor} but is {}: {}",
                        inspected.platform_tag,
                        inspected.summary
                    ),
                }
            }
            let mut gen_args: Vec<&std::ffi::OsStr> = vec![
                "gen-package".as_ref(),
                "--package".as_ref(),
                built.python_package.as_ref(),
                "--lib".as_ref(),
                built.library_name.as_ref(),
                "--src".as_ref(),
                gen.as_os_str(),
                "--out".as_ref(),
                project.as_os_str(),
                "--copy-lib".as_ref(),
                library.as_os_str(),
                "--version".as_ref(),
                how.version.as_ref(),
            ];
            if let Some(dist) = &how.dist {
                gen_args.extend::<[&std::ffi::OsStr; 2]>(["--dist".as_ref(), dist.as_ref()]);
            }
            if let Some(description) = &how.description {
                gen_args.extend::<[&std::ffi::OsStr; 2]>([
                    "--description".as_ref(),
                    description.as_ref(),
                ]);
            }
            // The compiled backend is built for the Python that builds the wheel and, for
            // --manylinux, with zig for the same glibc as the library, so that it does
            // not raise the wheel's tag (dlopen alone is GLIBC_2.34 with this machine's
            // compiler).
            gen_args.extend::<[&std::ffi::OsStr; 2]>(["--python".as_ref(), how.python.as_os_str()]);
            let env: Vec<(&str, std::ffi::OsString)> = match &how.cc {
                None => Vec::new(),
                Some(cc) => vec![("CC", cc.into())],
            };
            run_self_with(&gen_args, &env)?;
            Ok(inspected)
        },
    )?;

    let wheel = progress.step(
        "wheel",
        &format!("hatchling, into {}", how.out_dir.display()),
        || wheel::build_wheel(&how.python, how.python_source, &project, &how.out_dir),
    )?;

    let name = wheel.file_name().unwrap_or_default().to_string_lossy();
    let tag = name
        .trim_end_matches(".whl")
        .splitn(3, '-')
        .nth(2)
        .unwrap_or_default();
    println!("built {}", wheel.display());
    println!("tag {tag}: {}", inspected.summary);
    for warning in &inspected.warnings {
        eprintln!("note: {warning}");
    }
    if how.level == Manylinux::Host {
        if let Some((2, minor)) = tools::tag_glibc(&inspected.platform_tag) {
            if minor > tools::OLDEST_GLIBC_MINOR {
                eprintln!(
                    "note: this wheel needs glibc 2.{minor} or later, this machine's; for one \
                     that installs on every Linux with glibc 2.17 or later, build again with \
                     `--manylinux 2014` (needs `pip install ziglang`, and for a Rust crate \
                     `cargo install cargo-zigbuild`)"
                );
            }
        }
    }
    Ok(())
}

/// The `check` step: `vix-ffi check`, whose failures withhold the wheel unless they are
/// all `allocation-failure`; returns the report's last line.
fn check_library(manifest_path: &Path, library: &Path) -> Result<String> {
    let exe = std::env::current_exe().context("cannot find the vix-ffi executable")?;
    let output = Command::new(&exe)
        .arg("check")
        .arg("--spec")
        .arg(manifest_path)
        .arg("--lib")
        .arg(library)
        .output()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    let report = String::from_utf8_lossy(&output.stdout);
    let failed: Vec<&str> = report.lines().filter(|l| l.starts_with("FAIL")).collect();
    if !output.status.success() && !only_allocation_failures(&failed) {
        eprint!("{report}{}", String::from_utf8_lossy(&output.stderr));
        bail!(
            "the library breaks the Vix FFI contract (the report is above), so no \
             wheel was written: fix the functions marked FAIL, or build without --check"
        );
    }
    for line in &failed {
        eprintln!("      warning: {line}");
    }
    if !failed.is_empty() {
        eprintln!(
            "      warning: these functions abort the process when memory runs out \
             (what Rust's standard library and an uncaught std::bad_alloc do); the \
             wheel is written all the same: allocate fallibly to pass \
             allocation-failure (see docs/guide/src/checker.md)"
        );
    }
    Ok(report.lines().last().unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zig_compiles_c_for_the_glibc_of_the_target() {
        assert_eq!(
            zig_cc(
                Some(Path::new("/venv/bin/python")),
                "x86_64-unknown-linux-gnu.2.17"
            ),
            "/venv/bin/python -m ziglang cc -target x86_64-linux-gnu.2.17"
        );
        assert_eq!(
            zig_cc(None, "aarch64-unknown-linux-gnu.2.28"),
            "zig cc -target aarch64-linux-gnu.2.28"
        );
    }

    #[test]
    fn the_version_is_the_option_then_the_variable_then_the_crate() {
        assert_eq!(
            python_version(Some("2.0"), Some("3.0"), "1.0.0").unwrap(),
            "2.0"
        );
        assert_eq!(python_version(None, Some("3.0"), "1.0.0").unwrap(), "3.0");
        assert_eq!(python_version(None, Some(""), "1.0.0").unwrap(), "1.0.0");
        assert_eq!(
            python_version(None, None, "1.0.0-rc.1").unwrap(),
            "1.0.0rc1"
        );
        let err = python_version(None, None, "1.0.0+build.5").unwrap_err();
        assert!(
            err.to_string().starts_with("the crate's version: "),
            "{err}"
        );
        assert!(err.to_string().contains("pass --version"), "{err}");
        let err = python_version(Some("latest"), None, "1.0.0").unwrap_err();
        assert!(err.to_string().starts_with("--version: "), "{err}");
    }

    #[test]
    fn the_default_dist_is_gen_packages() {
        assert_eq!(default_dist("greet_lib"), "vix-greet-lib");
    }

    #[test]
    fn a_failing_step_is_named() {
        let mut progress = Progress::new(2);
        assert_eq!(progress.step("one", "first", || Ok(1)).unwrap(), 1);
        let err = progress
            .step("gen-package", "second", || -> Result<()> {
                bail!("bad --lib")
            })
            .unwrap_err();
        assert_eq!(format!("{err:#}"), "gen-package failed: bad --lib");
    }
}

/// Whether every FAIL line of a `vix-ffi check` report (`FAIL  <function>  <rule> ...`)
/// is the rule `allocation-failure`: an abort when memory runs out, which Rust's
/// standard library does by design, is reported but does not withhold the wheel.
fn only_allocation_failures(failed: &[&str]) -> bool {
    !failed.is_empty()
        && failed
            .iter()
            .all(|line| line.split_whitespace().nth(2) == Some("allocation-failure"))
}

#[cfg(test)]
mod check_report_tests {
    use super::only_allocation_failures;

    #[test]
    fn only_allocation_failure_lets_the_wheel_through() {
        let alloc = "FAIL  shout    allocation-failure  seen an abort";
        let other = "FAIL  shout    size-query          seen 3";
        assert!(only_allocation_failures(&[alloc]));
        assert!(only_allocation_failures(&[alloc, alloc]));
        assert!(!only_allocation_failures(&[alloc, other]));
        assert!(!only_allocation_failures(&[other]));
        // A failed run without FAIL lines (the checker itself failed) is a failure.
        assert!(!only_allocation_failures(&[]));
    }
}
