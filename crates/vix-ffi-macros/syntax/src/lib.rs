//! The grammar of `#[vix_ffi::export]`, in one place.
//!
//! Two programs read the attribute: the proc-macro (`vix-ffi-macros`), which turns an
//! annotated item into an ABI v1 symbol, and `vix-ffi from-rust` (`vix-ffi-gen`), which
//! reads a crate's source and writes its manifest and C header. Both call [`analyze`], so
//! an item that compiles is exactly an item that `from-rust` describes, with the same
//! symbol, API kind and doc text, and every refusal has one wording.
//!
//! What is accepted:
//!
//! - a safe, non-generic, non-async function `fn name(input: &[u8] | &str) -> R` where `R`
//!   is `Result<Vec<u8>>` or `Result<String>` (any type named `Result` whose error
//!   converts into `vix_ffi::Error`, so `vix_ffi::Result<T>` and
//!   `Result<T, vix_ffi::Error>` both work): the output is built, then copied into the
//!   caller's buffer ([`Shape::Vec`]);
//! - with `size = <expr>`, a function `fn name(input: &[u8] | &str, out: &mut
//!   vix_ffi::Output<'_>) -> Result<()>` that writes straight into the caller's buffer;
//!   `<expr>` is a function of the input returning the exact output size
//!   ([`Shape::Sized`]);
//! - with `output_blocks = (a, b)` in place of `size`, the same function, whose output
//!   for an input of `n` bytes is `b * ceil(n / a)` bytes ([`OutputBlocks`]): the
//!   generated symbol computes that size, and `from-rust` writes
//!   `"output_blocks": {"in": a, "out": b}` into `python.api`, so that Python allocates
//!   the result without a size query;
//! - a `const NAME: &str = ...;`: the library's version string, exported as
//!   `<prefix>ffi_version`;
//! - any other function of `&[u8]`, `&str` and scalar parameters (`i32`, `u32`, `i64`,
//!   `u64`, `usize`, `f64`, `bool`) returning `Result<T>` with `T` a scalar, `Vec<u8>`,
//!   `String` or `()`, or writing into a trailing `&mut vix_ffi::Output<'_>` sized from
//!   its one buffer input: a typed signature of ABI v1.1 ([`Typed`], whose
//!   [`vix_ffi_signature::Signature`] says everything the symbol, the manifest and the
//!   header need), with Python defaults and passing from `default(...)`,
//!   `keyword_only(...)`, `positional_only(...)` and `positional(...)`.
//!
//! - an inherent `impl` block: a class (ABI v1.1 objects, [`Class`]): its constructor,
//!   its `pub` methods on `&self`/`&mut self` and its `pub const` literals, with
//!   `#[vix(...)]` on the items for what the attribute says of a function; see the
//!   `class` module for the rules.
//!
//! The one-input form keeps its v1.0 analysis ([`Export::Operation`]) unless the attribute
//! gives one of the typed-only arguments, so that its symbol and manifest do not change.
//! [`analyze_errors`] reads an enum deriving `vix_ffi::LibraryError`: a status code from
//! 1000 and a Python exception class per variant.
//!
//! Every item names the package prefix, `prefix = "mylib_"`: a C identifier ending in `_`.
//! The API kind of `python.api` follows from the types (`&[u8]`/`&str` in,
//! `Vec<u8>`/`String` out; a sized function's output is bytes) unless `kind = "..."` says
//! otherwise, within what the types allow. The flag `ascii` promises that every successful
//! output of an operation returning text is ASCII (`"ascii": true` in `python.api`, which
//! lets Python build the `str` without scanning it); it is refused where the kind returns
//! bytes, and on a version string.
//!
//! This crate uses syn 3, the current major version: clap, serde and thiserror of this
//! workspace already build it, so choosing syn 2 would compile a second copy of syn for
//! nothing. It only needs syn's `full` feature and its parsing, never its printing of
//! types, so a later major version should be a small change here.

mod class;
mod errors;
mod typed;

pub use class::{snake_case, strip, Class, Constant, Member, ObjectType, Receiver, ATTRIBUTE};
pub use errors::{analyze_errors, python_error_name, ErrorVariant, LibraryErrors, HELPER};
pub use typed::Typed;
pub use vix_ffi_signature::{self as signature, Output as Returns, ParamType, Passing, Scalar};

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{
    Attribute, Expr, ExprLit, FnArg, GenericArgument, Item, ItemConst, ItemFn, Lit, LitStr,
    PathArguments, ReturnType, Signature, Type,
};

/// The name of the writer type of sized functions, `vix_ffi::Output`.
pub const OUTPUT_TYPE: &str = "Output";

/// The symbol of a version string: `<prefix>` followed by this.
pub const VERSION_SUFFIX: &str = "ffi_version";

/// The Python name of the version function, in `functions` and in `python.api`.
pub const VERSION_NAME: &str = "version";

