//! AVX-512 VBMI kernels: 48 input bytes become 64 characters per step, and 64 characters
//! 48 bytes.
//!
//! They implement the published algorithms of Wojciech Muła and Daniel Lemire ("Base64
//! encoding and decoding at almost the speed of a memory copy", Software: Practice and
//! Experience, 2020): a byte permutation (`vpermb`) spreads each 3 input bytes over 4,
//! a multi-shift (`vpmultishiftqb`) picks out the four 6-bit values and a second
//! permutation maps them to the alphabet; decoding looks each character up in a
//! 128-entry table (`vpermi2b`), flags any character outside the alphabet, and packs the
//! 6-bit values back with two multiply-adds and one permutation.
//!
//! As the AVX2 kernels, they stop short of the end: whatever they leave (the last
//! quantum with its padding and strict checks always among it) goes to the AVX2 kernels
//! and then to `base64-simd`. The intrinsics and the unaligned loads and stores, whose
//! bounds each loop condition checks, are the unsafe code here.

use std::mem::MaybeUninit;

/// Whether this CPU runs the kernels of this module.
pub fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vbmi")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Encodes a prefix of `src` (a multiple of 48 bytes) into the start of `dst`; returns
/// (bytes read, characters written), `(0, 0)` without AVX-512 VBMI. With `prefetch`, long
/// loops ask for their lines ahead (see `crate::prefetch`).
pub fn encode_prefix(src: &[u8], dst: &mut [MaybeUninit<u8>], prefetch: bool) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    if available() {
        // SAFETY: the CPU has the features the kernel is compiled for; it reads and
        // writes only inside `src` and `dst`, whose lengths it is given.
        return unsafe {
            if prefetch {
                x86::encode::<true>(src, dst)
            } else {
                x86::encode::<false>(src, dst)
            }
        };
    }
    let _ = (src, dst, prefetch);
    (0, 0)
}

