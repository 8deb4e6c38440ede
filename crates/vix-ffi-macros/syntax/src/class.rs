//! Classes (ABI v1.1 objects): an `impl` block exported with
//! `#[vix_ffi::export(prefix = "...")]`.
//!
//! The class is the `impl`'s type, named as the type is (or `name = "..."` on the
//! attribute); its C name is the prefix and the name in snake case. Inside the block:
//!
//! - the constructor is the associated function marked `#[vix(constructor)]`, or else
//!   the `pub fn new`; it returns `Result<Self>` and becomes `<c_name>_new` (Python's
//!   `__init__`);
//! - every other `pub fn` takes `&self` or `&mut self` and is a method `<c_name>_<name>`;
//!   its result is any result of a typed function, `Self` or another exported class (a
//!   new object the caller owns), or `&Self` / `&mut Self` for chaining (`"returns":
//!   "self"`: no C output, Python returns the object itself);
//! - parameters are those of typed functions, plus `&Other` (an object of an exported
//!   class, `Self` included, borrowed for the call) and `Option<&[u8]>`, `Option<&str>`,
//!   `Option<&Other>` (optional: Python's `None`, C's NULL);
//! - every `pub const` whose value is a literal (an integer, a float, a bool or a string)
//!   is a constant of the class: a read-only Python attribute named as the `const` in
//!   lower case (`DIGEST_SIZE` is `digest_size`), or as `#[vix(name = "...")]` says;
//! - `#[vix(skip)]` keeps a `pub` item out; private items are never exported.
//!
//! `#[vix(...)]` on a method also takes the parameter arguments of typed functions
//! (`default(...)`, `keyword_only(...)`, `positional_only(...)`, `positional(...)`);
//! `default(key = None)` is the default of an optional parameter.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{
    FnArg, GenericArgument, ImplItem, ImplItemConst, ImplItemFn, ItemImpl, LitStr, Pat,
    PathArguments, ReturnType, Type, Visibility,
};
/// The rule for a class's default C name, shared with the manifest parser.
pub use vix_ffi_signature::snake_case;
use vix_ffi_signature::{self as model, ClassId, Default, Output, Param, ParamType};

use super::typed::{self, RESULTS};
use super::{
    check_qualifiers, doc_text, is_plain, is_ref_to, is_unit, is_vec_u8, is_writer, last_segment,
    result_ok_type, show, ungroup, unraw, Args, Export, Problems, Typed,
};

/// The helper attribute of the items inside an exported `impl`: `#[vix(...)]`.
pub const ATTRIBUTE: &str = "vix";

/// Names every generated Python class defines itself.
const RESERVED: [&str; 2] = ["close", "closed"];

/// Method names whose symbols are the class's own (`<c_name>_new`, `<c_name>_free`).
const SYMBOL_NAMES: [&str; 2] = ["new", "free"];

/// An exported class.
#[derive(Clone)]
pub struct Class {
    /// The package prefix.
    pub prefix: String,
    /// The Rust type's name (the last segment of the `impl`'s type), which other items
    /// of the crate use to name the class.
    pub ident: syn::Ident,
    /// The `impl`'s type, as written.
    pub self_ty: Type,
    /// The Python class name (and the manifest's `name`).
    pub name: String,
    /// The C type and the stem of every symbol: the prefix and [`snake_case`] of the name.
    pub c_name: String,
    /// The constructor, `<c_name>_new`.
    pub constructor: Option<Member>,
    /// The methods, in source order.
    pub methods: Vec<Member>,
    /// The constants, in source order.
    pub constants: Vec<Constant>,
    /// The `impl` block's doc comment.
    pub doc: Option<String>,
}

impl Class {
    /// `<c_name>_free`.
    pub fn free_symbol(&self) -> String {
        format!("{}_free", self.c_name)
    }
}

/// How a method borrows its object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receiver {
    /// `&self`.
    Shared,
    /// `&mut self`.
    Exclusive,
}

/// A class named in a member's signature.
#[derive(Clone)]
pub enum ObjectType {
    /// The member's own class (`Self`, or the `impl`'s type by name).
    This,
    /// Another type, which must be an exported class (the compiler checks it through
    /// `vix_ffi::glue::Class`, `from-rust` by name).
    Other(Box<Type>),
}

