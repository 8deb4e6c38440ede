//! What `from-rust` reads from `Cargo.toml`.
//!
//! - the library name: `[lib] name`, else `[package] name` with `-` as `_` (what cargo
//!   names `lib<name>.so`);
//! - the crate root: `[lib] path`, else `src/lib.rs`;
//! - the header's summary line: `[package] description`, when it is a plain string;
//! - `[package.metadata.vix-ffi]`, all optional: `python-package` (default: the library
//!   name), `env-var` (default `VIX_LIB_PATH`), `search-paths` (default none).

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::error::FromRustError;
use crate::manifest::DEFAULT_ENV_VAR;

/// The keys of `[package.metadata.vix-ffi]`.
const METADATA_KEYS: &[&str] = &["python-package", "env-var", "search-paths"];

/// What the manifest and header need from `Cargo.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrateInfo {
    /// `[package] name`.
    pub package: String,
    /// The library's base name.
    pub library: String,
    /// The crate root, e.g. `<crate>/src/lib.rs`.
    pub root: PathBuf,
    /// `[package] description`.
    pub description: Option<String>,
    /// The Python package name.
    pub python_package: String,
    /// The environment variable listing folders to search first.
    pub env_var: String,
    /// More folders to search.
    pub search_paths: Vec<String>,
    /// Whether `[lib] crate-type` has `cdylib`, without which cargo builds no library
    /// that Python can load.
    pub cdylib: bool,
}

/// Reads `<crate_dir>/Cargo.toml`.
pub fn read(crate_dir: &Path) -> Result<CrateInfo, FromRustError> {
    let path = crate_dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|source| FromRustError::Io {
        path: path.clone(),
        source,
    })?;
    let fail = |message: String| FromRustError::Cargo {
        path: path.clone(),
        message,
    };
    let doc: Table = text
        .parse()
        .map_err(|e| fail(format!("not valid TOML: {e}")))?;
    let package = doc
        .get("package")
        .and_then(Value::as_table)
        .ok_or_else(|| fail("no [package] table: `from-rust` reads a library crate".into()))?;
    let name = package
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| fail("[package] has no `name` string".into()))?
        .to_owned();
    let lib = match doc.get("lib") {
        None => None,
        Some(Value::Table(t)) => Some(t),
        Some(_) => return Err(fail("`lib` is not a table".into())),
    };
    let library = match lib.and_then(|l| l.get("name")) {
        None => name.replace('-', "_"),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(fail("[lib] `name` is not a string".into())),
    };
    let root = match lib.and_then(|l| l.get("path")) {
        None => crate_dir.join("src").join("lib.rs"),
        Some(Value::String(s)) => crate_dir.join(s),
        Some(_) => return Err(fail("[lib] `path` is not a string".into())),
    };
    let cdylib = match lib.and_then(|l| l.get("crate-type")) {
        None => false,
        Some(Value::Array(types)) => types.iter().any(|t| t.as_str() == Some("cdylib")),
        Some(_) => return Err(fail("[lib] `crate-type` is not an array".into())),
    };
    let description = package
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let metadata = package
        .get("metadata")
        .and_then(|m| m.get("vix-ffi"))
        .map(|m| {
            m.as_table()
                .ok_or_else(|| fail("[package.metadata.vix-ffi] is not a table".into()))
        })
        .transpose()?;
    let empty = Table::new();
    let metadata = metadata.unwrap_or(&empty);
    for key in metadata.keys() {
        if !METADATA_KEYS.contains(&key.as_str()) {
            return Err(fail(format!(
                "[package.metadata.vix-ffi] has an unknown key `{key}` (expected one of: {})",
                METADATA_KEYS.join(", ")
            )));
        }
    }
    let string = |key: &str, default: &str| match metadata.get(key) {
        None => Ok(default.to_owned()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(fail(format!(
            "[package.metadata.vix-ffi] `{key}` is a {}, expected a string",
            other.type_str()
        ))),
    };
    let python_package = string("python-package", &library)?;
    let env_var = string("env-var", DEFAULT_ENV_VAR)?;
    let search_paths = match metadata.get("search-paths") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                fail("[package.metadata.vix-ffi] `search-paths` must list strings".into())
            })?,
        Some(other) => {
            return Err(fail(format!(
                "[package.metadata.vix-ffi] `search-paths` is a {}, expected an array of strings",
                other.type_str()
            )))
        }
    };
    Ok(CrateInfo {
        package: name,
        library,
        root,
        description,
        python_package,
        env_var,
        search_paths,
        cdylib,
    })
}

/// The warning `from-rust` prints for a crate that builds no loadable library, if any.
pub fn cdylib_warning(info: &CrateInfo) -> Option<String> {
    (!info.cdylib).then(|| {
        format!(
            "{}'s [lib] crate-type has no \"cdylib\", so cargo builds no library that Python \
             can load (lib{}.so); add crate-type = [\"cdylib\", \"rlib\"] under [lib] in its \
             Cargo.toml",
            info.package, info.library
        )
    })
}
