//! The crate, as cargo sees it: `cargo metadata` says which package the folder holds,
//! its library target and the target folder; `cargo build --message-format=json` says
//! which file the build made. No path is guessed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// The package of a crate folder, from `cargo metadata`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// `cargo metadata`'s package id, the same in the build's messages.
    pub id: String,
    /// `[package] name`.
    pub name: String,
    /// `[package] version`.
    pub version: String,
    /// `[package] description`.
    pub description: Option<String>,
    /// The library target's name (`[lib] name`, else the package name with `_`).
    pub lib_name: String,
    /// The folder holding `Cargo.toml`.
    pub dir: PathBuf,
    /// Cargo's target folder (`target/` of the workspace, or `CARGO_TARGET_DIR`).
    pub target_dir: PathBuf,
}

/// The cargo to run: `$CARGO` (set when run by cargo), else `cargo` on `PATH`.
pub fn cargo_program() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Runs `cargo metadata` for the crate in `crate_dir` and picks its package.
pub fn metadata(crate_dir: &Path) -> Result<Package> {
    let manifest = crate_dir.join("Cargo.toml");
    if !manifest.is_file() {
        bail!(
            "{} has no Cargo.toml: run this in a Rust crate or pass --crate DIR",
            display_dir(crate_dir)
        );
    }
    let output = Command::new(cargo_program())
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .arg("--manifest-path")
        .arg(&manifest)
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run `cargo metadata`: is cargo installed and on PATH?")?;
    if !output.status.success() {
        bail!(
            "`cargo metadata` failed on {} ({}): fix Cargo.toml as its message says",
            manifest.display(),
            output.status
        );
    }
    let json: Value = serde_json::from_slice(&output.stdout)
        .context("`cargo metadata` printed something that is not JSON")?;
    let manifest = manifest.canonicalize().unwrap_or(manifest);
    package_of(&json, &manifest)
}