/// Decodes a prefix of `src` (a multiple of 64 characters, none of them padding, never
/// the last 4) into the start of `dst`; returns (characters read, bytes written), `(0, 0)`
/// without AVX-512 VBMI, or `Err(())` when a block holds a character outside the
/// alphabet. `prefetch` as for [`encode_prefix`].
pub fn decode_prefix(
    src: &[u8],
    dst: &mut [MaybeUninit<u8>],
    prefetch: bool,
) -> Result<(usize, usize), ()> {
    #[cfg(target_arch = "x86_64")]
    if available() {
        // SAFETY: as in `encode_prefix`.
        return unsafe {
            if prefetch {
                x86::decode::<true>(src, dst)
            } else {
                x86::decode::<false>(src, dst)
            }
        };
    }
    let _ = (src, dst, prefetch);
    Ok((0, 0))
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;
    use std::mem::MaybeUninit;

    use crate::prefetch::{self, AHEAD};

    /// The 64 characters of the standard alphabet, in order.
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// Encoding's first permutation: input bytes (a, b, c) of every group of three land
    /// in one 32-bit lane as (b, a, c, b), so that each 6-bit value lies whole within 8
    /// bits of its 64-bit lane, at the offsets of `SHIFTS`.
    const SPREAD: [u8; 64] = {
        let mut table = [0u8; 64];
        let mut lane = 0;
        while lane < 16 {
            let first = (lane * 3) as u8;
            table[lane * 4] = first + 1;
            table[lane * 4 + 1] = first;
            table[lane * 4 + 2] = first + 2;
            table[lane * 4 + 3] = first + 1;
            lane += 1;
        }
        table
    };

    /// The bit offsets of the 6-bit values (a >> 2, ab, bc, c & 63) in each 32-bit lane
    /// laid out by `SPREAD`, for both lanes of a 64-bit element.
    const SHIFTS: i64 = 0x3036_242a_1016_040a;

    /// The 6-bit value of every 7-bit character, 0x80 for those outside the alphabet
    /// (`=` included); characters from 0x80 up are caught by their own top bit.
    const DECODE: [u8; 128] = {
        let mut table = [0x80u8; 128];
        let mut value = 0;
        while value < 64 {
            table[ALPHABET[value] as usize] = value as u8;
            value += 1;
        }
        table
    };

    /// Decoding's last permutation: each 32-bit lane holds (0, a, b, c) from its top
    /// byte down; its 3 bytes, highest first, are packed into the first 48 bytes.
    const PACK: [u8; 64] = {
        let mut table = [0u8; 64];
        let mut lane = 0;
        while lane < 16 {
            let base = (lane * 4) as u8;
            table[lane * 3] = base + 2;
            table[lane * 3 + 1] = base + 1;
            table[lane * 3 + 2] = base;
            lane += 1;
        }
        table
    };

    /// A vector of 64 bytes, as `_mm512_loadu_si512` reads them.
    ///
    /// # Safety
    /// AVX-512F must be available.
    #[target_feature(enable = "avx512f")]
    unsafe fn vector(bytes: &[u8; 64]) -> __m512i {
        // SAFETY: `bytes` is 64 readable bytes; the caller guarantees AVX-512F.
        unsafe { _mm512_loadu_si512(bytes.as_ptr().cast()) }
    }

    /// # Safety
    /// AVX-512F, AVX-512BW and AVX-512VBMI must be available.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub unsafe fn encode<const PREFETCH: bool>(
        src: &[u8],
        dst: &mut [MaybeUninit<u8>],
    ) -> (usize, usize) {
        // SAFETY: the caller guarantees the features; the only memory accesses are the
        // load src[i + 48k .. i + 48k + 64) and the store dst[o + 64k .. o + 64k + 64) of
        // each step k, inside both slices by the condition of the loop that runs it.
        unsafe {
            let spread = vector(&SPREAD);
            let shifts = _mm512_set1_epi64(SHIFTS);
            let alphabet = vector(ALPHABET);
            let (sp, dp) = (src.as_ptr(), dst.as_mut_ptr().cast::<u8>());
            let (mut i, mut o) = (0usize, 0usize);
            // One step: the 48 bytes at src[i + 48k ..] become the 64 characters at
            // dst[o + 64k ..].
            macro_rules! step {
                ($k:expr) => {{
                    let v = _mm512_loadu_si512(sp.add(i + 48 * $k).cast());
                    let v = _mm512_permutexvar_epi8(spread, v);
                    let sextets = _mm512_multishift_epi64_epi8(shifts, v);
                    // vpermb reads the low 6 bits of each index: the 2 bits above the
                    // sextet that multishift brought along are ignored.
                    let chars = _mm512_permutexvar_epi8(sextets, alphabet);
                    _mm512_storeu_si512(dp.add(o + 64 * $k).cast(), chars);
                }};
            }
            // Four steps per iteration while they fit (a few percent faster on long
            // inputs), then one at a time. With PREFETCH, while both slices reach AHEAD
            // bytes further, each iteration first asks for the lines it will need that
            // far ahead (see `crate::prefetch`).
            while PREFETCH && i + AHEAD + 4 * 48 <= src.len() && o + AHEAD + 4 * 64 <= dst.len() {
                prefetch::read(sp.add(i + AHEAD), 3);
                prefetch::write(dp.add(o + AHEAD), 4);
                step!(0);
                step!(1);
                step!(2);
                step!(3);
                i += 4 * 48;
                o += 4 * 64;
            }
            while i + 3 * 48 + 64 <= src.len() && o + 4 * 64 <= dst.len() {
                step!(0);
                step!(1);
                step!(2);
                step!(3);
                i += 4 * 48;
                o += 4 * 64;
            }
            while i + 64 <= src.len() && o + 64 <= dst.len() {
                step!(0);
                i += 48;
                o += 64;
            }
            (i, o)
        }
    }

    /// # Safety
    /// AVX-512F, AVX-512BW and AVX-512VBMI must be available.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub unsafe fn decode<const PREFETCH: bool>(
        src: &[u8],
        dst: &mut [MaybeUninit<u8>],
    ) -> Result<(usize, usize), ()> {
        // SAFETY: the caller guarantees the features; the only memory accesses are the
        // load src[i .. i + 64) and the store dst[o .. o + 64) of each step, inside both
        // slices by the loop condition (which also keeps the last 4 characters out).
        unsafe {
            let low = _mm512_loadu_si512(DECODE.as_ptr().cast());
            let high = _mm512_loadu_si512(DECODE.as_ptr().add(64).cast());
            let merge_pairs = _mm512_set1_epi32(0x0140_0140);
            let merge_quads = _mm512_set1_epi32(0x0001_1000);
            let pack = vector(&PACK);
            let (sp, dp) = (src.as_ptr(), dst.as_mut_ptr().cast::<u8>());
            let (mut i, mut o) = (0usize, 0usize);
            while i + 68 <= src.len() && o + 64 <= dst.len() {
                if PREFETCH && i + AHEAD + 64 <= src.len() && o + AHEAD + 64 <= dst.len() {
                    prefetch::read(sp.add(i + AHEAD), 1);
                    prefetch::write(dp.add(o + AHEAD), 1);
                }
                let chars = _mm512_loadu_si512(sp.add(i).cast());
                let sextets = _mm512_permutex2var_epi8(low, chars, high);
                if _mm512_movepi8_mask(_mm512_or_si512(chars, sextets)) != 0 {
                    return Err(());
                }
                let pairs = _mm512_maddubs_epi16(sextets, merge_pairs);
                let lanes = _mm512_madd_epi16(pairs, merge_quads);
                let bytes = _mm512_permutexvar_epi8(pack, lanes);
                // 48 bytes count; the 16 after them are overwritten by the next step or
                // by whoever decodes the rest.
                _mm512_storeu_si512(dp.add(o).cast(), bytes);
                i += 64;
                o += 48;
            }
            Ok((i, o))
        }
    }
}