/// The arguments of one `#[vix_ffi::export(...)]`.
#[derive(Clone, Default)]
pub struct Args {
    /// `prefix = "..."`.
    pub prefix: Option<LitStr>,
    /// `size = <expr>`.
    pub size: Option<Expr>,
    /// `kind = "..."`.
    pub kind: Option<LitStr>,
    /// `ascii`: where the flag is written. A bare flag, not `ascii = true`: one spelling,
    /// and nothing to write for "not ASCII", which is the default.
    pub ascii: Option<Span>,
    /// `output_blocks = (a, b)` as written; [`analyze`] checks its value.
    pub output_blocks: Option<BlocksArg>,
    /// `default(name = value, ...)`: Python defaults of typed parameters, as written;
    /// [`analyze`] checks each value against its parameter's type.
    pub defaults: Vec<(syn::Ident, Expr)>,
    /// `keyword_only(name, ...)`.
    pub keyword_only: Vec<syn::Ident>,
    /// `positional_only(name, ...)`.
    pub positional_only: Vec<syn::Ident>,
    /// `positional(name, ...)`: parameters with a default that Python may still pass by
    /// position (a defaulted parameter is keyword-only otherwise).
    pub positional: Vec<syn::Ident>,
    /// `name = "..."`: the Python name of an exported class (on its `impl`) or of a
    /// class constant (in `#[vix(...)]` on the `const`).
    pub name: Option<LitStr>,
    /// `constructor` (in `#[vix(...)]` on an associated function of an exported class):
    /// the function that creates objects.
    pub constructor: Option<Span>,
    /// `skip` (in `#[vix(...)]` on a `pub` item of an exported class): not exported.
    pub skip: Option<Span>,
}

impl Args {
    /// Whether any argument that only typed signatures have (`default`, `keyword_only`,
    /// `positional_only`, `positional`) is given.
    pub fn has_python_arguments(&self) -> bool {
        !(self.defaults.is_empty()
            && self.keyword_only.is_empty()
            && self.positional_only.is_empty()
            && self.positional.is_empty())
    }

    fn passing_lists(&self) -> [(&'static str, &[syn::Ident], Passing); 3] {
        [
            ("keyword_only", &self.keyword_only, Passing::KeywordOnly),
            (
                "positional_only",
                &self.positional_only,
                Passing::PositionalOnly,
            ),
            ("positional", &self.positional, Passing::Either),
        ]
    }
}

/// `output_blocks = <value>` as written, before [`analyze`] checks that the value is two
/// integer literals.
#[derive(Clone)]
pub struct BlocksArg {
    /// The key `output_blocks`, where errors about the argument as a whole point.
    pub key: Span,
    /// The value, `(a, b)` when well formed.
    pub value: Expr,
}

/// `output_blocks = (a, b)`: every block of `a` input bytes (the last one possibly
/// shorter) becomes exactly `b` output bytes, so a successful output of an input of `n`
/// bytes is `b * ceil(n / a)` bytes. Base64 with padding is `(3, 4)`, hex `(1, 2)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputBlocks {
    /// `a`: input bytes per block, from 1 to `u32::MAX`.
    pub input: u32,
    /// `b`: output bytes per block, from 1 to `u32::MAX`.
    pub output: u32,
}

