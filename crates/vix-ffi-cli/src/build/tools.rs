//! The tools `build` and `develop` run besides cargo, and how they are found: the Python
//! (with hatchling for the wheel, with ziglang for zig), `cargo-zigbuild`, the host's
//! target triple; and the `--manylinux` values.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use anyhow::{bail, Context, Result};

/// A glibc floor for the wheel, from `--manylinux`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manylinux {
    /// Link against the host's glibc, with plain cargo (the default).
    Host,
    /// Link against glibc `2.<minor>` with zig: `manylinux_2_<minor>`.
    Glibc(u32),
}

/// The oldest glibc Rust's standard library supports (Rust 1.64 and later).
pub const OLDEST_GLIBC_MINOR: u32 = 17;

impl FromStr for Manylinux {
    type Err = String;

    /// `2014` (PEP 599's name for glibc 2.17), `2_17`, `2.17`, `manylinux_2_28`,
    /// `manylinux2014`, or `host`.
    fn from_str(s: &str) -> Result<Self, String> {
        let value = s.trim().to_ascii_lowercase();
        let value = value.strip_prefix("manylinux").unwrap_or(&value);
        let value = value.strip_prefix('_').unwrap_or(value);
        let minor = match value {
            "host" | "off" => return Ok(Manylinux::Host),
            "2014" => Some(17),
            "2010" => Some(12),
            "1" => Some(5),
            other => other
                .split_once(['_', '.'])
                .filter(|(major, _)| *major == "2")
                .and_then(|(_, minor)| minor.parse::<u32>().ok()),
        };
        match minor {
            Some(minor) if minor < OLDEST_GLIBC_MINOR => Err(format!(
                "{s:?} means glibc 2.{minor}, older than Rust's standard library supports \
                 (2.{OLDEST_GLIBC_MINOR}): use --manylinux 2014, the oldest that works"
            )),
            Some(minor) => Ok(Manylinux::Glibc(minor)),
            None => Err(format!(
                "{s:?} is not a manylinux level: use 2014 (glibc 2.17), 2_28 (glibc 2.28) or \
                 another 2_<glibc minor>, or host"
            )),
        }
    }
}

impl fmt::Display for Manylinux {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Manylinux::Host => f.write_str("host"),
            Manylinux::Glibc(minor) => write!(f, "manylinux_2_{minor} (glibc 2.{minor})"),
        }
    }
}

/// The glibc version a platform tag such as `manylinux_2_17_x86_64.manylinux2014_x86_64`
/// requires, as `(2, 17)`; `None` for a tag that is not manylinux.
pub fn tag_glibc(platform_tag: &str) -> Option<(u32, u32)> {
    let first = platform_tag.split('.').next()?;
    let rest = first.strip_prefix("manylinux_")?;
    let mut parts = rest.splitn(3, '_');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The first file named `name` in the folders of `path` (a `PATH`-like value) that is a
/// file, plus `extra` folders after them.
pub fn find_in_path(name: &str, path: Option<&OsStr>, extra: &[PathBuf]) -> Option<PathBuf> {
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    path.map(|p| std::env::split_paths(p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(extra.iter().cloned())
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(&file))
        .find(|candidate| candidate.is_file())
}

/// `$CARGO_HOME/bin`, else `~/.cargo/bin`: where `cargo install` puts tools, which cargo
/// also searches for subcommands.
fn cargo_bin_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    home.map(|h| vec![h.join("bin")]).unwrap_or_default()
}

/// The `cargo-zigbuild` executable, as cargo would find `cargo zigbuild`.
pub fn find_zigbuild() -> Result<PathBuf> {
    find_in_path(
        "cargo-zigbuild",
        std::env::var_os("PATH").as_deref(),
        &cargo_bin_dirs(),
    )
    .context(
        "--manylinux needs cargo-zigbuild, which is not on PATH: install it with \
         `cargo install cargo-zigbuild --locked` (and zig with `pip install ziglang`)",
    )
}

/// Where the Python came from, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PythonSource {
    /// `--python`.
    Option,
    /// `$VIRTUAL_ENV/bin/python`.
    VirtualEnv,
    /// `python3` on `PATH`.
    Path,
}

