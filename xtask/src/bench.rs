//! `cargo xtask bench`: the examples' generated packages against their peers, with a
//! verdict per performance target.
//!
//! - base64: the package against a bare ctypes call, cffi, the standard library and
//!   pybase64 (`bench/bench_base64.py`);
//! - BLAKE3: `from blake3_ffi import blake3` against the `blake3` package it stands in
//!   for, with `hashlib` beside them (`bench/bench_blake3.py`).
//!
//! 1. release builds of `base64_ffi`, `blake3_ffi` and `vix-ffi`;
//! 2. `target/bench-venv` with the contenders pinned in `bench/requirements.txt`
//!    (reinstalled only when that file changes);
//! 3. `vix-ffi gen-python --compile` into `target/bench` and `target/bench-blake3` (both
//!    backends, where the generator makes the compiled one);
//! 4. the scripts, each with any arguments given after `--`.
//!
//! Benchmarks run on demand only: no test asserts a time.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::quickstart::python;
use crate::util::{build_release_all, release_dir, repo_root, run, target_dir, vix_ffi_bin};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// Both benchmarks, base64 first.
    All,
    /// `bench/bench_base64.py` only.
    Base64,
    /// `bench/bench_blake3.py` only.
    Blake3,
}

#[derive(clap::Args)]
pub struct Args {
    /// Which example's benchmark to run (`cargo xtask bench --example blake3`).
    #[arg(long, value_enum, default_value = "all")]
    example: Which,
    /// Arguments for the script (e.g. `-- --quick`, `-- --only call`); with
    /// `--example all`, for both scripts.
    #[arg(last = true)]
    script_args: Vec<String>,
}

pub fn run_bench(args: &Args) -> Result<()> {
    build_release_all()?;
    let python_bin = ensure_venv()?;
    let examples: [(Which, &str, &str, PathBuf); 2] = [
        (
            Which::Base64,
            "examples/base64_ffi/bindings.json",
            "bench/bench_base64.py",
            target_dir().join("bench"),
        ),
        (
            Which::Blake3,
            "examples/blake3_ffi/bindings.json",
            "bench/bench_blake3.py",
            target_dir().join("bench-blake3"),
        ),
    ];
    for (which, spec, script, out) in examples {
        if args.example != Which::All && args.example != which {
            continue;
        }
        bench_one(&python_bin, spec, script, &out, &args.script_args)?;
    }
    Ok(())
}

/// Generates the package of `spec` into `out` and runs `script` on it.
fn bench_one(
    python_bin: &Path,
    spec: &str,
    script: &str,
    out: &Path,
    script_args: &[String],
) -> Result<()> {
    // With the compiled backend built for the benchmark's Python: the script measures
    // both backends side by side (VIX_FFI_BACKEND chooses at import).
    run(Command::new(vix_ffi_bin())
        .arg("gen-python")
        .arg("--spec")
        .arg(repo_root().join(spec))
        .arg("--out")
        .arg(out)
        .arg("--compile")
        .arg(python_bin))?;
    run(Command::new(python_bin)
        .arg(repo_root().join(script))
        .args(script_args)
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
