//! The library's own errors: an enum deriving `vix_ffi::LibraryError`, each variant with
//! a status code from 1000 and a Python exception class.
//!
//! ```text
//! #[derive(Debug, vix_ffi::LibraryError)]
//! pub enum DemoError {
//!     /// `lo` is greater than `hi`.
//!     #[vix(code = 1000, base = "ValueError")]
//!     Range { lo: f64, hi: f64 },
//!     #[vix(code = 1001, name = "TooLong")]
//!     TooLong(usize),
//! }
//! ```
//!
//! The Python class is the variant's name followed by `Error` (`Range` gives `RangeError`;
//! a name that already ends in `Error` is kept), or `name = "..."`; `base` is one of the
//! standard classes of [`vix_ffi_signature::PYTHON_ERROR_BASES`].

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Item, Lit, LitStr};
use vix_ffi_signature::{FIRST_LIBRARY_CODE, PYTHON_ERROR_BASES};

use super::{doc_text, Problems};

/// The name of the variants' helper attribute: `#[vix(code = ..., ...)]`.
pub const HELPER: &str = "vix";

/// An analysed error enum.
#[derive(Clone)]
pub struct LibraryErrors {
    /// The enum.
    pub ident: syn::Ident,
    /// Its variants, in order.
    pub variants: Vec<ErrorVariant>,
}

/// One variant: one status code and one Python exception class.
#[derive(Clone, Debug)]
pub struct ErrorVariant {
    /// The Rust variant.
    pub ident: syn::Ident,
    /// Its status code, from 1000.
    pub code: i32,
    /// The Python class name.
    pub name: String,
    /// The standard Python class it also derives from, if any.
    pub base: Option<String>,
    /// Its doc comment.
    pub doc: Option<String>,
    /// Where it is written.
    pub span: Span,
}

/// The Python class of a variant without `name = "..."`: its name, with `Error` appended
/// unless it already ends so.
pub fn python_error_name(variant: &str) -> String {
    if variant.ends_with("Error") {
        variant.to_owned()
    } else {
        format!("{variant}Error")
    }
}

/// Checks an enum deriving `vix_ffi::LibraryError`.
pub fn analyze_errors(item: &Item) -> syn::Result<LibraryErrors> {
    let mut problems = Problems::default();
    let Item::Enum(item) = item else {
        return Err(syn::Error::new(
            match item {
                Item::Struct(s) => s.ident.span(),
                Item::Union(u) => u.ident.span(),
                other => other.span(),
            },
            "`LibraryError` derives for an enum, one variant per status code: a struct has \
             one code at most, so return `vix_ffi::Error::library(code, message)` instead",
        ));
    };
    if item.variants.is_empty() {
        problems.push(
            item.ident.span(),
            "an error enum without variants has no status code to give",
        );
    }
    let mut variants: Vec<ErrorVariant> = Vec::new();
    for v in &item.variants {
        let attrs: Vec<&syn::Attribute> = v
            .attrs
            .iter()
            .filter(|a| a.path().is_ident(HELPER))
            .collect();
        let Some(attr) = attrs.first() else {
            problems.push(
                v.ident.span(),
                format!(
                    "`{}` has no status code: write `#[vix(code = {})]` (a code from {} and, \
                     optionally, `name = \"...\"` and `base = \"ValueError\"`)",
                    v.ident,
                    FIRST_LIBRARY_CODE + variants.len() as i64,
                    FIRST_LIBRARY_CODE
                ),
            );
            continue;
        };
        if let Some(again) = attrs.get(1) {
            problems.push_spanned(again, "`#[vix(...)]` is given twice on one variant");
        }
        let mut code: Option<i32> = None;
        let mut name: Option<LitStr> = None;
        let mut base: Option<LitStr> = None;
        let parsed = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            match key.as_str() {
                "code" => {
                    let value: Expr = meta.value()?.parse()?;
                    code = Some(error_code(&value)?);
                }
                "name" => name = Some(meta.value()?.parse()?),
                "base" => base = Some(meta.value()?.parse()?),
                _ => {
                    return Err(meta.error(
                        "unknown key: `#[vix(...)]` takes `code = <1000 or more>`, \
                         `name = \"PythonClass\"` and `base = \"ValueError\"`",
                    ))
                }
            }
            Ok(())
        });
        if let Err(e) = parsed {
            problems.push_error(e);
            continue;
        }
        let Some(code) = code else {
            problems.push_spanned(attr, "missing `code = ...`: the variant's status code");
            continue;
        };
        let python = match &name {
            Some(lit) => {
                let n = lit.value();
                let valid = n.starts_with(|c: char| c.is_ascii_uppercase())
                    && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !valid {
                    problems.push(
                        lit.span(),
                        format!(
                            "{n:?} is not a Python class name: an ASCII identifier starting \
                             with a capital letter, such as \"RangeError\""
                        ),
                    );
                }
                n
            }
            None => python_error_name(&super::unraw(&v.ident)),
        };
        let name_span = name.as_ref().map_or(v.ident.span(), LitStr::span);
        if PYTHON_ERROR_BASES.contains(&python.as_str()) {
            problems.push(
                name_span,
                format!(
                    "the Python class {python:?} would hide Python's own: name it after what \
                     went wrong, and give {python:?} as its `base`"
                ),
            );
        }
        if let Some(base) = &base {
            if !PYTHON_ERROR_BASES.contains(&base.value().as_str()) {
                problems.push(
                    base.span(),
                    format!(
                        "unknown base {:?}: a library error may derive from one of {}",
                        base.value(),
                        PYTHON_ERROR_BASES.join(", ")
                    ),
                );
            }
        }
        if let Some(other) = variants.iter().find(|o| o.code == code) {
            problems.push_spanned(
                attr,
                format!("code {code} is already the code of `{}`", other.ident),
            );
        }
        if let Some(other) = variants.iter().find(|o| o.name == python) {
            problems.push(
                name_span,
                format!(
                    "the Python class {python:?} is already the class of `{}`",
                    other.ident
                ),
            );
        }
        let doc = match doc_text(&v.attrs) {
            Ok(doc) => doc,
            Err(e) => {
                problems.push_error(e);
                None
            }
        };
        variants.push(ErrorVariant {
            ident: v.ident.clone(),
            code,
            name: python,
            base: base.map(|b| b.value()),
            doc,
            span: v.ident.span(),
        });
    }
    problems.finish(|| LibraryErrors {
        ident: item.ident.clone(),
        variants,
    })
}

/// `code = <integer literal from 1000 to i32::MAX>`.
fn error_code(value: &Expr) -> syn::Result<i32> {
    let range = format!("a whole number from {FIRST_LIBRARY_CODE} to {}", i32::MAX);
    let Expr::Lit(ExprLit {
        lit: Lit::Int(lit), ..
    }) = value
    else {
        return Err(syn::Error::new_spanned(
            value,
            format!(
                "a status code is an integer literal, {range} (`vix-ffi from-rust` reads it \
                 from the source)"
            ),
        ));
    };
    let code = lit.base10_parse::<i64>().ok();
    match code {
        Some(code) if code < FIRST_LIBRARY_CODE => Err(syn::Error::new(
            lit.span(),
            format!(
                "status code {code} belongs to the ABI (0 to 4 today, up to 999 reserved): a \
                 library's own codes are {range}"
            ),
        )),
        Some(code) if code <= i64::from(i32::MAX) => Ok(code as i32),
        _ => Err(syn::Error::new(
            lit.span(),
            format!("a status code is {range}, not {}", lit.base10_digits()),
        )),
    }
}