impl ObjectType {
    /// The name `from-rust` resolves: the last segment of the type; `None` for
    /// [`ObjectType::This`].
    pub fn name(&self) -> Option<String> {
        match self {
            ObjectType::This => None,
            ObjectType::Other(ty) => last_segment(ty).map(|s| unraw(&s.ident)),
        }
    }
}

/// The constructor or a method of a class.
#[derive(Clone)]
pub struct Member {
    /// The Rust function and its typed signature; each [`ClassId`] in it is an index into
    /// [`Typed::objects`] (0 is the class itself), not into the manifest's `classes`.
    pub typed: Typed,
    /// The Python method name (`__init__` for the constructor).
    pub name: String,
    /// The C symbol.
    pub symbol: String,
    /// How a method borrows its object; `None` for the constructor.
    pub receiver: Option<Receiver>,
    /// The doc comment.
    pub doc: Option<String>,
}

/// A constant of a class.
#[derive(Clone)]
pub struct Constant {
    /// The Rust `const`.
    pub ident: syn::Ident,
    /// The Python attribute's name.
    pub name: String,
    /// Its value.
    pub value: Default,
}

/// The `impl` without the `#[vix(...)]` attributes of its items, which only the export
/// reads (an attribute macro cannot declare helper attributes).
pub fn strip(item: &ItemImpl) -> ItemImpl {
    let mut item = item.clone();
    for inner in &mut item.items {
        let attrs = match inner {
            ImplItem::Fn(f) => &mut f.attrs,
            ImplItem::Const(c) => &mut c.attrs,
            ImplItem::Type(t) => &mut t.attrs,
            ImplItem::Macro(m) => &mut m.attrs,
            _ => continue,
        };
        attrs.retain(|a| !a.path().is_ident(ATTRIBUTE));
    }
    item
}

/// The `#[vix(...)]` arguments of an item (at most one such attribute).
fn member_args(attrs: &[syn::Attribute], problems: &mut Problems) -> Option<Args> {
    let mut found: Option<Args> = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident(ATTRIBUTE)) {
        if found.is_some() {
            problems.push_spanned(attr, "`#[vix(...)]` is given twice: write one");
            continue;
        }
        match Args::from_attribute(attr) {
            Ok(args) => found = Some(args),
            Err(e) => {
                problems.push_error(e);
                return None;
            }
        }
    }
    let args = found.unwrap_or_default();
    let misplaced = [
        ("prefix", args.prefix.as_ref().map(LitStr::span)),
        ("kind", args.kind.as_ref().map(LitStr::span)),
        ("ascii", args.ascii),
        ("output_blocks", args.output_blocks.as_ref().map(|b| b.key)),
    ];
    for (what, span) in misplaced {
        if let Some(span) = span {
            problems.push(
                span,
                format!(
                    "`{what}` does not apply inside an exported class: the class's prefix is \
                     on the `impl`, and a method writing into `vix_ffi::Output` gives its \
                     size with `size = |name, ...| ...`"
                ),
            );
        }
    }
    Some(args)
}

fn is_pub(vis: &Visibility) -> bool {
    !matches!(vis, Visibility::Inherited)
}

