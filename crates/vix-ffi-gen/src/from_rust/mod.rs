//! `vix-ffi from-rust`: the manifest and the C header of a Rust crate written with
//! `#[vix_ffi::export]`, read from its source.
//!
//! [`generate`] reads `Cargo.toml` ([`cargo`] says which keys), walks the crate's modules
//! from its root ([`source`] says how), checks every exported item with the same code as
//! the proc-macro (`vix-ffi-syntax`), and renders `bindings.json` and the header
//! ([`render`]). The manifest is then parsed back with [`crate::manifest::parse`], so it is
//! never written unless `gen-python` will accept it.
//!
//! What the crate must have: one `const` exported as the version string, and every
//! export with the same prefix.

pub mod cargo;
mod error;
pub mod render;
pub mod source;

use std::path::{Path, PathBuf};

pub use error::{FromRustError, SourceProblem};
pub use render::{Class, Function, Library, LibraryError, Method, What};

use vix_ffi_signature::{ClassId, Output, ParamType, Signature};
use vix_ffi_syntax::{Export, ObjectType};

/// The manifest and header of a crate, rendered, with the paths they go to by default.
#[derive(Clone, Debug)]
pub struct Generated {
    /// What was read.
    pub library: Library,
    /// `bindings.json`.
    pub manifest: String,
    /// The C header.
    pub header: String,
    /// `<crate>/bindings.json`.
    pub manifest_path: PathBuf,
    /// `<crate>/include/<prefix without _>/<library>.h`.
    pub header_path: PathBuf,
}

/// Reads the crate in `crate_dir` and renders its manifest and header, or reports every
/// problem found.
pub fn generate(crate_dir: &Path) -> Result<Generated, FromRustError> {
    let info = cargo::read(crate_dir)?;
    let found = source::find_exports(&info.root)?;
    let library = assemble(info, &found)?;
    let found = &found.items;
    let manifest = library.manifest();
    if let Err(raw) = crate::manifest::parse(&manifest) {
        let diagnostics = raw
            .iter()
            .map(|d| match item_of(&d.path, found) {
                Some(item) => format!("{d} (from {item})"),
                None => d.to_string(),
            })
            .collect();
        return Err(FromRustError::Manifest {
            crate_dir: crate_dir.to_owned(),
            diagnostics,
            raw,
        });
    }
    let header = library.header();
    let header_path = crate_dir
        .join("include")
        .join(library.header_dir())
        .join(library.header_file());
    Ok(Generated {
        manifest,
        header,
        manifest_path: crate_dir.join("bindings.json"),
        header_path,
        library,
    })
}

