//! The codec behind the `base64_ffi` example: standard alphabet, `=` padding, strict
//! decoding.
//!
//! Kept apart from the example so that the library a Vix FFI author writes (the
//! `base64_ffi` crate) stays free of unsafe code: all of it lives here, in the kernels of
//! the `avx512` (AVX-512 VBMI) and `avx2` modules and in the two places below that hand
//! their output back as initialised bytes. The bulk of a long input goes through the
//! widest kernels the CPU has, what they leave through the narrower ones; `base64-simd`
//! (which dispatches to AVX2/SSE4.1/NEON itself) does the rest, including the last quantum
//! with its padding and strict checks, and everything on CPUs without AVX2.

use std::mem::MaybeUninit;

use base64_simd::{Out, STANDARD};

mod avx2;
mod avx512;
#[cfg(target_arch = "x86_64")]
mod prefetch;

/// The environment variable that caps the kernels used, for tests on a CPU that has wider
/// ones: `avx2` runs the AVX2 kernels where AVX-512 VBMI is available (`portable`
/// `base64-simd` alone). Read once, at the first call; a CPU without the named kernels
/// uses the widest it has.
pub const KERNELS_VAR: &str = "BASE64_FFI_KERNELS";

/// The kernels a call may use: the widest ones the CPU has, then narrower ones for what
/// they leave, then `base64-simd`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kernels {
    /// `base64-simd` alone.
    Portable,
    /// AVX2, then `base64-simd`.
    Avx2,
    /// AVX-512 VBMI, then AVX2, then `base64-simd`.
    Avx512,
    /// As `Avx512`, with software prefetching in the AVX-512 loops.
    Avx512Prefetch,
}

impl Kernels {
    /// The kernels this CPU runs best: the widest, prefetching where that was measured
    /// to help (see `prefetch`). Detected once; std and `prefetch` cache what they read.
    fn best() -> Kernels {
        static CHOSEN: std::sync::OnceLock<Kernels> = std::sync::OnceLock::new();
        *CHOSEN.get_or_init(|| {
            let widest = Kernels::widest();
            std::env::var(KERNELS_VAR)
                .ok()
                .and_then(|v| Kernels::capped(&v))
                .map_or(widest, |cap| cap.min(widest))
        })
    }

    /// The kernel set `BASE64_FFI_KERNELS` names (`portable`, `avx2`, `avx512`) as the
    /// widest to use; `None` for anything else.
    fn capped(name: &str) -> Option<Kernels> {
        match name.trim() {
            "portable" => Some(Kernels::Portable),
            "avx2" => Some(Kernels::Avx2),
            "avx512" => Some(Kernels::Avx512Prefetch),
            _ => None,
        }
    }

    /// The widest kernels the CPU runs.
    fn widest() -> Kernels {
        if avx512::available() {
            if prefetch_helps() {
                Kernels::Avx512Prefetch
            } else {
                Kernels::Avx512
            }
        } else if avx2::available() {
            Kernels::Avx2
        } else {
            Kernels::Portable
        }
    }

    /// Whether this CPU runs these kernels at all.
    #[cfg(test)]
    fn available(self) -> bool {
        match self {
            Kernels::Portable => true,
            Kernels::Avx2 => avx2::available(),
            Kernels::Avx512 | Kernels::Avx512Prefetch => avx512::available(),
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn prefetch_helps() -> bool {
    prefetch::helps()
}

#[cfg(not(target_arch = "x86_64"))]
fn prefetch_helps() -> bool {
    false
}

/// Encodes `data` into the start of `buf`, which must hold at least `4 * ceil(n / 3)`
/// bytes; returns the encoded part of `buf`.
///
/// # Panics
/// When `buf` is shorter than the encoding.
pub fn encode_into<'b>(data: &[u8], buf: &'b mut [MaybeUninit<u8>]) -> &'b mut [u8] {
    encode_with(Kernels::best(), data, buf)
}

fn encode_with<'b>(kernels: Kernels, data: &[u8], buf: &'b mut [MaybeUninit<u8>]) -> &'b mut [u8] {
    let (mut read, mut written) = (0, 0);
    if kernels >= Kernels::Avx2 {
        // Whole groups first, until the output is 64-byte aligned: the kernels' stores
        // then fill whole cache lines, never two halves.
        let groups = (64 - buf.as_ptr() as usize % 64) % 64 / 4;
        if data.len() >= 3 * groups + 64 {
            let peeled = (..3 * groups, ..4 * groups);
            let _ = STANDARD.encode(&data[peeled.0], Out::from_uninit_slice(&mut buf[peeled.1]));
            (read, written) = (3 * groups, 4 * groups);
        }
    }
    if kernels >= Kernels::Avx512 {
        let prefetch = kernels == Kernels::Avx512Prefetch;
        let (r, w) = avx512::encode_prefix(&data[read..], &mut buf[written..], prefetch);
        (read, written) = (read + r, written + w);
    }
    if kernels >= Kernels::Avx2 {
        let (r, w) = avx2::encode_prefix(&data[read..], &mut buf[written..]);
        (read, written) = (read + r, written + w);
    }
    let tail = STANDARD
        .encode(&data[read..], Out::from_uninit_slice(&mut buf[written..]))
        .len();
    // SAFETY: the kernels initialised buf[..written], base64-simd the `tail` bytes that
    // follow (it writes from the start of the slice it is given).
    unsafe { avx2::assume_init(buf, written + tail) }
}

