//! Output buffers that show writes outside `out_ptr[0..out_cap]`.
//!
//! [`Canary`] surrounds the buffer with guard bytes of a known pattern and reports which
//! changed; [`GuardPage`] ends the buffer exactly at an inaccessible page, so that the
//! first byte written past the end faults (the child dies with SIGSEGV, and the parent
//! reports the step it had announced).

/// Guard bytes on each side of a [`Canary`] buffer.
pub const GUARD: usize = 64;
/// The pattern of guard bytes and of the unwritten buffer.
pub const PATTERN: u8 = 0xa5;

/// A heap buffer with [`GUARD`] pattern bytes before and after it.
pub struct Canary {
    bytes: Vec<u8>,
    cap: usize,
}

impl Canary {
    /// A buffer of `cap` bytes.
    pub fn new(cap: usize) -> Canary {
        Canary {
            bytes: vec![PATTERN; cap + 2 * GUARD],
            cap,
        }
    }

    /// The `out_ptr` to pass.
    pub fn ptr(&mut self) -> *mut u8 {
        // SAFETY: `GUARD <= bytes.len()`.
        unsafe { self.bytes.as_mut_ptr().add(GUARD) }
    }

    /// Describes the guard bytes that changed, if any.
    pub fn damage(&self) -> Option<String> {
        let before = &self.bytes[..GUARD];
        let after = &self.bytes[GUARD + self.cap..];
        let mut parts = Vec::new();
        if let Some(first) = before.iter().position(|&b| b != PATTERN) {
            parts.push(format!(
                "wrote {} byte(s) before out_ptr (the first at out_ptr - {})",
                before.iter().filter(|&&b| b != PATTERN).count(),
                GUARD - first
            ));
        }
        if let Some(first) = after.iter().position(|&b| b != PATTERN) {
            let last = after.iter().rposition(|&b| b != PATTERN).unwrap_or(first);
            parts.push(format!(
                "wrote past out_cap: byte out_ptr[{}] changed from 0x{PATTERN:02x} to 0x{:02x}{}",
                self.cap + first,
                after[first],
                if last > first {
                    format!(", and bytes up to out_ptr[{}]", self.cap + last)
                } else {
                    String::new()
                }
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// A buffer of `cap` bytes whose last byte is the last one before an inaccessible page.
#[cfg(unix)]
pub struct GuardPage {
    base: *mut libc::c_void,
    map_len: usize,
    out: *mut u8,
}

#[cfg(unix)]
impl GuardPage {
    /// Maps the buffer; `None` when the system refuses.
    pub fn new(cap: usize) -> Option<GuardPage> {
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
            .ok()
            .filter(|&p| p > 0)?;
        let data = cap.div_ceil(page) * page;
        let map_len = data.checked_add(page)?;
        // SAFETY: an anonymous private mapping at an address of the kernel's choosing.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return None;
        }
        // SAFETY: `base + data` is the start of the last page of the mapping just made.
        let guard = unsafe { base.cast::<u8>().add(data) };
        // SAFETY: the range is inside our mapping.
        if unsafe { libc::mprotect(guard.cast(), page, libc::PROT_NONE) } != 0 {
            // SAFETY: unmapping what was just mapped.
            unsafe { libc::munmap(base, map_len) };
            return None;
        }
        // SAFETY: `data >= cap`, so this stays inside the writable part.
        let out = unsafe { guard.sub(cap) };
        // SAFETY: `out[0..cap]` is mapped writable.
        unsafe { std::ptr::write_bytes(out, PATTERN, cap) };
        Some(GuardPage { base, map_len, out })
    }

    /// The `out_ptr` to pass.
    pub fn ptr(&self) -> *mut u8 {
        self.out
    }
}

#[cfg(unix)]
impl Drop for GuardPage {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly the mapping made in `new`.
        unsafe { libc::munmap(self.base, self.map_len) };
    }
}

/// Which side of an input [`GuardedInput`] puts an inaccessible page on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The input ends exactly at an inaccessible page: reading `in_ptr[in_len]` faults.
    After,
    /// The input starts exactly after an inaccessible page: reading `in_ptr[-1]` faults.
    Before,
}

impl Side {
    /// Both sides, in the order they are tried.
    pub const BOTH: [Side; 2] = [Side::After, Side::Before];

    /// For the announced step: where the guard page is, and what faults.
    pub fn describe(self, name: &str) -> String {
        match self {
            Side::After => format!(
                "{name} ending at an inaccessible page (a read of one byte past its length \
                 faults)"
            ),
            Side::Before => format!(
                "{name} starting right after an inaccessible page (a read of one byte before \
                 it faults)"
            ),
        }
    }
}

/// A copy of an input placed so that the byte just past it ([`Side::After`]) or just
/// before it ([`Side::Before`]) is on an inaccessible page.
#[cfg(unix)]
pub struct GuardedInput {
    base: *mut libc::c_void,
    map_len: usize,
    ptr: *const u8,
}

/// The page size.
#[cfg(unix)]
pub fn page_size() -> Option<usize> {
    // SAFETY: sysconf has no preconditions.
    usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
        .ok()
        .filter(|&p| p > 0)
}

#[cfg(unix)]
impl GuardedInput {
    /// Maps a copy of `bytes` against a guard page on `side`; `None` when the system
    /// refuses.
    pub fn new(bytes: &[u8], side: Side) -> Option<GuardedInput> {
        let page = page_size()?;
        let data = bytes.len().div_ceil(page).max(1) * page;
        let map_len = data.checked_add(page)?;
        // SAFETY: an anonymous private mapping at an address of the kernel's choosing.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return None;
        }
        let base_u8 = base.cast::<u8>();
        let (guard_at, start_at) = match side {
            Side::After => (data, data - bytes.len()),
            Side::Before => (0, page),
        };
        // SAFETY: both offsets are inside the mapping just made (`map_len = data + page`).
        let (guard, start) = unsafe { (base_u8.add(guard_at), base_u8.add(start_at)) };
        // SAFETY: `start[0..len]` is inside the writable part of our mapping.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), start, bytes.len()) };
        // SAFETY: the guard page is inside our mapping.
        if unsafe { libc::mprotect(guard.cast(), page, libc::PROT_NONE) } != 0 {
            // SAFETY: unmapping what was just mapped.
            unsafe { libc::munmap(base, map_len) };
            return None;
        }
        Some(GuardedInput {
            base,
            map_len,
            ptr: start,
        })
    }

    /// The `in_ptr` to pass.
    pub fn ptr(&self) -> *const u8 {
        self.ptr
    }
}

#[cfg(unix)]
impl Drop for GuardedInput {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly the mapping made in `new`.
        unsafe { libc::munmap(self.base, self.map_len) };
    }
}