pub(super) fn analyze(
    args: &Args,
    item: &ItemImpl,
    prefix: String,
    mut problems: Problems,
) -> syn::Result<Export> {
    for (what, span) in [
        ("size", args.size.as_ref().map(|s| s.span())),
        ("kind", args.kind.as_ref().map(LitStr::span)),
        ("ascii", args.ascii),
        ("output_blocks", args.output_blocks.as_ref().map(|b| b.key)),
        ("constructor", args.constructor),
        ("skip", args.skip),
    ] {
        if let Some(span) = span {
            problems.push(
                span,
                format!(
                    "`{what}` does not apply to a class: on its `impl`, \
                     `#[vix_ffi::export]` takes `prefix` and `name`"
                ),
            );
        }
    }
    if args.has_python_arguments() {
        problems.push(
            Span::call_site(),
            "parameter arguments (`default`, ...) of a class's methods go in `#[vix(...)]` on \
             each method",
        );
    }
    if let Some((path, _)) = &item.trait_ {
        problems.push_spanned(
            path,
            "`#[vix_ffi::export]` exports an inherent `impl` block as a class, not a trait \
             implementation",
        );
    }
    if let Some(token) = &item.unsafety {
        problems.push(token.span, "an exported class's `impl` must be safe");
    }
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        problems.push_spanned(
            &item.generics,
            "an exported class cannot be generic: each C symbol has one concrete type",
        );
    }
    let ident = match last_segment(&item.self_ty) {
        Some(seg) if seg.arguments.is_none() => seg.ident.clone(),
        _ => {
            problems.push_spanned(
                &item.self_ty,
                format!(
                    "`{}` cannot be an exported class: write the `impl` of a struct or enum \
                     by its name, without generic arguments",
                    show(&item.self_ty)
                ),
            );
            return Err(problems.0.expect("a problem was pushed"));
        }
    };
    let name = match &args.name {
        Some(lit) => {
            let name = lit.value();
            if syn::parse_str::<syn::Ident>(&name).is_err() || name.starts_with('_') {
                problems.push(
                    lit.span(),
                    format!(
                        "invalid class name {name:?}: the Python class name is an identifier \
                         that does not start with `_`"
                    ),
                );
            }
            name
        }
        None => unraw(&ident),
    };
    let c_name = format!("{prefix}{}", snake_case(&name));
    let doc = doc_text(&item.attrs).unwrap_or_else(|e| {
        problems.push_error(e);
        None
    });
    let mut class = Class {
        prefix,
        ident,
        self_ty: (*item.self_ty).clone(),
        name,
        c_name,
        constructor: None,
        methods: Vec::new(),
        constants: Vec::new(),
        doc,
    };
    let mut constructor_flagged = false;
    let mut names: Vec<(String, Span)> = Vec::new();
    let mut taken = |name: &str, span: Span, problems: &mut Problems| {
        if SYMBOL_NAMES.contains(&name) {
            problems.push(
                span,
                format!(
                    "a method named `{name}` would be exported as `<class>_{name}`, the \
                     symbol of the class's {}: rename it",
                    if name == "new" {
                        "constructor"
                    } else {
                        "free function"
                    }
                ),
            );
        } else if RESERVED.contains(&name) {
            problems.push(
                span,
                format!(
                    "`{name}` is defined by every generated Python class (close() releases the \
                     object, closed tells whether it was): rename it, or keep it out with \
                     `#[vix(skip)]`"
                ),
            );
        } else if let Some((_, _)) = names.iter().find(|(n, _)| n == name) {
            problems.push(
                span,
                format!("`{name}` is already a method or constant of the class"),
            );
        } else {
            names.push((name.to_owned(), span));
        }
    };
    for inner in &item.items {
        match inner {
            ImplItem::Fn(f) => {
                let Some(member_args) = member_args(&f.attrs, &mut problems) else {
                    continue;
                };
                if member_args.skip.is_some() {
                    continue;
                }
                if !is_pub(&f.vis) {
                    if let Some(span) = member_args.constructor {
                        problems.push(span, "the constructor must be `pub`");
                    }
                    continue;
                }
                if let Some(name) = &member_args.name {
                    problems.push(
                        name.span(),
                        "`name` renames a class constant; a method is named as its function",
                    );
                }
                let has_receiver = matches!(f.sig.inputs.first(), Some(FnArg::Receiver(_)));
                let is_constructor = if let Some(span) = member_args.constructor {
                    if has_receiver {
                        problems.push(span, "a constructor creates the object: it takes no `self`");
                        continue;
                    }
                    if constructor_flagged {
                        problems.push(span, "a class has one constructor");
                        continue;
                    }
                    constructor_flagged = true;
                    // A `new` taken for the constructor before is an ordinary function.
                    class.constructor = None;
                    true
                } else if !has_receiver {
                    if f.sig.ident == "new" && !constructor_flagged {
                        true
                    } else {
                        problems.push(
                            f.sig.ident.span(),
                            format!(
                                "`{}` is a `pub` associated function without `self`: only the \
                                 constructor (`new`, or the function marked \
                                 `#[vix(constructor)]`) is exported without one; take `&self` \
                                 or `&mut self`, make it private, or add `#[vix(skip)]`",
                                f.sig.ident
                            ),
                        );
                        continue;
                    }
                } else {
                    false
                };
                let Some(member) = member(&class, f, &member_args, is_constructor, &mut problems)
                else {
                    continue;
                };
                if is_constructor {
                    class.constructor = Some(member);
                } else {
                    taken(&member.name, f.sig.ident.span(), &mut problems);
                    class.methods.push(member);
                }
            }
            ImplItem::Const(c) => {
                let Some(member_args) = member_args(&c.attrs, &mut problems) else {
                    continue;
                };
                if member_args.skip.is_some() || !is_pub(&c.vis) {
                    continue;
                }
                if let Some(span) = member_args.constructor {
                    problems.push(span, "`constructor` marks a function, not a `const`");
                }
                if member_args.has_python_arguments() {
                    problems.push(
                        c.ident.span(),
                        "parameter arguments apply to methods, not to a `const`",
                    );
                }
                if let Some(constant) = constant(c, &member_args, &mut problems) {
                    taken(&constant.name, c.ident.span(), &mut problems);
                    class.constants.push(constant);
                }
            }
            _ => {}
        }
    }
    problems.finish(|| Export::Class(Box::new(class)))
}

