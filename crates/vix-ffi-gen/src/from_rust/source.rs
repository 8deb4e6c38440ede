//! Finds the `#[vix_ffi::export]` items of a crate.
//!
//! The walk starts at the crate root and follows `mod` items the way rustc does: `mod x;`
//! loads `x.rs` or `x/mod.rs` beside a `lib.rs`/`mod.rs` file and in the folder named
//! after any other file, `#[path = "..."]` is honoured, inline `mod x { ... }` blocks are
//! entered. Files that no `mod` item reaches are not read, as rustc does not compile them.
//! Items and modules under `#[cfg(test)]` are skipped; any other `cfg` is assumed true.
//!
//! An item is exported when it carries `#[vix_ffi::export(...)]` (`::vix_ffi::export`
//! too), or `#[export(...)]` (or another name) where the same module imports it with
//! `use vix_ffi::export;` (`as`, groups and `*` are understood). An enum is a set of the
//! library's own errors when it derives `vix_ffi::LibraryError` (or the name imported
//! the same way).

use std::path::{Path, PathBuf};

use proc_macro2::Span;
use syn::{Attribute, Item, UseTree};
use vix_ffi_syntax::{analyze, analyze_errors, doc_text, Args, Export, LibraryErrors};

use super::error::{FromRustError, SourceProblem};

/// One exported item, in source order.
pub struct Found {
    /// What it exports.
    pub export: Export,
    /// Its doc comment, as rustdoc reads it.
    pub doc: Option<String>,
    /// The file it is in.
    pub file: PathBuf,
    /// The 1-based line of its name.
    pub line: usize,
    /// The 1-based column of its name.
    pub column: usize,
}

/// An enum deriving `vix_ffi::LibraryError`.
pub struct FoundErrors {
    /// Its variants.
    pub errors: LibraryErrors,
    /// The file it is in.
    pub file: PathBuf,
    /// The 1-based line of its name.
    pub line: usize,
}

/// Everything exported by a crate, in source order.
#[derive(Default)]
pub struct Exports {
    /// The `#[vix_ffi::export]` items.
    pub items: Vec<Found>,
    /// The `LibraryError` enums.
    pub errors: Vec<FoundErrors>,
}

impl Found {
    /// `file:line`.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// The exported items of the crate rooted at `root`, or every problem found.
pub fn find_exports(root: &Path) -> Result<Exports, FromRustError> {
    let mut walker = Walker {
        found: Exports::default(),
        problems: Vec::new(),
    };
    walker.file(root, true, None)?;
    if walker.problems.is_empty() {
        Ok(walker.found)
    } else {
        Err(FromRustError::Source(walker.problems))
    }
}

struct Walker {
    found: Exports,
    problems: Vec<SourceProblem>,
}

/// Where a module's items live: the file, and the folder its `mod x;` children are in.
struct Module<'a> {
    file: &'a Path,
    children: PathBuf,
    /// Whether the items are inside an inline `mod x { ... }` of `file`, which changes
    /// what `#[path]` is relative to.
    inline: bool,
}

