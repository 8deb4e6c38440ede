//! Builds the allocation and exception shim (`shim/vix_check_shim.c`) as a shared library
//! that the checker embeds and preloads into its child processes. Linux with glibc only:
//! elsewhere, or without a C compiler, the checker is built without it and the rules that
//! need it say so.

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=shim/vix_check_shim.c");
    println!("cargo::rustc-check-cfg=cfg(vix_shim)");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os != "linux" || env != "gnu" {
        return;
    }
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        return;
    };
    let out = PathBuf::from(out_dir).join("libvix_check_shim.so");
    let compiler = cc::Build::new().cargo_metadata(false).get_compiler();
    let status = compiler
        .to_command()
        .args([
            "-std=gnu11",
            "-O2",
            "-shared",
            "-fPIC",
            "-fvisibility=hidden",
        ])
        .arg("-Wall")
        .arg("-o")
        .arg(&out)
        .arg("shim/vix_check_shim.c")
        .arg("-ldl")
        .status();
    match status {
        Ok(s) if s.success() => {
            println!("cargo::rustc-cfg=vix_shim");
            println!("cargo::rustc-env=VIX_CHECK_SHIM={}", out.display());
        }
        other => println!(
            "cargo::warning=the allocation shim of vix-ffi check was not built ({other:?}): \
             allocation-failure, leaks and escaped C++ exceptions will not be checked"
        ),
    }
}
