//! The few facts of an ELF file that packaging needs: its type, machine, the libraries
//! and symbol versions it needs from the system, the symbols it leaves undefined, and the
//! x86-64 ISA level it declares.
//!
//! Read from section headers, as `auditwheel` (pyelftools) reads them, so both see the
//! same file the same way.

/// What an ELF file is, from `e_type` and `DT_FLAGS_1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfKind {
    /// `ET_DYN` without `DF_1_PIE`: what `dlopen` loads.
    SharedLibrary,
    /// `ET_EXEC`, or `ET_DYN` with `DF_1_PIE` (a position-independent executable).
    Executable,
    /// `ET_REL`: an object file or a member of a static archive.
    Relocatable,
    /// `ET_CORE` or anything else.
    Other,
}

/// A parsed ELF file.
#[derive(Clone, Debug, Default)]
pub struct ElfInfo {
    /// `ELFCLASS64`.
    pub is_64: bool,
    /// `ELFDATA2LSB`.
    pub little_endian: bool,
    /// `e_type`.
    pub e_type: u16,
    /// `e_machine`.
    pub machine: u16,
    /// `e_flags`.
    pub flags: u32,
    /// `DT_FLAGS_1`.
    pub flags_1: u64,
    /// `DT_NEEDED` entries, in order.
    pub needed: Vec<String>,
    /// `(library, version)` pairs of `.gnu.version_r`, e.g. `("libc.so.6", "GLIBC_2.14")`.
    pub version_needs: Vec<(String, String)>,
    /// Names of undefined, non-weak dynamic symbols.
    pub undefined_symbols: Vec<String>,
    /// `GNU_PROPERTY_X86_ISA_1_NEEDED` of a `NT_GNU_PROPERTY_TYPE_0` note, when present.
    pub x86_isa_needed: Option<u32>,
}

impl ElfInfo {
    /// What the file is.
    pub fn kind(&self) -> ElfKind {
        const ET_REL: u16 = 1;
        const ET_EXEC: u16 = 2;
        const ET_DYN: u16 = 3;
        const DF_1_PIE: u64 = 0x0800_0000;
        match self.e_type {
            ET_DYN if self.flags_1 & DF_1_PIE != 0 => ElfKind::Executable,
            ET_DYN => ElfKind::SharedLibrary,
            ET_EXEC => ElfKind::Executable,
            ET_REL => ElfKind::Relocatable,
            _ => ElfKind::Other,
        }
    }
}

pub const MAGIC: &[u8; 4] = b"\x7fELF";

const SHT_DYNAMIC: u32 = 6;
const SHT_NOTE: u32 = 7;
const SHT_NOBITS: u32 = 8;
const SHT_DYNSYM: u32 = 11;
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;
const DT_NULL: u64 = 0;
const DT_NEEDED: u64 = 1;
const DT_FLAGS_1: u64 = 0x6fff_fffb;
const NT_GNU_PROPERTY_TYPE_0: u32 = 5;
const GNU_PROPERTY_X86_ISA_1_NEEDED: u32 = 0xc000_8002;
const STB_WEAK: u8 = 2;

/// A malformed ELF file (the message says what could not be read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed(pub String);

type Result<T> = std::result::Result<T, Malformed>;

struct Reader<'a> {
    data: &'a [u8],
    le: bool,
    is_64: bool,
}