/// A `pub const` of the class.
fn constant(c: &ImplItemConst, args: &Args, problems: &mut Problems) -> Option<Constant> {
    let ty = if is_ref_to(&c.ty, "str", false) {
        ParamType::Str
    } else if let Some(s) = typed::scalar_type(&c.ty) {
        ParamType::Scalar(s)
    } else {
        problems.push_spanned(
            &c.ty,
            format!(
                "a class constant is a scalar ({}) or a `&str`, not `{}`; keep it out with \
                 `#[vix(skip)]` or make it private",
                typed::scalar_list(),
                show(&c.ty)
            ),
        );
        return None;
    };
    let value = match typed::default_value(&c.expr, ty, false) {
        Ok(v) => v,
        Err(message) => {
            problems.push_spanned(
                &c.expr,
                format!("the value of the class constant `{}`: {message}", c.ident),
            );
            return None;
        }
    };
    let name = match &args.name {
        Some(lit) => {
            let name = lit.value();
            if syn::parse_str::<syn::Ident>(&name).is_err() || name.starts_with('_') {
                problems.push(
                    lit.span(),
                    format!("invalid attribute name {name:?}: a Python identifier not starting with `_`"),
                );
                return None;
            }
            name
        }
        None => unraw(&c.ident).to_lowercase(),
    };
    Some(Constant {
        ident: c.ident.clone(),
        name,
        value,
    })
}

/// Types that are never classes: a parameter or result of one of them is refused as an
/// unsupported type, not checked as a class.
const NOT_CLASSES: [&str; 21] = [
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "f32",
    "f64", "bool", "char", "str", "String", "Vec", "Option", "Box",
];

/// Whether a type could name an exported class: a path without generic arguments that is
/// not a primitive or a standard container.
pub(super) fn class_candidate(ty: &Type) -> bool {
    match ungroup(ty) {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|seg| {
            seg.arguments.is_none() && !NOT_CLASSES.iter().any(|n| seg.ident == n)
        }),
        _ => false,
    }
}

/// `ty` as an object type of a free function's signature (no `Self` there), as an index
/// into `objects` (added when new).
pub(super) fn other_object(ty: &Type, objects: &mut Vec<ObjectType>) -> Option<ClassId> {
    let ty = ungroup(ty);
    if !class_candidate(ty) || matches!(ty, Type::Path(p) if p.path.is_ident("Self")) {
        return None;
    }
    let written = show(ty);
    let index = objects
        .iter()
        .position(|o| matches!(o, ObjectType::Other(t) if show(t) == written))
        .unwrap_or_else(|| {
            objects.push(ObjectType::Other(Box::new(ty.clone())));
            objects.len() - 1
        });
    Some(ClassId(u32::try_from(index).expect("few classes")))
}

/// The class a type names, as an index into `objects` (added when new); `None` when it
/// is not a path type that could be a class.
fn object_of(ty: &Type, class: &Class, objects: &mut Vec<ObjectType>) -> Option<ClassId> {
    let ty = ungroup(ty);
    let Type::Path(p) = ty else {
        return None;
    };
    if !class_candidate(ty) {
        return None;
    }
    let seg = p.path.segments.last()?;
    if p.path.is_ident("Self") || (p.path.segments.len() == 1 && seg.ident == class.ident) {
        return Some(ClassId(0));
    }
    let written = show(ty);
    let index = objects
        .iter()
        .position(|o| matches!(o, ObjectType::Other(t) if show(t) == written))
        .unwrap_or_else(|| {
            objects.push(ObjectType::Other(Box::new(ty.clone())));
            objects.len() - 1
        });
    Some(ClassId(u32::try_from(index).expect("few classes")))
}

