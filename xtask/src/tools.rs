//! Cargo-installed tools the tests need, in `target/tools` (a `cargo install --root` of
//! the project's own, so nothing is installed for the user): `cargo-zigbuild`, which
//! `vix-ffi build --manylinux 2014` links with (zig itself is `ziglang`, pinned in
//! `tests/python/requirements.txt`). Installed once, and again only when the pinned
//! version changes.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use crate::util::{cargo, run, target_dir};

/// The cargo-zigbuild version the tests use.
pub const CARGO_ZIGBUILD_VERSION: &str = "0.24.1";

/// `target/tools`.
pub fn root() -> PathBuf {
    target_dir().join("tools")
}

/// `target/tools/bin`, to put on the tests' `PATH`.
pub fn bin_dir() -> PathBuf {
    root().join("bin")
}

/// Installs the pinned cargo-zigbuild into `target/tools` unless it is there. Only on
/// Linux, the one system `--manylinux` builds for.
pub fn ensure() -> Result<()> {
    if !cfg!(target_os = "linux") {
        return Ok(());
    }
    let exe = bin_dir().join("cargo-zigbuild");
    let installed = Command::new(&exe)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains(CARGO_ZIGBUILD_VERSION))
        .unwrap_or(false);
    if installed {
        return Ok(());
    }
    run(cargo()
        .args(["install", "cargo-zigbuild", "--locked", "--version"])
        .arg(CARGO_ZIGBUILD_VERSION)
        .arg("--root")
        .arg(root()))
}
