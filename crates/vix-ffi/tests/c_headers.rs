//! The shipped C headers compile, alone and together, as C and as C++, with warnings as
//! errors; their macros expand as ABI v1 says; and `VIX_FFI_API` really exports a symbol
//! from a library built with hidden visibility.
//!
//! The original Vix FFI shipped a header that was not valid C (`VIX_FFI_EXTERN_C { … }`
//! became a bare block), which only a compiler run catches.

mod common;

use std::process::Command;

use common::{compile, compile_and_run, include_dir, run, temp_dir, Std};

/// Every header of `include/vix/ffi/`, umbrella first.
const VIX_HEADERS: [&str; 6] = [
    "vix_ffi.h",
    "vix_ffi_export.h",
    "vix_ffi_config.h",
    "vix_ffi_types.h",
    "vix_ffi_status.h",
    "vix_ffi_memory.h",
];

/// The C++-only helpers of `include/vix/ffi/`.
const VIX_CXX_HEADERS: [&str; 1] = ["vix_ffi.hpp"];

/// The example libraries' C headers, relative to their `include` folders
/// (`examples/base64_ffi/include`, `examples/base64_ffi_cpp/include`).
const EXAMPLE_HEADERS: [&str; 2] = ["base64/base64_ffi.h", "base64_ffi_cpp.h"];

/// Makes a translation unit that is never empty (ISO C forbids an empty one, which
/// `-Wpedantic` reports for the macro-only headers).
const ANCHOR: &str = "int vix_header_probe(void);\nint vix_header_probe(void) { return 0; }\n";

/// Every C header, as an `#include` path.
fn all_headers() -> Vec<String> {
    VIX_HEADERS
        .iter()
        .map(|h| format!("vix/ffi/{h}"))
        .chain(EXAMPLE_HEADERS.iter().map(|h| (*h).to_owned()))
        .collect()
}

fn fail_with(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} compilation(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_list_of_headers_is_complete() {
    let mut on_disk: Vec<String> = std::fs::read_dir(include_dir().join("vix").join("ffi"))
        .expect("include/vix/ffi exists")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".h") || name.ends_with(".hpp"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = VIX_HEADERS
        .iter()
        .chain(&VIX_CXX_HEADERS)
        .map(|h| (*h).to_owned())
        .collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "a header was added or removed: update VIX_HEADERS"
    );
}

#[test]
fn every_header_compiles_alone_as_c_and_cxx() {
    let dir = temp_dir();
    let mut failures = Vec::new();
    for (i, header) in all_headers().iter().enumerate() {
        // Included twice: the include guard must hold.
        let source = format!("#include <{header}>\n#include <{header}>\n{ANCHOR}");
        for std in Std::ALL {
            let stem = format!("alone{i}");
            let obj = format!("{stem}-{}.o", std.extension());
            if let Err(report) = compile(std, dir.path(), &stem, &source, &["-c", "-o", &obj]) {
                failures.push(format!("{header}: {report}"));
            }
        }
    }
    fail_with(failures);
}

#[test]
fn every_cxx_header_compiles_alone_as_cxx17() {
    let dir = temp_dir();
    let mut failures = Vec::new();
    for (i, header) in VIX_CXX_HEADERS.iter().enumerate() {
        let source = format!("#include <vix/ffi/{header}>\n#include <vix/ffi/{header}>\n{ANCHOR}");
        let stem = format!("cxx{i}");
        let obj = format!("{stem}.o");
        if let Err(report) = compile(Std::Cxx17, dir.path(), &stem, &source, &["-c", "-o", &obj]) {
            failures.push(format!("{header}: {report}"));
        }
    }
    fail_with(failures);
}

