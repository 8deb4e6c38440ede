//! The most compatible Linux platform tag an ELF shared library may carry, by the manylinux
//! rules (PEP 600) as `auditwheel` applies them.
//!
//! `manylinux-policy.json` beside this file is `auditwheel`'s own policy file, copied
//! unchanged from auditwheel 6.8.2 (`src/auditwheel/policy/manylinux-policy.json`, MIT
//! licence): for each `manylinux_2_N` policy, per architecture, the symbol versions of
//! glibc, libstdc++, libgcc, libatomic and zlib a wheel may require, the system libraries it
//! may link to, and symbols it must not use. Refresh it by copying the file of a newer
//! auditwheel; the tests check our verdict against `auditwheel show` on the example.
//!
//! We compute the tag instead of running `auditwheel repair` after the build so that the
//! generated project builds a publishable wheel with nothing but its build backend: `pip
//! wheel` and `python -m build` need neither auditwheel nor patchelf. `auditwheel repair`
//! remains the tool for a library that links a non-system library (it copies it into the
//! wheel); we then tag `linux_<arch>` and say so.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Deserialize;

use super::elf::ElfInfo;

const POLICY_JSON: &str = include_str!("manylinux-policy.json");

#[derive(Debug, Deserialize)]
struct Policy {
    name: String,
    aliases: Vec<String>,
    priority: u32,
    /// arch → symbol prefix (`GLIBC`) → allowed versions (`2.17`).
    symbol_versions: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    lib_whitelist: BTreeSet<String>,
    /// library → symbols it must not be asked for (`*`: any).
    blacklist: BTreeMap<String, BTreeSet<String>>,
}

fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let mut list: Vec<Policy> =
            serde_json::from_str(POLICY_JSON).expect("the bundled manylinux policy file is valid");
        list.retain(|p| p.name != "linux");
        list.sort_by_key(|p| std::cmp::Reverse(p.priority));
        list
    })
}

/// The verdict for one library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinuxTag {
    /// The platform tags, most specific first: `["manylinux_2_17_x86_64",
    /// "manylinux2014_x86_64"]`, or `["linux_x86_64"]` when no manylinux policy fits.
    pub platform_tags: Vec<String>,
    /// The oldest glibc the library needs (`(2, 17)`), when it is manylinux.
    pub glibc: Option<(u32, u32)>,
    /// Why the library is not manylinux (empty when it is).
    pub why_not: Vec<String>,
}

/// The base architecture of an ELF file as auditwheel names it, or `None` when manylinux
/// has no name for it.
pub fn architecture(elf: &ElfInfo) -> Result<&'static str, String> {
    const EM_386: u16 = 3;
    const EM_PPC64: u16 = 21;
    const EM_S390: u16 = 22;
    const EM_ARM: u16 = 40;
    const EM_X86_64: u16 = 62;
    const EM_AARCH64: u16 = 183;
    const EM_RISCV: u16 = 243;
    const EM_LOONGARCH: u16 = 258;
    let arch = match (elf.machine, elf.is_64, elf.little_endian) {
        (EM_386, false, true) => "i686",
        (EM_X86_64, true, true) => "x86_64",
        (EM_PPC64, true, true) => "ppc64le",
        (EM_PPC64, true, false) => "ppc64",
        (EM_RISCV, true, true) => "riscv64",
        (EM_AARCH64, true, true) => "aarch64",
        (EM_S390, true, false) => "s390x",
        (EM_LOONGARCH, true, true) => "loongarch64",
        (EM_ARM, false, true) => {
            const EF_ARM_EABIMASK: u32 = 0xff00_0000;
            const EF_ARM_EABI_VER5: u32 = 0x0500_0000;
            const EF_ARM_ABI_FLOAT_HARD: u32 = 0x400;
            if elf.flags & EF_ARM_EABIMASK != EF_ARM_EABI_VER5
                || elf.flags & EF_ARM_ABI_FLOAT_HARD == 0
            {
                return Err("an ARM library must use EABI version 5 with hard float \
                            (armv7l) to have a Linux platform tag"
                    .to_owned());
            }
            "armv7l"
        }
        (machine, is_64, le) => {
            return Err(format!(
                "its machine (e_machine {machine}, {}-bit, {}) has no Linux wheel \
                 platform tag",
                if is_64 { 64 } else { 32 },
                if le { "little-endian" } else { "big-endian" }
            ))
        }
    };
    Ok(arch)
}

/// Whether a needed library is the dynamic loader, which every policy allows.
fn is_loader(lib: &str) -> bool {
    lib.contains("ld-linux") || lib == "ld64.so.2" || lib == "ld64.so.1"
}

