//! `cargo xtask test`: every test of the project, in order of cost.

use std::process::Command;

use anyhow::{Context, Result};

use crate::util::{build_release_all, cargo, release_dir, repo_root, run, target_dir, vix_ffi_bin};
use crate::{tools, venv};

#[derive(clap::Args)]
pub struct Args {
    /// Skip `cargo fmt --check`, `cargo clippy` and ruff on the project's own Python.
    #[arg(long)]
    no_lint: bool,
    /// Extra arguments passed to pytest (e.g. `-k loader`).
    #[arg(last = true)]
    pytest_args: Vec<String>,
}

pub fn run_tests(args: &Args) -> Result<()> {
    if !args.no_lint {
        run(cargo().args(["fmt", "--all", "--check"]))?;
        run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
    }
    // The guide's Rust blocks are doc tests of `vix-ffi-guide` (docs/guide/doctest),
    // with its link check: part of the workspace's tests.
    run(cargo().args(["test", "--workspace"]))?;
    build_release_all()?;
    venv::ensure()?;
    tools::ensure()?;
    build_guide()?;
    if !args.no_lint {
        python_lint()?;
    }
    python_suites(&args.pytest_args)
}

/// `mdbook build docs/guide` into `<target>/guide/book` (where `book.toml` puts it for
/// the default target folder): a chapter missing from `src/` fails the run.
fn build_guide() -> Result<()> {
    run(Command::new(tools::mdbook())
        .arg("build")
        .arg(repo_root().join("docs/guide"))
        .arg("--dest-dir")
        .arg(target_dir().join("guide/book")))
}

/// ruff on the project's own Python (the suites and the benchmark; settings in
/// `ruff.toml`): lints, then formatting. The generated code is checked by the suites.
fn python_lint() -> Result<()> {
    let ruff = venv::bin_dir().join("ruff");
    let dirs = [repo_root().join("tests/python"), repo_root().join("bench")];
    run(Command::new(&ruff)
        .args(["check", "--no-cache"])
        .args(&dirs))?;
    run(Command::new(&ruff)
        .args(["format", "--check", "--no-cache"])
        .args(&dirs))
}

/// The suites that run generated packages: run a second time on the ctypes backend.
const BOTH_BACKEND_SUITES: [&str; 6] = [
    "base64_ffi",
    "blake3_ffi",
    "c_fixture",
    "cpp",
    "from_rust",
    "generator",
];

/// The pytest suites under `tests/python`, against release builds: every suite on the
/// compiled backend (`VIX_FFI_BACKEND=compiled`: a package whose extension does not load
/// fails), then those that run generated packages again on ctypes.
fn python_suites(extra: &[String]) -> Result<()> {
    let work = target_dir().join("pytest-work");
    if work.exists() {
        std::fs::remove_dir_all(&work).with_context(|| format!("clearing {}", work.display()))?;
    }
    let path = std::env::join_paths([venv::bin_dir(), tools::bin_dir()].into_iter().chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))?;
    let pytest = |backend: &str, suites: Vec<std::path::PathBuf>| {
        let mut command = Command::new(venv::python_bin());
        command
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
            .args(suites)
            .args(extra)
            .env("PATH", &path)
            .env("VIX_FFI_BIN", vix_ffi_bin())
            .env("VIX_TEST_LIB_DIR", release_dir())
            .env("VIX_TEST_WORK", work.join(backend))
            .env("VIX_FFI_BACKEND", backend);
        command
    };
    println!("==> the Python suites on the compiled backend");
    run(&mut pytest(
        "compiled",
        vec![repo_root().join("tests/python")],
    ))?;
    println!("==> the suites that run generated packages, on the ctypes backend");
    let suites = BOTH_BACKEND_SUITES
        .iter()
        .map(|s| repo_root().join("tests/python").join(s))
        .collect();
    let mut second = pytest("ctypes", suites);
    second.current_dir(repo_root());
    eprintln!("$ {}", crate::util::display(&second));
    let status = second.status().context("could not start pytest")?;
    // 5: no test collected, when the arguments after `--` select only suites of the
    // first pass (`-k wheel`).
    if !status.success() && status.code() != Some(5) {
        anyhow::bail!("the suites on the ctypes backend failed ({status})");
    }
    Ok(())
}