impl Args {
    /// Parses the tokens between the parentheses of the attribute.
    pub fn parse(tokens: TokenStream) -> syn::Result<Args> {
        let mut args = Args::default();
        let parser = syn::meta::parser(|meta| {
            let key = meta.path.to_token_stream().to_string();
            let duplicate = || meta.error(format!("`{key}` is given twice"));
            match key.as_str() {
                "prefix" => {
                    if args.prefix.is_some() {
                        return Err(duplicate());
                    }
                    args.prefix = Some(meta.value()?.parse()?);
                }
                "size" => {
                    if args.size.is_some() {
                        return Err(duplicate());
                    }
                    args.size = Some(meta.value()?.parse()?);
                }
                "kind" => {
                    if args.kind.is_some() {
                        return Err(duplicate());
                    }
                    args.kind = Some(meta.value()?.parse()?);
                }
                "ascii" => {
                    if args.ascii.is_some() {
                        return Err(duplicate());
                    }
                    if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                        return Err(meta.error(
                            "`ascii` is a flag: write `ascii` alone (as in `kind = \"bytes_to_str\", \
                             ascii`), not `ascii = true`; without it the output is not promised \
                             to be ASCII",
                        ));
                    }
                    args.ascii = Some(meta.path.span());
                }
                "output_blocks" => {
                    if args.output_blocks.is_some() {
                        return Err(duplicate());
                    }
                    if !meta.input.peek(syn::Token![=]) {
                        return Err(meta.error(
                            "write `output_blocks = (in, out)`: `out` bytes of output for \
                             every block of `in` input bytes, as in `output_blocks = (3, 4)` \
                             for base64",
                        ));
                    }
                    let value = meta.value()?.parse()?;
                    args.output_blocks = Some(BlocksArg {
                        key: meta.path.span(),
                        value,
                    });
                }
                "default" => {
                    if !meta.input.peek(syn::token::Paren) {
                        return Err(meta.error(
                            "write `default(name = value, ...)`, as in `default(seed = 0, \
                             sep = \"\")`: a literal of each parameter's type",
                        ));
                    }
                    meta.parse_nested_meta(|inner| {
                        let Some(name) = inner.path.get_ident().cloned() else {
                            return Err(inner.error("expected a parameter name"));
                        };
                        if !inner.input.peek(syn::Token![=]) {
                            return Err(inner.error(format!(
                                "write `{name} = <value>`: the default of `{name}`"
                            )));
                        }
                        let value: Expr = inner.value()?.parse()?;
                        if args.defaults.iter().any(|(n, _)| *n == name) {
                            return Err(
                                inner.error(format!("the default of `{name}` is given twice"))
                            );
                        }
                        args.defaults.push((name, value));
                        Ok(())
                    })?;
                }
                "name" => {
                    if args.name.is_some() {
                        return Err(duplicate());
                    }
                    args.name = Some(meta.value()?.parse()?);
                }
                "constructor" | "skip" => {
                    if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                        return Err(meta.error(format!("`{key}` is a flag: write `{key}` alone")));
                    }
                    let slot = if key == "constructor" {
                        &mut args.constructor
                    } else {
                        &mut args.skip
                    };
                    if slot.is_some() {
                        return Err(duplicate());
                    }
                    *slot = Some(meta.path.span());
                }
                "keyword_only" | "positional_only" | "positional" => {
                    if !meta.input.peek(syn::token::Paren) {
                        return Err(meta.error(format!(
                            "write `{key}(name, ...)` with the names of parameters"
                        )));
                    }
                    let mut names = Vec::new();
                    meta.parse_nested_meta(|inner| {
                        let Some(name) = inner.path.get_ident().cloned() else {
                            return Err(inner.error("expected a parameter name"));
                        };
                        if !inner.input.is_empty() && !inner.input.peek(syn::Token![,]) {
                            return Err(inner.error(format!(
                                "`{key}` lists parameter names: write `{key}({name})`"
                            )));
                        }
                        names.push(name);
                        Ok(())
                    })?;
                    match key.as_str() {
                        "keyword_only" => args.keyword_only.extend(names),
                        "positional_only" => args.positional_only.extend(names),
                        _ => args.positional.extend(names),
                    }
                }
                _ => {
                    return Err(meta.error(format!(
                        "unknown argument `{key}`: `#[vix_ffi::export]` takes \
                         `prefix = \"...\"`, `size = <fn>`, `output_blocks = (in, out)`, \
                         `kind = \"...\"`, `ascii`, `default(name = value, ...)`, \
                         `keyword_only(name, ...)`, `positional_only(name, ...)` and \
                         `positional(name, ...)`; on the `impl` of a class, `prefix` and \
                         `name = \"...\"`; in `#[vix(...)]` inside such an `impl`, \
                         `constructor`, `skip`, `name` and the parameter arguments"
                    )))
                }
            }
            Ok(())
        });
        parser.parse2(tokens)?;
        Ok(args)
    }

    /// Parses the arguments of an attribute as written in source (`#[path(...)]`, or a
    /// bare `#[path]` without any).
    pub fn from_attribute(attr: &Attribute) -> syn::Result<Args> {
        match &attr.meta {
            syn::Meta::Path(_) => Ok(Args::default()),
            syn::Meta::List(list) => Args::parse(list.tokens.clone()),
            syn::Meta::NameValue(nv) => Err(syn::Error::new(
                nv.eq_token.span,
                "expected `#[vix_ffi::export(prefix = \"...\")]`",
            )),
        }
    }
}

/// What the input of an operation is, from its Rust type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// `&[u8]`: any bytes.
    Bytes,
    /// `&str`: UTF-8 text; other bytes are refused with `VIX_STATUS_INVALID_ARG` before
    /// the function runs.
    Str,
}

/// How an operation produces its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Returns `Vec<u8>`, copied into the caller's buffer when it fits.
    Vec,
    /// Returns `String`, copied into the caller's buffer when it fits.
    String,
    /// Writes into `&mut vix_ffi::Output`, whose size `size = ...` or `output_blocks =
    /// ...` computed first.
    Sized,
}

/// The API kinds of `python.api` that an operation can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `bytes_to_bytes`.
    BytesToBytes,
    /// `bytes_to_str`.
    BytesToStr,
    /// `str_to_bytes`.
    StrToBytes,
    /// `str_to_str`.
    StrToStr,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 4] = [
        Kind::BytesToBytes,
        Kind::BytesToStr,
        Kind::StrToBytes,
        Kind::StrToStr,
    ];

    /// The spelling in `bindings.json`.
    pub const fn manifest_name(self) -> &'static str {
        match self {
            Kind::BytesToBytes => "bytes_to_bytes",
            Kind::BytesToStr => "bytes_to_str",
            Kind::StrToBytes => "str_to_bytes",
            Kind::StrToStr => "str_to_str",
        }
    }

    /// Whether Python passes text (encoded as UTF-8).
    pub const fn takes_str(self) -> bool {
        matches!(self, Kind::StrToBytes | Kind::StrToStr)
    }

    /// Whether Python decodes the output as UTF-8 text.
    pub const fn returns_str(self) -> bool {
        matches!(self, Kind::BytesToStr | Kind::StrToStr)
    }

    fn from_types(input: Input, shape: Shape) -> Kind {
        match (input, shape == Shape::String) {
            (Input::Bytes, false) => Kind::BytesToBytes,
            (Input::Bytes, true) => Kind::BytesToStr,
            (Input::Str, false) => Kind::StrToBytes,
            (Input::Str, true) => Kind::StrToStr,
        }
    }
}

