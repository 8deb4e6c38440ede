//! Running commands and finding the project's folders.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The repository root (the parent of `xtask/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

/// Cargo's target folder, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                repo_root().join(dir)
            }
        }
        None => repo_root().join("target"),
    }
}

/// The folder of release artifacts (`libbase64_ffi.so`, `vix-ffi`).
pub fn release_dir() -> PathBuf {
    target_dir().join("release")
}

/// The `vix-ffi` executable built by [`build_release`].
pub fn vix_ffi_bin() -> PathBuf {
    release_dir().join(format!("vix-ffi{}", std::env::consts::EXE_SUFFIX))
}

/// The cargo that runs this xtask.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Prints `$ command` and runs it from the repository root, failing on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(repo_root());
    }
    eprintln!("$ {}", display(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{}`", display(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", display(cmd));
    }
    Ok(())
}

/// A command as a user would type it (environment assignments first).
pub fn display(cmd: &Command) -> String {
    let mut parts: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| v.map(|v| format!("{}={}", k.to_string_lossy(), shorten(v))))
        .collect();
    parts.push(shorten(cmd.get_program()));
    parts.extend(cmd.get_args().map(shorten));
    parts.join(" ")
}

/// Paths inside the repository are shown relative to it.
fn shorten(s: &OsStr) -> String {
    let s = s.to_string_lossy();
    let root = repo_root();
    let root = root.to_string_lossy();
    s.replace(&format!("{root}/"), "")
}

/// Builds the release artifacts the quick start and the wheel need: the base64 example
/// library and `vix-ffi`.
pub fn build_release() -> Result<()> {
    build_release_of(&["base64_ffi", "vix-ffi-cli"])
}

/// [`build_release`] and the BLAKE3 example (not a default member of the workspace: the
/// blake3 crate and rayon are built only for the tests and the benchmark).
pub fn build_release_all() -> Result<()> {
    build_release_of(&["base64_ffi", "blake3_ffi", "vix-ffi-cli"])
}

fn build_release_of(packages: &[&str]) -> Result<()> {
    let mut command = cargo();
    command.args(["build", "--release"]);
    for package in packages {
        command.args(["--package", package]);
    }
    run(&mut command)
}
