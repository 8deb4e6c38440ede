//! The native library a package bundles: is it a shared library the host can load, and
//! which wheel platform tag describes it.
//!
//! The tag comes from the library file, not from the machine that builds the wheel: its
//! architecture, and on Linux the oldest glibc (and libstdc++, libgcc) it needs
//! ([`manylinux`]); on macOS its minimum macOS version; on Windows its machine.

pub mod elf;
mod macho;
pub mod manylinux;
mod pe;

use std::fmt;
use std::path::Path;

/// An operating system a package can bundle a library for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Os {
    /// ELF `.so` files.
    Linux,
    /// Mach-O `.dylib` files.
    MacOs,
    /// PE `.dll` files.
    Windows,
}

impl Os {
    /// The operating system this program runs on, if it is one of the three.
    pub fn host() -> Option<Os> {
        if cfg!(target_os = "linux") {
            Some(Os::Linux)
        } else if cfg!(target_os = "macos") {
            Some(Os::MacOs)
        } else if cfg!(windows) {
            Some(Os::Windows)
        } else {
            None
        }
    }

    /// The file name the generated loader looks for: `lib<name>.so`, `lib<name>.dylib`,
    /// `<name>.dll` (the same rule as `_native.LIBRARY_FILENAME`).
    pub fn library_file_name(self, name: &str) -> String {
        match self {
            Os::Linux => format!("lib{name}.so"),
            Os::MacOs => format!("lib{name}.dylib"),
            Os::Windows => format!("{name}.dll"),
        }
    }

    /// `"Linux"`, `"macOS"`, `"Windows"`.
    pub fn name(self) -> &'static str {
        match self {
            Os::Linux => "Linux",
            Os::MacOs => "macOS",
            Os::Windows => "Windows",
        }
    }

    /// The trove classifier of the operating system.
    pub fn classifier(self) -> &'static str {
        match self {
            Os::Linux => "Operating System :: POSIX :: Linux",
            Os::MacOs => "Operating System :: MacOS",
            Os::Windows => "Operating System :: Microsoft :: Windows",
        }
    }

    fn format(self) -> &'static str {
        match self {
            Os::Linux => "ELF",
            Os::MacOs => "Mach-O",
            Os::Windows => "PE",
        }
    }
}

/// A shared library fit to bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NativeLibrary {
    /// The wheel's platform tag, possibly a compressed set:
    /// `manylinux_2_17_x86_64.manylinux2014_x86_64`, `macosx_11_0_arm64`, `win_amd64`.
    pub platform_tag: String,
    /// Whether a package index such as PyPI accepts a wheel with that tag.
    pub publishable: bool,
    /// What was found, in words (`ELF shared library for x86_64, needs glibc 2.17 or later`).
    pub summary: String,
    /// Why the tag is not publishable, when it is not.
    pub warnings: Vec<String>,
}

/// Why a file cannot be bundled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LibraryError {
    /// Nothing at that path.
    NotFound,
    /// A folder or another non-file.
    NotAFile,
    /// Reading failed.
    Unreadable(String),
    /// A file, but not a shared library (the message says what it is).
    NotSharedLibrary(String),
    /// A shared library of another operating system.
    OtherPlatform {
        /// What the file is.
        found: &'static str,
        /// The host.
        host: Os,
    },
    /// A shared library with no wheel tag (unknown architecture, …).
    NoPlatformTag(String),
}

impl fmt::Display for LibraryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LibraryError::NotFound => write!(f, "no such file"),
            LibraryError::NotAFile => write!(f, "not a file"),
            LibraryError::Unreadable(err) => write!(f, "cannot be read: {err}"),
            LibraryError::NotSharedLibrary(what) => write!(f, "not a shared library: {what}"),
            LibraryError::OtherPlatform { found, host } => write!(
                f,
                "not a shared library for this platform: it is {found}, but {} loads {} \
                 files",
                host.name(),
                host.format()
            ),
            LibraryError::NoPlatformTag(why) => {
                write!(f, "cannot be bundled in a platform wheel: {why}")
            }
        }
    }
}

impl std::error::Error for LibraryError {}

/// Reads and inspects the library at `path` for `os`.
pub fn inspect_file(path: &Path, os: Os) -> Result<NativeLibrary, LibraryError> {
    let meta = std::fs::metadata(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => LibraryError::NotFound,
        _ => LibraryError::Unreadable(err.to_string()),
    })?;
    if !meta.is_file() {
        return Err(LibraryError::NotAFile);
    }
    let data = std::fs::read(path).map_err(|err| LibraryError::Unreadable(err.to_string()))?;
    inspect(&data, os)
}

