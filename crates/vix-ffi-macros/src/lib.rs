//! `#[vix_ffi::export]`: write a Vix FFI library as plain, safe Rust functions.
//!
//! Use the attribute through the ABI crate, as `#[vix_ffi::export(...)]`; this crate only
//! holds the proc-macro. What the attribute accepts is decided by `vix-ffi-syntax`, which
//! `vix-ffi from-rust` uses too, so the symbols a library exports and the manifest and C
//! header generated from its source always agree.
//!
//! The expansion keeps the annotated item as written and adds one `extern "C"` function
//! that gathers the raw arguments into a `vix_ffi::RawCall` and hands the item to a
//! function of `vix_ffi::glue`: every rule of the ABI (argument checks, buffer sizing,
//! status, panics) is implemented once, in the ABI crate, never in generated code.
//!
//! A library built this way can declare `#![forbid(unsafe_code)]`: rustc does not report
//! lints such as `unsafe_code` inside the expansion of a macro from another crate, so the
//! one unsafe block of each generated symbol (which forwards the caller's contract to
//! `RawCall`) is accepted while any unsafe code the author writes is refused
//! (pin-project relies on the same rule). For the same reason, nothing the author wrote is
//! placed in the body of the unsafe symbol: the `size` expression becomes a nested safe
//! function there. The symbol is declared with `#[unsafe(no_mangle)]`, the spelling
//! edition 2024 requires, which needs Rust 1.82.
//!
//! syn 3, the current major version, parses the item: the workspace already builds it for
//! clap, serde and thiserror, so syn 2 would only add a second copy to compile.

use proc_macro::TokenStream;
use proc_macro2::{Ident, Literal, Span, TokenStream as TokenStream2};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use vix_ffi_syntax::signature::Role;
use vix_ffi_syntax::{
    analyze, analyze_errors, Args, Class, Export, Input, ObjectType, Operation, ParamType,
    Receiver, Returns, Scalar, Shape, Typed, Version,
};

