//! The inputs fed to operations.
//!
//! The corpus is rebuilt identically from `(seed, iterations)` in the parent and in every
//! child, so that only those two numbers (and the few derived inputs) cross the process
//! boundary, and so that a reported input can be reproduced with `--seed`.

use serde::{Deserialize, Serialize};

/// Size of each "large" input.
pub const LARGE_LEN: usize = 1 << 20;

/// One input of an operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// How reports name it: `"hello, world"`, `random #3 (...)`, ...
    pub label: String,
    /// The bytes.
    #[serde(with = "hex")]
    pub bytes: Vec<u8>,
    /// Pass `in_ptr = NULL` (only for an empty input).
    #[serde(default)]
    pub null_ptr: bool,
}

impl Input {
    fn new(label: impl Into<String>, bytes: Vec<u8>) -> Input {
        Input {
            label: label.into(),
            bytes,
            null_ptr: false,
        }
    }

    /// The label, with the bytes themselves when they are short enough to read.
    pub fn describe(&self) -> String {
        let len = self.bytes.len();
        let unit = if len == 1 { "byte" } else { "bytes" };
        if len == 0 || len > 32 || self.label.contains('"') {
            return format!("{} ({len} {unit})", self.label);
        }
        format!(
            "{} ({len} {unit}: b\"{}\")",
            self.label,
            self.bytes.escape_ascii()
        )
    }
}

/// A small, fast, seedable generator (SplitMix64): reproducible everywhere, no dependency.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Fills `buf` with random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bits = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bits[..chunk.len()]);
        }
    }
}

const PRINTABLE: &[u8] =
    b" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The fixed edge cases and `iterations` seeded random inputs, without the large ones.
pub fn base(seed: u64, iterations: u32) -> Vec<Input> {
    let mut inputs = vec![
        Input {
            label: "empty input, in_ptr NULL".into(),
            bytes: Vec::new(),
            null_ptr: true,
        },
        Input::new("empty input", Vec::new()),
        Input::new("one byte 0x00", vec![0x00]),
        Input::new("one byte 0x41", vec![0x41]),
        Input::new("one byte 0xff", vec![0xff]),
        Input::new("all 256 byte values", (0..=255u8).collect()),
        Input::new("text", b"hello, world".to_vec()),
        Input::new(
            "UTF-8 text \"h\u{e9}llo w\u{f6}rld \u{2713} \u{65e5}\u{672c}\"",
            "h\u{e9}llo w\u{f6}rld \u{2713} \u{65e5}\u{672c}"
                .as_bytes()
                .to_vec(),
        ),
    ];
    let mut rng = Rng::new(seed);
    for i in 0..iterations {
        let len = match rng.below(10) {
            0..=6 => rng.below(17),
            7 | 8 => rng.below(257),
            _ => rng.below(4097),
        };
        let (kind, bytes) = match i % 3 {
            0 => {
                let mut bytes = vec![0; len];
                rng.fill(&mut bytes);
                ("bytes", bytes)
            }
            1 => ("printable ASCII", pick(&mut rng, PRINTABLE, len)),
            _ => ("alphanumeric", pick(&mut rng, ALNUM, len)),
        };
        inputs.push(Input::new(
            format!("random #{i} ({kind}, seed {seed})"),
            bytes,
        ));
    }
    inputs
}

/// Lengths around the sizes of vector registers (16, 32 and 64 bytes), of the blocks
/// SIMD codecs work in (multiples of 3, 4 and 48), and of the page (4096): where code
/// that reads whole vectors reads past the input.
pub const BOUNDARY_LENGTHS: [usize; 47] = [
    1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 63, 64, 65, 95, 96, 97,
    127, 128, 129, 191, 192, 193, 255, 256, 257, 511, 512, 513, 1023, 1024, 1025, 4095, 4096, 4097,
    8191, 8192, 8193,
];

/// Inputs of every [`BOUNDARY_LENGTHS`] length (`input-bounds` only): all `'A'` (which
/// base64 and hex decoders accept at the right lengths, so that their vector loops run)
/// and seeded random bytes.
pub fn boundary(seed: u64) -> Vec<Input> {
    let mut rng = Rng::new(seed ^ 0xb0d0_0000_0000_0000);
    let mut out = Vec::new();
    for len in BOUNDARY_LENGTHS {
        out.push(Input::new(format!("{len} bytes of 'A'"), vec![b'A'; len]));
        let mut bytes = vec![0; len];
        rng.fill(&mut bytes);
        out.push(Input::new(
            format!("{len} random bytes (seed {seed})"),
            bytes,
        ));
    }
    out
}