/// Inspects library bytes for `os`.
pub fn inspect(data: &[u8], os: Os) -> Result<NativeLibrary, LibraryError> {
    let not_lib = |what: &str| Err(LibraryError::NotSharedLibrary(what.to_owned()));
    if data.is_empty() {
        return not_lib("the file is empty");
    }
    if data.starts_with(elf::MAGIC) {
        if os != Os::Linux {
            return Err(LibraryError::OtherPlatform {
                found: "an ELF file (Linux)",
                host: os,
            });
        }
        return inspect_elf(data);
    }
    if macho::is_macho(data) {
        if os != Os::MacOs {
            return Err(LibraryError::OtherPlatform {
                found: "a Mach-O file (macOS)",
                host: os,
            });
        }
        return inspect_macho(data);
    }
    if data.starts_with(b"MZ") {
        if os != Os::Windows {
            return Err(LibraryError::OtherPlatform {
                found: "a PE file (Windows)",
                host: os,
            });
        }
        return inspect_pe(data);
    }
    if data.starts_with(b"!<arch>\n") {
        return not_lib(
            "it is a static archive, which cannot be loaded at run time; build a shared \
             library (crate-type = [\"cdylib\"], or add_library(... SHARED ...))",
        );
    }
    if data.starts_with(b"#!") {
        return not_lib("it is a script");
    }
    not_lib(&format!(
        "it has no ELF, Mach-O or PE header (it starts with {:?})",
        String::from_utf8_lossy(&data[..data.len().min(8)])
    ))
}

fn inspect_elf(data: &[u8]) -> Result<NativeLibrary, LibraryError> {
    let info = elf::parse(data)
        .map_err(|e| LibraryError::NotSharedLibrary(format!("a malformed ELF file: {}", e.0)))?;
    match info.kind() {
        elf::ElfKind::SharedLibrary => {}
        elf::ElfKind::Executable => {
            return Err(LibraryError::NotSharedLibrary(
                "it is an ELF executable (a program), not a shared library".to_owned(),
            ))
        }
        elf::ElfKind::Relocatable => {
            return Err(LibraryError::NotSharedLibrary(
                "it is an ELF object file (.o), which cannot be loaded at run time".to_owned(),
            ))
        }
        elf::ElfKind::Other => {
            return Err(LibraryError::NotSharedLibrary(format!(
                "it is an ELF file of type {}, not a shared library (ET_DYN)",
                info.e_type
            )))
        }
    }
    let arch = manylinux::architecture(&info).map_err(LibraryError::NoPlatformTag)?;
    let tag = manylinux::linux_tag(&info, arch);
    let summary = match tag.glibc {
        Some((major, minor)) => {
            format!("ELF shared library for {arch}, needs glibc {major}.{minor} or later")
        }
        None => format!("ELF shared library for {arch}"),
    };
    let publishable = tag.glibc.is_some();
    let warnings = if publishable {
        Vec::new()
    } else {
        vec![format!(
            "the wheel will be tagged {}, which package indexes such as PyPI refuse, \
             because {}",
            tag.platform_tags[0],
            tag.why_not.join("; ")
        )]
    };
    Ok(NativeLibrary {
        platform_tag: tag.platform_tags.join("."),
        publishable,
        summary,
        warnings,
    })
}

fn inspect_macho(data: &[u8]) -> Result<NativeLibrary, LibraryError> {
    let info = macho::parse(data).ok_or_else(|| {
        LibraryError::NotSharedLibrary("a truncated or unsupported Mach-O file".to_owned())
    })?;
    if !matches!(info.filetype, macho::MH_DYLIB | macho::MH_BUNDLE) {
        return Err(LibraryError::NotSharedLibrary(format!(
            "it is a Mach-O file of type {} ({}), not a dylib",
            info.filetype,
            match info.filetype {
                1 => "object file",
                2 => "executable",
                _ => "other",
            }
        )));
    }
    if let Some(platform) = info.foreign_platform {
        return Err(LibraryError::NotSharedLibrary(format!(
            "it is built for Apple platform {platform} (iOS, tvOS, …), not macOS"
        )));
    }
    let tag = macho::platform_tag(&info).map_err(LibraryError::NoPlatformTag)?;
    Ok(NativeLibrary {
        summary: format!("Mach-O dylib for {}", info.archs.join(" + ")),
        platform_tag: tag,
        publishable: true,
        warnings: Vec::new(),
    })
}

fn inspect_pe(data: &[u8]) -> Result<NativeLibrary, LibraryError> {
    let info = pe::parse(data).ok_or_else(|| {
        LibraryError::NotSharedLibrary("an MZ file without a PE header".to_owned())
    })?;
    if !info.is_dll {
        return Err(LibraryError::NotSharedLibrary(
            "it is a Windows executable, not a DLL".to_owned(),
        ));
    }
    let tag = pe::platform_tag(&info).map_err(LibraryError::NoPlatformTag)?;
    Ok(NativeLibrary {
        summary: format!("Windows DLL for {tag}"),
        platform_tag: tag,
        publishable: true,
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