/// Strictly decodes `text` into the start of `buf`, which must hold at least the decoded
/// size; returns the decoded part of `buf`, or `None` when `text` is not strict padded
/// standard base64.
///
/// # Panics
/// When `buf` is shorter than the decoded size.
pub fn decode_into<'b>(text: &[u8], buf: &'b mut [MaybeUninit<u8>]) -> Option<&'b mut [u8]> {
    decode_with(Kernels::best(), text, buf)
}

fn decode_with<'b>(
    kernels: Kernels,
    text: &[u8],
    buf: &'b mut [MaybeUninit<u8>],
) -> Option<&'b mut [u8]> {
    let (mut read, mut written) = (0, 0);
    if kernels >= Kernels::Avx512 {
        let prefetch = kernels == Kernels::Avx512Prefetch;
        (read, written) = avx512::decode_prefix(text, buf, prefetch).ok()?;
    }
    if kernels >= Kernels::Avx2 {
        let (r, w) = avx2::decode_prefix(&text[read..], &mut buf[written..]).ok()?;
        (read, written) = (read + r, written + w);
    }
    let tail = STANDARD
        .decode(&text[read..], Out::from_uninit_slice(&mut buf[written..]))
        .ok()?
        .len();
    // SAFETY: as in `encode_with`.
    unsafe { Some(avx2::assume_init(buf, written + tail)) }
}

#[cfg(test)]
mod tests {
    //! Every set of kernels this CPU runs, against `base64-simd` alone, on every length
    //! around the block sizes and every single-character corruption of a decode input.

    use std::mem::MaybeUninit;

    use base64_simd::STANDARD;

    use crate::Kernels;

    /// The kernel sets to test here: every one this CPU runs, with and without
    /// prefetching whatever its vendor.
    fn kernel_sets() -> Vec<Kernels> {
        [
            Kernels::Portable,
            Kernels::Avx2,
            Kernels::Avx512,
            Kernels::Avx512Prefetch,
        ]
        .into_iter()
        .filter(|k| k.available())
        .collect()
    }