#[test]
fn headers_compile_in_any_order() {
    let dir = temp_dir();
    let mut failures = Vec::new();
    // The two example headers declare the same API (two implementations of one library),
    // so only the first takes part.
    let mut reversed: Vec<String> = all_headers()
        .into_iter()
        .filter(|h| h != EXAMPLE_HEADERS[1])
        .collect();
    reversed.reverse();
    let source: String = reversed
        .iter()
        .map(|h| format!("#include <{h}>\n"))
        .chain([ANCHOR.to_owned()])
        .collect();
    for std in Std::ALL {
        let obj = format!("order-{}.o", std.extension());
        if let Err(report) = compile(std, dir.path(), "order", &source, &["-c", "-o", &obj]) {
            failures.push(report);
        }
    }
    fail_with(failures);
}

/// Uses every type, function typedef, enum value and macro the way a library would.
const USAGE: &str = r#"
#include <vix/ffi/vix_ffi.h>
#include <base64/base64_ffi.h>

#if VIX_FFI_ABI_VERSION_MAJOR != 1 || VIX_FFI_ABI_VERSION_MINOR != 1
#error "these headers must describe ABI v1.1"
#endif
#if VIX_STATUS_FIRST_LIBRARY_CODE != 1000
#error "library status codes start at 1000"
#endif

static void *probe_alloc(size_t size, void *user) { (void)size; return user; }
static void probe_free(void *ptr, void *user) { (void)ptr; (void)user; }

VIX_FFI_EXTERN_C VIX_FFI_API int VIX_FFI_CALL probe_copy(const uint8_t *in_ptr, size_t in_len,
                                                         uint8_t *out_ptr, size_t out_cap,
                                                         size_t *out_len, vix_status *out_status);

VIX_FFI_EXTERN_C VIX_FFI_API int VIX_FFI_CALL probe_copy(const uint8_t *in_ptr, size_t in_len,
                                                         uint8_t *out_ptr, size_t out_cap,
                                                         size_t *out_len, vix_status *out_status)
{
    vix_status st = vix_status_ok();
    size_t i;
    if (out_cap < in_len) {
        *out_len = in_len;
        st.code = VIX_STATUS_BUFFER_TOO_SMALL;
        st.message.ptr = "too small";
        st.message.len = 9;
    } else {
        for (i = 0; i < in_len; i++) {
            out_ptr[i] = in_ptr[i];
        }
        *out_len = in_len;
    }
    if (out_status != NULL) {
        *out_status = st;
    }
    return st.code;
}

int main(void)
{
    static const uint8_t text[3] = {'a', 'b', 'c'};
    uint8_t room[3] = {0, 0, 0};
    size_t n = 0;
    vix_status st = vix_status_ok();
    vix_buf in;
    vix_mut_buf out;
    vix_str name;
    vix_allocator alloc;
    enum vix_status_code code = VIX_STATUS_NOT_SUPPORTED;
    vix_alloc_fn af = probe_alloc;
    vix_free_fn ff = probe_free;

    in.ptr = text;
    in.len = sizeof text;
    out.ptr = room;
    out.cap = sizeof room;
    name.ptr = "probe";
    name.len = 5;
    alloc.alloc = af;
    alloc.free = ff;
    alloc.user = room;

    if (st.code != VIX_STATUS_OK || st.message.ptr != NULL || st.message.len != 0) return 1;
    if (probe_copy(in.ptr, in.len, NULL, 0, &n, &st) != VIX_STATUS_BUFFER_TOO_SMALL) return 2;
    if (n != 3 || st.message.len != 9) return 3;
    if (probe_copy(in.ptr, in.len, out.ptr, out.cap, &n, &st) != 0 || room[2] != 'c') return 4;
    if (alloc.alloc(16, alloc.user) != room) return 5;
    alloc.free(room, alloc.user);
    if (code != 4 || VIX_STATUS_ERROR != 1 || VIX_STATUS_INVALID_ARG != 2) return 6;
    if (name.len != 5) return 7;
    return 0;
}
"#;

#[test]
fn the_types_and_macros_are_usable_from_c_and_cxx() {
    let dir = temp_dir();
    for std in Std::ALL {
        compile_and_run(std, dir.path(), "usage", USAGE);
    }
}

