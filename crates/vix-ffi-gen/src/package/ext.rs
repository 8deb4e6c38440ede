//! The compiled backend in a wheel: `_vix_ext.c` of the generated package, built for one
//! Python with the machine's C compiler (`python::ext::compile`), in a temporary folder.
//! Without a compiler (or the Python's headers) the wheel is pure ctypes, and a note
//! says so.

use super::native::{self, Os};
use super::source::SourcePackage;
use super::Bundled;
use crate::python::ext::compile;

pub use crate::python::ext::C_FILE;

/// Builds the extension of `source` for `python`; `None` (with a note saying why and
/// that the wheel runs on ctypes) when it cannot be built.
pub fn build(
    source: &SourcePackage,
    os: Os,
    python: &str,
    notes: &mut Vec<String>,
) -> Option<Bundled> {
    let (_, c_source) = source.files.iter().find(|(n, _)| n == C_FILE)?;
    let pure = "the wheel has no compiled backend and runs on ctypes";
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => {
            notes.push(format!("cannot make a temporary folder ({err}): {pure}"));
            return None;
        }
    };
    if let Err(err) = std::fs::write(dir.path().join(C_FILE), c_source) {
        notes.push(format!("cannot write {C_FILE} ({err}): {pure}"));
        return None;
    }
    let built = match compile::compile(dir.path(), python) {
        Ok(path) => path,
        Err(err) => {
            notes.push(format!("{err}\n{pure}"));
            return None;
        }
    };
    let file_name = built
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let library = match native::inspect_file(&built, os) {
        Ok(library) => library,
        Err(err) => {
            notes.push(format!("{file_name}: {err}: {pure}"));
            return None;
        }
    };
    let bytes = match std::fs::read(&built) {
        Ok(bytes) => bytes,
        Err(err) => {
            notes.push(format!("{}: {err}: {pure}", built.display()));
            return None;
        }
    };
    notes.push(format!(
        "compiled backend built for {python} ({file_name}); on other Pythons the package \
         runs on ctypes"
    ));
    notes.extend(library.warnings.iter().cloned());
    Some(Bundled {
        file_name,
        bytes,
        library,
    })
}

/// The glibc minor version a manylinux tag asks for (`manylinux_2_17_x86_64` → 17); 0
/// for other tags.
pub fn glibc_minor(tag: &str) -> u32 {
    tag.strip_prefix("manylinux_2_")
        .and_then(|rest| rest.split('_').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}