/// An operation-shaped export.
#[derive(Clone)]
pub struct Operation {
    /// The package prefix, e.g. `base64_`.
    pub prefix: String,
    /// The Rust function.
    pub ident: syn::Ident,
    /// Its input type.
    pub input: Input,
    /// How it produces its output.
    pub shape: Shape,
    /// The API kind of its `python.api` entry.
    pub kind: Kind,
    /// `size = <expr>` of a [`Shape::Sized`] function (which has this or
    /// [`output_blocks`](Operation::output_blocks)).
    pub size: Option<Box<Expr>>,
    /// `output_blocks = (a, b)` of a [`Shape::Sized`] function (which has this or
    /// [`size`](Operation::size)).
    pub output_blocks: Option<OutputBlocks>,
    /// `ascii`: the library promises that every successful output is ASCII (only for a
    /// kind that [returns text](Kind::returns_str)).
    pub ascii: bool,
    /// The return type, where type errors about the function's result should point.
    pub output_span: Span,
}

/// The version string export.
#[derive(Clone)]
pub struct Version {
    /// The package prefix, e.g. `base64_`.
    pub prefix: String,
    /// The Rust `const`.
    pub ident: syn::Ident,
}

impl Operation {
    /// The operation as a typed signature: one input, named `data` (`text` when the kind
    /// passes text, which is what Python calls it whatever the Rust argument's name), and
    /// one bytes or text output. Its C parameters are those of the v1.0 operation shape.
    pub fn signature(&self) -> signature::Signature {
        let name = if self.kind.takes_str() {
            "text"
        } else {
            "data"
        };
        signature::Signature::operation(name, self.kind.takes_str(), self.kind.returns_str())
    }
}

/// An analysed `#[vix_ffi::export]` item.
#[derive(Clone)]
pub enum Export {
    /// A function of the v1.0 operation shape: one `&[u8]`/`&str` input, a
    /// `Vec<u8>`/`String` result or a sized writer, and no Python-side arguments; written
    /// into the manifest with `args` and a `kind`, as before typed signatures.
    Operation(Operation),
    /// Any other function: a typed signature (ABI v1.1).
    Typed(Typed),
    /// `<prefix>ffi_version`.
    Version(Version),
    /// An `impl` block exported as a class (ABI v1.1 objects).
    Class(Box<Class>),
}

impl Export {
    /// The package prefix.
    pub fn prefix(&self) -> &str {
        match self {
            Export::Operation(op) => &op.prefix,
            Export::Typed(t) => &t.prefix,
            Export::Version(v) => &v.prefix,
            Export::Class(c) => &c.prefix,
        }
    }

    /// The name of the function in the manifest (and in Python): the Rust function's
    /// name, or `version`.
    pub fn name(&self) -> String {
        match self {
            Export::Operation(op) => unraw(&op.ident),
            Export::Typed(t) => unraw(&t.ident),
            Export::Version(_) => VERSION_NAME.to_owned(),
            Export::Class(c) => c.name.clone(),
        }
    }

    /// The exported C symbol: the prefix and the Rust function's name, or
    /// `<prefix>ffi_version`.
    pub fn symbol(&self) -> String {
        match self {
            Export::Operation(op) => format!("{}{}", op.prefix, unraw(&op.ident)),
            Export::Typed(t) => format!("{}{}", t.prefix, unraw(&t.ident)),
            Export::Version(v) => format!("{}{VERSION_SUFFIX}", v.prefix),
            Export::Class(c) => format!("{}_new", c.c_name),
        }
    }

    /// The Rust item the export wraps.
    pub fn ident(&self) -> &syn::Ident {
        match self {
            Export::Operation(op) => &op.ident,
            Export::Typed(t) => &t.ident,
            Export::Version(v) => &v.ident,
            Export::Class(c) => &c.ident,
        }
    }
}

