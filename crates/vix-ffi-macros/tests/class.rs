//! The symbols `#[vix_ffi::export]` generates for an exported `impl` block (a class),
//! called the way a C caller would: constructor, methods on `&self` and `&mut self`,
//! chaining, copies, objects as arguments, optional inputs, NULL handles, `free(NULL)`,
//! and concurrent calls on one object from several threads.

#![deny(unsafe_code)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use vix_ffi::{Error, Output, Result};

/// An FNV-1a 64 hasher fed in chunks.
#[derive(Clone, Debug)]
pub struct Hasher {
    state: u64,
    length: u64,
    /// Set while a `&mut self` call runs: two at once would be a bug of the glue.
    busy: bool,
}

static OVERLAPS: AtomicUsize = AtomicUsize::new(0);
static DROPS: AtomicUsize = AtomicUsize::new(0);
static PANIC_ON_DROP: AtomicBool = AtomicBool::new(false);

impl Drop for Hasher {
    fn drop(&mut self) {
        DROPS.fetch_add(1, Ordering::SeqCst);
        if PANIC_ON_DROP.load(Ordering::SeqCst) {
            panic!("drop panics");
        }
    }
}

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// An incremental FNV-1a 64 hash.
#[vix_ffi::export(prefix = "cl_")]
impl Hasher {
    /// The size of a digest, in bytes.
    pub const DIGEST_SIZE: usize = 8;
    /// The algorithm.
    pub const NAME: &'static str = "fnv1a64";
    /// Named by hand.
    #[vix(name = "AUTO")]
    pub const AUTO: i64 = -1;
    /// Not exported.
    #[vix(skip)]
    pub const HIDDEN: u32 = 1;

    /// A new hasher, keyed when `key` is given.
    #[vix(default(key = None))]
    pub fn new(key: Option<&[u8]>) -> Result<Self> {
        let mut h = Hasher {
            state: OFFSET,
            length: 0,
            busy: false,
        };
        if let Some(key) = key {
            h.state ^= 0xff;
            h.feed(key);
            h.length = 0;
        }
        Ok(h)
    }

    fn feed(&mut self, data: &[u8]) {
        for &b in data {
            self.state ^= u64::from(b);
            self.state = self.state.wrapping_mul(0x0100_0000_01b3);
        }
        self.length += data.len() as u64;
    }

    /// Feeds `data`; returns the hasher.
    pub fn update(&mut self, data: &[u8]) -> Result<&mut Self> {
        if self.busy {
            OVERLAPS.fetch_add(1, Ordering::SeqCst);
        }
        self.busy = true;
        // Long enough for another thread to come in if the glue let it.
        std::thread::yield_now();
        self.feed(data);
        self.busy = false;
        Ok(self)
    }

    /// The hash so far.
    pub fn digest(&self) -> Result<u64> {
        Ok(self.state)
    }

    /// Bytes fed so far.
    pub fn length(&self) -> Result<u64> {
        Ok(self.length)
    }

    /// The digest as hex, `sep` between bytes when given.
    #[vix(default(sep = None))]
    pub fn hexdigest(&self, sep: Option<&str>) -> Result<String> {
        let bytes = self.state.to_be_bytes().map(|b| format!("{b:02x}"));
        Ok(bytes.join(sep.unwrap_or("")))
    }

    /// `length` bytes of the digest repeated, written straight into the caller's buffer
    /// (a method writer, sized by the parameter its closure names).
    #[vix(default(length = 8), size = |length| Ok(length))]
    pub fn digest_bytes(&self, length: usize, out: &mut Output<'_>) -> Result<()> {
        let bytes = self.state.to_be_bytes();
        for i in 0..length {
            out.push(bytes[i % bytes.len()])?;
        }
        Ok(())
    }

    /// An independent hasher in the same state.
    pub fn copy(&self) -> Result<Self> {
        Ok(self.clone())
    }

    /// Feeds the digest of `other`.
    pub fn absorb(&mut self, other: &Hasher) -> Result<()> {
        self.feed(&other.state.to_le_bytes());
        Ok(())
    }

    /// Whether `other` (when given) has the same state.
    pub fn same(&self, other: Option<&Self>) -> Result<bool> {
        Ok(other.is_some_and(|o| o.state == self.state))
    }

    /// A summary object of another class.
    pub fn summary(&self) -> Result<Summary> {
        Ok(Summary {
            length: self.length,
        })
    }

    /// Fails, or panics on 7.
    pub fn check(&mut self, n: u32) -> Result<()> {
        match n {
            7 => panic!("seven"),
            0 => Err(Error::invalid_arg("zero")),
            _ => Ok(()),
        }
    }

