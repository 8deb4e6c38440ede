//! `cargo xtask quickstart`: from a clean clone to a Python call of the example.

use std::process::Command;

use anyhow::Result;

use crate::util::{build_release, release_dir, repo_root, run, target_dir, vix_ffi_bin};

/// What the quick start runs in Python: the seed document's three lines.
const SNIPPET: &str = "from base64_ffi import api; print(api.version()); \
                       s = api.encode(b'hello'); print(s); print(api.decode(s))";

pub fn run_quickstart() -> Result<()> {
    build_release()?;
    let out = target_dir().join("quickstart");
    run(Command::new(vix_ffi_bin())
        .arg("gen-python")
        .arg("--spec")
        .arg(repo_root().join("examples/base64_ffi/bindings.json"))
        .arg("--out")
        .arg(&out))?;
    run(Command::new(python())
        .env("PYTHONPATH", out.join("python"))
        .env("VIX_LIB_PATH", release_dir())
        .arg("-c")
        .arg(SNIPPET))
}

/// The Python interpreter to use: `$PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned())
}