/// Values a mutation writes over a byte: the ends of the byte range, ASCII edges, and
/// the characters text formats treat specially.
const INTERESTING: &[u8] = b"\x00\x01\x7f\x80\xff\xc0\xe0\xf0\xf4=+/-_\\\"%\n\r \t";
/// Longest input a mutation makes.
pub const MAX_FUZZ_LEN: usize = 1 << 16;

/// Fuzz input number `i` of `seed`: a few random mutations (bit flips, interesting bytes,
/// insertions, deletions, duplications, truncations, splices) of an input of `base`
/// picked at random. A pure function of `(base, seed, i)`, so that the parent rebuilds
/// the input a child crashed on from its number alone.
pub fn mutate(base: &[Input], seed: u64, i: u64) -> Input {
    let mut rng = Rng::new(seed ^ i.wrapping_mul(0xd1b5_4a32_d192_ed03) ^ 0xf022_0000);
    let Some(src) = base.get(rng.below(base.len().max(1))) else {
        return Input::new(format!("fuzz input #{i}"), Vec::new());
    };
    let mut bytes = src.bytes.clone();
    for _ in 0..1 + rng.below(4) {
        let len = bytes.len();
        match rng.below(7) {
            0 if len > 0 => {
                let at = rng.below(len);
                bytes[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.below(len);
                bytes[at] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 => {
                let at = rng.below(len + 1);
                bytes.insert(at, rng.next_u64() as u8);
            }
            3 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(16));
                bytes.drain(at..at + n);
            }
            4 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below(len - at);
                let copy = bytes[at..at + n].to_vec();
                bytes.extend_from_slice(&copy);
            }
            5 => bytes.truncate(rng.below(len + 1)),
            _ => {
                let other = &base[rng.below(base.len())].bytes;
                let from = rng.below(other.len() + 1);
                bytes.truncate(rng.below(len + 1));
                bytes.extend_from_slice(&other[from..]);
            }
        }
        bytes.truncate(MAX_FUZZ_LEN);
    }
    Input::new(
        format!("fuzz input #{i} (from {}, seed {seed})", src.label),
        bytes,
    )
}

/// The large inputs (robustness only): random bytes and one repeated printable byte.
pub fn large(seed: u64) -> Vec<Input> {
    let mut random = vec![0; LARGE_LEN];
    Rng::new(seed ^ 0x5eed_1a76_e000_0000).fill(&mut random);
    vec![
        Input::new(
            format!("large input: 1 MiB of random bytes (seed {seed})"),
            random,
        ),
        Input::new("large input: 1 MiB of 'A'", vec![b'A'; LARGE_LEN]),
    ]
}

/// Valid UTF-8 text (for `ascii-output` only, which the base corpus gives few of): fixed
/// cases at the ends of every encoded length, then `iterations / 2` (rounded up) seeded
/// random texts mixing 1-, 2-, 3- and 4-byte characters. A `str` argument of the
/// generated Python always arrives as such text, so an operation taking `str` sees these.
pub fn text(seed: u64, iterations: u32) -> Vec<Input> {
    let fixed: [(&str, &str); 5] = [
        (
            "UTF-8 text: U+0080, the first non-ASCII code point",
            "\u{80}",
        ),
        (
            "UTF-8 text: U+07FF U+0800 U+FFFF U+10000 U+10FFFF, the ends of each encoded length",
            "\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}",
        ),
        (
            "UTF-8 text: 1- to 4-byte characters",
            "na\u{ef}ve caf\u{e9} \u{2014} \u{65e5}\u{672c} \u{1f600}!",
        ),
        (
            "UTF-8 text: e and a combining acute accent U+0301",
            "e\u{301}",
        ),
        ("UTF-8 text: a byte-order mark U+FEFF first", "\u{feff}text"),
    ];
    let mut inputs: Vec<Input> = fixed
        .iter()
        .map(|(label, text)| Input::new(*label, text.as_bytes().to_vec()))
        .collect();
    let mut rng = Rng::new(seed ^ 0x7e47_0000_0000_0000);
    for i in 0..iterations.div_ceil(2) {
        let chars = match rng.below(10) {
            0..=6 => rng.below(17),
            7 | 8 => rng.below(129),
            _ => rng.below(1025),
        };
        let text: String = (0..chars).map(|_| random_char(&mut rng)).collect();
        inputs.push(Input::new(
            format!("random UTF-8 text #{i} (seed {seed})"),
            text.into_bytes(),
        ));
    }
    inputs
}

