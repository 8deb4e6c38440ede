//! Typed signatures (ABI v1.1): any number of `&[u8]`, `&str` and scalar parameters, and
//! a result of bytes, text, a scalar or nothing, with Python defaults and passing rules
//! given in the attribute.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, FnArg, Lit, Pat, ReturnType, Signature, Type, UnOp};
use vix_ffi_signature::{
    self as model, Default, Output as Returns, Param, ParamType, Passing, Scalar,
};

use super::class::{class_candidate, option_of, other_object};
use super::ObjectType;
use super::{
    check_blocks, is_plain, is_ref_to, is_unit, is_vec_u8, is_writer, result_ok_type, show, unraw,
    Args, Export, OutputBlocks, Problems,
};

/// A function with a typed signature.
#[derive(Clone)]
pub struct Typed {
    /// The package prefix, e.g. `demo_`.
    pub prefix: String,
    /// The Rust function.
    pub ident: syn::Ident,
    /// The signature: the Rust parameters in order (their names, without `r#`, are the
    /// Python and C names), and the output.
    pub signature: model::Signature,
    /// The Rust parameters' identifiers, in the order of `signature.params`.
    pub rust_params: Vec<syn::Ident>,
    /// Whether the function writes its output into a trailing `&mut vix_ffi::Output<'_>`
    /// (then it has `size`, or `output_blocks` and exactly one buffer input).
    pub writer: bool,
    /// `size = <expr>` of a writer: a closure naming parameters, or a function of its one
    /// buffer input.
    pub size: Option<Box<Expr>>,
    /// The parameters (indices in `signature.params`) passed to `size`, in its order.
    pub size_args: Vec<usize>,
    /// `output_blocks = (a, b)` of a writer.
    pub output_blocks: Option<OutputBlocks>,
    /// `ascii`: every successful text output is ASCII.
    pub ascii: bool,
    /// The return type, where type errors about the result point.
    pub output_span: Span,
    /// The classes the signature names (`&Other` parameters, an `Other` result), by the
    /// [`ClassId`](vix_ffi_signature::ClassId)s in it: local indices, which `from-rust`
    /// maps to the manifest's `classes` by name. For a class member, 0 is its own class.
    pub objects: Vec<ObjectType>,
}

/// The type of one parameter, or `None` (reported) when it has no ABI type.
pub(super) fn param_type(ty: &Type, problems: &mut Problems) -> Option<ParamType> {
    if is_ref_to(ty, "[u8]", false) {
        return Some(ParamType::Bytes);
    }
    if is_ref_to(ty, "str", false) {
        return Some(ParamType::Str);
    }
    if let Some(scalar) = scalar_type(ty) {
        return Some(ParamType::Scalar(scalar));
    }
    problems.push_spanned(
        ty,
        format!(
            "unsupported parameter type `{}`: an exported function takes `&[u8]` (any bytes), \
             `&str` (UTF-8 text), a scalar ({}), `&Other` (an object of an exported class) or \
             `Option<...>` of a reference (None is NULL)",
            show(ty),
            scalar_list()
        ),
    );
    None
}

pub(super) fn scalar_type(ty: &Type) -> Option<Scalar> {
    Scalar::ALL
        .into_iter()
        .find(|s| is_plain(ty, s.rust_type()))
}

