//! Cargo-installed tools the tests need, in `target/tools` (a `cargo install --root` of
//! the project's own, so nothing is installed for the user), each at a pinned version,
//! installed once and again only when the pin changes:
//!
//! - `cargo-zigbuild`, which `vix-ffi build --manylinux 2014` links with (zig itself is
//!   `ziglang`, pinned in `tests/python/requirements.txt`); Linux only;
//! - `mdbook`, which builds the guide (`docs/guide`), without its default features
//!   (`serve`, `watch`, `search`): the tests only build the book, and leaving out the
//!   web server, the file watcher and the search index takes about 60 of its 190 crates
//!   off the build (what remains took five minutes on two cores shared with other jobs).
//!
//! Both want Rust 1.88 or newer to install.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use crate::util::{cargo, run, target_dir};

/// The cargo-zigbuild version the tests use.
pub const CARGO_ZIGBUILD_VERSION: &str = "0.24.1";

/// The mdBook version that builds the guide.
pub const MDBOOK_VERSION: &str = "0.5.4";

/// A tool installed from crates.io into `target/tools`.
struct Tool {
    /// The crate, which is also the executable's name.
    name: &'static str,
    version: &'static str,
    /// More arguments of `cargo install`.
    features: &'static [&'static str],
}

const CARGO_ZIGBUILD: Tool = Tool {
    name: "cargo-zigbuild",
    version: CARGO_ZIGBUILD_VERSION,
    features: &[],
};

const MDBOOK: Tool = Tool {
    name: "mdbook",
    version: MDBOOK_VERSION,
    features: &["--no-default-features"],
};

/// `target/tools`.
pub fn root() -> PathBuf {
    target_dir().join("tools")
}

/// `target/tools/bin`, to put on the tests' `PATH`.
pub fn bin_dir() -> PathBuf {
    root().join("bin")
}

/// The installed `mdbook`.
pub fn mdbook() -> PathBuf {
    bin_dir().join(format!("mdbook{}", std::env::consts::EXE_SUFFIX))
}

/// Installs the pinned tools into `target/tools` unless they are there: mdbook
/// everywhere, cargo-zigbuild on Linux, the one system `--manylinux` builds for.
pub fn ensure() -> Result<()> {
    ensure_tool(&MDBOOK)?;
    if cfg!(target_os = "linux") {
        ensure_tool(&CARGO_ZIGBUILD)?;
    }
    Ok(())
}

fn ensure_tool(tool: &Tool) -> Result<()> {
    let exe = bin_dir().join(format!("{}{}", tool.name, std::env::consts::EXE_SUFFIX));
    let installed = Command::new(&exe)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains(tool.version))
        .unwrap_or(false);
    if installed {
        return Ok(());
    }
    run(cargo()
        .args(["install", tool.name, "--locked", "--version", tool.version])
        .args(tool.features)
        .arg("--root")
        .arg(root()))
}