/// `Option<T>`'s `T`.
pub(super) fn option_of(ty: &Type) -> Option<&Type> {
    let seg = last_segment(ty)?;
    if seg.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(a) = &seg.arguments else {
        return None;
    };
    match (a.args.len(), a.args.first()) {
        (1, Some(GenericArgument::Type(t))) => Some(t),
        _ => None,
    }
}

/// A parameter's type and whether it is optional.
fn param_type(
    ty: &Type,
    class: &Class,
    objects: &mut Vec<ObjectType>,
    problems: &mut Problems,
) -> Option<(ParamType, bool)> {
    let (inner, optional) = match option_of(ty) {
        Some(inner) => (inner, true),
        None => (ty, false),
    };
    if is_ref_to(inner, "[u8]", false) {
        return Some((ParamType::Bytes, optional));
    }
    if is_ref_to(inner, "str", false) {
        return Some((ParamType::Str, optional));
    }
    if let Type::Reference(r) = ungroup(inner) {
        if r.mutability.is_none() {
            if let Some(id) = object_of(&r.elem, class, objects) {
                return Some((ParamType::Object(id), optional));
            }
        }
    }
    if !optional {
        if let Some(s) = typed::scalar_type(inner) {
            return Some((ParamType::Scalar(s), false));
        }
    }
    problems.push_spanned(
        ty,
        format!(
            "unsupported parameter type `{}`: a method takes `&[u8]`, `&str`, a scalar ({}), \
             `&Other` (an object of an exported class, `&Self` included), or \
             `Option<&[u8]>`, `Option<&str>`, `Option<&Other>` (Python's None is C's NULL)",
            show(ty),
            typed::scalar_list()
        ),
    );
    None
}