/// Prints what the export macros expand to, between brackets.
const MACROS: &str = r#"
#include <stdio.h>
#include <vix/ffi/vix_ffi.h>

#define VIX_PROBE_STR_(x) #x
#define VIX_PROBE_STR(x) VIX_PROBE_STR_(x)

int main(void)
{
    printf("extern_c=[%s]\n", VIX_PROBE_STR(VIX_FFI_EXTERN_C));
    printf("call=[%s]\n", VIX_PROBE_STR(VIX_FFI_CALL));
    printf("api=[%s]\n", VIX_PROBE_STR(VIX_FFI_API));
    return 0;
}
"#;

#[test]
fn the_export_macros_expand_as_specified() {
    let dir = temp_dir();
    for std in Std::ALL {
        let out = compile_and_run(std, dir.path(), "macros", MACROS);
        let extern_c = if std.is_cxx() { "extern \"C\"" } else { "" };
        assert!(
            out.contains(&format!("extern_c=[{extern_c}]\n")),
            "{std:?}: VIX_FFI_EXTERN_C: {out}"
        );
        if cfg!(windows) {
            assert!(
                out.contains("call=[__cdecl]\n"),
                "{std:?}: VIX_FFI_CALL: {out}"
            );
        } else {
            assert!(out.contains("call=[]\n"), "{std:?}: VIX_FFI_CALL: {out}");
            assert!(
                out.contains("api=[__attribute__((visibility(\"default\")))]\n"),
                "{std:?}: VIX_FFI_API: {out}"
            );
        }
    }
}

/// A library built with `-fvisibility=hidden`: only what carries `VIX_FFI_API` (directly,
/// or through a header declaration) is exported, and C++ definitions of functions declared
/// in the example header keep their C names.
const EXPORTS: &str = r#"
#include <vix/ffi/vix_ffi.h>
#include <base64/base64_ffi.h>

VIX_FFI_EXTERN_C VIX_FFI_API int VIX_FFI_CALL probe_exported(void);
VIX_FFI_EXTERN_C int probe_hidden(void);

VIX_FFI_EXTERN_C VIX_FFI_API int VIX_FFI_CALL probe_exported(void) { return 1; }
VIX_FFI_EXTERN_C int probe_hidden(void) { return 2; }

vix_str VIX_FFI_CALL base64_ffi_version(vix_status *out_status)
{
    vix_str v;
    if (out_status != NULL) {
        *out_status = vix_status_ok();
    }
    v.ptr = "0.0.0";
    v.len = 5;
    return v;
}
"#;

#[cfg(target_os = "linux")]
#[test]
fn vix_ffi_api_exports_exactly_the_marked_symbols() {
    let dir = temp_dir();
    for std in [Std::C11, Std::Cxx17] {
        let lib = dir.path().join(format!("libprobe-{}.so", std.extension()));
        let lib_arg = lib.to_string_lossy().into_owned();
        let flags = [
            "-shared",
            "-fPIC",
            "-fvisibility=hidden",
            "-DVIX_FFI_BUILD_DLL",
            "-o",
            &lib_arg,
        ];
        if let Err(report) = compile(std, dir.path(), "exports", EXPORTS, &flags) {
            panic!("{report}");
        }
        let nm = run(Command::new("nm")
            .args(["-D", "--defined-only", "--format=posix"])
            .arg(&lib))
        .unwrap_or_else(|report| panic!("{report}"));
        let listing = String::from_utf8_lossy(&nm.stdout).into_owned();
        let mut functions: Vec<&str> = listing
            .lines()
            .filter_map(|line| {
                let mut parts = line.split_whitespace();
                let name = parts.next()?;
                let kind = parts.next()?;
                (kind == "T").then_some(name)
            })
            .collect();
        functions.sort_unstable();
        assert_eq!(
            functions,
            ["base64_ffi_version", "probe_exported"],
            "{std:?}: exported functions of {}:\n{listing}",
            lib.display()
        );
    }
}