    /// Resets the state; a chaining method on `&self` is also accepted.
    pub fn peek(&self) -> Result<&Self> {
        Ok(self)
    }

    /// A private helper is not exported.
    fn _private(&self) {}

    /// Kept out.
    #[vix(skip)]
    pub fn skipped(&self) -> u8 {
        0
    }
}

/// A second class, made by `Hasher::summary`.
#[derive(Debug)]
pub struct Summary {
    length: u64,
}

#[vix_ffi::export(prefix = "cl_", name = "HashSummary")]
impl Summary {
    /// Bytes fed.
    pub fn length(&self) -> Result<u64> {
        Ok(self.length)
    }
}

/// A hasher fed `data`: a function that returns an object.
#[vix_ffi::export(prefix = "cl_")]
pub fn hash_of(data: &[u8]) -> Result<Hasher> {
    let mut h = Hasher::new(None)?;
    h.feed(data);
    Ok(h)
}

/// Whether two hashers (the second optional) are in the same state: a function of objects.
#[vix_ffi::export(prefix = "cl_")]
pub fn same(a: &Hasher, b: Option<&Hasher>) -> Result<bool> {
    Ok(b.is_some_and(|b| b.state == a.state))
}

#[allow(unsafe_code)]
mod c {
    //! A C caller's view.
    use std::ptr::{null, null_mut};
    use vix_ffi::glue::Handle;
    use vix_ffi::{VixStatus, VixStr};

    pub use super::*;

    pub type H = Handle<Hasher>;

    pub fn status() -> VixStatus {
        VixStatus {
            code: -12345,
            message: VixStr::EMPTY,
        }
    }

    pub fn message(st: &VixStatus) -> String {
        // SAFETY: valid until the next call on this thread.
        String::from_utf8(unsafe { st.message.as_bytes() }.to_vec()).unwrap()
    }

    pub fn new(key: Option<&[u8]>) -> *mut H {
        let mut out: *mut H = null_mut();
        let mut st = status();
        let (ptr, len) = key.map_or((null(), 0), |k| (k.as_ptr(), k.len()));
        // SAFETY: valid pointers.
        let rc = unsafe { cl_hasher_new(ptr, len, &mut out, &mut st) };
        assert_eq!((rc, st.code), (0, 0), "{}", message(&st));
        assert!(!out.is_null());
        out
    }

    pub fn update(h: *mut H, data: &[u8]) -> (i32, String) {
        let mut st = status();
        // SAFETY: `h` is NULL or live (the tests say which).
        let rc = unsafe { cl_hasher_update(h, data.as_ptr(), data.len(), &mut st) };
        (rc, message(&st))
    }

    pub fn digest(h: *mut H) -> u64 {
        let mut st = status();
        let mut value = 0;
        // SAFETY: a live handle.
        let rc = unsafe { cl_hasher_digest(h, &mut value, &mut st) };
        assert_eq!(rc, 0, "{}", message(&st));
        value
    }

    pub fn free(h: *mut H) {
        // SAFETY: NULL or a live handle released once.
        unsafe { cl_hasher_free(h) }
    }
}

#[allow(unsafe_code)]
mod tests {
    use super::c::*;
    use std::ptr::{null, null_mut};
    use std::sync::atomic::Ordering;

    fn fnv(data: &[u8]) -> u64 {
        let mut state = super::OFFSET;
        for &b in data {
            state ^= u64::from(b);
            state = state.wrapping_mul(0x0100_0000_01b3);
        }
        state
    }

    #[test]
    fn constructor_methods_chaining_and_free() {
        let h = new(None);
        assert_eq!(update(h, b"ab"), (0, String::new()));
        assert_eq!(update(h, b"c").0, 0);
        assert_eq!(digest(h), fnv(b"abc"));
        let mut st = status();
        let mut len = 0u64;
        // SAFETY: a live handle.
        let rc = unsafe { cl_hasher_length(h, &mut len, &mut st) };
        assert_eq!((rc, len), (0, 3));
        // A chaining method on &self: no output at all.
        // SAFETY: a live handle.
        assert_eq!(unsafe { cl_hasher_peek(h, &mut st) }, 0);
        free(h);
        free(null_mut());
    }