/// The package of `json` (`cargo metadata`'s output) whose manifest is `manifest`.
pub fn package_of(json: &Value, manifest: &Path) -> Result<Package> {
    let packages = json["packages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let Some(package) = packages
        .iter()
        .find(|p| p["manifest_path"].as_str().map(Path::new) == Some(manifest))
    else {
        bail!(
            "{} is a workspace manifest without a [package]: pass --crate with the folder \
             of the library crate",
            manifest.display()
        );
    };
    let name = str_of(package, "name")?;
    let targets = package["targets"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let has_kind = |t: &Value, kind: &str| {
        t["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|k| k == kind))
    };
    let lib = targets.iter().find(|t| has_kind(t, "cdylib")).or_else(|| {
        targets
            .iter()
            .find(|t| has_kind(t, "lib") || has_kind(t, "rlib"))
    });
    let Some(lib) = lib else {
        bail!("the package {name} has no library target: write the functions in src/lib.rs");
    };
    if !has_kind(lib, "cdylib") {
        bail!(
            "the library of {name} is not built as a C library, so there is nothing for Python \
             to load: add `crate-type = [\"cdylib\", \"rlib\"]` under [lib] in {}",
            manifest.display()
        );
    }
    Ok(Package {
        id: str_of(package, "id")?,
        version: str_of(package, "version")?,
        description: package["description"].as_str().map(str::to_owned),
        lib_name: str_of(lib, "name")?,
        dir: manifest.parent().unwrap_or(Path::new(".")).to_path_buf(),
        target_dir: PathBuf::from(
            json["target_directory"]
                .as_str()
                .context("`cargo metadata` gave no target_directory")?,
        ),
        name,
    })
}

fn str_of(v: &Value, key: &str) -> Result<String> {
    v[key]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("`cargo metadata` gave no `{key}`"))
}

/// How to compile: plain cargo, or cargo-zigbuild for an older glibc.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compiler {
    /// `cargo build`, for the host.
    Cargo,
    /// `cargo-zigbuild zigbuild --target <triple>.<glibc>`, with the Python whose
    /// `-m ziglang` is the zig to use (`None`: `zig` on `PATH`).
    Zig {
        /// The `cargo-zigbuild` executable.
        zigbuild: PathBuf,
        /// `x86_64-unknown-linux-gnu.2.17`.
        target: String,
        /// The Python with `ziglang`.
        python: Option<PathBuf>,
    },
}

/// The command that builds the package's library (`--lib`), with JSON messages on
/// standard output and cargo's usual diagnostics on standard error.
pub fn build_command(package: &Package, compiler: &Compiler, release: bool) -> Command {
    let mut cmd = match compiler {
        Compiler::Cargo => {
            let mut cmd = Command::new(cargo_program());
            cmd.arg("build");
            cmd
        }
        Compiler::Zig {
            zigbuild,
            target,
            python,
        } => {
            let mut cmd = Command::new(zigbuild);
            cmd.args(["zigbuild", "--target", target]);
            if let Some(python) = python {
                cmd.env("CARGO_ZIGBUILD_PYTHON_PATH", python);
            }
            cmd
        }
    };
    cmd.arg("--lib");
    if release {
        cmd.arg("--release");
    }
    cmd.arg("--manifest-path")
        .arg(package.dir.join("Cargo.toml"))
        .arg("--message-format=json-render-diagnostics");
    cmd
}

/// Runs the build and returns the C library it made.
pub fn build(package: &Package, compiler: &Compiler, release: bool) -> Result<PathBuf> {
    let mut cmd = build_command(package, compiler, release);
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let output = cmd
        .output()
        .with_context(|| format!("cannot start {}", Path::new(cmd.get_program()).display()))?;
    if !output.status.success() {
        bail!(
            "the build of {} failed ({}): fix what the compiler says above and run again",
            package.name,
            output.status
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    cdylib_of(&text, &package.id).with_context(|| {
        format!(
            "the build of {} succeeded but reported no C library (cdylib) of its own",
            package.name
        )
    })
}

/// The cdylib file of the package `id` among cargo's JSON messages (one per line).
pub fn cdylib_of(messages: &str, id: &str) -> Option<PathBuf> {
    let suffix = std::env::consts::DLL_SUFFIX;
    let mut found = None;
    for line in messages.lines() {
        let Ok(msg) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" || msg["package_id"] != id {
            continue;
        }
        let is_cdylib = msg["target"]["kind"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "cdylib"));
        if !is_cdylib {
            continue;
        }
        let files = msg["filenames"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if let Some(file) = files
            .iter()
            .filter_map(Value::as_str)
            .find(|f| f.ends_with(suffix))
        {
            found = Some(PathBuf::from(file));
        }
    }
    found
}

/// `.` for the current folder, else the path.
fn display_dir(dir: &Path) -> String {
    if dir.as_os_str().is_empty() || dir == Path::new(".") {
        "the current folder".to_owned()
    } else {
        dir.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata_json(kinds: &[&str]) -> Value {
        serde_json::json!({
            "packages": [
                {
                    "id": "path+file:///w/other#0.1.0",
                    "name": "other", "version": "0.1.0",
                    "manifest_path": "/w/other/Cargo.toml",
                    "targets": [{"name": "other", "kind": ["cdylib"]}]
                },
                {
                    "id": "path+file:///w/greet#0.2.0",
                    "name": "greet-lib", "version": "0.2.0", "description": "Hi",
                    "manifest_path": "/w/greet/Cargo.toml",
                    "targets": [
                        {"name": "build-script-build", "kind": ["custom-build"]},
                        {"name": "greet_lib", "kind": kinds}
                    ]
                }
            ],
            "target_directory": "/w/target"
        })
    }

    #[test]
    fn the_package_is_the_one_of_the_manifest() {
        let json = metadata_json(&["cdylib", "rlib"]);
        let p = package_of(&json, Path::new("/w/greet/Cargo.toml")).unwrap();
        assert_eq!(p.name, "greet-lib");
        assert_eq!(p.lib_name, "greet_lib");
        assert_eq!(p.version, "0.2.0");
        assert_eq!(p.description.as_deref(), Some("Hi"));
        assert_eq!(p.dir, Path::new("/w/greet"));
        assert_eq!(p.target_dir, Path::new("/w/target"));
        assert_eq!(p.id, "path+file:///w/greet#0.2.0");
    }

    #[test]
    fn a_library_without_cdylib_is_refused_with_the_fix() {
        let json = metadata_json(&["lib"]);
        let err = package_of(&json, Path::new("/w/greet/Cargo.toml")).unwrap_err();
        assert!(
            err.to_string()
                .contains("crate-type = [\"cdylib\", \"rlib\"]"),
            "{err}"
        );
        let err = package_of(&json, Path::new("/w/Cargo.toml")).unwrap_err();
        assert!(err.to_string().contains("without a [package]"), "{err}");
    }

    #[test]
    fn the_cdylib_comes_from_the_build_messages() {
        let suffix = std::env::consts::DLL_SUFFIX;
        let id = "path+file:///w/greet#0.2.0";
        let messages = [
            serde_json::json!({"reason": "compiler-artifact", "package_id": "registry+x#dep@1",
                "target": {"kind": ["cdylib"]}, "filenames": [format!("/t/libdep{suffix}")]}),
            serde_json::json!({"reason": "compiler-message", "package_id": id}),
            serde_json::json!({"reason": "compiler-artifact", "package_id": id,
                "target": {"kind": ["cdylib", "rlib"]},
                "filenames": ["/t/release/libgreet_lib.rlib", format!("/t/release/libgreet_lib{suffix}")]}),
            serde_json::json!({"reason": "build-finished", "success": true}),
        ]
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
        assert_eq!(
            cdylib_of(&format!("not json\n{messages}"), id),
            Some(PathBuf::from(format!("/t/release/libgreet_lib{suffix}")))
        );
        assert_eq!(cdylib_of(&messages, "path+file:///w/none#1"), None);
    }

    #[test]
    fn the_build_command_asks_for_the_library_and_json() {
        let json = metadata_json(&["cdylib"]);
        let p = package_of(&json, Path::new("/w/greet/Cargo.toml")).unwrap();
        let args = |cmd: &Command| {
            cmd.get_args()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        };
        let plain = build_command(&p, &Compiler::Cargo, true);
        assert_eq!(
            args(&plain),
            [
                "build",
                "--lib",
                "--release",
                "--manifest-path",
                "/w/greet/Cargo.toml",
                "--message-format=json-render-diagnostics"
            ]
        );
        let zig = Compiler::Zig {
            zigbuild: PathBuf::from("/bin/cargo-zigbuild"),
            target: "x86_64-unknown-linux-gnu.2.17".into(),
            python: Some(PathBuf::from("/venv/bin/python")),
        };
        let cmd = build_command(&p, &zig, false);
        assert_eq!(cmd.get_program(), "/bin/cargo-zigbuild");
        assert_eq!(
            args(&cmd)[..4],
            [
                "zigbuild",
                "--target",
                "x86_64-unknown-linux-gnu.2.17",
                "--lib"
            ]
        );
        assert!(!args(&cmd).contains(&"--release".to_owned()));
        assert!(cmd
            .get_envs()
            .any(|(k, v)| k == "CARGO_ZIGBUILD_PYTHON_PATH"
                && v == Some(std::ffi::OsStr::new("/venv/bin/python"))));
    }
}