/// The identifier without a raw `r#`.
pub fn unraw(ident: &syn::Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

/// Collects every problem of an item before failing, so that one compile shows them all.
#[derive(Default)]
struct Problems(Option<syn::Error>);

impl Problems {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push_error(syn::Error::new(span, message));
    }

    fn push_spanned(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push_error(syn::Error::new_spanned(tokens, message));
    }

    fn push_error(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    fn finish<T>(self, value: impl FnOnce() -> T) -> syn::Result<T> {
        match self.0 {
            Some(err) => Err(err),
            None => Ok(value()),
        }
    }
}

/// Checks an annotated item and its arguments; `attr_span` is where errors about the
/// attribute as a whole point (a missing prefix).
pub fn analyze(args: &Args, item: &Item, attr_span: Span) -> syn::Result<Export> {
    let mut problems = Problems::default();
    let prefix = check_prefix(args, attr_span, &mut problems);
    if !matches!(item, Item::Impl(_)) {
        for (what, span) in [
            ("name", args.name.as_ref().map(LitStr::span)),
            ("constructor", args.constructor),
            ("skip", args.skip),
        ] {
            if let Some(span) = span {
                problems.push(
                    span,
                    format!(
                        "`{what}` applies to an exported class (`name` on its `impl`) and to \
                         the items inside it (in `#[vix(...)]`), not to a function or a version \
                         string"
                    ),
                );
            }
        }
    }
    match item {
        Item::Fn(f) => analyze_fn(args, f, prefix, problems),
        Item::Const(c) => analyze_const(args, c, prefix, problems),
        Item::Impl(i) => class::analyze(args, i, prefix, problems),
        other => {
            problems.push(
                item_span(other),
                "`#[vix_ffi::export]` applies to a function (an operation), to a `const` \
                 of type `&str` (the version string) or to an `impl` block (a class)",
            );
            Err(problems.0.expect("a problem was pushed"))
        }
    }
}

/// The span of an item's keyword and name, to point at it without the whole body.
fn item_span(item: &Item) -> Span {
    match item {
        Item::Enum(i) => i.ident.span(),
        Item::Struct(i) => i.ident.span(),
        Item::Static(i) => i.ident.span(),
        Item::Mod(i) => i.ident.span(),
        Item::Trait(i) => i.ident.span(),
        Item::Type(i) => i.ident.span(),
        Item::Union(i) => i.ident.span(),
        other => other.span(),
    }
}

fn check_prefix(args: &Args, attr_span: Span, problems: &mut Problems) -> String {
    let Some(lit) = &args.prefix else {
        problems.push(
            attr_span,
            "missing `prefix`: every exported symbol carries the package prefix, as in \
             `#[vix_ffi::export(prefix = \"mylib_\")]`",
        );
        return String::new();
    };
    let prefix = lit.value();
    let valid = prefix.len() >= 2
        && prefix.ends_with('_')
        && prefix.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        problems.push(
            lit.span(),
            format!(
                "invalid prefix {prefix:?}: a prefix starts a C identifier and ends with `_`, \
                 like \"mylib_\" (ASCII letters, digits and `_`, not starting with a digit)"
            ),
        );
    }
    prefix
}

fn analyze_const(
    args: &Args,
    item: &ItemConst,
    prefix: String,
    mut problems: Problems,
) -> syn::Result<Export> {
    if let Some(size) = &args.size {
        problems.push_spanned(
            size,
            "`size` applies to operations, not to a version string",
        );
    }
    if let Some(kind) = &args.kind {
        problems.push(
            kind.span(),
            "`kind` applies to operations; a version string always has kind `version`",
        );
    }
    if let Some(ascii) = args.ascii {
        problems.push(
            ascii,
            "`ascii` applies to operations that return text into the caller's buffer, not to \
             a version string",
        );
    }
    if let Some(blocks) = &args.output_blocks {
        problems.push(
            blocks.key,
            "`output_blocks` gives the output size of an operation, not of a version string",
        );
    }
    let python_arguments = args
        .defaults
        .iter()
        .map(|(name, _)| ("default", name))
        .chain(
            args.passing_lists()
                .into_iter()
                .flat_map(|(what, names, _)| names.iter().map(move |n| (what, n))),
        );
    for (what, name) in python_arguments {
        problems.push(
            name.span(),
            format!("`{what}` applies to the parameters of a function, not to a version string"),
        );
    }
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        problems.push_spanned(&item.generics, "a version string `const` cannot be generic");
    }
    if !is_ref_to(&item.ty, "str", false) {
        problems.push_spanned(
            &item.ty,
            format!(
                "a version string is a `const` of type `&str` (a static string), not `{}`",
                show(&item.ty)
            ),
        );
    }
    problems.finish(|| {
        Export::Version(Version {
            prefix,
            ident: item.ident.clone(),
        })
    })
}

/// Whether a function has the v1.0 operation shape, which keeps its v1.0 analysis (and
/// manifest form): one `&[u8]`/`&str` input, optionally followed by the writer, and none
/// of the arguments that only typed signatures have.
fn is_operation_shaped(args: &Args, sig: &Signature) -> bool {
    let mut inputs = sig.inputs.iter();
    let first_is_buffer = matches!(inputs.next(), Some(FnArg::Typed(arg))
        if is_ref_to(&arg.ty, "[u8]", false) || is_ref_to(&arg.ty, "str", false));
    let (rest_is_writer, has_writer) = match (inputs.next(), inputs.next()) {
        (None, _) => (true, false),
        (Some(FnArg::Typed(arg)), None) => (is_writer(&arg.ty), true),
        _ => (false, false),
    };
    // Without the writer, the v1.0 shape returns bytes or text; any other result (a
    // scalar, nothing, or a mistake) is a typed signature's, and explained as one.
    let returns_buffer = has_writer
        || matches!(&sig.output, ReturnType::Type(_, ty)
            if result_ok_type(ty).is_some_and(|ok| is_vec_u8(ok) || is_plain(ok, "String")));
    first_is_buffer && rest_is_writer && returns_buffer && !args.has_python_arguments()
}

