//! Library inspection on hand-built ELF files: a tiny ELF64 writer with the sections
//! the inspector reads (`.dynstr`, `.dynamic`, `.gnu.version_r`, `.dynsym`).

use super::*;

struct Spec<'a> {
    e_type: u16,
    machine: u16,
    flags_1: Option<u64>,
    needed: &'a [&'a str],
    /// library → versions needed from it.
    versions: &'a [(&'a str, &'a [&'a str])],
    /// undefined symbols, and whether each is weak.
    undefined: &'a [(&'a str, bool)],
}

const BASE: Spec<'static> = Spec {
    e_type: 3,
    machine: 62,
    flags_1: None,
    needed: &["libgcc_s.so.1", "libc.so.6"],
    versions: &[
        ("libgcc_s.so.1", &["GCC_3.0"]),
        ("libc.so.6", &["GLIBC_2.2.5", "GLIBC_2.14", "GLIBC_2.17"]),
    ],
    undefined: &[("memcpy", false), ("__cxa_thread_atexit_impl", true)],
};

fn build(spec: &Spec) -> Vec<u8> {
    let mut strtab = vec![0u8];
    let mut string = |s: &str| {
        let at = strtab.len() as u32;
        strtab.extend_from_slice(s.as_bytes());
        strtab.push(0);
        at
    };
    let mut dynamic = Vec::new();
    for lib in spec.needed {
        dynamic.extend_from_slice(&1u64.to_le_bytes());
        dynamic.extend_from_slice(&u64::from(string(lib)).to_le_bytes());
    }
    if let Some(flags) = spec.flags_1 {
        dynamic.extend_from_slice(&0x6fff_fffbu64.to_le_bytes());
        dynamic.extend_from_slice(&flags.to_le_bytes());
    }
    dynamic.extend_from_slice(&[0u8; 16]);
    let mut verneed = Vec::new();
    for (i, (lib, versions)) in spec.versions.iter().enumerate() {
        let file = string(lib);
        let next = if i + 1 == spec.versions.len() {
            0
        } else {
            16 + 16 * versions.len() as u32
        };
        verneed.extend_from_slice(&1u16.to_le_bytes());
        verneed.extend_from_slice(&(versions.len() as u16).to_le_bytes());
        for word in [file, 16, next] {
            verneed.extend_from_slice(&word.to_le_bytes());
        }
        for (j, version) in versions.iter().enumerate() {
            let name = string(version);
            let next = if j + 1 == versions.len() { 0 } else { 16 };
            for word in [0u32, 0, name, next] {
                verneed.extend_from_slice(&word.to_le_bytes());
            }
        }
    }
    let mut dynsym = vec![0u8; 24];
    for (name, weak) in spec.undefined {
        let mut sym = [0u8; 24];
        sym[..4].copy_from_slice(&string(name).to_le_bytes());
        sym[4] = if *weak { 0x22 } else { 0x12 };
        dynsym.extend_from_slice(&sym);
    }

    let mut data = vec![0u8; 64];
    let mut place = |bytes: &[u8]| {
        let at = data.len() as u64;
        data.extend_from_slice(bytes);
        while data.len() % 8 != 0 {
            data.push(0);
        }
        (at, bytes.len() as u64)
    };
    let str_at = place(&strtab);
    let dyn_at = place(&dynamic);
    let ver_at = place(&verneed);
    let sym_at = place(&dynsym);
    let shoff = data.len() as u64;
    // (type, (offset, size), link, info, entsize)
    let sections = [
        (0u32, (0, 0), 0u32, 0u32, 0u64),
        (3, str_at, 0, 0, 0),
        (6, dyn_at, 1, 0, 16),
        (0x6fff_fffe, ver_at, 1, spec.versions.len() as u32, 0),
        (11, sym_at, 1, 1, 24),
    ];
    for (kind, (offset, size), link, info, entsize) in sections {
        let mut sh = [0u8; 64];
        sh[4..8].copy_from_slice(&kind.to_le_bytes());
        sh[24..32].copy_from_slice(&offset.to_le_bytes());
        sh[32..40].copy_from_slice(&size.to_le_bytes());
        sh[40..44].copy_from_slice(&link.to_le_bytes());
        sh[44..48].copy_from_slice(&info.to_le_bytes());
        sh[56..64].copy_from_slice(&entsize.to_le_bytes());
        data.extend_from_slice(&sh);
    }
    data[..4].copy_from_slice(elf::MAGIC);
    data[4] = 2; // ELFCLASS64
    data[5] = 1; // little-endian
    data[6] = 1;
    data[16..18].copy_from_slice(&spec.e_type.to_le_bytes());
    data[18..20].copy_from_slice(&spec.machine.to_le_bytes());
    data[40..48].copy_from_slice(&shoff.to_le_bytes());
    data[58..60].copy_from_slice(&64u16.to_le_bytes());
    data[60..62].copy_from_slice(&(sections.len() as u16).to_le_bytes());
    data
}