/// The most compatible tag for `elf`, whose architecture is `arch`.
pub fn linux_tag(elf: &ElfInfo, arch: &str) -> LinuxTag {
    let linux = |why_not: Vec<String>| LinuxTag {
        platform_tags: vec![format!("linux_{arch}")],
        glibc: None,
        why_not,
    };
    if let Some(musl) = elf.needed.iter().find(|n| n.starts_with("libc.musl-")) {
        return linux(vec![format!(
            "it links musl ({musl}), not glibc: a musllinux tag needs `auditwheel repair` \
             on a musl system"
        )]);
    }
    if let Some(isa) = elf.x86_isa_needed {
        let level = [(8, "x86-64-v4"), (4, "x86-64-v3"), (2, "x86-64-v2")]
            .into_iter()
            .find(|(bit, _)| isa & bit != 0);
        if let Some((_, level)) = level {
            return linux(vec![format!(
                "it requires the {level} instruction set, beyond the x86_64 baseline that \
                 manylinux installers assume (built with -C target-cpu or -march?)"
            )]);
        }
    }

    let mut required: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (lib, version) in &elf.version_needs {
        if is_loader(lib) {
            continue;
        }
        let prefix = version.split('_').next().unwrap_or(version);
        required.entry(prefix).or_default().insert(version);
    }

    let mut last_failure = Vec::new();
    for policy in policies() {
        let Some(versions) = policy.symbol_versions.get(arch) else {
            continue;
        };
        let mut failures = Vec::new();
        for lib in &elf.needed {
            if !is_loader(lib) && !policy.lib_whitelist.contains(lib) {
                failures.push(format!(
                    "it links {lib}, which is not a system library every manylinux system \
                     has: run `auditwheel repair` on the wheel to bundle it"
                ));
            }
        }
        for (lib, banned) in &policy.blacklist {
            if !elf.needed.contains(lib) {
                continue;
            }
            let mut used: Vec<&str> = elf
                .undefined_symbols
                .iter()
                .map(String::as_str)
                .filter(|s| banned.contains(*s))
                .collect();
            if banned.contains("*") {
                used.push("any symbol");
            }
            if !used.is_empty() {
                failures.push(format!(
                    "it uses {} from {lib}, which {} does not allow",
                    used.join(", "),
                    policy.name
                ));
            }
        }
        for (prefix, needed) in &required {
            let Some(allowed) = versions.get(*prefix) else {
                continue;
            };
            let missing: Vec<&str> = needed
                .iter()
                .copied()
                .filter(|v| {
                    !matches!(
                        v.strip_prefix(prefix).and_then(|rest| rest.strip_prefix('_')),
                        Some(n) if allowed.contains(n)
                    )
                })
                .collect();
            if !missing.is_empty() {
                failures.push(format!(
                    "it needs {}, newer than {} allows",
                    missing.join(", "),
                    policy.name
                ));
            }
        }
        if failures.is_empty() {
            let mut platform_tags = vec![format!("{}_{arch}", policy.name)];
            platform_tags.extend(policy.aliases.iter().map(|a| format!("{a}_{arch}")));
            return LinuxTag {
                platform_tags,
                glibc: glibc_of(&policy.name),
                why_not: Vec::new(),
            };
        }
        last_failure = failures;
    }
    if last_failure.is_empty() {
        last_failure.push(format!("no manylinux policy covers {arch}"));
    }
    linux(last_failure)
}