fn returns(
    f: &ImplItemFn,
    class: &Class,
    constructor: bool,
    writer: bool,
    objects: &mut Vec<ObjectType>,
    problems: &mut Problems,
) -> Option<Output> {
    let sig = &f.sig;
    let expected = if constructor {
        "`Result<Self>`".to_owned()
    } else if writer {
        "`vix_ffi::Result<()>` (the bytes written into `out` are the output)".to_owned()
    } else {
        format!(
            "{RESULTS}, `Self` or another exported class (a new object), or `&mut Self` / \
             `&Self` (the object itself, for chaining)"
        )
    };
    let ty = match &sig.output {
        ReturnType::Default => {
            problems.push(
                sig.ident.span(),
                format!(
                    "`{}` returns nothing: {} returns {expected}, so that a failure reaches \
                     the caller as a status code and a message",
                    sig.ident,
                    if constructor {
                        "a constructor"
                    } else {
                        "a method"
                    }
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
                "`{}` is not a `Result`: {} returns {expected}",
                show(ty),
                if constructor {
                    "a constructor"
                } else {
                    "a method"
                }
            ),
        );
        return None;
    };
    let output = if constructor {
        match object_of(ok, class, objects) {
            Some(ClassId(0)) => Some(Output::Object(ClassId(0))),
            _ => None,
        }
    } else if writer {
        is_unit(ok).then_some(Output::Bytes)
    } else if is_vec_u8(ok) {
        Some(Output::Bytes)
    } else if is_plain(ok, "String") {
        Some(Output::Str)
    } else if is_unit(ok) {
        Some(Output::None)
    } else if let Some(s) = typed::scalar_type(ok) {
        Some(Output::Scalar(s))
    } else if let Type::Reference(r) = ungroup(ok) {
        let own = matches!(ungroup(&r.elem), Type::Path(p)
            if p.path.is_ident("Self") || p.path.is_ident(&class.ident));
        (own && r.lifetime.is_none()).then_some(Output::This)
    } else {
        object_of(ok, class, objects).map(Output::Object)
    };
    if output.is_none() {
        problems.push_spanned(
            ok,
            format!(
                "unsupported result type `{}`: {} returns {expected}",
                show(ok),
                if constructor {
                    "a constructor"
                } else {
                    "a method"
                }
            ),
        );
    }
    output
}

fn member(
    class: &Class,
    f: &ImplItemFn,
    args: &Args,
    constructor: bool,
    problems: &mut Problems,
) -> Option<Member> {
    let sig = &f.sig;
    check_qualifiers(sig, problems);
    let mut objects = vec![ObjectType::This];
    let mut params: Vec<Param> = Vec::new();
    let mut idents: Vec<syn::Ident> = Vec::new();
    let mut complete = true;
    let mut receiver = None;
    let mut writer = false;
    for (i, arg) in sig.inputs.iter().enumerate() {
        let arg = match arg {
            FnArg::Receiver(r) => {
                if let (0, syn::ReceiverKind::Reference(_, _, mutability)) = (i, &r.kind) {
                    receiver = Some(if mutability.is_some() {
                        Receiver::Exclusive
                    } else {
                        Receiver::Shared
                    });
                } else {
                    problems.push_spanned(
                        r,
                        "a method takes `&self` or `&mut self`: the object stays owned by \
                         its caller, who releases it with free",
                    );
                    complete = false;
                }
                continue;
            }
            FnArg::Typed(arg) => arg,
        };
        if is_writer(&arg.ty) {
            if i + 1 == sig.inputs.len() && !constructor {
                writer = true;
            } else {
                problems.push_spanned(
                    arg,
                    if constructor {
                        "a constructor returns `Result<Self>`: the caller's buffer \
                         `&mut vix_ffi::Output` is for methods and functions"
                    } else {
                        "the caller's buffer `&mut vix_ffi::Output<'_>` is the last parameter"
                    },
                );
                complete = false;
            }
            continue;
        }
        let ty = param_type(&arg.ty, class, &mut objects, problems);
        let name = match &*arg.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
            other => {
                problems.push_spanned(
                    other,
                    "write a plain name for a parameter of an exported method: it is the \
                     name Python callers see",
                );
                None
            }
        };
        match (ty, name) {
            (Some((ty, optional)), Some(name)) => {
                if unraw(&name) == model::SELF_NAME {
                    problems.push(name.span(), "`self` is the C name of the object: rename it");
                    complete = false;
                }
                let mut param = Param::new(unraw(&name), ty);
                param.optional = optional;
                params.push(param);
                idents.push(name);
            }
            _ => complete = false,
        }
    }
    let output = returns(f, class, constructor, writer, &mut objects, problems);
    let size_args = match (&args.size, writer) {
        (Some(size), true) => typed::size_arguments(size, &params, &sig.ident, problems),
        (None, true) => {
            problems.push(
                sig.ident.span(),
                "a method that writes into `&mut vix_ffi::Output` needs `#[vix(size = |name, \
                 ...| ...)]`, the exact output size computed from its parameters before the \
                 work",
            );
            Vec::new()
        }
        (Some(size), false) => {
            problems.push_spanned(
                size,
                "with `size = ...` the method writes into the caller's buffer: take `out: &mut \
                 vix_ffi::Output<'_>` as the last parameter and return `vix_ffi::Result<()>`",
            );
            Vec::new()
        }
        (None, false) => Vec::new(),
    };
    typed::apply_python_arguments(args, &mut params, problems);
    let output_span = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => sig.ident.span(),
    };
    let (Some(output), true) = (output, complete) else {
        return None;
    };
    let signature = model::Signature {
        receiver: receiver.map(|_| ClassId(0)),
        params,
        output,
    };
    for (index, message) in signature.problems() {
        let span = index.map_or(sig.ident.span(), |i| idents[i].span());
        problems.push(span, message);
    }
    let doc = doc_text(&f.attrs).unwrap_or_else(|e| {
        problems.push_error(e);
        None
    });
    let name = if constructor {
        "__init__".to_owned()
    } else {
        unraw(&sig.ident)
    };
    let symbol = if constructor {
        format!("{}_new", class.c_name)
    } else {
        format!("{}_{name}", class.c_name)
    };
    Some(Member {
        typed: Typed {
            prefix: class.prefix.clone(),
            ident: sig.ident.clone(),
            signature,
            rust_params: idents,
            writer,
            size: args.size.clone().map(Box::new),
            size_args,
            output_blocks: None,
            ascii: false,
            output_span,
            objects,
        },
        name,
        symbol,
        receiver,
        doc,
    })
}
