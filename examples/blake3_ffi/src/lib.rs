//! BLAKE3 as a Vix FFI class: the official `blake3` crate behind one class, `blake3`,
//! whose generated Python package mirrors the `blake3` package on PyPI (`from blake3_ffi
//! import blake3`): the same constructor, `update` returning the hasher, `digest` and
//! `hexdigest` of any length from any position, `copy`, `reset` and the attributes
//! `name`, `digest_size`, `block_size`, `key_size` and `AUTO`.
//!
//! Written in safe Rust only: `#[vix_ffi::export]` generates every C symbol, and its
//! handle lets one call at a time use a hasher, whoever calls.
//!
//! `max_threads`: 1 hashes on the calling thread; `blake3.AUTO` or any number above 1
//! uses the crate's multithreaded hashing (`update_rayon`) for inputs of 128 KiB and more
//! (below that, the crate's documentation says, it is slower than one thread): AUTO on
//! rayon's global pool (one thread per core), a number N on a pool of its own of N
//! threads, made by the constructor and shared with the hasher's copies.
//!
//! A digest too long for memory raises what the package raises (`OverflowError` past
//! `isize::MAX` bytes, `MemoryError` when the allocation fails) rather than aborting.
#![forbid(unsafe_code)]

use std::sync::Arc;

use vix_ffi::{LibraryError, Output, Result};

/// The library's version.
#[vix_ffi::export(prefix = "blake3_")]
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the constructor refuses, as the `blake3` package does (each a `ValueError`).
#[derive(Debug, LibraryError)]
pub enum Blake3Error {
    /// The key is not 32 bytes.
    #[vix(code = 1000, name = "KeyLengthError", base = "ValueError")]
    KeyLength(usize),
    /// `key` and `derive_key_context` are both given.
    #[vix(code = 1001, name = "KeyAndContextError", base = "ValueError")]
    KeyAndContext,
    /// `max_threads` is neither a positive number nor `blake3.AUTO`.
    #[vix(code = 1002, name = "MaxThreadsError", base = "ValueError")]
    MaxThreads(i64),
    /// The threads of `max_threads` could not be started.
    #[vix(code = 1005, name = "ThreadPoolError", base = "RuntimeError")]
    ThreadPool(usize),
    /// A digest longer than any object can be (`OverflowError`, as the package raises).
    #[vix(code = 1003, name = "DigestLengthError", base = "OverflowError")]
    DigestLength(usize),
    /// No memory for a digest of that length (`MemoryError`, as the package raises).
    #[vix(code = 1004, name = "DigestMemoryError", base = "MemoryError")]
    DigestMemory(usize),
}

impl std::fmt::Display for Blake3Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Blake3Error::KeyLength(n) => write!(f, "key must be 32 bytes, not {n}"),
            Blake3Error::KeyAndContext => {
                f.write_str("cannot use key and derive_key_context at the same time")
            }
            Blake3Error::MaxThreads(n) => write!(
                f,
                "max_threads must be a positive number or blake3.AUTO (-1), not {n}"
            ),
            Blake3Error::ThreadPool(n) => write!(f, "cannot start a pool of {n} threads"),
            Blake3Error::DigestLength(n) => write!(f, "a digest of {n} bytes overflows isize"),
            Blake3Error::DigestMemory(n) => {
                write!(f, "cannot allocate a digest of {n} bytes")
            }
        }
    }
}

/// Inputs from this size on are hashed on several threads when the hasher is threaded.
const RAYON_MIN_LEN: usize = 128 * 1024;

/// The size of a digest of `length` bytes, or the `OverflowError` the `blake3` package
/// raises past `isize::MAX` (no object can be that large). A size it cannot allocate is
/// Python's `MemoryError`, raised where the result is allocated.
fn digest_size(length: usize) -> Result<usize> {
    if length > isize::MAX.unsigned_abs() {
        return Err(Blake3Error::DigestLength(length).into());
    }
    Ok(length)
}

/// Room for `bytes` bytes in `buf`, or the error the `blake3` package raises for a
/// digest of `length` bytes: `OverflowError` past `isize::MAX`, else `MemoryError`.
fn reserve(buf: &mut Vec<u8>, bytes: usize, length: usize) -> std::result::Result<(), Blake3Error> {
    if bytes > isize::MAX.unsigned_abs() {
        return Err(Blake3Error::DigestLength(length));
    }
    buf.try_reserve_exact(bytes)
        .map_err(|_| Blake3Error::DigestMemory(length))
}

/// A BLAKE3 hasher and how it hashes large inputs.
#[derive(Clone)]
pub struct Blake3 {
    hasher: blake3::Hasher,
    threads: Threads,
}

/// Where a hasher hashes large inputs (`max_threads`).
#[derive(Clone)]
enum Threads {
    /// On the calling thread (1).
    One,
    /// On rayon's global pool (AUTO).
    Global,
    /// On a pool of its own (N > 1), shared with the hasher's copies.
    Pool(Arc<rayon_core::ThreadPool>),
}