    #[test]
    fn a_method_writes_into_the_callers_buffer_sized_first() {
        let h = new(None);
        let mut st = status();
        let mut buf = [0xA5u8; 16];
        let mut len = 0usize;
        // SAFETY: valid pointers; `buf` holds 16 bytes, 4 offered.
        let rc = unsafe { cl_hasher_digest_bytes(h, 10, buf.as_mut_ptr(), 4, &mut len, &mut st) };
        assert_eq!((rc, st.code, len), (3, 3, 10));
        assert!(
            buf.iter().all(|&b| b == 0xA5),
            "nothing written before the size"
        );
        // SAFETY: as above, 16 offered.
        let rc = unsafe { cl_hasher_digest_bytes(h, 10, buf.as_mut_ptr(), 16, &mut len, &mut st) };
        let want = fnv(b"").to_be_bytes();
        assert_eq!((rc, len), (0, 10));
        assert_eq!(&buf[..8], &want);
        assert_eq!(&buf[8..10], &want[..2]);
        assert_eq!(buf[10], 0xA5);
        // SAFETY: a NULL self is what is tested.
        let rc = unsafe {
            cl_hasher_digest_bytes(null_mut(), 1, buf.as_mut_ptr(), 16, &mut len, &mut st)
        };
        assert_eq!(rc, 2);
        free(h);
    }

    #[test]
    fn optional_inputs_are_null_for_none() {
        let plain = new(None);
        let keyed = new(Some(b""));
        assert_ne!(digest(plain), digest(keyed), "an empty key is a key");
        let mut st = status();
        let mut out: *mut H = null_mut();
        // SAFETY: a NULL key with a length is what is tested.
        let rc = unsafe { cl_hasher_new(null(), 3, &mut out, &mut st) };
        assert_eq!((rc, out.is_null()), (2, true));
        assert_eq!(message(&st), "key_ptr is NULL (None) but key_len is 3");
        let mut buf = [0u8; 64];
        let mut len = 0usize;
        let sep = b":";
        // SAFETY: valid pointers.
        let rc = unsafe {
            cl_hasher_hexdigest(
                plain,
                sep.as_ptr(),
                1,
                buf.as_mut_ptr(),
                64,
                &mut len,
                &mut st,
            )
        };
        assert_eq!((rc, len), (0, 23));
        // SAFETY: valid pointers; NULL sep is None.
        let rc = unsafe {
            cl_hasher_hexdigest(plain, null(), 0, buf.as_mut_ptr(), 64, &mut len, &mut st)
        };
        assert_eq!(
            (rc, &buf[..len]),
            (0, format!("{:016x}", fnv(b"")).as_bytes())
        );
        free(plain);
        free(keyed);
    }

    #[test]
    fn null_self_and_null_outputs_are_invalid_arguments() {
        assert_eq!(update(null_mut(), b"x"), (2, "self is NULL".to_owned()));
        let mut st = status();
        let mut value = 0u64;
        // SAFETY: NULL is what is tested.
        let rc = unsafe { cl_hasher_digest(null_mut(), &mut value, &mut st) };
        assert_eq!((rc, message(&st).as_str()), (2, "self is NULL"));
        let h = new(None);
        // SAFETY: a NULL out_handle is what is tested.
        let rc = unsafe { cl_hasher_copy(h, null_mut(), &mut st) };
        assert_eq!((rc, message(&st).as_str()), (2, "out_handle is NULL"));
        // SAFETY: a NULL object argument is what is tested.
        let rc = unsafe { cl_hasher_absorb(h, null_mut(), &mut st) };
        assert_eq!((rc, message(&st).as_str()), (2, "other is NULL"));
        let mut same = true;
        // SAFETY: an optional object: NULL is None.
        let rc = unsafe { cl_hasher_same(h, null_mut(), &mut same, &mut st) };
        assert_eq!((rc, same), (0, false));
        free(h);
    }

    #[test]
    fn copies_are_independent_objects_of_their_own() {
        let h = new(None);
        update(h, b"abc");
        let mut copy: *mut H = null_mut();
        let mut st = status();
        // SAFETY: valid pointers.
        let rc = unsafe { cl_hasher_copy(h, &mut copy, &mut st) };
        assert_eq!(rc, 0);
        assert_ne!(copy, h);
        let mut same = false;
        // SAFETY: two live handles.
        let rc = unsafe { cl_hasher_same(h, copy, &mut same, &mut st) };
        assert_eq!((rc, same), (0, true));
        update(copy, b"d");
        assert_eq!((digest(h), digest(copy)), (fnv(b"abc"), fnv(b"abcd")));
        // SAFETY: two live handles.
        let rc = unsafe { cl_hasher_absorb(h, copy, &mut st) };
        assert_eq!(rc, 0);
        let mut expected = b"abc".to_vec();
        expected.extend_from_slice(&fnv(b"abcd").to_le_bytes());
        assert_eq!(digest(h), fnv(&expected));
        // Another class.
        let mut summary: *mut vix_ffi::glue::Handle<super::Summary> = null_mut();
        // SAFETY: valid pointers.
        let rc = unsafe { cl_hasher_summary(copy, &mut summary, &mut st) };
        assert_eq!(rc, 0);
        let mut len = 0;
        // SAFETY: a live handle.
        let rc = unsafe { cl_hash_summary_length(summary, &mut len, &mut st) };
        assert_eq!((rc, len), (0, 4));
        // SAFETY: released once.
        unsafe { cl_hash_summary_free(summary) };
        free(copy);
        free(h);
    }

