//! The wheel step: the generated project's own build backend (hatchling), called through
//! its PEP 517 hook `build_wheel` in the chosen Python, into a temporary folder inside the
//! output folder; the finished wheel is then renamed into place, so the output folder
//! never holds part of a wheel.
//!
//! Calling the hook directly is what a frontend (`pip wheel --no-build-isolation`,
//! `python -m build --no-isolation`) does after checking the build requirements, without
//! needing pip or `build`, and without network: only hatchling must be importable.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::tools::{python_has, PythonSource};

/// The Python code run in the project folder: builds the wheel into `argv[1]` and prints
/// its file name.
const BUILD_WHEEL: &str = "import sys\n\
import hatchling.build as backend\n\
print(backend.build_wheel(sys.argv[1]))\n";

/// Fails, saying how to fix it, when `python` cannot import hatchling.
pub fn check_backend(python: &Path, source: PythonSource) -> Result<()> {
    if !python_has(python, "hatchling.build") {
        let how = match source {
            PythonSource::Option => "the Python of --python",
            PythonSource::VirtualEnv => "the active virtual environment's Python",
            PythonSource::Path => "python3 on PATH (no virtual environment is active)",
        };
        bail!(
            "the wheel is built by hatchling, the generated project's build backend, which \
             {how} ({}) cannot import: install it with `{} -m pip install hatchling`, or \
             pass --python with a Python that has it",
            python.display(),
            python.display()
        );
    }
    Ok(())
}

/// Builds the wheel of `project` into `out_dir` with `python`; returns its path.
pub fn build_wheel(
    python: &Path,
    source: PythonSource,
    project: &Path,
    out_dir: &Path,
) -> Result<PathBuf> {
    check_backend(python, source)?;
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let temp = tempfile::Builder::new()
        .prefix(".vix-ffi-wheel-")
        .tempdir_in(out_dir)
        .with_context(|| format!("cannot create a temporary folder in {}", out_dir.display()))?;
    let output = Command::new(python)
        .args(["-c", BUILD_WHEEL])
        .arg(temp.path())
        .current_dir(project)
        .output()
        .with_context(|| format!("cannot run {}", python.display()))?;
    if !output.status.success() {
        bail!(
            "hatchling failed to build the wheel of {} ({}):\n{}{}",
            project.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let name = stdout.lines().last().unwrap_or_default().trim().to_owned();
    let built = temp.path().join(&name);
    if name.is_empty() || !name.ends_with(".whl") || !built.is_file() {
        bail!(
            "hatchling reported {name:?}, which is not a wheel it wrote in {}",
            temp.path().display()
        );
    }
    let dest = out_dir.join(&name);
    std::fs::rename(&built, &dest)
        .with_context(|| format!("cannot move the wheel to {}", dest.display()))?;
    Ok(dest)
}