/// `manylinux_2_17` → `(2, 17)`.
fn glibc_of(policy: &str) -> Option<(u32, u32)> {
    let rest = policy.strip_prefix("manylinux_")?;
    let (major, minor) = rest.split_once('_')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rust_cdylib(glibc: &[&str]) -> ElfInfo {
        let mut version_needs: Vec<(String, String)> = glibc
            .iter()
            .map(|v| ("libc.so.6".to_owned(), format!("GLIBC_{v}")))
            .collect();
        version_needs.push(("libgcc_s.so.1".to_owned(), "GCC_3.0".to_owned()));
        version_needs.push(("ld-linux-x86-64.so.2".to_owned(), "GLIBC_2.3".to_owned()));
        ElfInfo {
            is_64: true,
            little_endian: true,
            e_type: 3,
            machine: 62,
            needed: vec![
                "libgcc_s.so.1".to_owned(),
                "libc.so.6".to_owned(),
                "ld-linux-x86-64.so.2".to_owned(),
            ],
            version_needs,
            undefined_symbols: vec!["memcpy".to_owned(), "malloc".to_owned()],
            ..ElfInfo::default()
        }
    }

    #[test]
    fn the_policy_file_loads_and_is_ordered() {
        let p = policies();
        assert!(p.len() > 10);
        assert_eq!(p[0].name, "manylinux_2_5");
        assert!(p.windows(2).all(|w| w[0].priority > w[1].priority));
    }

    #[test]
    fn oldest_glibc_version_decides() {
        let tag = linux_tag(&rust_cdylib(&["2.2.5"]), "x86_64");
        assert_eq!(
            tag.platform_tags,
            ["manylinux_2_5_x86_64", "manylinux1_x86_64"]
        );
        assert_eq!(tag.glibc, Some((2, 5)));
        let tag = linux_tag(&rust_cdylib(&["2.2.5", "2.14", "2.17"]), "x86_64");
        assert_eq!(
            tag.platform_tags,
            ["manylinux_2_17_x86_64", "manylinux2014_x86_64"]
        );
        let tag = linux_tag(&rust_cdylib(&["2.2.5", "2.33", "2.34"]), "x86_64");
        assert_eq!(tag.platform_tags, ["manylinux_2_34_x86_64"]);
        assert_eq!(tag.glibc, Some((2, 34)));
    }

    #[test]
    fn aarch64_starts_at_manylinux2014() {
        let mut elf = rust_cdylib(&["2.17"]);
        elf.machine = 183;
        assert_eq!(architecture(&elf), Ok("aarch64"));
        assert_eq!(
            linux_tag(&elf, "aarch64").platform_tags,
            ["manylinux_2_17_aarch64", "manylinux2014_aarch64"]
        );
    }

    #[test]
    fn a_non_system_library_is_not_manylinux() {
        let mut elf = rust_cdylib(&["2.17"]);
        elf.needed.push("libssl.so.3".to_owned());
        let tag = linux_tag(&elf, "x86_64");
        assert_eq!(tag.platform_tags, ["linux_x86_64"]);
        assert!(tag.why_not[0].contains("libssl.so.3"), "{:?}", tag.why_not);
    }

    #[test]
    fn private_or_unknown_glibc_versions_are_not_manylinux() {
        let tag = linux_tag(&rust_cdylib(&["PRIVATE"]), "x86_64");
        assert_eq!(tag.platform_tags, ["linux_x86_64"]);
        assert!(
            tag.why_not[0].contains("GLIBC_PRIVATE"),
            "{:?}",
            tag.why_not
        );
    }

    #[test]
    fn blacklisted_symbols_lower_the_tag() {
        let mut elf = rust_cdylib(&["2.17"]);
        elf.undefined_symbols
            .push("pthread_getattr_default_np".to_owned());
        // Allowed from manylinux_2_24 on, where the blacklist of libc.so.6 is empty.
        assert_eq!(
            linux_tag(&elf, "x86_64").platform_tags,
            ["manylinux_2_24_x86_64"]
        );
    }

    #[test]
    fn newer_libstdcxx_lowers_the_tag() {
        let mut elf = rust_cdylib(&["2.17"]);
        elf.needed.push("libstdc++.so.6".to_owned());
        elf.version_needs
            .push(("libstdc++.so.6".to_owned(), "GLIBCXX_3.4.30".to_owned()));
        assert_eq!(
            linux_tag(&elf, "x86_64").platform_tags,
            ["manylinux_2_35_x86_64"]
        );
    }

    #[test]
    fn isa_levels_and_musl_are_not_manylinux() {
        let mut elf = rust_cdylib(&["2.17"]);
        elf.x86_isa_needed = Some(0b101);
        let tag = linux_tag(&elf, "x86_64");
        assert_eq!(tag.platform_tags, ["linux_x86_64"]);
        assert!(tag.why_not[0].contains("x86-64-v3"));
        elf.x86_isa_needed = Some(1);
        assert!(linux_tag(&elf, "x86_64").platform_tags[0].starts_with("manylinux_2_17"));

        let musl = ElfInfo {
            needed: vec!["libc.musl-x86_64.so.1".to_owned()],
            ..rust_cdylib(&[])
        };
        assert!(linux_tag(&musl, "x86_64").why_not[0].contains("musl"));
    }

    #[test]
    fn unknown_machines_have_no_tag() {
        let elf = ElfInfo {
            machine: 0x1234,
            is_64: true,
            little_endian: true,
            ..ElfInfo::default()
        };
        assert!(architecture(&elf).unwrap_err().contains("e_machine 4660"));
        let arm_soft = ElfInfo {
            machine: 40,
            flags: 0x0500_0000,
            little_endian: true,
            ..ElfInfo::default()
        };
        assert!(architecture(&arm_soft).unwrap_err().contains("hard float"));
    }
}