impl Reader<'_> {
    fn bytes(&self, at: u64, len: u64, what: &str) -> Result<&[u8]> {
        let start = usize::try_from(at).ok();
        let end = at.checked_add(len).and_then(|e| usize::try_from(e).ok());
        match (start, end) {
            (Some(s), Some(e)) if e <= self.data.len() => Ok(&self.data[s..e]),
            _ => Err(Malformed(format!(
                "{what} (bytes {at}..{}) lies past the end of the file ({} bytes)",
                at.saturating_add(len),
                self.data.len()
            ))),
        }
    }

    fn u8(&self, at: u64, what: &str) -> Result<u8> {
        Ok(self.bytes(at, 1, what)?[0])
    }

    fn u16(&self, at: u64, what: &str) -> Result<u16> {
        let b: [u8; 2] = self.bytes(at, 2, what)?.try_into().expect("2 bytes");
        Ok(if self.le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    fn u32(&self, at: u64, what: &str) -> Result<u32> {
        let b: [u8; 4] = self.bytes(at, 4, what)?.try_into().expect("4 bytes");
        Ok(if self.le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn u64(&self, at: u64, what: &str) -> Result<u64> {
        let b: [u8; 8] = self.bytes(at, 8, what)?.try_into().expect("8 bytes");
        Ok(if self.le {
            u64::from_le_bytes(b)
        } else {
            u64::from_be_bytes(b)
        })
    }

    /// A word: 8 bytes in ELF64, 4 in ELF32.
    fn word(&self, at: u64, what: &str) -> Result<u64> {
        if self.is_64 {
            self.u64(at, what)
        } else {
            self.u32(at, what).map(u64::from)
        }
    }

    /// A NUL-terminated string at `offset` of a string table section.
    fn string(&self, table: &Section, offset: u64) -> Result<String> {
        let bytes = self.bytes(table.offset, table.size, "a string table")?;
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let tail = bytes
            .get(start..)
            .ok_or_else(|| Malformed(format!("string offset {offset} lies past its table")))?;
        let end = tail
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| Malformed("a string is not NUL-terminated".to_owned()))?;
        Ok(String::from_utf8_lossy(&tail[..end]).into_owned())
    }
}

#[derive(Clone, Copy, Debug)]
struct Section {
    kind: u32,
    offset: u64,
    size: u64,
    link: u32,
    info: u32,
    entsize: u64,
}

/// Parses the ELF file in `data` (which starts with [`MAGIC`]).
pub fn parse(data: &[u8]) -> Result<ElfInfo> {
    if data.len() < 20 || &data[..4] != MAGIC {
        return Err(Malformed("the ELF header is truncated".to_owned()));
    }
    let is_64 = match data[4] {
        1 => false,
        2 => true,
        other => return Err(Malformed(format!("unknown ELF class {other}"))),
    };
    let le = match data[5] {
        1 => true,
        2 => false,
        other => return Err(Malformed(format!("unknown ELF data encoding {other}"))),
    };
    let r = Reader { data, le, is_64 };
    let mut info = ElfInfo {
        is_64,
        little_endian: le,
        e_type: r.u16(16, "e_type")?,
        machine: r.u16(18, "e_machine")?,
        ..ElfInfo::default()
    };
    let (shoff, flags_at, shentsize_at) = if is_64 { (40, 48, 58) } else { (32, 36, 46) };
    info.flags = r.u32(flags_at, "e_flags")?;
    let shoff = r.word(shoff, "e_shoff")?;
    let shentsize = u64::from(r.u16(shentsize_at, "e_shentsize")?);
    let shnum = u64::from(r.u16(shentsize_at + 2, "e_shnum")?);

    let len = data.len() as u64;
    if shoff > len || shnum * shentsize > len {
        return Err(Malformed(
            "the section header table lies past the end of the file".to_owned(),
        ));
    }
    let mut sections = Vec::new();
    for i in 0..shnum {
        let at = shoff + i * shentsize;
        let what = "a section header";
        let s = if is_64 {
            Section {
                kind: r.u32(at + 4, what)?,
                offset: r.u64(at + 24, what)?,
                size: r.u64(at + 32, what)?,
                link: r.u32(at + 40, what)?,
                info: r.u32(at + 44, what)?,
                entsize: r.u64(at + 56, what)?,
            }
        } else {
            Section {
                kind: r.u32(at + 4, what)?,
                offset: u64::from(r.u32(at + 16, what)?),
                size: u64::from(r.u32(at + 20, what)?),
                link: r.u32(at + 24, what)?,
                info: r.u32(at + 28, what)?,
                entsize: u64::from(r.u32(at + 36, what)?),
            }
        };
        if s.kind != SHT_NOBITS && (s.offset > len || s.size > len) {
            return Err(Malformed(format!(
                "section {i} lies past the end of the file"
            )));
        }
        sections.push(s);
    }
    let linked = |s: &Section| {
        sections
            .get(s.link as usize)
            .copied()
            .ok_or_else(|| Malformed(format!("section link {} does not exist", s.link)))
    };

    for s in &sections {
        match s.kind {
            SHT_DYNAMIC => {
                let strings = linked(s)?;
                let entry = if is_64 { 16 } else { 8 };
                for i in 0..s.size / entry {
                    let at = s.offset + i * entry;
                    let tag = r.word(at, "a dynamic entry")?;
                    let value = r.word(at + entry / 2, "a dynamic entry")?;
                    match tag {
                        DT_NULL => break,
                        DT_NEEDED => info.needed.push(r.string(&strings, value)?),
                        DT_FLAGS_1 => info.flags_1 = value,
                        _ => {}
                    }
                }
            }
            SHT_GNU_VERNEED => {
                let strings = linked(s)?;
                let mut at = s.offset;
                for _ in 0..s.info {
                    let what = "a version need entry";
                    let count = r.u16(at + 2, what)?;
                    let file = r.string(&strings, u64::from(r.u32(at + 4, what)?))?;
                    let mut aux = at + u64::from(r.u32(at + 8, what)?);
                    for _ in 0..count {
                        let name = r.string(&strings, u64::from(r.u32(aux + 8, what)?))?;
                        info.version_needs.push((file.clone(), name));
                        aux += u64::from(r.u32(aux + 12, what)?);
                    }
                    let next = r.u32(at + 12, what)?;
                    if next == 0 {
                        break;
                    }
                    at += u64::from(next);
                }
            }
            SHT_DYNSYM => {
                let strings = linked(s)?;
                let entry = if s.entsize != 0 {
                    s.entsize
                } else if is_64 {
                    24
                } else {
                    16
                };
                for i in 1..s.size / entry {
                    let at = s.offset + i * entry;
                    let what = "a dynamic symbol";
                    let (st_info, shndx) = if is_64 {
                        (r.u8(at + 4, what)?, r.u16(at + 6, what)?)
                    } else {
                        (r.u8(at + 12, what)?, r.u16(at + 14, what)?)
                    };
                    if shndx == 0 && st_info >> 4 != STB_WEAK {
                        let name = r.string(&strings, u64::from(r.u32(at, what)?))?;
                        info.undefined_symbols.push(name);
                    }
                }
            }
            SHT_NOTE => {
                if let Some(isa) = x86_isa_needed(&r, s)? {
                    info.x86_isa_needed = Some(isa);
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

/// `GNU_PROPERTY_X86_ISA_1_NEEDED` in a note section, if it has one.
fn x86_isa_needed(r: &Reader, s: &Section) -> Result<Option<u32>> {
    let align = |n: u64, to: u64| n.div_ceil(to) * to;
    let what = "a note";
    let mut at = s.offset;
    let end = s.offset + s.size;
    while at + 12 <= end {
        let namesz = u64::from(r.u32(at, what)?);
        let descsz = u64::from(r.u32(at + 4, what)?);
        let kind = r.u32(at + 8, what)?;
        let name = r.bytes(at + 12, namesz, what)?;
        let desc_at = at + 12 + align(namesz, 4);
        // Property notes align their descriptor to the word size; other notes to 4.
        let desc_align = if kind == NT_GNU_PROPERTY_TYPE_0 && r.is_64 {
            8
        } else {
            4
        };
        if kind == NT_GNU_PROPERTY_TYPE_0 && name == b"GNU\0" {
            let mut p = desc_at;
            while p + 8 <= desc_at + descsz {
                let pr_type = r.u32(p, what)?;
                let pr_datasz = u64::from(r.u32(p + 4, what)?);
                if pr_type == GNU_PROPERTY_X86_ISA_1_NEEDED && pr_datasz == 4 {
                    return Ok(Some(r.u32(p + 8, what)?));
                }
                p += 8 + align(pr_datasz, desc_align);
            }
        }
        at = desc_at + align(descsz, desc_align);
    }
    Ok(None)
}