impl Walker {
    /// Reads one module file. `mod_rs`: whether it is a `lib.rs`/`mod.rs`-like file, whose
    /// children are beside it. `declared_at`: the `mod` item that loads it, for errors.
    fn file(
        &mut self,
        path: &Path,
        mod_rs: bool,
        declared_at: Option<(&Path, Span)>,
    ) -> Result<(), FromRustError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(source) => {
                return match declared_at {
                    Some((file, span)) => {
                        self.problem(
                            file,
                            span,
                            format!("cannot read module file {}: {source}", path.display()),
                        );
                        Ok(())
                    }
                    None => Err(FromRustError::Io {
                        path: path.to_owned(),
                        source,
                    }),
                }
            }
        };
        let ast = match syn::parse_file(&text) {
            Ok(ast) => ast,
            Err(e) => {
                self.problem(path, e.span(), format!("cannot parse Rust: {e}"));
                return Ok(());
            }
        };
        let dir = path.parent().unwrap_or(Path::new(""));
        let children = if mod_rs {
            dir.to_owned()
        } else {
            let stem = path.file_stem().unwrap_or_default();
            dir.join(stem)
        };
        let module = Module {
            file: path,
            children,
            inline: false,
        };
        self.items(&ast.items, &module)
    }

    fn items(&mut self, items: &[Item], module: &Module<'_>) -> Result<(), FromRustError> {
        let aliases = aliases_of(items, "export");
        let error_aliases = aliases_of(items, "LibraryError");
        for item in items {
            let attrs = item_attrs(item);
            if is_cfg_test(attrs) {
                continue;
            }
            if let Item::Mod(m) = item {
                let path_attr = path_attribute(&m.attrs);
                if let Some((_, content)) = &m.content {
                    let children = match &path_attr {
                        Some(p) => module.children.join(p),
                        None => module.children.join(m.ident.to_string()),
                    };
                    let inner = Module {
                        file: module.file,
                        children,
                        inline: true,
                    };
                    self.items(content, &inner)?;
                } else {
                    let (path, mod_rs) = match &path_attr {
                        // Outside inline modules `#[path]` is relative to the file's folder.
                        Some(p) if !module.inline => {
                            let dir = module.file.parent().unwrap_or(Path::new(""));
                            (dir.join(p), true)
                        }
                        Some(p) => (module.children.join(p), true),
                        None => {
                            let name = m.ident.to_string();
                            let flat = module.children.join(format!("{name}.rs"));
                            let nested = module.children.join(&name).join("mod.rs");
                            if !flat.exists() && nested.exists() {
                                (nested, true)
                            } else {
                                (flat, false)
                            }
                        }
                    };
                    self.file(&path, mod_rs, Some((module.file, m.ident.span())))?;
                }
                continue;
            }
            if let Item::Enum(e) = item {
                if derives(&e.attrs, &error_aliases) {
                    match analyze_errors(item) {
                        Ok(errors) => {
                            let start = e.ident.span().start();
                            self.found.errors.push(FoundErrors {
                                errors,
                                file: module.file.to_owned(),
                                line: start.line,
                            });
                        }
                        Err(errors) => {
                            for e in errors {
                                self.problem(module.file, e.span(), e.to_string());
                            }
                        }
                    }
                }
            }
            let mut exports = attrs
                .iter()
                .filter(|a| is_vix_path(a.path(), "export", &aliases));
            let Some(attr) = exports.next() else {
                continue;
            };
            if let Some(again) = exports.next() {
                self.problem(
                    module.file,
                    again.pound_token.span,
                    "`#[vix_ffi::export]` is given twice on one item",
                );
                continue;
            }
            let analysed = Args::from_attribute(attr)
                .and_then(|args| analyze(&args, item, attr.pound_token.span));
            let export = match analysed {
                Ok(export) => export,
                Err(errors) => {
                    for e in errors {
                        self.problem(module.file, e.span(), e.to_string());
                    }
                    continue;
                }
            };
            let doc = match doc_text(attrs) {
                Ok(doc) => doc,
                Err(e) => {
                    self.problem(module.file, e.span(), e.to_string());
                    continue;
                }
            };
            let start = export.ident().span().start();
            self.found.items.push(Found {
                export,
                doc,
                file: module.file.to_owned(),
                line: start.line,
                column: start.column + 1,
            });
        }
        Ok(())
    }

    fn problem(&mut self, file: &Path, span: Span, message: impl Into<String>) {
        let start = span.start();
        self.problems.push(SourceProblem {
            file: file.to_owned(),
            line: start.line,
            column: start.column + 1,
            message: message.into(),
        });
    }
}

fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// `#[cfg(test)]`, exactly.
fn is_cfg_test(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

fn path_attribute(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// `vix_ffi::<name>`, `::vix_ffi::<name>`, or an imported name of it.
fn is_vix_path(path: &syn::Path, name: &str, aliases: &[String]) -> bool {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments.as_slice() {
        [krate, last] => krate == "vix_ffi" && last == name,
        [last] => aliases.contains(last),
        _ => false,
    }
}

/// Whether `#[derive(...)]` among `attrs` names `vix_ffi::LibraryError`.
fn derives(attrs: &[Attribute], aliases: &[String]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|paths| {
                paths
                    .iter()
                    .any(|p| is_vix_path(p, "LibraryError", aliases))
            })
        })
}

/// The names under which the module's `use` items import `vix_ffi::<name>`.
fn aliases_of(items: &[Item], name: &str) -> Vec<String> {
    let mut aliases = Vec::new();
    for item in items {
        if let Item::Use(u) = item {
            collect_aliases(&u.tree, &[], name, &mut aliases);
        }
    }
    aliases
}

fn collect_aliases(tree: &UseTree, prefix: &[String], name: &str, out: &mut Vec<String>) {
    let is_vix = |prefix: &[String]| prefix.len() == 1 && prefix[0] == "vix_ffi";
    match tree {
        UseTree::Path(p) => {
            let mut next = prefix.to_vec();
            next.push(p.ident.to_string());
            collect_aliases(&p.tree, &next, name, out);
        }
        UseTree::Name(n) if is_vix(prefix) && n.ident == name => out.push(name.into()),
        UseTree::Rename(r) if is_vix(prefix) && r.ident == name => out.push(r.rename.to_string()),
        UseTree::Glob(_) if is_vix(prefix) => out.push(name.into()),
        UseTree::Group(g) => {
            for tree in &g.items {
                collect_aliases(tree, prefix, name, out);
            }
        }
        _ => {}
    }
}