fn analyze_fn(
    args: &Args,
    item: &ItemFn,
    prefix: String,
    mut problems: Problems,
) -> syn::Result<Export> {
    let sig = &item.sig;
    check_qualifiers(sig, &mut problems);
    if !is_operation_shaped(args, sig) {
        return typed::analyze(args, sig, prefix, problems);
    }
    let mut inputs = sig.inputs.iter();
    let input = match inputs.next() {
        None => {
            problems.push(
                sig.paren_token.span.join(),
                format!(
                    "`{}` takes no input: an exported function takes `&[u8]` or `&str`",
                    sig.ident
                ),
            );
            None
        }
        Some(FnArg::Receiver(receiver)) => {
            problems.push_spanned(
                receiver,
                "an exported function is a free function; it cannot take `self`",
            );
            None
        }
        Some(FnArg::Typed(arg)) => input_type(&arg.ty, &mut problems),
    };
    let writer = inputs.next().map(|arg| match arg {
        FnArg::Typed(arg) if is_writer(&arg.ty) => true,
        other => {
            problems.push_spanned(
                other,
                "an exported function takes one input, `&[u8]` or `&str`, and, when it has \
                 `size = ...` or `output_blocks = ...`, the caller's buffer as \
                 `out: &mut vix_ffi::Output<'_>`",
            );
            false
        }
    });
    for extra in inputs {
        problems.push_spanned(
            extra,
            "too many arguments: an exported function takes `&[u8]` or `&str`, and \
             `&mut vix_ffi::Output<'_>` when it has `size = ...` or `output_blocks = ...`",
        );
    }
    // With a second argument that is not the writer, the intended form is unclear: the
    // output and `size` are not checked against either.
    let shape = match writer {
        Some(false) => None,
        _ => output_shape(sig, writer.is_some(), &mut problems),
    };
    let blocks = args
        .output_blocks
        .as_ref()
        .and_then(|b| check_blocks(&b.value, &mut problems));
    match (&args.size, &args.output_blocks, writer) {
        (Some(_), Some(blocks), _) => problems.push(
            blocks.key,
            "`output_blocks` and `size` both give the output size: keep `output_blocks = (in, \
             out)` when it is `out * ceil(n / in)` bytes for an input of n bytes, or \
             `size = <fn>` otherwise",
        ),
        (Some(size), None, None) => problems.push_spanned(
            size,
            "with `size = ...` the function writes into the caller's buffer: its signature is \
             `fn(&[u8], &mut vix_ffi::Output<'_>) -> vix_ffi::Result<()>`",
        ),
        (None, Some(blocks), None) => {
            let built = match shape {
                Some(Shape::Vec) => {
                    "; a function returning `Vec<u8>` builds its output \
                                     first, so it has no size before the work"
                }
                Some(Shape::String) => {
                    "; a function returning `String` builds its output \
                                        first, so it has no size before the work"
                }
                _ => "",
            };
            problems.push(
                blocks.key,
                format!(
                    "with `output_blocks = ...` the function writes into the caller's buffer: \
                     its signature is `fn(&[u8], &mut vix_ffi::Output<'_>) -> \
                     vix_ffi::Result<()>`{built}"
                ),
            );
        }
        (None, None, Some(true)) => problems.push(
            sig.ident.span(),
            "a function that writes into `&mut vix_ffi::Output` needs `size = <fn>` or \
             `output_blocks = (in, out)`, the exact output size for an input, computed before \
             the work",
        ),
        _ => {}
    }
    let kind = match (input, shape) {
        (Some(input), Some(shape)) => check_kind(args, input, shape, &mut problems),
        _ => None,
    };
    if let (Some(ascii), Some(input), Some(shape), Some(kind)) = (args.ascii, input, shape, kind) {
        check_ascii(args, ascii, (input, shape, kind), &mut problems);
    }
    let output_span = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => sig.ident.span(),
    };
    problems.finish(|| {
        Export::Operation(Operation {
            prefix,
            ident: sig.ident.clone(),
            input: input.expect("no problem means an input"),
            shape: shape.expect("no problem means a shape"),
            kind: kind.expect("no problem means a kind"),
            size: args.size.clone().map(Box::new),
            output_blocks: blocks,
            ascii: args.ascii.is_some(),
            output_span,
        })
    })
}

fn check_qualifiers(sig: &Signature, problems: &mut Problems) {
    if let Some(token) = &sig.asyncness {
        problems.push(
            token.span,
            "an exported function cannot be `async`: ABI v1 calls are synchronous",
        );
    }
    if let syn::Safety::Unsafe(token) = &sig.safety {
        problems.push(
            token.span,
            "an exported function must be safe: the generated symbol is the only unsafe \
             code, and it checks every pointer before calling it",
        );
    }
    if let Some(abi) = &sig.abi {
        problems.push_spanned(
            abi,
            "write a plain Rust function: `#[vix_ffi::export]` generates the `extern \"C\"` \
             symbol",
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        problems.push_spanned(
            &sig.generics,
            "an exported function cannot be generic: a C symbol has one concrete signature",
        );
    }
    if let Some(variadic) = &sig.variadic {
        problems.push_spanned(variadic, "an exported function cannot be variadic");
    }
}

/// A type as written, without the spaces of token printing: `Vec<u8>`, `&'a [u8]`.
fn show(tokens: impl ToTokens) -> String {
    let text = tokens.to_token_stream().to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let prev = out.chars().last();
        let drop = c == ' '
            && (matches!(prev, Some('<' | '&' | ':' | '(' | '[' | '\''))
                || matches!(next, Some('<' | '>' | ':' | ',' | ')' | ']')));
        if !drop {
            out.push(c);
        }
    }
    out
}