    #[test]
    fn one_object_twice_in_a_call_is_refused() {
        let h = new(None);
        let mut st = status();
        // SAFETY: one live handle, twice.
        let rc = unsafe { cl_hasher_absorb(h, h, &mut st) };
        assert_eq!(
            (rc, message(&st).as_str()),
            (
                2,
                "`other` is the same object as `self`: a call uses each object once"
            )
        );
        let mut same = false;
        // SAFETY: as above.
        let rc = unsafe { cl_hasher_same(h, h, &mut same, &mut st) };
        assert_eq!(rc, 2);
        free(h);
    }

    #[test]
    fn errors_and_panics_become_statuses_and_a_panic_poisons() {
        let h = new(None);
        let mut st = status();
        // SAFETY: a live handle.
        let rc = unsafe { cl_hasher_check(h, 0, &mut st) };
        assert_eq!((rc, message(&st).as_str()), (2, "zero"));
        // SAFETY: a live handle.
        let rc = unsafe { cl_hasher_check(h, 7, &mut st) };
        assert_eq!((rc, message(&st).as_str()), (1, "panic: seven"));
        let (rc, msg) = update(h, b"x");
        assert_eq!(rc, 1);
        assert!(msg.contains("panicked"), "{msg}");
        free(h);
    }

    #[test]
    fn concurrent_calls_on_one_object_are_serialized() {
        let h = new(None) as usize;
        let threads: Vec<_> = (0..8)
            .map(|_| {
                std::thread::spawn(move || {
                    for _ in 0..500 {
                        assert_eq!(update(h as *mut H, b"a").0, 0);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(super::OVERLAPS.load(Ordering::SeqCst), 0);
        assert_eq!(digest(h as *mut H), fnv(&[b'a'; 4000]));
        free(h as *mut H);
    }

    #[test]
    fn an_argument_busy_in_another_call_is_refused_not_waited_for() {
        let a = new(None);
        let b = new(None);
        // Hold `b` as another call would, through the glue's own handle.
        // SAFETY: a live handle.
        let held = unsafe { vix_ffi::glue::HandleArg::new(b) };
        let guard = held.this().unwrap();
        let mut st = status();
        // SAFETY: two live handles.
        let rc = unsafe { cl_hasher_absorb(a, b, &mut st) };
        assert_eq!(rc, 2);
        assert!(
            message(&st).contains("in use by another call"),
            "{}",
            message(&st)
        );
        drop(guard);
        // SAFETY: as above.
        assert_eq!(unsafe { cl_hasher_absorb(a, b, &mut st) }, 0);
        free(a);
        free(b);
    }

    #[test]
    fn functions_take_and_return_objects() {
        let mut made: *mut H = null_mut();
        let mut st = status();
        // SAFETY: valid pointers.
        let rc = unsafe { cl_hash_of(b"abc".as_ptr(), 3, &mut made, &mut st) };
        assert_eq!(rc, 0);
        assert_eq!(digest(made), fnv(b"abc"));
        let other = new(None);
        update(other, b"abc");
        let mut same = false;
        // SAFETY: two live handles.
        let rc = unsafe { cl_same(made, other, &mut same, &mut st) };
        assert_eq!((rc, same), (0, true));
        // SAFETY: an optional NULL.
        let rc = unsafe { cl_same(made, null_mut(), &mut same, &mut st) };
        assert_eq!((rc, same), (0, false));
        // SAFETY: a NULL required object is what is tested.
        let rc = unsafe { cl_same(null_mut(), other, &mut same, &mut st) };
        assert_eq!((rc, message(&st).as_str()), (2, "a is NULL"));
        // SAFETY: one live handle twice.
        let rc = unsafe { cl_same(made, made, &mut same, &mut st) };
        assert_eq!(rc, 2);
        free(made);
        free(other);
    }

    #[test]
    fn a_panicking_drop_stays_in_free() {
        let h = new(None);
        let before = super::DROPS.load(Ordering::SeqCst);
        super::PANIC_ON_DROP.store(true, Ordering::SeqCst);
        free(h);
        super::PANIC_ON_DROP.store(false, Ordering::SeqCst);
        assert!(super::DROPS.load(Ordering::SeqCst) > before);
    }
}
