//! The Python virtual environment for tests: `target/venv`, with the tools pinned in
//! `tests/python/requirements.txt`. Reinstalled only when that file changes.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::quickstart::python;
use crate::util::{repo_root, run, target_dir};

/// The venv folder.
pub fn dir() -> PathBuf {
    target_dir().join("venv")
}

/// The venv's `bin` (or `Scripts` on Windows) folder.
pub fn bin_dir() -> PathBuf {
    dir().join(if cfg!(windows) { "Scripts" } else { "bin" })
}

/// The venv's Python.
pub fn python_bin() -> PathBuf {
    bin_dir().join(if cfg!(windows) {
        "python.exe"
    } else {
        "python"
    })
}

/// Creates the venv and installs the pinned requirements when they changed.
pub fn ensure() -> Result<()> {
    let requirements = repo_root().join("tests/python/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .with_context(|| format!("reading {}", requirements.display()))?;
    let stamp = dir().join("requirements.installed");
    if python_bin().exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return Ok(());
    }
    if !python_bin().exists() {
        run(Command::new(python()).args(["-m", "venv"]).arg(dir()))?;
    }
    run(Command::new(python_bin())
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements))?;
    std::fs::write(&stamp, wanted).with_context(|| format!("writing {}", stamp.display()))
}