impl Threads {
    fn new(max_threads: i64) -> std::result::Result<Threads, Blake3Error> {
        match max_threads {
            1 => Ok(Threads::One),
            Blake3::AUTO => Ok(Threads::Global),
            n if n > 1 => Threads::pool(n),
            n => Err(Blake3Error::MaxThreads(n)),
        }
    }

    /// A pool of `n` threads, kept out of line: the constructors without one do not
    /// carry its code.
    #[cold]
    #[inline(never)]
    fn pool(n: i64) -> std::result::Result<Threads, Blake3Error> {
        let n = usize::try_from(n).map_err(|_| Blake3Error::MaxThreads(n))?;
        rayon_core::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map(|pool| Threads::Pool(Arc::new(pool)))
            .map_err(|_| Blake3Error::ThreadPool(n))
    }
}

/// An incremental BLAKE3 hash (plain, keyed, or deriving a key), fed with update().
#[vix_ffi::export(prefix = "blake3_", name = "blake3")]
impl Blake3 {
    /// The algorithm's name.
    pub const NAME: &'static str = "blake3";
    /// The default digest size, in bytes.
    pub const DIGEST_SIZE: usize = 32;
    /// The internal block size, in bytes.
    pub const BLOCK_SIZE: usize = 64;
    /// The size of a key, in bytes.
    pub const KEY_SIZE: usize = 32;
    /// `max_threads=blake3.AUTO`: multithreaded, with as many threads as rayon chooses.
    #[vix(name = "AUTO")]
    pub const AUTO: i64 = -1;

