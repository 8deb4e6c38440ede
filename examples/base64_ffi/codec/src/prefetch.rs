//! Software prefetching for the kernels' long loops.
//!
//! Once the input and the output of a call no longer fit in the core's L2 cache
//! together (from about 1 MiB of input on current x86 server cores), each kernel waits
//! on the next level for lines it reads and, above all, for ownership of the lines it is
//! about to write (a store to a line not in the cache reads it first). The hardware
//! prefetchers follow the loads but ask for the stored lines late. The kernels therefore
//! ask for both some way ahead: `prefetcht0` for lines they will read, `prefetchw` for
//! lines they will write. Measured on a 2-vCPU Xeon VM (2 MiB L2 per core), side by side
//! with pybase64's codec called through ctypes into the same buffers, the AVX-512 kernels
//! went from 0.94x to 0.82-0.89x of its time on a 1 MiB encode and from 0.83x to 0.77x
//! on a 1 MiB decode; below about 512 KiB nothing changes. On a second Xeon VM (AVX-512
//! VBMI, 2 MiB L2 per core), a 1 MiB encode took 54 µs with prefetching and 59 µs
//! without, side by side through ctypes into the same kind of buffer.
//!
//! The same kernels on a 2-vCPU AMD EPYC VM (Zen 4, 1 MiB L2 per core) measured the
//! opposite on encode: with prefetching, 1.16x to 1.28x the time of the same loop without
//! it (six runs), and 1.07x to 1.27x with the distance at 0.5, 1 or 4 KiB or with either
//! kind of prefetch alone; decode was level with and without. Its hardware prefetchers
//! keep up, and the extra loads only cost. So the kernels prefetch on Intel CPUs only
//! ([`helps`]), and the tests run both forms whatever the CPU.
//!
//! Only the AVX-512 kernels use it. In the AVX2 kernels (24 or 32 bytes a step, so a
//! bounds test per step to stay inside the slices) the same machine measured no gain on
//! encode and a loss on decode (1.05x to 1.15x of pybase64's AVX2 codec's time).
//!
//! Prefetches are hints: they never fault and never change memory. The kernels still
//! only issue them for addresses inside their slices, so that no other data's lines are
//! taken away from another core.

/// How far ahead of its loads and stores a kernel prefetches, in bytes. 2 KiB measured
/// as well as 1.5 and 3 KiB, better than 0.75 or 6 KiB.
pub const AHEAD: usize = 2048;

/// Whether the kernels should prefetch on this CPU: on Intel's (`GenuineIntel`), where
/// it was measured to help, not on others. Read once by `cpuid`, then cached.
pub fn helps() -> bool {
    use std::sync::OnceLock;
    static INTEL: OnceLock<bool> = OnceLock::new();
    *INTEL.get_or_init(|| {
        // Leaf 0: the vendor string, in EBX, EDX, ECX. The intrinsic is an unsafe fn
        // in older Rust (1.93 among them) and safe in newer, hence the allowance.
        #[allow(unused_unsafe)]
        // SAFETY: cpuid exists on every x86_64 CPU and leaf 0 on every one of them.
        let leaf = unsafe { std::arch::x86_64::__cpuid(0) };
        [leaf.ebx, leaf.edx, leaf.ecx]
            .iter()
            .flat_map(|r| r.to_le_bytes())
            .eq(*b"GenuineIntel")
    })
}

/// Asks for the `lines` cache lines from `at` to be read soon.
///
/// # Safety
/// `at .. at + 64 * lines` must lie inside one allocation (prefetching has no other
/// effect than on the caches, but the address arithmetic must stay in bounds).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub unsafe fn read(at: *const u8, lines: usize) {
    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    for line in 0..lines {
        // SAFETY: inside the allocation, as the caller guarantees.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.add(64 * line).cast()) };
    }
}

/// Asks for ownership of the `lines` cache lines from `at`, to be written soon.
///
/// # Safety
/// As for [`read`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub unsafe fn write(at: *mut u8, lines: usize) {
    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_ET0};
    for line in 0..lines {
        // SAFETY: inside the allocation, as the caller guarantees.
        unsafe { _mm_prefetch::<_MM_HINT_ET0>(at.add(64 * line).cast_const().cast()) };
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn prefetching_is_chosen_by_the_vendor_linux_reports() {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap();
        let vendor = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("vendor_id"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim())
            .expect("a vendor_id line");
        assert_eq!(super::helps(), vendor == "GenuineIntel", "vendor {vendor}");
    }
}