/// The Python to use: `--python`, else the active virtual environment's, else
/// `python3` on `PATH`.
pub fn choose_python(
    option: Option<&Path>,
    virtual_env: Option<&OsStr>,
    path: Option<&OsStr>,
) -> Result<(PathBuf, PythonSource)> {
    if let Some(python) = option {
        return Ok((python.to_path_buf(), PythonSource::Option));
    }
    if let Some(venv) = virtual_env.filter(|v| !v.is_empty()) {
        let python = venv_python(Path::new(venv));
        if python.is_file() {
            return Ok((python, PythonSource::VirtualEnv));
        }
    }
    match find_in_path("python3", path, &[]).or_else(|| find_in_path("python", path, &[])) {
        Some(python) => Ok((python, PythonSource::Path)),
        None => bail!("no Python found: install Python 3 or pass --python PATH"),
    }
}

/// The Python of the virtual environment at `venv`.
pub fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// Whether `python` can import `module` (without running anything else).
pub fn python_has(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// How `--manylinux` builds find zig: the Python whose `-m ziglang` runs it, or `None`
/// when `zig` on `PATH` does.
pub fn find_zig(python: &Path) -> Result<Option<PathBuf>> {
    let runs = |cmd: &mut Command| {
        cmd.output()
            .map(|o| o.status.success() && !o.stdout.is_empty())
            .unwrap_or(false)
    };
    if runs(Command::new(python).args(["-m", "ziglang", "version"])) {
        return Ok(Some(python.to_path_buf()));
    }
    if let Some(zig) = find_in_path("zig", std::env::var_os("PATH").as_deref(), &[]) {
        if runs(Command::new(zig).arg("version")) {
            return Ok(None);
        }
    }
    bail!(
        "--manylinux links with zig, found neither as `{} -m ziglang` nor as `zig` on PATH: \
         install it with `{} -m pip install ziglang` (or pass --python with a Python that \
         has it)",
        python.display(),
        python.display()
    )
}

/// The host's target triple, from `rustc -vV`.
pub fn host_triple() -> Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .arg("-vV")
        .output()
        .context("cannot run `rustc -vV`: is Rust installed?")?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_owned())
        .context("`rustc -vV` printed no host triple")
}

/// The cargo-zigbuild target for a glibc floor: `x86_64-unknown-linux-gnu.2.17`.
pub fn zig_target(host: &str, minor: u32) -> Result<String> {
    if !host.contains("-linux-gnu") {
        bail!(
            "--manylinux makes Linux wheels for glibc, and this machine is {host}: build on \
             Linux, or leave --manylinux out"
        );
    }
    Ok(format!("{host}.2.{minor}"))
}