pub(super) fn scalar_list() -> String {
    Scalar::ALL
        .iter()
        .map(|s| format!("`{}`", s.rust_type()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) const RESULTS: &str =
    "`Result<T>` with `T` one of `Vec<u8>`, `String`, `()` or a scalar";

/// The output of a function without a writer.
fn returns(
    sig: &Signature,
    writer: bool,
    objects: &mut Vec<ObjectType>,
    problems: &mut Problems,
) -> Option<Returns> {
    let expected = if writer {
        "`vix_ffi::Result<()>` (the bytes written into `out` are the output)".to_owned()
    } else {
        RESULTS.to_owned()
    };
    let ty = match &sig.output {
        ReturnType::Default => {
            problems.push(
                sig.ident.span(),
                format!(
                    "`{}` returns nothing: an exported function returns {expected}, so that a \
                     failure reaches the caller as a status code and a message (`Result<()>` \
                     for no value)",
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
    let output = if writer {
        is_unit(ok).then_some(Returns::Bytes)
    } else if is_vec_u8(ok) {
        Some(Returns::Bytes)
    } else if is_plain(ok, "String") {
        Some(Returns::Str)
    } else if is_unit(ok) {
        Some(Returns::None)
    } else if let Some(s) = scalar_type(ok) {
        Some(Returns::Scalar(s))
    } else if class_candidate(ok) {
        // A new object of an exported class (checked by the compiler and `from-rust`).
        other_object(ok, objects).map(Returns::Object)
    } else {
        None
    };
    if output.is_none() {
        problems.push_spanned(
            ok,
            format!(
                "unsupported result type `{}`: an exported function returns {expected}{}",
                show(ok),
                if writer {
                    String::new()
                } else {
                    format!(" ({})", scalar_list())
                }
            ),
        );
    }
    output
}

pub(super) fn analyze(
    args: &Args,
    sig: &Signature,
    prefix: String,
    mut problems: Problems,
) -> syn::Result<Export> {
    let mut params: Vec<Param> = Vec::new();
    let mut idents: Vec<syn::Ident> = Vec::new();
    let mut complete = true;
    let mut writer = false;
    let mut objects: Vec<ObjectType> = Vec::new();
    let count = sig.inputs.len();
    for (i, arg) in sig.inputs.iter().enumerate() {
        let arg = match arg {
            FnArg::Receiver(receiver) => {
                problems.push_spanned(
                    receiver,
                    "an exported function is a free function; it cannot take `self`",
                );
                complete = false;
                continue;
            }
            FnArg::Typed(arg) => arg,
        };
        if is_writer(&arg.ty) {
            if i + 1 == count {
                writer = true;
            } else {
                problems.push_spanned(
                    arg,
                    "the caller's buffer `&mut vix_ffi::Output<'_>` is the last parameter",
                );
                complete = false;
            }
            continue;
        }
        let (ty, optional) = match object_or_optional(&arg.ty, &mut objects) {
            Some((ty, optional)) => (Some(ty), optional),
            None => (param_type(&arg.ty, &mut problems), false),
        };
        let name = match &*arg.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
            other => {
                problems.push_spanned(
                    other,
                    "write a plain name for a parameter of an exported function: it is the \
                     name Python callers see",
                );
                None
            }
        };
        match (ty, name) {
            (Some(ty), Some(name)) => {
                let mut param = Param::new(unraw(&name), ty);
                param.optional = optional;
                params.push(param);
                idents.push(name);
            }
            _ => complete = false,
        }
    }
    let output = returns(sig, writer, &mut objects, &mut problems);
    if let Some(kind) = &args.kind {
        problems.push(
            kind.span(),
            "`kind` chooses the v1.0 form of a function with one `&[u8]`/`&str` input; this \
             function has a typed signature, whose Python types follow from the Rust types",
        );
    }
    let blocks = args
        .output_blocks
        .as_ref()
        .and_then(|b| check_blocks(&b.value, &mut problems));
    let size_args = check_sizing(args, sig, writer, &params, output, &mut problems);
    if let (Some(ascii), Some(output)) = (args.ascii, output) {
        if !(writer || output == Returns::Str) {
            problems.push(
                ascii,
                format!(
                    "`ascii` promises ASCII text, but this function returns {}: return \
                     `String`, or drop `ascii`",
                    match output {
                        Returns::Bytes => "`Vec<u8>`, which is bytes, not text".to_owned(),
                        Returns::None => "nothing".to_owned(),
                        Returns::Scalar(s) => format!("`{}`", s.rust_type()),
                        Returns::Str => unreachable!("checked above"),
                        Returns::Object(_) => "an object".to_owned(),
                        Returns::This => unreachable!("a function has no object of its own"),
                    }
                ),
            );
        }
    }
    apply_python_arguments(args, &mut params, &mut problems);
    let output = match (output, writer, args.ascii) {
        // A writer's output is bytes, or ASCII text with `ascii`.
        (Some(Returns::Bytes), true, Some(_)) => Some(Returns::Str),
        (output, _, _) => output,
    };
    let output_span = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => sig.ident.span(),
    };
    let (Some(output), true) = (output, complete) else {
        return Err(problems
            .0
            .unwrap_or_else(|| syn::Error::new(sig.ident.span(), "unsupported signature")));
    };
    let signature = model::Signature {
        receiver: None,
        params,
        output,
    };
    for (index, message) in signature.problems() {
        let span = index.map_or(sig.ident.span(), |i| idents[i].span());
        problems.push(span, message);
    }
    problems.finish(|| {
        Export::Typed(Typed {
            prefix,
            ident: sig.ident.clone(),
            signature,
            rust_params: idents,
            writer,
            size: args.size.clone().map(Box::new),
            size_args,
            output_blocks: blocks,
            ascii: args.ascii.is_some(),
            output_span,
            objects,
        })
    })
}

/// An object parameter (`&Other`, `Option<&Other>`) or an optional buffer
/// (`Option<&[u8]>`, `Option<&str>`), with whether it is optional; `None` for any other
/// type.
fn object_or_optional(ty: &Type, objects: &mut Vec<ObjectType>) -> Option<(ParamType, bool)> {
    let (inner, optional) = match option_of(ty) {
        Some(inner) => (inner, true),
        None => (ty, false),
    };
    if optional && is_ref_to(inner, "[u8]", false) {
        return Some((ParamType::Bytes, true));
    }
    if optional && is_ref_to(inner, "str", false) {
        return Some((ParamType::Str, true));
    }
    match super::ungroup(inner) {
        Type::Reference(r) if r.mutability.is_none() => {
            other_object(&r.elem, objects).map(|id| (ParamType::Object(id), optional))
        }
        _ => None,
    }
}

/// `size` and `output_blocks` need the writer, and the writer needs one of them; returns
/// the parameters passed to `size` (see [`size_arguments`]).
fn check_sizing(
    args: &Args,
    sig: &Signature,
    writer: bool,
    params: &[Param],
    output: Option<Returns>,
    problems: &mut Problems,
) -> Vec<usize> {
    match (&args.size, &args.output_blocks) {
        (Some(_), Some(blocks)) => problems.push(
            blocks.key,
            "`output_blocks` and `size` both give the output size: keep one",
        ),
        (Some(size), None) if !writer => problems.push_spanned(
            size,
            "with `size = ...` the function writes into the caller's buffer: take \
             `out: &mut vix_ffi::Output<'_>` as the last parameter and return \
             `vix_ffi::Result<()>`",
        ),
        (None, Some(blocks)) if !writer => problems.push(
            blocks.key,
            format!(
                "with `output_blocks = ...` the function writes into the caller's buffer: take \
                 `out: &mut vix_ffi::Output<'_>` as the last parameter and return \
                 `vix_ffi::Result<()>`{}",
                match output {
                    Some(Returns::Bytes | Returns::Str) => {
                        "; a function returning `Vec<u8>` or `String` builds its output first, \
                         so it has no size before the work"
                    }
                    _ => "",
                }
            ),
        ),
        (None, None) if writer => problems.push(
            sig.ident.span(),
            "a function that writes into `&mut vix_ffi::Output` needs `size = <fn>` or \
             `output_blocks = (in, out)`, the exact output size, computed before the work",
        ),
        _ => {}
    }
    if !writer {
        return Vec::new();
    }
    match (&args.size, &args.output_blocks) {
        (Some(size), _) => size_arguments(size, params, &sig.ident, problems),
        (None, Some(_)) => {
            let single = model::single_buffer(params);
            if single.is_none() {
                problems.push(
                    sig.ident.span(),
                    format!(
                        "`output_blocks` sizes the output from the one `&[u8]` or `&str` \
                         input; `{}` has {}: give `size = |name, ...| ...` instead",
                        sig.ident,
                        params.iter().filter(|p| p.ty.is_buffer()).count()
                    ),
                );
            }
            single.into_iter().collect()
        }
        (None, None) => Vec::new(),
    }
}

/// The parameters a writer's `size = <expr>` receives, in its order: a closure whose
/// parameters are all named as parameters of the function receives those (`size =
/// |length| Ok(length)`); any other expression (`size = |d| Ok(d.len())`, a function's
/// name) is called with the one buffer input, which the function must then have.
pub(super) fn size_arguments(
    size: &Expr,
    params: &[Param],
    function: &syn::Ident,
    problems: &mut Problems,
) -> Vec<usize> {
    if let Expr::Closure(closure) = size {
        let named: Option<Vec<usize>> = closure
            .inputs
            .iter()
            .map(|input| {
                let pat = match input {
                    Pat::Type(t) => &*t.pat,
                    other => other,
                };
                let Pat::Ident(ident) = pat else {
                    return None;
                };
                let name = unraw(&ident.ident);
                params.iter().position(|p| p.name == name)
            })
            .collect();
        if let Some(named) = named.filter(|n| !n.is_empty()) {
            return named;
        }
    }
    match model::single_buffer(params) {
        Some(i) => vec![i],
        None => {
            let names: Vec<String> = params.iter().map(|p| format!("`{}`", p.name)).collect();
            problems.push_spanned(
                size,
                format!(
                    "`size` of `{function}` is not a closure naming its parameters, so it would \
                     be called with the one `&[u8]` or `&str` input, which `{function}` does not \
                     have: write `size = |{}| ...` with parameters of {}",
                    params
                        .iter()
                        .find(|p| !p.ty.is_buffer())
                        .map_or("length", |p| p.name.as_str()),
                    if names.is_empty() {
                        "the function (it has none)".to_owned()
                    } else {
                        format!("the function ({})", names.join(", "))
                    }
                ),
            );
            Vec::new()
        }
    }
}

/// `default(...)`, `keyword_only(...)`, `positional_only(...)`, `positional(...)`.
pub(super) fn apply_python_arguments(args: &Args, params: &mut [Param], problems: &mut Problems) {
    let names: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
    let find = |name: &syn::Ident, what: &str, problems: &mut Problems| {
        let index = names.iter().position(|p| *p == unraw(name));
        if index.is_none() {
            let known: Vec<String> = names.iter().map(|p| format!("`{p}`")).collect();
            problems.push(
                name.span(),
                format!(
                    "{what} names `{name}`, which is not a parameter of this function{}",
                    if known.is_empty() {
                        " (it has none)".to_owned()
                    } else {
                        format!(" ({})", known.join(", "))
                    }
                ),
            );
        }
        index
    };
    for (name, value) in &args.defaults {
        let Some(i) = find(name, "`default`", problems) else {
            continue;
        };
        match default_value(value, params[i].ty, params[i].optional) {
            Ok(d) => {
                params[i].default = Some(d);
                params[i].passing = Passing::KeywordOnly;
            }
            Err(message) => problems.push_spanned(
                value,
                format!("the default of `{}`: {message}", params[i].name),
            ),
        }
    }
    let mut set_by: Vec<Option<&'static str>> = vec![None; params.len()];
    for (what, names, passing) in args.passing_lists() {
        for name in names {
            let Some(i) = find(name, &format!("`{what}`"), problems) else {
                continue;
            };
            if let Some(before) = set_by[i] {
                problems.push(
                    name.span(),
                    if before == what {
                        format!("`{name}` is listed twice in `{what}`")
                    } else {
                        format!("`{name}` is in both `{before}` and `{what}`: keep one")
                    },
                );
                continue;
            }
            if passing == Passing::Either && params[i].default.is_none() {
                problems.push(
                    name.span(),
                    format!(
                        "`positional` lets a parameter with a default be passed by position; \
                         `{name}` has no default, so it already can be"
                    ),
                );
                continue;
            }
            set_by[i] = Some(what);
            params[i].passing = passing;
        }
    }
}

/// A default written in the attribute, as a value of `ty`.
pub(super) fn default_value(expr: &Expr, ty: ParamType, optional: bool) -> Result<Default, String> {
    let mut expr = expr;
    while let Expr::Group(g) = expr {
        expr = &g.expr;
    }
    if let Expr::Path(p) = expr {
        if p.qself.is_none() && p.path.is_ident("None") {
            return if optional {
                Ok(Default::None)
            } else {
                Err(format!(
                    "`None` is the default of an `Option<...>` parameter only; expected {}",
                    wanted(ty)
                ))
            };
        }
    }
    let (negative, lit) = match expr {
        Expr::Lit(ExprLit { lit, .. }) => (false, lit),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr: inner,
            ..
        }) => match &**inner {
            Expr::Lit(ExprLit {
                lit: lit @ (Lit::Int(_) | Lit::Float(_)),
                ..
            }) => (true, lit),
            _ => return Err(not_a_literal(expr, ty)),
        },
        _ => return Err(not_a_literal(expr, ty)),
    };
    let wanted = wanted(ty);
    let written = if negative {
        format!("-{}", show(lit))
    } else {
        show(lit)
    };
    let wrong = || format!("expected {wanted}, found `{written}`");
    match (ty, lit) {
        (ParamType::Scalar(s), Lit::Int(int)) if s.int_range().is_some() => {
            if !matches!(int.suffix(), "") && int.suffix() != s.rust_type() {
                return Err(format!(
                    "`{written}` has the suffix of `{}`, but the parameter is `{}`: write `{}`",
                    int.suffix(),
                    s.rust_type(),
                    int.base10_digits()
                ));
            }
            let (lo, hi) = s.int_range().expect("an integer type");
            let value = int
                .base10_parse::<i128>()
                .ok()
                .map(|n| if negative { -n } else { n })
                .filter(|n| (lo..=hi).contains(n));
            value
                .map(Default::Int)
                .ok_or_else(|| format!("`{written}` is out of range: expected {wanted}"))
        }
        (ParamType::Scalar(Scalar::Double), Lit::Float(float)) => {
            if !matches!(float.suffix(), "" | "f64") {
                return Err(format!("expected {wanted}, not an `{}`", float.suffix()));
            }
            float
                .base10_parse::<f64>()
                .ok()
                .map(|x| if negative { -x } else { x })
                .filter(|x| x.is_finite())
                .map(Default::Float)
                .ok_or_else(|| format!("`{written}` is not a finite `f64`"))
        }
        (ParamType::Scalar(Scalar::Double), Lit::Int(int)) => Err(format!(
            "expected {wanted}: write `{}.0`",
            if negative {
                format!("-{}", int.base10_digits())
            } else {
                int.base10_digits().to_owned()
            }
        )),
        (ParamType::Scalar(Scalar::Bool), Lit::Bool(b)) if !negative => Ok(Default::Bool(b.value)),
        (ParamType::Str, Lit::Str(text)) if !negative => Ok(Default::Str(text.value())),
        (ParamType::Bytes, Lit::ByteStr(bytes)) if !negative => {
            let value = bytes.value();
            // The manifest writes a bytes default as the text of its UTF-8 bytes.
            match std::str::from_utf8(&value) {
                Ok(_) => Ok(Default::Bytes(value)),
                Err(e) => Err(format!(
                    "byte 0x{:02x} at offset {} is not UTF-8: the manifest writes a bytes \
                     default as text, so it is UTF-8 bytes",
                    value[e.valid_up_to()],
                    e.valid_up_to()
                )),
            }
        }
        (ParamType::Bytes, Lit::Str(text)) if !negative => {
            Err(format!("expected {wanted}: write `b{:?}`", text.value()))
        }
        _ => Err(wrong()),
    }
}

fn not_a_literal(expr: &Expr, ty: ParamType) -> String {
    format!(
        "expected {}, found `{}`: a default is a literal (`vix-ffi from-rust` reads it from \
         the source and writes it into the manifest)",
        wanted(ty),
        show(expr)
    )
}

fn wanted(ty: ParamType) -> String {
    match ty {
        ParamType::Bytes => {
            "a byte string literal such as `b\"\"`, as the parameter is `&[u8]`".to_owned()
        }
        ParamType::Str => "a string literal, as the parameter is `&str`".to_owned(),
        ParamType::Object(_) => "no default: an object parameter has none".to_owned(),
        ParamType::Scalar(Scalar::Bool) => {
            "`true` or `false`, as the parameter is `bool`".to_owned()
        }
        ParamType::Scalar(Scalar::Double) => {
            "a floating-point literal such as `1.0`, as the parameter is `f64`".to_owned()
        }
        ParamType::Scalar(s) => {
            let (lo, hi) = s.int_range().expect("an integer type");
            let hi = if s == Scalar::Size {
                "usize::MAX".to_owned()
            } else {
                hi.to_string()
            };
            format!(
                "an integer literal from {lo} to {hi}, as the parameter is `{}`",
                s.rust_type()
            )
        }
    }
}