/// Strips the invisible groups that macro_rules expansions wrap types in.
fn ungroup(mut ty: &Type) -> &Type {
    loop {
        match ty {
            Type::Group(g) => ty = &g.elem,
            Type::Paren(p) => ty = &p.elem,
            _ => return ty,
        }
    }
}

/// The last segment of a path type, with its generic arguments; `None` for `<T as X>::Y`.
fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ungroup(ty) {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
    }
}

fn is_plain(ty: &Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == name && s.arguments.is_none())
}

/// `&T` (or `&mut T` when `mutable`), with any lifetime: a named one is refused as a
/// generic parameter, `'static` by the compiler where it does not fit.
fn is_ref_to(ty: &Type, name: &str, mutable: bool) -> bool {
    match ungroup(ty) {
        Type::Reference(r) => {
            r.mutability.is_some() == mutable
                && match name {
                    "[u8]" => {
                        matches!(ungroup(&r.elem), Type::Slice(s) if is_plain(&s.elem, "u8"))
                    }
                    _ => is_plain(&r.elem, name),
                }
        }
        _ => false,
    }
}

fn input_type(ty: &Type, problems: &mut Problems) -> Option<Input> {
    if is_ref_to(ty, "[u8]", false) {
        Some(Input::Bytes)
    } else if is_ref_to(ty, "str", false) {
        Some(Input::Str)
    } else {
        problems.push_spanned(
            ty,
            format!(
                "unsupported input type `{}`: an exported function takes `&[u8]` (any bytes) \
                 or `&str` (UTF-8 text)",
                show(ty)
            ),
        );
        None
    }
}

/// `&mut Output` or `&mut Output<'_>`, under any path (`vix_ffi::Output`).
fn is_writer(ty: &Type) -> bool {
    match ungroup(ty) {
        Type::Reference(r) if r.mutability.is_some() => last_segment(&r.elem).is_some_and(|s| {
            s.ident == OUTPUT_TYPE
                && match &s.arguments {
                    PathArguments::None => true,
                    PathArguments::AngleBracketed(a) => {
                        a.args.len() == 1
                            && matches!(&a.args[0], GenericArgument::Lifetime(l) if l.ident == "_")
                    }
                    PathArguments::Parenthesized(_) => false,
                }
        }),
        _ => false,
    }
}

/// The `T` of `Result<T>` or `Result<T, E>`.
fn result_ok_type(ty: &Type) -> Option<&Type> {
    let segment = last_segment(ty)?;
    if segment.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    if !(1..=2).contains(&args.args.len()) {
        return None;
    }
    match &args.args[0] {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

fn is_vec_u8(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|s| {
        s.ident == "Vec"
            && matches!(&s.arguments, PathArguments::AngleBracketed(a)
                if a.args.len() == 1
                    && matches!(&a.args[0], GenericArgument::Type(t) if is_plain(t, "u8")))
    })
}

fn is_unit(ty: &Type) -> bool {
    matches!(ungroup(ty), Type::Tuple(t) if t.elems.is_empty())
}

fn output_shape(sig: &Signature, sized: bool, problems: &mut Problems) -> Option<Shape> {
    let expected = if sized {
        "`vix_ffi::Result<()>` (the bytes written into `out` are the output)"
    } else {
        "`vix_ffi::Result<Vec<u8>>` or `vix_ffi::Result<String>`"
    };
    let ty = match &sig.output {
        ReturnType::Default => {
            problems.push(
                sig.ident.span(),
                format!(
                    "`{}` returns nothing: an exported function returns {expected}",
                    sig.ident
                ),
            );
            return None;
        }
        ReturnType::Type(_, ty) => ty,
    };
    let Some(ok) = result_ok_type(ty) else {
        problems.push_spanned(
            ty,
            format!(
                "`{}` is not a `Result`: an exported function returns {expected}, so that a \
                 failure reaches the caller as a status code and a message",
                show(ty)
            ),
        );
        return None;
    };
    let shape = if sized {
        is_unit(ok).then_some(Shape::Sized)
    } else if is_vec_u8(ok) {
        Some(Shape::Vec)
    } else if is_plain(ok, "String") {
        Some(Shape::String)
    } else {
        None
    };
    if shape.is_none() {
        problems.push_spanned(
            ok,
            format!(
                "unsupported output type `{}`: an exported function returns {expected}",
                show(ok)
            ),
        );
    }
    shape
}

fn check_kind(args: &Args, input: Input, shape: Shape, problems: &mut Problems) -> Option<Kind> {
    let Some(lit) = &args.kind else {
        return Some(Kind::from_types(input, shape));
    };
    let name = lit.value();
    let Some(kind) = Kind::ALL.into_iter().find(|k| k.manifest_name() == name) else {
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.manifest_name()).collect();
        problems.push(
            lit.span(),
            format!(
                "unknown kind {name:?}: an operation's kind is one of {}",
                known.join(", ")
            ),
        );
        return None;
    };
    if input == Input::Str && !kind.takes_str() {
        problems.push(
            lit.span(),
            format!(
                "kind {name:?} passes any bytes, but the function takes `&str`: use a kind that \
                 passes text (`str_to_bytes`, `str_to_str`), or take `&[u8]`"
            ),
        );
        return None;
    }
    if shape == Shape::Vec && kind.returns_str() {
        problems.push(
            lit.span(),
            format!(
                "kind {name:?} returns text, but the function returns `Vec<u8>`, which need \
                 not be UTF-8: return `String`, or use a kind that returns bytes"
            ),
        );
        return None;
    }
    Some(kind)
}