/// Exports a safe Rust function as an ABI v1 operation, or a `const` as the library's
/// version string.
///
/// # Operations
///
/// ```
/// /// Reverses the bytes of the input.
/// #[vix_ffi::export(prefix = "mylib_")]
/// pub fn reverse(data: &[u8]) -> vix_ffi::Result<Vec<u8>> {
///     Ok(data.iter().rev().copied().collect())
/// }
/// ```
///
/// exports `int mylib_reverse(const uint8_t *in_ptr, size_t in_len, uint8_t *out_ptr,
/// size_t out_cap, size_t *out_len, vix_status *out_status)`, also callable from Rust as
/// `mylib_reverse` (an `unsafe extern "C" fn`). The input is `&[u8]` (any bytes) or
/// `&str` (UTF-8, checked before the function runs); the output is `Vec<u8>` or `String`
/// in a `Result` whose error converts into `vix_ffi::Error`, which becomes the status
/// code and message. A too-small buffer is answered with `BUFFER_TOO_SMALL` and the size
/// needed once the output is built.
///
/// # Sized operations
///
/// When the exact output size follows from the input, give it as `size = <fn>` and write
/// straight into the caller's buffer: a too-small buffer is then answered before any work
/// and no intermediate `Vec` is built.
///
/// ```
/// use vix_ffi::{Output, Result};
///
/// /// Upper-cases ASCII letters.
/// #[vix_ffi::export(prefix = "mylib_", size = |text| Ok(text.len()), kind = "str_to_str")]
/// pub fn upper(text: &str, out: &mut Output<'_>) -> Result<()> {
///     out.push_str(&text.to_ascii_uppercase())
/// }
/// ```
///
/// `size` is any expression callable as `FnOnce(&[u8]) -> vix_ffi::Result<usize>` (`&str`
/// for a text input), such as a function's name or a closure. The function receives an
/// `vix_ffi::Output` of exactly that capacity; writing more is reported as an error,
/// never done.
///
/// A closure whose parameters are all named as parameters of the function receives
/// those instead (scalars, inputs or objects, in the closure's order, without type
/// annotations): the size may then come from any of them, and the function may have any
/// number of inputs, or none. It must not capture anything.
///
/// ```
/// use vix_ffi::{Output, Result};
///
/// /// `n` zero bytes, then `tag`.
/// #[vix_ffi::export(prefix = "mylib_", size = |n, tag| Ok(n + tag.len()))]
/// pub fn pad(n: usize, tag: &str, out: &mut Output<'_>) -> Result<()> {
///     out.extend_zeroed(n)?;
///     out.push_str(tag)
/// }
/// # fn main() {}
/// ```
///
/// # Sized operations of blocks
///
/// When every block of `a` input bytes (the last one possibly shorter) becomes exactly `b`
/// output bytes, write `output_blocks = (a, b)` in place of `size`: the output of an input
/// of `n` bytes is then `b * ceil(n / a)` bytes, which the generated symbol computes itself
/// (with checked arithmetic: a size past `isize::MAX` is `VIX_STATUS_INVALID_ARG`, "the
/// input of N bytes is too large for its output"). `vix-ffi from-rust` writes
/// `"output_blocks": {"in": a, "out": b}` into the function's `python.api` entry, so the
/// generated Python allocates a large result at once, without a size query.
///
/// ```
/// use vix_ffi::{Output, Result};
///
/// /// Lower-case hexadecimal digits: two per input byte.
/// #[vix_ffi::export(prefix = "mylib_", output_blocks = (1, 2), kind = "bytes_to_str", ascii)]
/// pub fn hexlify(data: &[u8], out: &mut Output<'_>) -> Result<()> {
///     for b in data {
///         out.push_str(&format!("{b:02x}"))?;
///     }
///     Ok(())
/// }
/// ```
///
/// The function has the signature of any sized operation and must write exactly the
/// declared size on success: the manifest promises it to every caller, and
/// `vix-ffi check` compares it with the library.
///
/// # Arguments
///
/// - `prefix = "mylib_"` (required): the package prefix; the symbol is the prefix followed
///   by the function's name.
/// - `size = <fn>`: see above.
/// - `output_blocks = (a, b)`: in place of `size`, two integer literals from 1 to
///   `u32::MAX`; see above.
/// - `kind = "..."`: the `python.api` kind written by `vix-ffi from-rust`. By default it
///   follows the types: `&[u8]`/`&str` in gives `bytes_`/`str_`, `String` out gives
///   `_to_str`, `Vec<u8>` and sized outputs give `_to_bytes`. It may be set to a kind the
///   types allow: a text (`str_`) input for a `&[u8]` function, a text (`_to_str`) output
///   for a sized function whose output is UTF-8.
/// - `ascii` (a flag, no value): promises that every successful output is ASCII, for an
///   operation whose kind returns text (`bytes_to_str`, `str_to_str`). `vix-ffi from-rust`
///   writes `"ascii": true` in its `python.api` entry, and the generated Python then builds
///   the `str` without scanning it; a broken promise would give corrupt strings. In debug
///   builds of the library (`debug_assertions`, decided in the library's crate) the
///   symbol checks the output and answers a non-ASCII byte with `VIX_STATUS_ERROR`
///   ("internal error: ... promised ASCII output ...", naming the byte and its offset)
///   and `*out_len` 0; release builds do not check and pay nothing.
///
/// ```
/// use vix_ffi::{Output, Result};
///
/// /// Lower-case hexadecimal digits of the input.
/// #[vix_ffi::export(prefix = "mylib_", size = |d| Ok(d.len() * 2), kind = "bytes_to_str", ascii)]
/// pub fn hex(data: &[u8], out: &mut Output<'_>) -> Result<()> {
///     for b in data {
///         out.push_str(&format!("{b:02x}"))?;
///     }
///     Ok(())
/// }
/// ```
///
/// # Typed signatures (ABI v1.1)
///
/// Any other mix of parameters, `&[u8]`, `&str`, `i32`, `u32`, `i64`, `u64`, `usize`,
/// `f64` and `bool`, with a result `Result<T>` where `T` is one of those scalars,
/// `Vec<u8>`, `String` or `()`, exports the typed signature of `abi-v1.1.md`: the inputs
/// (`<name>_ptr, <name>_len` or `<name>`), the output (`out_ptr, out_cap, out_len` or
/// `out_value`), then `out_status`. Python calls the function with the Rust parameter
/// names; defaults and how Python passes each parameter are arguments of the attribute,
/// so that the function itself stays plain Rust:
///
/// ```
/// use vix_ffi::Result;
///
/// /// CRC-32 (IEEE) of `data`, continuing from `seed`.
/// #[vix_ffi::export(prefix = "mylib_", default(seed = 0))]
/// pub fn crc32(data: &[u8], seed: u32) -> Result<u32> {
///     let mut crc = !seed;
///     for &b in data {
///         crc ^= u32::from(b);
///         for _ in 0..8 {
///             crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
///         }
///     }
///     Ok(!crc)
/// }
///
/// /// A line about `name`.
/// #[vix_ffi::export(
///     prefix = "mylib_",
///     default(name = "anon", level = 3, loud = false),
///     positional_only(name),
///     positional(level)
/// )]
/// pub fn describe(name: &str, level: i32, loud: bool) -> Result<String> {
///     let line = format!("{name} at level {level}");
///     Ok(if loud { line.to_uppercase() } else { line })
/// }
/// ```
///
/// exports `int mylib_crc32(const uint8_t *data_ptr, size_t data_len, uint32_t seed,
/// uint32_t *out_value, vix_status *out_status)`; Python sees
/// `crc32(data, *, seed=0)` and `describe(name="anon", /, level=3, *, loud=False)`.
///
/// - `default(name = value, ...)`: a literal of the parameter's type (an integer in
///   range, a float with a point, `true`/`false`, a string for `&str`, a UTF-8 byte
///   string for `&[u8]`); another type, a value out of range, or a name that is not a
///   parameter is a compile error at the value or the name.
/// - A parameter with a default is keyword-only (adding a default never changes what a
///   positional call means); `positional(name, ...)` lets it be passed by position too.
///   `keyword_only(name, ...)` makes parameters without a default keyword-only, and
///   `positional_only(name, ...)` puts parameters before Python's `/`.
/// - The generated symbol refuses, with `VIX_STATUS_INVALID_ARG`, a NULL pointer with a
///   non-zero length, a NULL output pointer, text that is not UTF-8 and a `bool` other
///   than 0 or 1 (refused, not normalised: another value is a caller's mistake). A
///   scalar result is written to `*out_value` on success only; bytes and text follow the
///   sizing rules of the operation shape.
/// - A writer `out: &mut vix_ffi::Output<'_>` as the last parameter, with `size` or
///   `output_blocks`, is accepted when the function has exactly one `&[u8]`/`&str`
///   parameter, from which the size is computed; its output is bytes, or ASCII text with
///   `ascii`. `ascii` also applies to a `String` result.
///
/// A function with one `&[u8]`/`&str` parameter and a `Vec<u8>`/`String` result (or a
/// writer), and none of `default`, `keyword_only`, `positional_only`, `positional`, keeps
/// the v1.0 operation shape described above.
///
/// Errors with codes of the library's own are an enum deriving
/// [`LibraryError`](derive@LibraryError): return `Result<T, YourError>`.
///
/// # Classes (ABI v1.1 objects)
///
/// On an inherent `impl` block, the attribute exports the type as a class: an opaque
/// handle `mylib_<name> *` that C creates with `<c_name>_new`, calls methods on and
/// releases with `<c_name>_free`, and that Python sees as a class.
///
/// ```
/// use vix_ffi::Result;
///
/// pub struct Counter {
///     n: u64,
/// }
///
/// /// A counter.
/// #[vix_ffi::export(prefix = "mylib_")]
/// impl Counter {
///     /// The step of `bump`.
///     pub const STEP: u64 = 1;
///
///     /// A counter from `start`.
///     #[vix(default(start = 0))]
///     pub fn new(start: u64) -> Result<Self> {
///         Ok(Counter { n: start })
///     }
///
///     /// Adds one; returns the counter.
///     pub fn bump(&mut self) -> Result<&mut Self> {
///         self.n += Self::STEP;
///         Ok(self)
///     }
///
///     /// The count.
///     pub fn get(&self) -> Result<u64> {
///         Ok(self.n)
///     }
///
///     /// The sum with `other`, or a copy without it.
///     #[vix(default(other = None))]
///     pub fn plus(&self, other: Option<&Counter>) -> Result<Self> {
///         Ok(Counter { n: self.n + other.map_or(0, |o| o.n) })
///     }
/// }
/// ```
///
/// exports `int mylib_counter_new(uint64_t start, mylib_counter **out_handle, vix_status
/// *out_status)`, `int mylib_counter_bump(mylib_counter *self, vix_status *out_status)`,
/// `mylib_counter_get`, `mylib_counter_plus` and `void mylib_counter_free(mylib_counter
/// *self)`.
///
/// - The class is named as the type, or `name = "..."` on the attribute; its C name is the
///   prefix and the name in snake case. The type must be `Send`.
/// - The constructor is `pub fn new`, or the function marked `#[vix(constructor)]`, and
///   returns `Result<Self>`. Every other `pub fn` is a method taking `&self` or `&mut
///   self` (`#[vix(skip)]` keeps a `pub` item out; private items are not exported).
/// - A method may write into the caller's buffer as a sized function does: `out: &mut
///   vix_ffi::Output<'_>` last, `Result<()>`, and `#[vix(size = |name, ...| ...)]` naming
///   the parameters the size comes from.
/// - A method returns what a typed function returns, `Self` or another exported class
///   (a new object the caller owns), or `&mut Self` / `&Self`: chaining, `"returns":
///   "self"` in the manifest, no C output, Python returns the object itself.
/// - Parameters are those of typed functions, `&Other` (an object of an exported class)
///   and `Option<&[u8]>`, `Option<&str>`, `Option<&Other>` (None is NULL;
///   `default(x = None)`). `#[vix(...)]` on a method takes the parameter arguments of
///   functions.
/// - `pub const`s with a literal value are read-only Python attributes, named as the
///   `const` in lower case or as `#[vix(name = "...")]` says.
///
/// **No two calls ever use one object at once, whoever calls.** The handle is a `Box`
/// of the value inside a `std::sync::Mutex`, and each symbol locks it for the whole call,
/// `&self` methods included: a `&mut self` method therefore never runs beside any other
/// call on the object, even when a C program calls the symbols from many threads without
/// the Python binding's own per-object serialization. A call waits for the one running on
/// its `self`; an object *argument* held by another call is refused with
/// `VIX_STATUS_INVALID_ARG` instead of waited for (so that two calls never wait for each
/// other), and so is one object passed twice (`a.absorb(a)`, which Rust could not lend as
/// `&mut self` and `&Other` at once). A method that panics gives `VIX_STATUS_ERROR` and
/// leaves its object refusing further calls (`VIX_STATUS_ERROR`), since its state may be
/// half-updated; `free` still releases it. A NULL `self`, object argument or `out_handle`
/// is `VIX_STATUS_INVALID_ARG`; `<c_name>_free(NULL)` does nothing; a panic in `Drop` is
/// caught in `free`. A pointer that is not a live handle cannot be detected: that, and not
/// freeing an object while a call uses it, is the caller's part of the contract.
///
/// # Version string
///
/// ```
/// /// The library's version.
/// #[vix_ffi::export(prefix = "mylib_")]
/// pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// ```
///
/// exports `vix_str mylib_ffi_version(vix_status *out_status)`.
///
/// # Errors
///
/// A missing or malformed prefix, an unsupported signature (generics, `async`, `unsafe`,
/// other argument or return types, `self`), an unknown or impossible `kind`, `ascii`
/// where the output is not text (bytes kinds, the version string), and `output_blocks`
/// that is not two integer literals from 1 to `u32::MAX`, is given with `size`, or is
/// given where there is no size to declare (a function returning `Vec<u8>` or `String`,
/// the version string) are compile errors pointing at the offending part of the item.
#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut original = TokenStream2::from(item.clone());
    // The `#[vix(...)]` attributes inside an exported `impl` are read here and removed:
    // an attribute macro cannot declare helper attributes.
    if let Ok(syn::Item::Impl(block)) = syn::parse::<syn::Item>(item.clone()) {
        let stripped = vix_ffi_syntax::strip(&block);
        original = quote!(#stripped);
    }
    let expansion = syn::parse::<syn::Item>(item).and_then(|parsed| {
        let args = Args::parse(attr.into())?;
        let export = analyze(&args, &parsed, Span::call_site())?;
        Ok(expand(&parsed, &export))
    });
    // The item is kept even when it is refused, so that the only errors are ours, not
    // "cannot find function" wherever it is used.
    let added = expansion.unwrap_or_else(syn::Error::into_compile_error);
    quote!(#original #added).into()
}

fn expand(item: &syn::Item, export: &Export) -> TokenStream2 {
    let attrs = match item {
        syn::Item::Fn(f) => &f.attrs,
        syn::Item::Const(c) => &c.attrs,
        syn::Item::Impl(_) => {
            let Export::Class(class) = export else {
                unreachable!("an impl is analysed as a class")
            };
            return expand_class(class);
        }
        _ => unreachable!("analyze accepts functions, consts and impls only"),
    };
    let docs = attrs.iter().filter(|a| a.path().is_ident("doc"));
    let ident = export.ident();
    let symbol = format_ident!("{}", export.symbol(), span = ident.span());
    let origin =
        format!(" The `extern \"C\"` symbol of `{ident}`, generated by `#[vix_ffi::export]`.");
    let (safety, signature_and_body) = match export {
        Export::Operation(op) => (
            " The operation-shape contract of Vix FFI v1, as for `vix_ffi::RawCall::sized`: \
             each pointer is null or valid for its stated length for the whole call.",
            operation(op, &symbol),
        ),
        Export::Typed(t) => (
            " The typed-signature contract of Vix FFI v1.1: each input pointer is null or \
             readable for its length, each output pointer null or writable (`out_ptr` for \
             `out_cap` bytes), for the whole call.",
            typed(t, &symbol, None),
        ),
        Export::Version(v) => (
            " `out_status` is null or valid for writing one `vix_status`.",
            version(v, &symbol),
        ),
        Export::Class(_) => unreachable!("classes are expanded by expand_class"),
    };
    quote! {
        #(#docs)*
        #[doc = ""]
        #[doc = #origin]
        #[doc = ""]
        #[doc = " # Safety"]
        #[doc = ""]
        #[doc = #safety]
        #[unsafe(no_mangle)]
        #signature_and_body
    }
}

/// A name of the generated code that user code can neither see nor shadow.
fn hidden(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

fn operation(op: &Operation, symbol: &Ident) -> TokenStream2 {
    let [in_ptr, in_len, out_ptr, out_cap, out_len, out_status, call] = [
        "in_ptr",
        "in_len",
        "out_ptr",
        "out_cap",
        "out_len",
        "out_status",
        "call",
    ]
    .map(hidden);
    let input = match op.input {
        Input::Bytes => quote!([u8]),
        Input::Str => quote!(str),
    };
    let function = &op.ident;
    let size_fn = Ident::new("__vix_ffi_size", Span::mixed_site());
    // The `size` expression is the author's code: it goes into a nested safe function, not
    // into the body of the unsafe symbol, where a closure could call unsafe functions
    // unnoticed. Its signature also types `|data| ...` without annotations.
    let size = match (op.shape, &op.size, op.output_blocks) {
        (Shape::Sized, Some(size), _) => quote_spanned! {size.span()=>
            fn #size_fn(input: &#input) -> ::vix_ffi::Result<usize> {
                ::vix_ffi::glue::size::<#input, _>(#size, input)
            }
        },
        // Nothing of the author's here: the two numbers, checked by `analyze`.
        (Shape::Sized, None, Some(blocks)) => {
            let block_in = Literal::u32_suffixed(blocks.input);
            let block_out = Literal::u32_suffixed(blocks.output);
            let data = hidden("data");
            quote! {
                fn #size_fn(#data: &#input) -> ::vix_ffi::Result<usize> {
                    ::vix_ffi::glue::blocks_size(<#input>::len(#data), #block_in, #block_out)
                }
            }
        }
        _ => quote!(),
    };
    // The `ascii` promise is checked in debug builds of the library's crate: the `cfg!` is
    // part of the expansion, so it is evaluated where the symbol is compiled, with that
    // crate's settings. In release builds the glue gets the constant `false`.
    let check_ascii = if op.ascii {
        quote!({ ::core::cfg!(debug_assertions) })
    } else {
        quote!(false)
    };
    // Type errors about the function's result (an error type that does not convert into
    // `vix_ffi::Error`, say) point at its return type.
    let invoke = match op.shape {
        Shape::Sized => quote_spanned! {op.output_span=>
            ::vix_ffi::glue::sized::<#input, _, #check_ascii>(#call, #size_fn, #function)
        },
        Shape::Vec | Shape::String => quote_spanned! {op.output_span=>
            ::vix_ffi::glue::with_vec::<#input, _, _, #check_ascii>(#call, #function)
        },
    };
    quote! {
        pub unsafe extern "C" fn #symbol(
            #in_ptr: *const u8,
            #in_len: usize,
            #out_ptr: *mut u8,
            #out_cap: usize,
            #out_len: *mut usize,
            #out_status: *mut ::vix_ffi::VixStatus,
        ) -> ::std::os::raw::c_int {
            #size
            let #call = ::vix_ffi::RawCall {
                in_ptr: #in_ptr,
                in_len: #in_len,
                out_ptr: #out_ptr,
                out_cap: #out_cap,
                out_len: #out_len,
                out_status: #out_status,
            };
            // Forwarded from this function's contract (`# Safety` above).
            unsafe { #invoke }
        }
    }
}

