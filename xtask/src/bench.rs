//! `cargo xtask bench`: the example's generated package against a bare ctypes call, cffi,
//! the standard library and pybase64, with a verdict per performance target.
//!
//! 1. release builds of `base64_ffi` and `vix-ffi`;
//! 2. `target/bench-venv` with the contenders pinned in `bench/requirements.txt`
//!    (reinstalled only when that file changes);
//! 3. `vix-ffi gen-python --compile` into `target/bench` (both backends);
//! 4. `bench/bench_base64.py`, with any arguments given after `--`.
//!
//! Benchmarks run on demand only: no test asserts a time.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::quickstart::python;
use crate::util::{build_release, release_dir, repo_root, run, target_dir, vix_ffi_bin};

#[derive(clap::Args)]
pub struct Args {
    /// Arguments for bench/bench_base64.py (e.g. `-- --quick`, `-- --only call`).
    #[arg(last = true)]
    script_args: Vec<String>,
}

pub fn run_bench(args: &Args) -> Result<()> {
    build_release()?;
    let python_bin = ensure_venv()?;
    let out = target_dir().join("bench");
    // With the compiled backend built for the benchmark's Python: the script measures
    // both backends side by side (VIX_FFI_BACKEND chooses at import).
    run(Command::new(vix_ffi_bin())
        .arg("gen-python")
        .arg("--spec")
        .arg(repo_root().join("examples/base64_ffi/bindings.json"))
        .arg("--out")
        .arg(&out)
        .arg("--compile")
        .arg(&python_bin))?;
    run(Command::new(python_bin)
        .arg(repo_root().join("bench/bench_base64.py"))
        .args(&args.script_args)
        .env("PYTHONPATH", out.join("python"))
        .env("VIX_LIB_PATH", release_dir()))
}

/// Creates `target/bench-venv` and installs `bench/requirements.txt` when it changed;
/// returns the venv's Python.
fn ensure_venv() -> Result<PathBuf> {
    let dir = target_dir().join("bench-venv");
    let python_bin = dir.join(if cfg!(windows) {
        "Scripts/python.exe"
    } else {
        "bin/python"
    });
    let requirements = repo_root().join("bench/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .with_context(|| format!("reading {}", requirements.display()))?;
    let stamp = dir.join("requirements.installed");
    if python_bin.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return Ok(python_bin);
    }
    if !python_bin.exists() {
        run(Command::new(python()).args(["-m", "venv"]).arg(&dir))?;
    }
    run(Command::new(&python_bin)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements))?;
    std::fs::write(&stamp, wanted).with_context(|| format!("writing {}", stamp.display()))?;
    Ok(python_bin)
}