/// The value of `output_blocks = (a, b)`: two integer literals from 1 to `u32::MAX`.
fn check_blocks(value: &Expr, problems: &mut Problems) -> Option<OutputBlocks> {
    let mut value = value;
    while let Expr::Group(g) = value {
        value = &g.expr;
    }
    let elems: Vec<&Expr> = match value {
        Expr::Tuple(t) => t.elems.iter().collect(),
        Expr::Paren(p) => vec![&*p.expr],
        _ => {
            problems.push_spanned(
                value,
                format!(
                    "expected `(in, out)`, two whole numbers in parentheses as in \
                     `output_blocks = (3, 4)`, not `{}`",
                    show(value)
                ),
            );
            return None;
        }
    };
    if elems.len() != 2 {
        problems.push_spanned(
            value,
            format!(
                "`output_blocks` takes exactly two values, `(in, out)`: the input bytes and \
                 the output bytes of a block; found {}",
                match elems.len() {
                    0 => "none".to_owned(),
                    1 => "one".to_owned(),
                    n => n.to_string(),
                }
            ),
        );
        return None;
    }
    let mut value_of = |expr: &Expr, what: &str| {
        let range = format!("a whole number from 1 to {}", u32::MAX);
        let Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) = expr
        else {
            problems.push_spanned(
                expr,
                format!(
                    "`{what}` of `output_blocks = (in, out)` must be an integer literal, {range} \
                     (`vix-ffi from-rust` reads it from the source), not `{}`",
                    show(expr)
                ),
            );
            return None;
        };
        if !matches!(lit.suffix(), "" | "u32") {
            problems.push(
                lit.span(),
                format!(
                    "`{what}` of `output_blocks = (in, out)` is a plain whole number, {range}: \
                     write `{}`, not `{lit}`",
                    lit.base10_digits()
                ),
            );
            return None;
        }
        let n = lit
            .base10_parse::<u64>()
            .ok()
            .filter(|&n| n >= 1)
            .and_then(|n| u32::try_from(n).ok());
        if n.is_none() {
            let bytes = if what == "in" { "input" } else { "output" };
            problems.push(
                lit.span(),
                format!(
                    "`{what}` of `output_blocks = (in, out)`, the {bytes} bytes of a block, is \
                     {range}, not {}",
                    lit.base10_digits()
                ),
            );
        }
        n
    };
    let input = value_of(elems[0], "in");
    let output = value_of(elems[1], "out");
    Some(OutputBlocks {
        input: input?,
        output: output?,
    })
}

/// `ascii` promises ASCII text, which only kinds that return text have.
fn check_ascii(
    args: &Args,
    ascii: Span,
    (input, shape, kind): (Input, Shape, Kind),
    problems: &mut Problems,
) {
    if kind.returns_str() {
        return;
    }
    let text_kinds: Vec<String> = Kind::ALL
        .iter()
        .filter(|k| k.returns_str())
        .map(|k| format!("`{}`", k.manifest_name()))
        .collect();
    let why_and_how = match (shape, &args.kind) {
        (Shape::Vec, _) => {
            " of a function returning `Vec<u8>`: return `String`, or drop `ascii`".to_owned()
        }
        (Shape::Sized, None) => format!(
            ", which a sized function has unless `kind` says otherwise: add `kind = {:?}`, or \
             drop `ascii`",
            Kind::from_types(input, Shape::String).manifest_name()
        ),
        _ => ": use a kind that returns text, or drop `ascii`".to_owned(),
    };
    problems.push(
        ascii,
        format!(
            "`ascii` promises ASCII output, which only kinds that return text have ({}), not \
             kind {:?}{why_and_how}",
            text_kinds.join(", "),
            kind.manifest_name()
        ),
    );
}

/// The text of an item's doc comments (`///`, `/** */`, `#[doc = "..."]`), as rustdoc
/// reads it: the lines joined, their common indentation removed, leading and trailing
/// blank lines dropped. `None` without doc comments. Errors on `#[doc = macro!(...)]`,
/// whose text only the compiler knows.
pub fn doc_text(attrs: &[Attribute]) -> syn::Result<Option<String>> {
    let mut lines: Vec<String> = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        match &attr.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => lines.extend(s.value().split('\n').map(str::to_owned)),
                other => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "a doc comment must be a string literal to be carried into the \
                         manifest and the header",
                    ))
                }
            },
            // `#[doc(hidden)]` and the like carry no text.
            _ => continue,
        }
    }
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let lines: Vec<&str> = lines
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                ""
            } else {
                l[indent..].trim_end()
            }
        })
        .collect();
    let start = lines.iter().position(|l| !l.is_empty());
    let end = lines.iter().rposition(|l| !l.is_empty());
    Ok(match (start, end) {
        (Some(start), Some(end)) => Some(lines[start..=end].join("\n")),
        _ => None,
    })
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod typed_tests;

#[cfg(test)]
mod class_tests;