/// The zig target for a glibc floor on this machine, in cargo-zigbuild's spelling, for
/// projects built without cargo (rustc may not be installed): the architecture this
/// executable was built for, which is the host's.
pub fn zig_target_of_host(minor: u32) -> Result<String> {
    let host = format!(
        "{}-unknown-{}-{}",
        std::env::consts::ARCH,
        std::env::consts::OS,
        if cfg!(target_env = "gnu") {
            "gnu"
        } else {
            "other"
        }
    );
    zig_target(&host, minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manylinux_values() {
        for (text, want) in [
            ("2014", Manylinux::Glibc(17)),
            ("manylinux2014", Manylinux::Glibc(17)),
            ("2_17", Manylinux::Glibc(17)),
            ("2.28", Manylinux::Glibc(28)),
            ("manylinux_2_28", Manylinux::Glibc(28)),
            ("host", Manylinux::Host),
        ] {
            assert_eq!(text.parse::<Manylinux>(), Ok(want), "{text}");
        }
        let old = "2010".parse::<Manylinux>().unwrap_err();
        assert!(old.contains("glibc 2.12") && old.contains("2014"), "{old}");
        let bad = "latest".parse::<Manylinux>().unwrap_err();
        assert!(bad.contains("not a manylinux level"), "{bad}");
        assert!("3_1".parse::<Manylinux>().is_err());
    }

    #[test]
    fn glibc_of_a_tag() {
        assert_eq!(
            tag_glibc("manylinux_2_17_x86_64.manylinux2014_x86_64"),
            Some((2, 17))
        );
        assert_eq!(tag_glibc("manylinux_2_34_aarch64"), Some((2, 34)));
        assert_eq!(tag_glibc("linux_x86_64"), None);
        assert_eq!(tag_glibc("macosx_11_0_arm64"), None);
    }

    #[test]
    fn zig_targets() {
        assert_eq!(
            zig_target("x86_64-unknown-linux-gnu", 17).unwrap(),
            "x86_64-unknown-linux-gnu.2.17"
        );
        assert_eq!(
            zig_target("aarch64-unknown-linux-gnu", 28).unwrap(),
            "aarch64-unknown-linux-gnu.2.28"
        );
        let err = zig_target("aarch64-apple-darwin", 17).unwrap_err();
        assert!(err.to_string().contains("leave --manylinux out"), "{err}");
    }

    fn make_exe(dir: &Path, name: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        std::fs::write(&path, "").unwrap();
        path
    }

    #[test]
    fn tools_are_found_in_path_order_then_extra_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            tmp.path().join("a"),
            tmp.path().join("b"),
            tmp.path().join("c"),
        );
        std::fs::create_dir_all(&a).unwrap();
        let in_b = make_exe(&b, "cargo-zigbuild");
        let in_c = make_exe(&c, "cargo-zigbuild");
        std::fs::create_dir_all(a.join("cargo-zigbuild")).unwrap(); // a folder is no tool
        let path = std::env::join_paths([&a, &b]).unwrap();
        assert_eq!(
            find_in_path("cargo-zigbuild", Some(&path), std::slice::from_ref(&c)),
            Some(in_b)
        );
        let path = std::env::join_paths([&a]).unwrap();
        assert_eq!(
            find_in_path("cargo-zigbuild", Some(&path), std::slice::from_ref(&c)),
            Some(in_c)
        );
        assert_eq!(find_in_path("cargo-zigbuild", Some(&path), &[]), None);
        assert_eq!(find_in_path("cargo-zigbuild", None, &[]), None);
    }

    #[test]
    fn the_python_is_the_option_then_the_venv_then_path() {
        let tmp = tempfile::tempdir().unwrap();
        let venv = tmp.path().join("venv");
        let venv_py = venv_python(&venv);
        make_exe(venv_py.parent().unwrap(), "python");
        let bin = tmp.path().join("bin");
        let path_py = make_exe(&bin, "python3");
        let path = std::env::join_paths([&bin]).unwrap();
        let chosen = |opt: Option<&Path>, venv: Option<&OsStr>| {
            choose_python(opt, venv, Some(&path)).unwrap()
        };
        assert_eq!(
            chosen(Some(Path::new("/opt/py")), Some(venv.as_os_str())),
            (PathBuf::from("/opt/py"), PythonSource::Option)
        );
        assert_eq!(
            chosen(None, Some(venv.as_os_str())),
            (venv_py, PythonSource::VirtualEnv)
        );
        assert_eq!(chosen(None, None), (path_py.clone(), PythonSource::Path));
        // A VIRTUAL_ENV without a Python (a deleted venv) falls through to PATH.
        let gone = tmp.path().join("gone");
        assert_eq!(
            chosen(None, Some(gone.as_os_str())),
            (path_py, PythonSource::Path)
        );
        let empty = std::env::join_paths([tmp.path().join("none")]).unwrap();
        let err = choose_python(None, None, Some(&empty)).unwrap_err();
        assert!(err.to_string().contains("--python"), "{err}");
    }
}