    fn bytes(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    fn encode(kernels: Kernels, data: &[u8]) -> Vec<u8> {
        let mut buf = vec![MaybeUninit::uninit(); data.len().div_ceil(3) * 4];
        crate::encode_with(kernels, data, &mut buf).to_vec()
    }

    fn decode(kernels: Kernels, text: &[u8]) -> Option<Vec<u8>> {
        let size = STANDARD.decoded_length(text).ok()?;
        let mut buf = vec![MaybeUninit::uninit(); size];
        crate::decode_with(kernels, text, &mut buf).map(|b| b.to_vec())
    }

    #[test]
    fn the_kernel_cap_names_each_set() {
        assert_eq!(Kernels::capped("avx2"), Some(Kernels::Avx2));
        assert_eq!(Kernels::capped("portable"), Some(Kernels::Portable));
        assert_eq!(Kernels::capped("avx512"), Some(Kernels::Avx512Prefetch));
        assert_eq!(Kernels::capped("sse"), None);
        assert!(Kernels::best() <= Kernels::widest());
    }

    #[test]
    fn the_widest_kernels_are_used_by_default() {
        let data = bytes(1000, 1);
        let mut buf = vec![MaybeUninit::uninit(); 1336];
        let text = crate::encode_into(&data, &mut buf).to_vec();
        assert_eq!(text, encode(Kernels::best(), &data));
        let mut out = vec![MaybeUninit::uninit(); 1000];
        assert_eq!(
            crate::decode_into(&text, &mut out).map(|b| b.to_vec()),
            Some(data)
        );
    }

    #[test]
    fn encode_and_decode_agree_with_base64_simd_at_every_length() {
        for kernels in kernel_sets() {
            for n in (0..520).chain([4095, 4096, 4097, 65_536, 1 << 20, (1 << 20) + 1]) {
                let data = bytes(n, n as u64);
                let text = encode(kernels, &data);
                assert_eq!(
                    text,
                    STANDARD.encode_to_string(&data).into_bytes(),
                    "{kernels:?}, length {n}"
                );
                assert_eq!(
                    decode(kernels, &text).as_deref(),
                    Some(&data[..]),
                    "{kernels:?}, length {n}"
                );
            }
        }
    }

    #[test]
    fn every_alignment_of_input_and_output_gives_the_same_text() {
        let data = bytes(1000, 5);
        let expected = STANDARD.encode_to_string(&data).into_bytes();
        for kernels in kernel_sets() {
            for shift in 0..64 {
                let mut buf = vec![MaybeUninit::uninit(); expected.len() + shift];
                let text = crate::encode_with(kernels, &data[..], &mut buf[shift..]).to_vec();
                assert_eq!(text, expected, "{kernels:?}, output shifted by {shift}");
                let mut padded = vec![0u8; shift];
                padded.extend_from_slice(&data);
                let text = encode(kernels, &padded[shift..]);
                assert_eq!(text, expected, "{kernels:?}, input shifted by {shift}");
                let mut shifted = vec![b'A'; shift];
                shifted.extend_from_slice(&expected);
                let decoded = decode(kernels, &shifted[shift..]);
                assert_eq!(
                    decoded.as_deref(),
                    Some(&data[..]),
                    "{kernels:?}, text shifted by {shift}"
                );
            }
        }
    }

    #[test]
    fn every_corruption_is_refused_as_base64_simd_refuses_it() {
        let bad = [
            b'=',
            b'!',
            b'-',
            b'_',
            b' ',
            b'\n',
            0x00,
            0x2f - 1,
            0x3a,
            0x40,
            0x5b,
            0x60,
            0x7b,
            0x7f,
            0x80,
            0xab,
            0xc3,
            0xff,
        ];
        for kernels in kernel_sets() {
            for n in [48usize, 60, 72, 96, 99, 200, 300] {
                let text = encode(kernels, &bytes(n, 7 + n as u64));
                for at in 0..text.len() {
                    for &c in &bad {
                        let mut t = text.clone();
                        t[at] = c;
                        let reference = STANDARD.decode_to_vec(&t).ok();
                        assert_eq!(
                            decode(kernels, &t),
                            reference,
                            "{kernels:?}, length {n}, {c:#x} at {at}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_bad_character_is_found_in_long_inputs_too() {
        // Past the lengths above, the AVX-512 loops prefetch ahead: a bad character
        // where they do, where they stopped and in the tail must still be found.
        let n = 12_000;
        let text = encode(Kernels::best(), &bytes(n, 11));
        let ats = (0..text.len())
            .step_by(61)
            .chain(text.len() - 80..text.len());
        for kernels in kernel_sets() {
            for at in ats.clone() {
                let mut t = text.clone();
                t[at] = b'*';
                assert_eq!(decode(kernels, &t), None, "{kernels:?}, '*' at {at}");
            }
        }
    }

    #[test]
    fn non_canonical_final_bits_are_refused() {
        for kernels in kernel_sets() {
            for n in [49usize, 50, 97, 98, 301, 302] {
                let mut text = encode(kernels, &bytes(n, 3));
                let last = text.iter().rposition(|&c| c != b'=').unwrap();
                text[last] = if text[last] == b'B' { b'C' } else { b'B' };
                assert_eq!(decode(kernels, &text), None, "{kernels:?}, length {n}");
            }
        }
    }
}