/// Allocates and frees blocks of many sizes, filled with a pattern, so that memory the
/// library freed but still points at is likely reused and overwritten.
pub fn churn_heap() {
    let mut blocks = Vec::new();
    for round in 0..4 {
        for shift in 3..14 {
            let size = (1usize << shift) + round * 8;
            blocks.push(vec![0xeeu8; size]);
        }
    }
    std::hint::black_box(&blocks);
    drop(blocks);
    let again: Vec<Vec<u8>> = (3..14).map(|s| vec![0xdd; 1 << s]).collect();
    std::hint::black_box(&again);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canary_reports_writes_on_either_side() {
        let mut c = Canary::new(4);
        assert_eq!(c.damage(), None);
        // SAFETY: inside the buffer, and one byte into the trailing guard.
        unsafe {
            c.ptr().write(1);
            c.ptr().add(4).write(0);
        }
        let damage = c.damage().unwrap();
        assert!(
            damage.contains("out_ptr[4] changed from 0xa5 to 0x00"),
            "{damage}"
        );
        // SAFETY: one byte into the leading guard.
        unsafe { c.ptr().sub(1).write(0) };
        assert!(c.damage().unwrap().contains("before out_ptr"));
    }

    #[test]
    #[cfg(unix)]
    fn guarded_input_holds_the_bytes_against_its_guard_page() {
        let page = page_size().unwrap();
        for len in [0, 1, 7, page - 1, page, page + 1] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            for side in Side::BOTH {
                let g = GuardedInput::new(&bytes, side).unwrap();
                // SAFETY: the copy is readable for `len` bytes.
                let copy = unsafe { std::slice::from_raw_parts(g.ptr(), len) };
                assert_eq!(copy, &bytes[..]);
                let addr = g.ptr() as usize;
                match side {
                    Side::After => assert_eq!((addr + len) % page, 0, "{len}"),
                    Side::Before => assert_eq!(addr % page, 0, "{len}"),
                }
            }
        }
    }

    #[test]
    #[cfg(unix)]
    fn guard_page_buffer_is_writable_up_to_cap() {
        for cap in [0, 1, 4095, 4096, 4097] {
            let g = GuardPage::new(cap).unwrap();
            // SAFETY: the buffer is writable for `cap` bytes.
            unsafe { std::ptr::write_bytes(g.ptr(), 1, cap) };
        }
    }
}