/// A character that encodes to 1 byte (4 times in 10), 2, 3 or 4 bytes (2 in 10 each).
fn random_char(rng: &mut Rng) -> char {
    let (low, high): (u32, u32) = match rng.below(10) {
        0..=3 => (0x20, 0x7e),
        4 | 5 => (0x80, 0x7ff),
        6 | 7 => (0x800, 0xffff),
        _ => (0x1_0000, 0x10_ffff),
    };
    let code = low + (rng.next_u64() % u64::from(high - low + 1)) as u32;
    // A surrogate (U+D800..=U+DFFF) is no character: take U+FFFD, also 3 bytes, instead.
    char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
}

fn pick(rng: &mut Rng, alphabet: &[u8], len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| alphabet[rng.below(alphabet.len())])
        .collect()
}

/// Bytes as lowercase hex inside JSON.
pub mod hex {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::fmt::Write as _;

    /// Serializes bytes as one hex string.
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(bytes))
    }

    /// Deserializes bytes from one hex string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        decode(&text).ok_or_else(|| serde::de::Error::custom("invalid hex string"))
    }

    /// Lowercase hex of `bytes`.
    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            let _ = write!(out, "{b:02x}");
        }
        out
    }

    /// The bytes of a hex string, or `None` when it is not one.
    pub fn decode(text: &str) -> Option<Vec<u8>> {
        if text.len() % 2 != 0 {
            return None;
        }
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
            .collect()
    }
}

#[cfg(test)]
mod fuzz_tests {
    use super::*;

    #[test]
    fn a_fuzz_input_is_rebuilt_from_its_number() {
        let base = base(1, 8);
        for i in 0..200 {
            let a = mutate(&base, 7, i);
            assert_eq!(a, mutate(&base, 7, i));
            assert!(a.bytes.len() <= MAX_FUZZ_LEN);
        }
        let differ = (0..50).filter(|&i| mutate(&base, 7, i) != mutate(&base, 8, i));
        assert!(differ.count() > 40);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_depends_only_on_seed_and_iterations() {
        assert_eq!(base(7, 20), base(7, 20));
        assert_ne!(base(7, 20), base(8, 20));
        assert_eq!(base(7, 20).len(), 8 + 20);
        assert_eq!(large(3), large(3));
        assert!(large(3).iter().all(|i| i.bytes.len() == LARGE_LEN));
    }

    #[test]
    fn text_inputs_are_valid_utf8_with_every_encoded_length() {
        let inputs = text(5, 64);
        assert_eq!(inputs, text(5, 64));
        assert_ne!(inputs, text(6, 64));
        assert_eq!(inputs.len(), 5 + 32);
        assert_eq!(text(5, 3).len(), 5 + 2);
        let mut lengths = [false; 5];
        for input in &inputs {
            let s = std::str::from_utf8(&input.bytes).unwrap_or_else(|e| panic!("{e}"));
            for c in s.chars() {
                lengths[c.len_utf8()] = true;
            }
        }
        assert_eq!(lengths, [false, true, true, true, true]);
        let random = inputs.iter().skip(5);
        assert!(random
            .clone()
            .any(|i| std::str::from_utf8(&i.bytes)
                .is_ok_and(|s| s.chars().any(|c| c.len_utf8() == 4))));
        assert!(random
            .clone()
            .all(|i| i.label.starts_with("random UTF-8 text #")));
    }

    #[test]
    fn hex_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(hex::decode(&hex::encode(&bytes)), Some(bytes));
        assert_eq!(hex::decode("abc"), None);
        assert_eq!(hex::decode("zz"), None);
    }

    #[test]
    fn short_inputs_show_their_bytes() {
        let input = Input::new("one byte 0x00", vec![0]);
        assert_eq!(input.describe(), "one byte 0x00 (1 byte: b\"\\x00\")");
        let input = Input::new("large", vec![0; 100]);
        assert_eq!(input.describe(), "large (100 bytes)");
    }
}