/// Checks that the exports fit together and gathers them with `Cargo.toml`'s facts.
fn assemble(info: cargo::CrateInfo, exports: &source::Exports) -> Result<Library, FromRustError> {
    let found = &exports.items;
    let mut problems = Vec::new();
    let problem = |f: &source::Found, message: String| SourceProblem {
        file: f.file.clone(),
        line: f.line,
        column: f.column,
        message,
    };
    let Some(first) = found.first() else {
        return Err(FromRustError::Source(vec![SourceProblem {
            file: info.root.clone(),
            line: 1,
            column: 1,
            message: "no `#[vix_ffi::export]` item in the crate: nothing to describe".into(),
        }]));
    };
    let prefix = first.export.prefix().to_owned();
    for f in found {
        if f.export.prefix() != prefix {
            problems.push(problem(
                f,
                format!(
                    "prefix {:?} differs from {prefix:?} of `{}` ({}): a library has one prefix",
                    f.export.prefix(),
                    first.export.ident(),
                    first.location()
                ),
            ));
        }
    }
    let versions: Vec<&source::Found> = found
        .iter()
        .filter(|f| matches!(f.export, Export::Version(_)))
        .collect();
    match versions.as_slice() {
        [] => problems.push(SourceProblem {
            file: info.root.clone(),
            line: 1,
            column: 1,
            message: format!(
                "no version string: ABI v1 requires every library to export \
                 `{prefix}ffi_version`; add `#[vix_ffi::export(prefix = \"{prefix}\")] pub \
                 const VERSION: &str = env!(\"CARGO_PKG_VERSION\");`"
            ),
        }),
        [_] => {}
        [first_version, more @ ..] => {
            for f in more {
                problems.push(problem(
                    f,
                    format!(
                        "a second version string: `{}` ({}) is already exported as \
                         `{prefix}ffi_version`",
                        first_version.export.ident(),
                        first_version.location()
                    ),
                ));
            }
        }
    }
    let mut errors: Vec<LibraryError> = Vec::new();
    let mut first_of_code: Vec<(i32, String)> = Vec::new();
    for enum_ in &exports.errors {
        for v in &enum_.errors.variants {
            let place = format!(
                "`{}::{}` ({}:{})",
                enum_.errors.ident,
                v.ident,
                enum_.file.display(),
                v.span.start().line
            );
            if let Some((_, first)) = first_of_code.iter().find(|(c, _)| *c == v.code) {
                let start = v.span.start();
                problems.push(SourceProblem {
                    file: enum_.file.clone(),
                    line: start.line,
                    column: start.column + 1,
                    message: format!(
                        "status code {} is already the code of {first}: a library has one \
                         meaning per code",
                        v.code
                    ),
                });
                continue;
            }
            first_of_code.push((v.code, place));
            errors.push(LibraryError {
                code: v.code,
                name: v.name.clone(),
                base: v.base.clone(),
                doc: v.doc.clone(),
            });
        }
    }
    let classes = classes(found, &mut problems);
    let rust_names = class_rust_names(found);
    // Typed functions' object types, by the manifest's class ids.
    let mut function_ids: Vec<Vec<ClassId>> = Vec::new();
    for f in found {
        if let Export::Typed(t) = &f.export {
            let ids = resolve(
                &t.objects,
                None,
                &rust_names,
                f,
                &t.ident,
                None,
                &mut problems,
            );
            function_ids.push(ids.unwrap_or_default());
        }
    }
    if !problems.is_empty() {
        return Err(FromRustError::Source(problems));
    }
    let mut function_ids = function_ids.into_iter();
    let functions = found
        .iter()
        .filter(|f| !matches!(f.export, Export::Class(_)))
        .map(|f| Function {
            name: f.export.name(),
            symbol: f.export.symbol(),
            what: match &f.export {
                Export::Version(_) => What::Version,
                Export::Operation(op) => What::Operation {
                    input: op.input,
                    shape: op.shape,
                    kind: op.kind,
                    ascii: op.ascii,
                    output_blocks: op.output_blocks,
                },
                Export::Typed(t) => What::Typed {
                    signature: remap(
                        &t.signature,
                        &function_ids.next().expect("one entry per typed function"),
                    ),
                    ascii: t.ascii,
                    output_blocks: t.output_blocks,
                    sized: t.writer,
                },
                Export::Class(_) => unreachable!("classes are filtered out above"),
            },
            doc: f.doc.clone(),
        })
        .collect();
    Ok(Library {
        package: info.package,
        description: info.description,
        name: info.library,
        env_var: info.env_var,
        search_paths: info.search_paths,
        prefix,
        python_package: info.python_package,
        functions,
        errors,
        classes,
    })
}

/// The Rust type names of the exported classes, in source order (a class's index is its
/// [`ClassId`]).
fn class_rust_names(found: &[source::Found]) -> Vec<String> {
    found
        .iter()
        .filter_map(|f| match &f.export {
            Export::Class(c) => Some(vix_ffi_syntax::unraw(&c.ident)),
            _ => None,
        })
        .collect()
}

/// The manifest's [`ClassId`] of each object type of a signature (`own`: the index of
/// the class whose member it is), or `None` after reporting a type that is not an
/// exported class of the crate.
fn resolve(
    objects: &[ObjectType],
    own: Option<usize>,
    rust_names: &[String],
    f: &source::Found,
    ident: &syn::Ident,
    class: Option<&syn::Ident>,
    problems: &mut Vec<SourceProblem>,
) -> Option<Vec<ClassId>> {
    let mut ids = Vec::with_capacity(objects.len());
    let mut ok = true;
    for object in objects {
        let global = match object {
            ObjectType::This => own,
            ObjectType::Other(_) => {
                let name = object.name().unwrap_or_default();
                let found = rust_names.iter().position(|n| *n == name);
                if found.is_none() {
                    let start = ident.span().start();
                    let item = match class {
                        Some(class) => format!("{class}::{ident}"),
                        None => ident.to_string(),
                    };
                    problems.push(SourceProblem {
                        file: f.file.clone(),
                        line: start.line,
                        column: start.column + 1,
                        message: format!(
                            "`{item}` uses `{name}`, which is not a class exported by this \
                             crate{}",
                            if rust_names.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", rust_names.join(", "))
                            }
                        ),
                    });
                }
                found
            }
        };
        match global {
            Some(g) => ids.push(ClassId(u32::try_from(g).expect("few classes"))),
            None => ok = false,
        }
    }
    ok.then_some(ids)
}