/// The library's own errors: an enum whose variants carry status codes from 1000 and
/// Python exception classes (ABI v1.1).
///
/// ```
/// use vix_ffi::LibraryError;
///
/// /// What can go wrong in mylib.
/// #[derive(Debug, LibraryError)]
/// pub enum MyError {
///     /// `lo` is greater than `hi`.
///     #[vix(code = 1000, base = "ValueError")]
///     Range { lo: f64, hi: f64 },
///     /// The input is too long.
///     #[vix(code = 1001, name = "InputTooLong")]
///     TooLong(usize),
/// }
///
/// impl std::fmt::Display for MyError {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         match self {
///             MyError::Range { lo, hi } => write!(f, "lo {lo} is greater than hi {hi}"),
///             MyError::TooLong(n) => write!(f, "{n} bytes is too long"),
///         }
///     }
/// }
///
/// #[vix_ffi::export(prefix = "mylib_")]
/// pub fn clamp(x: f64, lo: f64, hi: f64) -> Result<f64, MyError> {
///     if lo > hi {
///         return Err(MyError::Range { lo, hi });
///     }
///     Ok(x.clamp(lo, hi))
/// }
///
/// let err = vix_ffi::Error::from(MyError::TooLong(9));
/// assert_eq!(err.library_code(), Some(1001));
/// assert_eq!(err.message(), "9 bytes is too long");
/// ```
///
/// The derive writes `impl From<MyError> for vix_ffi::Error`: the variant gives the code,
/// `Display` the message (by hand as above, or with thiserror's `#[derive(Error)]` and
/// `#[error("...")]` beside this derive), so functions return `Result<T, MyError>` and `?`
/// converts. Each variant has `#[vix(code = N)]`, `N` an integer literal from 1000 to
/// `i32::MAX` (lower codes belong to the ABI), and optionally `name = "PyClass"` (by
/// default the variant's name followed by `Error`, unless it already ends so: `Range`
/// becomes `RangeError`) and `base = "ValueError"` (one of the standard classes the
/// manifest allows). `vix-ffi from-rust` writes every variant into the manifest's
/// `errors`, with its doc comment's first paragraph as the class docstring, and a
/// `#define` into the header. A missing or reserved code, a code or class given twice, an
/// unknown base, a class that would hide Python's own (`ValueError`), or a struct, is a
/// compile error pointing at it.
#[proc_macro_derive(LibraryError, attributes(vix))]
pub fn library_error(item: TokenStream) -> TokenStream {
    let expansion = syn::parse::<syn::Item>(item).and_then(|parsed| {
        let errors = analyze_errors(&parsed)?;
        let syn::Item::Enum(item) = &parsed else {
            unreachable!("analyze_errors accepts enums only")
        };
        let ident = &errors.ident;
        let (impl_generics, ty_generics, where_clause) = item.generics.split_for_impl();
        let arms = errors.variants.iter().map(|v| {
            let variant = &v.ident;
            let code = Literal::i32_unsuffixed(v.code);
            quote!(#ident::#variant { .. } => #code,)
        });
        let error = hidden("error");
        // Without `Display`, the error points at the enum's name.
        let message = quote_spanned! {ident.span()=>
            ::std::string::ToString::to_string(&#error)
        };
        Ok(quote! {
            impl #impl_generics ::core::convert::From<#ident #ty_generics> for ::vix_ffi::Error
            #where_clause
            {
                fn from(#error: #ident #ty_generics) -> ::vix_ffi::Error {
                    let code = match &#error {
                        #(#arms)*
                    };
                    ::vix_ffi::Error::library(code, #message)
                }
            }
        })
    });
    expansion
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// A hidden identifier for a C parameter name (`r#type` for a keyword).
fn c_ident(name: &str) -> Ident {
    match syn::parse_str::<Ident>(name) {
        Ok(ident) => Ident::new(&ident.to_string(), Span::mixed_site()),
        Err(_) => Ident::new_raw(name, Span::mixed_site()),
    }
}

fn scalar_type(s: Scalar) -> TokenStream2 {
    match s {
        Scalar::Int32 => quote!(i32),
        Scalar::Uint32 => quote!(u32),
        Scalar::Int64 => quote!(i64),
        Scalar::Uint64 => quote!(u64),
        Scalar::Size => quote!(usize),
        Scalar::Double => quote!(f64),
        Scalar::Bool => quote!(bool),
    }
}

/// What a class member's symbol needs beyond its typed signature.
struct Method<'a> {
    /// The class's Rust type.
    self_ty: &'a syn::Type,
    /// How a method borrows its object (`None`: the constructor).
    receiver: Option<Receiver>,
}

fn typed(t: &Typed, symbol: &Ident, method: Option<&Method<'_>>) -> TokenStream2 {
    let sig = &t.signature;
    let status = hidden("out_status");
    let out = hidden("__vix_out");
    let mut decls = Vec::new();
    let mut raw_inputs = Vec::new();
    let mut conversions = Vec::new();
    // Objects: the distinct check first, then `self` (waited for), then the arguments.
    let mut handles: Vec<TokenStream2> = Vec::new();
    let mut locks = Vec::new();
    let this = hidden("__vix_this");
    let object_type = |id: vix_ffi_syntax::signature::ClassId| -> TokenStream2 {
        match &t.objects[id.0 as usize] {
            ObjectType::This => {
                let self_ty = method
                    .expect("only a class member names its own class")
                    .self_ty;
                quote!(#self_ty)
            }
            ObjectType::Other(ty) => quote!(#ty),
        }
    };
    // Each other class must be exported: one clear error at the type if not.
    let assertions = t.objects.iter().filter_map(|o| match o {
        ObjectType::This => None,
        ObjectType::Other(ty) => Some(quote_spanned! {ty.span()=>
            const _: () = ::vix_ffi::glue::assert_class::<#ty>();
        }),
    });
    let assertions = quote!(#(#assertions)*);
    let args: Vec<Ident> = (0..sig.params.len())
        .map(|i| hidden(&format!("__vix_arg{i}")))
        .collect();
    let (mut out_ptr, mut out_cap, mut out_len, mut out_value) = (None, None, None, None);
    for c in sig.c_params() {
        // `self` cannot be a Rust parameter name.
        let ident = if c.role == Role::SelfHandle {
            hidden("__vix_self")
        } else {
            c_ident(&c.name)
        };
        let ty = match c.role {
            Role::SelfHandle => {
                let method = method.expect("a receiver belongs to a method");
                let self_ty = method.self_ty;
                let handle = hidden("__vix_hself");
                raw_inputs.push(quote! {
                    let #handle = unsafe { ::vix_ffi::glue::HandleArg::<#self_ty>::new(#ident) };
                });
                handles.push(quote!((#handle.addr(), "self")));
                let binding = if method.receiver == Some(Receiver::Exclusive) {
                    quote!(let mut #this)
                } else {
                    quote!(let #this)
                };
                locks.insert(0, quote!(#binding = #handle.this()?;));
                decls.push(quote!(#ident: *mut ::vix_ffi::glue::Handle<#self_ty>));
                continue;
            }
            Role::Object(i) => {
                let ParamType::Object(id) = sig.params[i].ty else {
                    unreachable!("an object role has an object type")
                };
                let ty = object_type(id);
                let handle = hidden(&format!("__vix_h{i}"));
                let guard = hidden(&format!("__vix_g{i}"));
                raw_inputs.push(quote! {
                    let #handle = unsafe { ::vix_ffi::glue::HandleArg::<#ty>::new(#ident) };
                });
                let name = &sig.params[i].name;
                handles.push(quote!((#handle.addr(), #name)));
                let arg = &args[i];
                if sig.params[i].optional {
                    locks.push(quote!(let #guard = #handle.optional(#name)?;));
                    conversions.push(quote!(let #arg = #guard.as_deref();));
                } else {
                    locks.push(quote!(let #guard = #handle.object(#name)?;));
                    conversions.push(quote!(let #arg = &*#guard;));
                }
                quote!(*mut ::vix_ffi::glue::Handle<#ty>)
            }
            Role::OutHandle => {
                out_value = Some(ident.clone());
                let Returns::Object(id) = sig.output else {
                    unreachable!("out_handle belongs to an object output")
                };
                let ty = object_type(id);
                quote!(*mut *mut ::vix_ffi::glue::Handle<#ty>)
            }
            Role::InputPtr(_) => quote!(*const u8),
            Role::InputLen(i) => {
                let ptr = c_ident(&format!("{}_ptr", sig.params[i].name));
                let raw = hidden(&format!("__vix_raw{i}"));
                raw_inputs.push(quote! {
                    let #raw = unsafe { ::vix_ffi::glue::InputArg::new(#ptr, #ident) };
                });
                let name = &sig.params[i].name;
                let arg = &args[i];
                let method = match (sig.params[i].ty == ParamType::Str, sig.params[i].optional) {
                    (true, false) => quote!(text),
                    (false, false) => quote!(bytes),
                    (true, true) => quote!(optional_text),
                    (false, true) => quote!(optional_bytes),
                };
                conversions.push(quote!(let #arg = #raw.#method(#name)?;));
                quote!(usize)
            }
            Role::Scalar(i) => {
                let ParamType::Scalar(s) = sig.params[i].ty else {
                    unreachable!("a scalar role has a scalar type")
                };
                let arg = &args[i];
                let name = &sig.params[i].name;
                if s == Scalar::Bool {
                    conversions.push(quote!(let #arg = ::vix_ffi::glue::bool_arg(#ident, #name)?;));
                    // `_Bool` is one byte; a Rust `bool` could not receive another value.
                    quote!(u8)
                } else {
                    conversions.push(quote!(let #arg = #ident;));
                    scalar_type(s)
                }
            }
            Role::OutPtr => {
                out_ptr = Some(ident.clone());
                quote!(*mut u8)
            }
            Role::OutCap => {
                out_cap = Some(ident.clone());
                quote!(usize)
            }
            Role::OutLen => {
                out_len = Some(ident.clone());
                quote!(*mut usize)
            }
            Role::OutValue => {
                out_value = Some(ident.clone());
                let Returns::Scalar(s) = sig.output else {
                    unreachable!("out_value belongs to a scalar output")
                };
                let ty = scalar_type(s);
                quote!(*mut #ty)
            }
            Role::Status => continue,
        };
        decls.push(quote!(#ident: #ty));
    }
    let (out_value_expr, out_type, value_type) = match sig.output {
        Returns::Object(id) => {
            let ty = object_type(id);
            (
                quote!(::vix_ffi::glue::HandleOut::<#ty>(#out_value)),
                quote!(::vix_ffi::glue::HandleOut<#ty>),
                quote!(*mut ::vix_ffi::glue::Handle<#ty>),
            )
        }
        Returns::None | Returns::This => (
            quote!(::vix_ffi::glue::NoOut),
            quote!(::vix_ffi::glue::NoOut),
            quote!(()),
        ),
        Returns::Scalar(s) => {
            let ty = scalar_type(s);
            (
                quote!(::vix_ffi::glue::ScalarOut::<#ty>(#out_value)),
                quote!(::vix_ffi::glue::ScalarOut<#ty>),
                ty,
            )
        }
        Returns::Bytes | Returns::Str => (
            quote!(::vix_ffi::glue::BufOut { ptr: #out_ptr, cap: #out_cap, len: #out_len }),
            quote!(::vix_ffi::glue::BufOut),
            quote!(usize),
        ),
    };
    // The call carries the return type's span, so that a type error about the result
    // (an error type that does not convert into `vix_ffi::Error`) points there.
    let mut ident = t.ident.clone();
    ident.set_span(t.output_span);
    let function = match method {
        Some(m) => {
            let ty = m.self_ty;
            quote!(<#ty>::#ident)
        }
        None => quote!(#ident),
    };
    // A method's object comes first.
    let receiver = match method.and_then(|m| m.receiver) {
        Some(Receiver::Exclusive) => quote!(&mut *#this,),
        Some(Receiver::Shared) => quote!(&*#this,),
        None => quote!(),
    };
    let check_ascii = if t.ascii {
        quote!({ ::core::cfg!(debug_assertions) })
    } else {
        quote!(false)
    };
    let call = if t.writer {
        // The size first, from the parameters `size` names (or the one buffer input),
        // through a function pointer of their types, so that a closure's parameters need
        // no annotations.
        let need = hidden("__vix_need");
        let size_call = match (&t.size, t.output_blocks) {
            (Some(size), _) => {
                let types = t.size_args.iter().map(|&i| {
                    let p = &sig.params[i];
                    let ty = match p.ty {
                        ParamType::Bytes => quote!(&[u8]),
                        ParamType::Str => quote!(&str),
                        ParamType::Scalar(s) => scalar_type(s),
                        ParamType::Object(id) => {
                            let ty = object_type(id);
                            quote!(&#ty)
                        }
                    };
                    if p.optional {
                        quote!(::core::option::Option<#ty>)
                    } else {
                        ty
                    }
                });
                let size_args = t.size_args.iter().map(|&i| &args[i]);
                let size_fn = hidden("__vix_size");
                quote_spanned! {size.span()=>
                    let #size_fn: fn(#(#types),*) -> ::vix_ffi::Result<usize> = #size;
                    let #need = #size_fn(#(#size_args),*)?;
                }
            }
            (None, Some(blocks)) => {
                let block_in = Literal::u32_suffixed(blocks.input);
                let block_out = Literal::u32_suffixed(blocks.output);
                let input = &args[t.size_args[0]];
                quote! {
                    let #need = ::vix_ffi::glue::blocks_size(
                        ::vix_ffi::glue::InputBytes::input_bytes(&#input).len(),
                        #block_in,
                        #block_out,
                    )?;
                }
            }
            (None, None) => unreachable!("a writer has a size"),
        };
        let inputs = sig
            .params
            .iter()
            .zip(&args)
            .filter(|(p, _)| p.ty.is_buffer())
            .map(|(_, arg)| quote!(::vix_ffi::glue::InputBytes::input_bytes(&#arg)));
        let writer = hidden("__vix_writer");
        quote_spanned! {t.output_span=>
            {
                #size_call
                ::vix_ffi::glue::put_sized::<_, #check_ascii>(
                    #out,
                    &[#(#inputs),*],
                    #need,
                    |#writer| #function(#receiver #(#args,)* #writer),
                )
            }
        }
    } else {
        match sig.output {
            Returns::Bytes | Returns::Str => quote_spanned! {t.output_span=>
                ::vix_ffi::glue::put::<_, _, #check_ascii>(#out, #function(#receiver #(#args),*))
            },
            Returns::None | Returns::Scalar(_) => {
                quote_spanned! {t.output_span=>
                    ::vix_ffi::glue::result(#function(#receiver #(#args),*))
                }
            }
            Returns::Object(_) => quote_spanned! {t.output_span=>
                ::vix_ffi::glue::boxed(|| #function(#receiver #(#args),*))
            },
            Returns::This => quote_spanned! {t.output_span=>
                ::vix_ffi::glue::chain(#function(#receiver #(#args),*))
            },
        }
    };
    let body = hidden("__vix_body");
    let distinct = if handles.len() > 1 {
        quote!(::vix_ffi::glue::distinct(&[#(#handles),*])?;)
    } else {
        quote!()
    };
    quote! {
        pub unsafe extern "C" fn #symbol(
            #(#decls,)*
            #status: *mut ::vix_ffi::VixStatus,
        ) -> ::std::os::raw::c_int {
            #assertions
            // Forwarded from this function's contract (`# Safety` above).
            #(#raw_inputs)*
            let #body = move |#out: &#out_type| -> ::vix_ffi::Result<#value_type> {
                #distinct
                #(#locks)*
                #(#conversions)*
                #call
            };
            // Forwarded from this function's contract (`# Safety` above).
            unsafe { ::vix_ffi::glue::call(#status, #out_value_expr, #body) }
        }
    }
}

fn version(v: &Version, symbol: &Ident) -> TokenStream2 {
    let out_status = hidden("out_status");
    let constant = &v.ident;
    quote! {
        pub unsafe extern "C" fn #symbol(
            #out_status: *mut ::vix_ffi::VixStatus,
        ) -> ::vix_ffi::VixStr {
            // Forwarded from this function's contract (`# Safety` above).
            unsafe { ::vix_ffi::version(#out_status, #constant) }
        }
    }
}

/// An exported class: the `Class` implementation, a symbol per constructor and method,
/// and `<c_name>_free`.
fn expand_class(class: &Class) -> TokenStream2 {
    let self_ty = &class.self_ty;
    let name = &class.name;
    let span = class.ident.span();
    let mut out = quote_spanned! {span=>
        impl ::vix_ffi::glue::Class for #self_ty {
            const NAME: &'static str = #name;
        }
    };
    let safety = " The object contract of Vix FFI v1.1: `self` and each object argument are \
                  NULL or a live handle of their class (made by its `_new` or a method, not \
                  yet freed), each input pointer is null or readable for its length, each \
                  output pointer null or writable, for the whole call.";
    for member in class.constructor.iter().chain(&class.methods) {
        let method = Method {
            self_ty,
            receiver: member.receiver,
        };
        let ident = &member.typed.ident;
        let symbol = format_ident!("{}", member.symbol, span = ident.span());
        let origin = format!(
            " The `extern \"C\"` symbol of `{}::{ident}`, generated by `#[vix_ffi::export]`.",
            class.ident
        );
        let body = typed(&member.typed, &symbol, Some(&method));
        out.extend(quote! {
            #[doc = #origin]
            #[doc = ""]
            #[doc = " # Safety"]
            #[doc = ""]
            #[doc = #safety]
            #[unsafe(no_mangle)]
            #body
        });
    }
    let free = format_ident!("{}", class.free_symbol(), span = span);
    let handle = hidden("__vix_self");
    let origin = format!(
        " Releases an object of `{}` made by `#[vix_ffi::export]`'s symbols; NULL does nothing.",
        class.ident
    );
    out.extend(quote! {
        #[doc = #origin]
        #[doc = ""]
        #[doc = " # Safety"]
        #[doc = ""]
        #[doc = " `self` is NULL or a live handle of the class that no call is using and that is \
                  not used afterwards."]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn #free(#handle: *mut ::vix_ffi::glue::Handle<#self_ty>) {
            // Forwarded from this function's contract (`# Safety` above).
            unsafe { ::vix_ffi::glue::free(#handle) }
        }
    });
    out
}
