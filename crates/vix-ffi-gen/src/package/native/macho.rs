//! Mach-O (macOS): the file type, the architectures and the minimum macOS version, which
//! make the wheel's `macosx_<major>_<minor>_<arch>` tag.

/// A parsed Mach-O file (one slice, or the slices of a universal file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachOInfo {
    /// `filetype` of the first slice (`MH_DYLIB` = 6, `MH_BUNDLE` = 8, `MH_EXECUTE` = 2…).
    pub filetype: u32,
    /// Architectures as wheel tags name them: `x86_64`, `arm64`, or a raw CPU type.
    pub archs: Vec<String>,
    /// The highest minimum macOS version over the slices, `(major, minor)`, when declared.
    pub min_macos: Option<(u32, u32)>,
    /// A slice built for another Apple platform (iOS, …): its `LC_BUILD_VERSION` platform.
    pub foreign_platform: Option<u32>,
}

pub const MH_DYLIB: u32 = 6;
pub const MH_BUNDLE: u32 = 8;

/// Whether `data` starts like a Mach-O file, thin or universal.
pub fn is_macho(data: &[u8]) -> bool {
    matches!(
        data.get(..4),
        Some([0xcf, 0xfa, 0xed, 0xfe] | [0xce, 0xfa, 0xed, 0xfe] | [0xfe, 0xed, 0xfa, 0xcf])
    ) || is_fat(data)
}

/// A universal ("fat") header; Java class files share the magic but have a large
/// version number where the slice count would be.
fn is_fat(data: &[u8]) -> bool {
    data.get(..4) == Some(&[0xca, 0xfe, 0xba, 0xbe]) && be32(data, 4).is_some_and(|n| n < 32)
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

fn le32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// Parses a Mach-O file; `None` when it is truncated or not little-endian 32/64-bit.
pub fn parse(data: &[u8]) -> Option<MachOInfo> {
    if is_fat(data) {
        let count = be32(data, 4)? as usize;
        let mut info: Option<MachOInfo> = None;
        for i in 0..count {
            let at = 8 + i * 20;
            let offset = be32(data, at + 8)? as usize;
            let size = be32(data, at + 12)? as usize;
            let slice = parse_thin(data.get(offset..offset.checked_add(size)?)?)?;
            info = Some(match info {
                None => slice,
                Some(mut all) => {
                    all.archs.extend(slice.archs);
                    all.min_macos = all.min_macos.max(slice.min_macos);
                    all.foreign_platform = all.foreign_platform.or(slice.foreign_platform);
                    all
                }
            });
        }
        return info;
    }
    parse_thin(data)
}

fn parse_thin(data: &[u8]) -> Option<MachOInfo> {
    const LC_VERSION_MIN_MACOSX: u32 = 0x24;
    const LC_BUILD_VERSION: u32 = 0x32;
    const PLATFORM_MACOS: u32 = 1;
    let header_size = match le32(data, 0)? {
        0xfeed_facf => 32,
        0xfeed_face => 28,
        _ => return None,
    };
    let cputype = le32(data, 4)?;
    let arch = match cputype {
        0x0100_0007 => "x86_64".to_owned(),
        0x0100_000c => "arm64".to_owned(),
        7 => "i386".to_owned(),
        other => format!("cputype {other:#x}"),
    };
    let filetype = le32(data, 12)?;
    let ncmds = le32(data, 16)?;
    let mut min_macos = None;
    let mut foreign_platform = None;
    let mut at = header_size;
    for _ in 0..ncmds {
        let cmd = le32(data, at)?;
        let size = le32(data, at + 4)? as usize;
        let version = match cmd {
            LC_BUILD_VERSION => {
                let platform = le32(data, at + 8)?;
                if platform != PLATFORM_MACOS {
                    foreign_platform = Some(platform);
                }
                Some(le32(data, at + 12)?)
            }
            LC_VERSION_MIN_MACOSX => Some(le32(data, at + 8)?),
            _ => None,
        };
        if let Some(v) = version {
            min_macos = Some((v >> 16, (v >> 8) & 0xff));
        }
        if size < 8 {
            return None;
        }
        at += size;
    }
    Some(MachOInfo {
        filetype,
        archs: vec![arch],
        min_macos,
        foreign_platform,
    })
}

/// The wheel platform tag: `macosx_11_0_arm64`, `macosx_10_12_x86_64`,
/// `macosx_11_0_universal2`. From macOS 11 on, installers compare the major version only,
/// so the minor is written as 0.
pub fn platform_tag(info: &MachOInfo) -> Result<String, String> {
    let mut archs = info.archs.clone();
    archs.sort();
    archs.dedup();
    let arch = match archs.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["x86_64"] => "x86_64",
        ["arm64"] => "arm64",
        ["arm64", "x86_64"] => "universal2",
        ref other => {
            return Err(format!(
                "its architectures ({}) have no macOS wheel tag",
                other.join(", ")
            ))
        }
    };
    // Without a declared minimum, the toolchains' defaults: 10.12 (x86_64), 11.0 (arm64).
    let default = if arch == "x86_64" { (10, 12) } else { (11, 0) };
    let (major, minor) = info.min_macos.unwrap_or(default);
    let minor = if major >= 11 { 0 } else { minor };
    Ok(format!("macosx_{major}_{minor}_{arch}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thin 64-bit Mach-O with one `LC_BUILD_VERSION` command.
    pub fn thin(cputype: u32, filetype: u32, platform: u32, minos: u32) -> Vec<u8> {
        let mut d = Vec::new();
        for word in [0xfeed_facf, cputype, 0, filetype, 1, 24, 0, 0] {
            d.extend_from_slice(&u32::to_le_bytes(word));
        }
        for word in [0x32, 24, platform, minos, 0, 0] {
            d.extend_from_slice(&u32::to_le_bytes(word));
        }
        d
    }

    #[test]
    fn thin_dylib() {
        let data = thin(0x0100_000c, MH_DYLIB, 1, 0x000b_0000);
        assert!(is_macho(&data));
        let info = parse(&data).unwrap();
        assert_eq!(info.filetype, MH_DYLIB);
        assert_eq!(platform_tag(&info).unwrap(), "macosx_11_0_arm64");
        let data = thin(0x0100_0007, MH_DYLIB, 1, 0x000a_0d00);
        assert_eq!(
            platform_tag(&parse(&data).unwrap()).unwrap(),
            "macosx_10_13_x86_64"
        );
    }

    #[test]
    fn universal_dylib() {
        let a = thin(0x0100_0007, MH_DYLIB, 1, 0x000a_0c00);
        let b = thin(0x0100_000c, MH_DYLIB, 1, 0x000b_0000);
        let mut d = Vec::new();
        for word in [0xcafe_babe_u32, 2] {
            d.extend_from_slice(&word.to_be_bytes());
        }
        let (oa, ob) = (48u32, 48 + a.len() as u32);
        for (cpu, off, len) in [(0x0100_0007, oa, a.len()), (0x0100_000c, ob, b.len())] {
            for word in [cpu, 0, off, len as u32, 0] {
                d.extend_from_slice(&u32::to_be_bytes(word));
            }
        }
        d.extend_from_slice(&a);
        d.extend_from_slice(&b);
        let info = parse(&d).unwrap();
        assert_eq!(platform_tag(&info).unwrap(), "macosx_11_0_universal2");
    }

    #[test]
    fn ios_slices_are_reported() {
        let data = thin(0x0100_000c, MH_DYLIB, 2, 0x000b_0000);
        assert_eq!(parse(&data).unwrap().foreign_platform, Some(2));
    }
}