/// The exported classes, in source order, each member's signature with the manifest's
/// [`ClassId`]s (a class named in a signature is found by its Rust type's name).
fn classes(found: &[source::Found], problems: &mut Vec<SourceProblem>) -> Vec<Class> {
    let exported: Vec<(&source::Found, &vix_ffi_syntax::Class)> = found
        .iter()
        .filter_map(|f| match &f.export {
            Export::Class(c) => Some((f, &**c)),
            _ => None,
        })
        .collect();
    let rust_names = class_rust_names(found);
    for (i, (f, c)) in exported.iter().enumerate() {
        if let Some(first) = rust_names[..i].iter().position(|n| *n == rust_names[i]) {
            problems.push(SourceProblem {
                file: f.file.clone(),
                line: f.line,
                column: f.column,
                message: format!(
                    "`{}` is exported as a class twice (first at {}): export one `impl` block \
                     per type",
                    c.ident,
                    exported[first].0.location()
                ),
            });
        }
    }
    let mut classes = Vec::new();
    for (index, (f, c)) in exported.iter().enumerate() {
        let mut method = |m: &vix_ffi_syntax::Member| -> Option<Method> {
            let ids = resolve(
                &m.typed.objects,
                Some(index),
                &rust_names,
                f,
                &m.typed.ident,
                Some(&c.ident),
                problems,
            )?;
            Some(Method {
                name: m.name.clone(),
                symbol: m.symbol.clone(),
                signature: remap(&m.typed.signature, &ids),
                doc: m.doc.clone(),
            })
        };
        let init = c.constructor.as_ref().and_then(&mut method);
        let methods = c.methods.iter().filter_map(&mut method).collect();
        classes.push(Class {
            name: c.name.clone(),
            c_name: c.c_name.clone(),
            doc: c.doc.clone(),
            init,
            methods,
            constants: c
                .constants
                .iter()
                .map(|k| (k.name.clone(), k.value.clone()))
                .collect(),
        });
    }
    classes
}

/// A member's signature with its local class indices replaced by `ids`.
fn remap(signature: &Signature, ids: &[ClassId]) -> Signature {
    let id = |c: ClassId| ids[c.0 as usize];
    let mut signature = signature.clone();
    signature.receiver = signature.receiver.map(id);
    for p in &mut signature.params {
        if let ParamType::Object(c) = p.ty {
            p.ty = ParamType::Object(id(c));
        }
    }
    if let Output::Object(c) = signature.output {
        signature.output = Output::Object(id(c));
    }
    signature
}

/// The Rust item behind a diagnostic at `functions[i]…` or `python.api[i]…` (both list
/// the exported functions in source order) or `classes[i]…`.
fn item_of(path: &str, found: &[source::Found]) -> Option<String> {
    if let Some(rest) = path.strip_prefix("classes[") {
        let index: usize = rest.split(']').next()?.parse().ok()?;
        let f = found
            .iter()
            .filter(|f| matches!(f.export, Export::Class(_)))
            .nth(index)?;
        return Some(format!("`impl {}` at {}", f.export.ident(), f.location()));
    }
    let rest = path
        .strip_prefix("functions[")
        .or_else(|| path.strip_prefix("python.api["))?;
    let index: usize = rest.split(']').next()?.parse().ok()?;
    let f = found
        .iter()
        .filter(|f| !matches!(f.export, Export::Class(_)))
        .nth(index)?;
    Some(format!("`{}` at {}", f.export.ident(), f.location()))
}

#[cfg(test)]
mod tests;