#[test]
fn elf_parser_reads_what_the_writer_wrote() {
    let info = elf::parse(&build(&BASE)).unwrap();
    assert_eq!(info.needed, ["libgcc_s.so.1", "libc.so.6"]);
    assert_eq!(info.version_needs.len(), 4);
    assert_eq!(
        info.version_needs[3],
        ("libc.so.6".to_owned(), "GLIBC_2.17".to_owned())
    );
    assert_eq!(
        info.undefined_symbols,
        ["memcpy"],
        "weak symbols are optional"
    );
    assert_eq!(info.kind(), elf::ElfKind::SharedLibrary);
}

#[test]
fn a_shared_library_gets_its_manylinux_tag() {
    let lib = inspect(&build(&BASE), Os::Linux).unwrap();
    assert_eq!(
        lib.platform_tag,
        "manylinux_2_17_x86_64.manylinux2014_x86_64"
    );
    assert!(lib.publishable);
    assert!(lib.summary.contains("glibc 2.17"), "{}", lib.summary);
}

#[test]
fn a_library_linking_a_non_system_library_is_linux_tagged_with_a_warning() {
    let spec = Spec {
        needed: &["libssl.so.3", "libc.so.6"],
        ..BASE
    };
    let lib = inspect(&build(&spec), Os::Linux).unwrap();
    assert_eq!(lib.platform_tag, "linux_x86_64");
    assert!(!lib.publishable);
    assert!(
        lib.warnings[0].contains("auditwheel repair"),
        "{:?}",
        lib.warnings
    );
}

#[test]
fn executables_and_objects_are_refused() {
    let pie = Spec {
        flags_1: Some(0x0800_0001),
        ..BASE
    };
    let err = inspect(&build(&pie), Os::Linux).unwrap_err();
    assert!(err.to_string().contains("executable"), "{err}");
    let exec = Spec { e_type: 2, ..BASE };
    let err = inspect(&build(&exec), Os::Linux).unwrap_err();
    assert!(err.to_string().contains("executable"), "{err}");
    let object = Spec { e_type: 1, ..BASE };
    let err = inspect(&build(&object), Os::Linux).unwrap_err();
    assert!(err.to_string().contains("object file"), "{err}");
}

#[test]
fn other_files_are_refused_with_what_they_are() {
    for (data, what) in [
        (&b""[..], "empty"),
        (b"!<arch>\nfoo", "static archive"),
        (b"#!/bin/sh\n", "script"),
        (b"hello world", "no ELF, Mach-O or PE header"),
        (b"\x7fELF\x02\x01", "malformed ELF"),
    ] {
        let err = inspect(data, Os::Linux).unwrap_err();
        assert!(err.to_string().contains(what), "{err}");
        assert!(err.to_string().starts_with("not a shared library"), "{err}");
    }
}

#[test]
fn libraries_of_other_platforms_are_refused() {
    let elf = build(&BASE);
    let err = inspect(&elf, Os::MacOs).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not a shared library for this platform: it is an ELF file (Linux), but macOS \
         loads Mach-O files"
    );
    let macho = [0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1];
    let err = inspect(&macho, Os::Linux).unwrap_err();
    assert!(err.to_string().contains("Mach-O file (macOS)"), "{err}");
    let err = inspect(b"MZ\x90\x00", Os::Linux).unwrap_err();
    assert!(err.to_string().contains("PE file (Windows)"), "{err}");
}

#[test]
fn unknown_architectures_are_refused() {
    let spec = Spec {
        machine: 0x1234,
        ..BASE
    };
    let err = inspect(&build(&spec), Os::Linux).unwrap_err();
    assert!(err.to_string().contains("platform wheel"), "{err}");
}

#[test]
fn truncated_files_do_not_panic() {
    let full = build(&BASE);
    for len in 0..full.len() {
        let _ = inspect(&full[..len], Os::Linux);
    }
}

#[test]
fn file_names_follow_the_loader() {
    assert_eq!(Os::Linux.library_file_name("m"), "libm.so");
    assert_eq!(Os::MacOs.library_file_name("m"), "libm.dylib");
    assert_eq!(Os::Windows.library_file_name("m"), "m.dll");
}