    /// A hasher fed `data` (`None` is no data, as the package allows): keyed with the 32 bytes of `key`, or deriving a key for
    /// `derive_key_context`; `max_threads` above 1 (or AUTO) hashes large inputs on
    /// several threads; `usedforsecurity` is accepted as hashlib's constructors do.
    #[vix(
        default(
            data = b"",
            key = None,
            derive_key_context = None,
            max_threads = 1,
            usedforsecurity = true
        ),
        positional_only(data)
    )]
    pub fn new(
        data: Option<&[u8]>,
        key: Option<&[u8]>,
        derive_key_context: Option<&str>,
        max_threads: i64,
        usedforsecurity: bool,
    ) -> std::result::Result<Self, Blake3Error> {
        let _ = usedforsecurity;
        if max_threads < 1 && max_threads != Self::AUTO {
            return Err(Blake3Error::MaxThreads(max_threads));
        }
        // The key is checked before any thread is started, and the hasher is made in
        // place, last (made before a fallible step, 1.9 KB would be moved again).
        let key: Option<&[u8; blake3::KEY_LEN]> = match (key, derive_key_context) {
            (Some(_), Some(_)) => return Err(Blake3Error::KeyAndContext),
            (Some(key), None) => Some(
                key.try_into()
                    .map_err(|_| Blake3Error::KeyLength(key.len()))?,
            ),
            (None, _) => None,
        };
        let threads = Threads::new(max_threads)?;
        let mut this = Blake3 {
            hasher: match (key, derive_key_context) {
                (Some(key), _) => blake3::Hasher::new_keyed(key),
                (None, Some(context)) => blake3::Hasher::new_derive_key(context),
                (None, None) => blake3::Hasher::new(),
            },
            threads,
        };
        this.feed(data.unwrap_or_default());
        Ok(this)
    }

    fn feed(&mut self, data: &[u8]) {
        // The crate's documentation: below about 128 KiB, `update_rayon` is slower than
        // `update` on x86_64.
        match &self.threads {
            Threads::Global if data.len() >= RAYON_MIN_LEN => {
                self.hasher.update_rayon(data);
            }
            Threads::Pool(pool) if data.len() >= RAYON_MIN_LEN => {
                let hasher = &mut self.hasher;
                pool.install(|| hasher.update_rayon(data));
            }
            _ => {
                self.hasher.update(data);
            }
        }
    }

    /// Adds `data` to the hash; returns the hasher.
    pub fn update(&mut self, data: &[u8]) -> Result<&mut Self> {
        self.feed(data);
        Ok(self)
    }

    /// `length` bytes of the output (32 by default), from byte `seek` of the output
    /// stream; the hasher can still be updated.
    #[vix(
        default(length = 32, seek = 0),
        positional(length),
        size = |length| digest_size(length)
    )]
    pub fn digest(&self, length: usize, seek: u64, out: &mut Output<'_>) -> Result<()> {
        // Written straight into the caller's buffer: no `Vec` per digest.
        self.fill(seek, out.extend_zeroed(length)?);
        Ok(())
    }

    /// digest() as lower-case hexadecimal digits.
    #[vix(default(length = 32, seek = 0), positional(length))]
    pub fn hexdigest(&self, length: usize, seek: u64) -> std::result::Result<String, Blake3Error> {
        let digits = length
            .checked_mul(2)
            .ok_or(Blake3Error::DigestLength(length))?;
        let mut text = Vec::new();
        reserve(&mut text, digits, length)?;
        for b in self.output(length, seek)? {
            text.push(b"0123456789abcdef"[usize::from(b >> 4)]);
            text.push(b"0123456789abcdef"[usize::from(b & 15)]);
        }
        Ok(String::from_utf8(text).expect("hexadecimal digits are ASCII"))
    }

    /// The output stream from byte `seek` into `buf`.
    fn fill(&self, seek: u64, buf: &mut [u8]) {
        let mut reader = self.hasher.finalize_xof();
        reader.set_position(seek);
        reader.fill(buf);
    }

    /// `length` bytes of the output stream from byte `seek`, in a new `Vec`.
    fn output(&self, length: usize, seek: u64) -> std::result::Result<Vec<u8>, Blake3Error> {
        let mut out = Vec::new();
        reserve(&mut out, length, length)?;
        out.resize(length, 0);
        self.fill(seek, &mut out);
        Ok(out)
    }

    /// An independent hasher in the same state.
    pub fn copy(&self) -> Result<Self> {
        Ok(self.clone())
    }

    /// Forgets everything fed so far (the key or context stays).
    pub fn reset(&mut self) -> Result<()> {
        self.hasher.reset();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_crate() {
        let mut h = Blake3::new(Some(b"abc"), None, None, 1, true).unwrap();
        assert_eq!(
            h.hexdigest(32, 0).unwrap(),
            blake3::hash(b"abc").to_hex().as_str()
        );
        h.update(b"def").unwrap();
        let mut xof = [0u8; 100];
        blake3::Hasher::new()
            .update(b"abcdef")
            .finalize_xof()
            .fill(&mut xof);
        assert_eq!(h.output(90, 10).unwrap(), &xof[10..]);
        let c = h.copy().unwrap();
        h.reset().unwrap();
        assert_eq!(h.output(32, 0).unwrap(), blake3::hash(b"").as_bytes());
        assert_eq!(c.output(32, 0).unwrap(), &xof[..32]);
        let pooled = Blake3::new(Some(&[7; 1 << 20]), None, None, 3, true).unwrap();
        match &pooled.threads {
            Threads::Pool(pool) => assert_eq!(pool.current_num_threads(), 3),
            _ => panic!("max_threads=3 has a pool of its own"),
        }
        assert_eq!(
            pooled.copy().unwrap().output(32, 0).unwrap(),
            blake3::hash(&[7; 1 << 20]).as_bytes()
        );
        let threaded = Blake3::new(Some(&[7; 1 << 20]), None, None, Blake3::AUTO, true).unwrap();
        assert_eq!(
            threaded.output(32, 0).unwrap(),
            blake3::hash(&[7; 1 << 20]).as_bytes()
        );
    }

    #[test]
    fn keys_and_contexts() {
        let key = [1u8; 32];
        let keyed = Blake3::new(Some(b"x"), Some(&key), None, 1, true).unwrap();
        assert_eq!(
            keyed.output(32, 0).unwrap(),
            blake3::keyed_hash(&key, b"x").as_bytes()
        );
        let derived = Blake3::new(Some(b"k"), None, Some("ctx"), 1, true).unwrap();
        assert_eq!(
            derived.output(32, 0).unwrap(),
            blake3::derive_key("ctx", b"k")
        );
        assert!(matches!(
            Blake3::new(Some(b""), Some(&[0; 31]), None, 1, true).err(),
            Some(Blake3Error::KeyLength(31))
        ));
        assert!(matches!(
            Blake3::new(Some(b""), Some(&key), Some("c"), 1, true).err(),
            Some(Blake3Error::KeyAndContext)
        ));
        assert!(matches!(
            Blake3::new(Some(b""), None, None, 0, true).err(),
            Some(Blake3Error::MaxThreads(0))
        ));
    }

    #[test]
    fn impossible_digests_are_errors_not_aborts() {
        let h = Blake3::new(Some(b""), None, None, 1, true).unwrap();
        let half = isize::MAX.unsigned_abs() / 2 + 1;
        assert!(matches!(
            h.output(usize::MAX, 0),
            Err(Blake3Error::DigestLength(usize::MAX))
        ));
        assert!(matches!(
            h.hexdigest(half, 0),
            Err(Blake3Error::DigestLength(n)) if n == half
        ));
        assert!(matches!(
            h.output(1 << 62, 0),
            Err(Blake3Error::DigestMemory(n)) if n == 1 << 62
        ));
        assert_eq!(h.hexdigest(0, 0).unwrap(), "");
        // digest()'s size: OverflowError past isize::MAX, as the package raises.
        let err = digest_size(usize::MAX).unwrap_err();
        assert_eq!(err.library_code(), Some(1003));
        assert_eq!(digest_size(64).unwrap(), 64);
    }
}
