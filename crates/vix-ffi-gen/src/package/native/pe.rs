//! PE (Windows): whether the file is a DLL, and its machine, which make the wheel's
//! `win_amd64` / `win32` / `win_arm64` tag.

/// A parsed PE file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeInfo {
    /// COFF `Machine`.
    pub machine: u16,
    /// `IMAGE_FILE_DLL` is set in the COFF characteristics.
    pub is_dll: bool,
}

/// Parses a PE file (starting with `MZ`); `None` when it has no PE header.
pub fn parse(data: &[u8]) -> Option<PeInfo> {
    const IMAGE_FILE_DLL: u16 = 0x2000;
    let le16 = |at: usize| Some(u16::from_le_bytes(data.get(at..at + 2)?.try_into().ok()?));
    if data.get(..2) != Some(b"MZ") {
        return None;
    }
    let pe = u32::from_le_bytes(data.get(0x3c..0x40)?.try_into().ok()?) as usize;
    if data.get(pe..pe.checked_add(4)?) != Some(b"PE\0\0") {
        return None;
    }
    Some(PeInfo {
        machine: le16(pe + 4)?,
        is_dll: le16(pe + 22)? & IMAGE_FILE_DLL != 0,
    })
}

/// The wheel platform tag of a DLL.
pub fn platform_tag(info: &PeInfo) -> Result<String, String> {
    match info.machine {
        0x8664 => Ok("win_amd64".to_owned()),
        0x014c => Ok("win32".to_owned()),
        0xaa64 => Ok("win_arm64".to_owned()),
        other => Err(format!(
            "its machine ({other:#06x}) has no Windows wheel tag"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn pe(machine: u16, characteristics: u16) -> Vec<u8> {
        let mut d = vec![0u8; 0x80 + 24];
        d[..2].copy_from_slice(b"MZ");
        d[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
        d[0x80..0x84].copy_from_slice(b"PE\0\0");
        d[0x84..0x86].copy_from_slice(&machine.to_le_bytes());
        d[0x96..0x98].copy_from_slice(&characteristics.to_le_bytes());
        d
    }

    #[test]
    fn dll_and_exe() {
        let dll = parse(&pe(0x8664, 0x2022)).unwrap();
        assert!(dll.is_dll);
        assert_eq!(platform_tag(&dll).unwrap(), "win_amd64");
        assert!(!parse(&pe(0x8664, 0x0022)).unwrap().is_dll);
        assert_eq!(parse(b"MZ"), None);
    }
}
