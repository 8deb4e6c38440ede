//! `cargo xtask wheel`: the example's publishable wheel, from a clean clone to `dist/`.
//!
//! 1. release builds of `base64_ffi` and `vix-ffi`;
//! 2. `vix-ffi gen-python` into `target/wheel/gen`;
//! 3. `vix-ffi gen-package --copy-lib target/release/libbase64_ffi.so` into
//!    `target/wheel/project`, which computes the wheel's manylinux tag from the library;
//! 4. `python -m build --wheel` with the pinned hatchling of `target/venv` (no build
//!    isolation: the same backend version every time, and no network once the venv exists);
//! 5. `auditwheel show` on the wheel, whose verdict must be the wheel's own tag.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::util::{build_release, display, release_dir, repo_root, run, target_dir, vix_ffi_bin};
use crate::venv;

/// The example's distribution name, as `gen-package` derives it from the package.
const WHEEL_PREFIX: &str = "vix_base64_ffi-";

#[derive(clap::Args)]
pub struct Args {
    /// Where to put the wheel (relative paths are taken from the repository root).
    #[arg(long, default_value = "dist")]
    out_dir: PathBuf,
}

pub fn run_wheel(args: &Args) -> Result<()> {
    let out_dir = repo_root().join(&args.out_dir);
    build_release()?;
    let work = target_dir().join("wheel");
    let gen = work.join("gen");
    let project = work.join("project");
    run(Command::new(vix_ffi_bin())
        .arg("gen-python")
        .arg("--spec")
        .arg(repo_root().join("examples/base64_ffi/bindings.json"))
        .arg("--out")
        .arg(&gen))?;
    run(Command::new(vix_ffi_bin())
        .args(["gen-package", "--package", "base64_ffi", "--src"])
        .arg(&gen)
        .arg("--out")
        .arg(&project)
        .arg("--copy-lib")
        .arg(release_dir().join(library_file())))?;

    venv::ensure()?;
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    for stale in wheels(&out_dir)? {
        std::fs::remove_file(&stale).with_context(|| format!("removing {}", stale.display()))?;
        eprintln!("removed the older wheel {}", stale.display());
    }
    run(Command::new(venv::python_bin())
        .args(["-m", "build", "--wheel", "--no-isolation", "--outdir"])
        .arg(&out_dir)
        .arg(&project))?;
    let built = wheels(&out_dir)?;
    let [wheel] = built.as_slice() else {
        bail!(
            "expected one wheel in {}, found {built:?}",
            out_dir.display()
        );
    };
    if cfg!(target_os = "linux") {
        check_with_auditwheel(wheel)?;
    }
    eprintln!(
        "\nbuilt {}\ninstall it with: python3 -m pip install {}",
        wheel.display(),
        wheel.display()
    );
    Ok(())
}

/// `libbase64_ffi.so`, `libbase64_ffi.dylib` or `base64_ffi.dll`.
fn library_file() -> String {
    format!(
        "{}base64_ffi{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// The example's wheels in `dir`.
fn wheels(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with(WHEEL_PREFIX) && name.ends_with(".whl") {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// Runs `auditwheel show` and checks that the platform tag it finds is the wheel's own.
fn check_with_auditwheel(wheel: &Path) -> Result<()> {
    let mut cmd = Command::new(venv::bin_dir().join("auditwheel"));
    cmd.arg("show").arg(wheel);
    eprintln!("$ {}", display(&cmd));
    let output = cmd
        .output()
        .with_context(|| format!("could not start `{}`", display(&cmd)))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprint!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    if !output.status.success() {
        bail!("`{}` failed ({})", display(&cmd), output.status);
    }
    // "... is consistent\nwith the following platform tag: "manylinux_2_34_x86_64"."
    let verdict = stdout
        .split("platform tag:")
        .nth(1)
        .and_then(|rest| rest.split('"').nth(1))
        .context("auditwheel show printed no platform tag")?;
    let name = wheel.file_name().unwrap_or_default().to_string_lossy();
    let platforms = name
        .trim_end_matches(".whl")
        .rsplit('-')
        .next()
        .unwrap_or_default();
    if platforms.split('.').next() != Some(verdict) {
        bail!("the wheel is tagged {platforms}, but auditwheel finds it consistent with {verdict}");
    }
    Ok(())
}
