//! `cargo xtask test`: every test of the project, in order of cost.

use std::process::Command;

use anyhow::{Context, Result};

use crate::util::{build_release, cargo, release_dir, repo_root, run, target_dir, vix_ffi_bin};
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
    run(cargo().args(["test", "--workspace"]))?;
    build_release()?;
    venv::ensure()?;
    tools::ensure()?;
    if !args.no_lint {
        python_lint()?;
    }
    python_suites(&args.pytest_args)
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

/// The pytest suites under `tests/python`, against release builds, with the venv's tools
/// and `target/tools/bin` (cargo-zigbuild) first on `PATH`.
fn python_suites(extra: &[String]) -> Result<()> {
    let work = target_dir().join("pytest-work");
    if work.exists() {
        std::fs::remove_dir_all(&work).with_context(|| format!("clearing {}", work.display()))?;
    }
    let path = std::env::join_paths([venv::bin_dir(), tools::bin_dir()].into_iter().chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))?;
    run(Command::new(venv::python_bin())
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(repo_root().join("tests/python"))
        .args(extra)
        .env("PATH", path)
        .env("VIX_FFI_BIN", vix_ffi_bin())
        .env("VIX_TEST_LIB_DIR", release_dir())
        .env("VIX_TEST_WORK", &work))
}
