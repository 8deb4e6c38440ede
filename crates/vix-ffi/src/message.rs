//! Per-thread storage for status messages built at run time.
//!
//! The ABI promises that a message stays valid at least until the next call on the same
//! thread. Each thread keeps one buffer; storing a new message replaces the old one, which
//! is exactly that lifetime. The buffer keeps a NUL after the text so that C callers who
//! print it with `%s` stay within bounds, but the length never counts it.

use std::cell::RefCell;

use crate::types::VixStr;

thread_local! {
    static LAST_MESSAGE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Shown when the per-thread storage cannot be used (the thread is being torn down).
const UNAVAILABLE: &str = "error message unavailable (thread is exiting)";

/// Copies `text` into this thread's storage and returns a view of the copy.
pub(crate) fn store(text: &str) -> VixStr {
    LAST_MESSAGE
        .try_with(|cell| {
            let Ok(mut buf) = cell.try_borrow_mut() else {
                return VixStr::from_static(UNAVAILABLE);
            };
            buf.clear();
            if buf.try_reserve(text.len() + 1).is_err() {
                return VixStr::from_static("error message too large to store");
            }
            buf.extend_from_slice(text.as_bytes());
            buf.push(0);
            VixStr {
                ptr: buf.as_ptr().cast(),
                len: text.len(),
            }
        })
        .unwrap_or(VixStr::from_static(UNAVAILABLE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_is_readable_by_length_and_nul_terminated() {
        let s = store("bad byte\0 inside");
        // SAFETY: `store` returned a view of this thread's live buffer.
        let bytes = unsafe { s.as_bytes() };
        assert_eq!(bytes, b"bad byte\0 inside");
        // SAFETY: the buffer holds one byte past `len`, the terminator.
        assert_eq!(unsafe { *s.ptr.add(s.len) }, 0);
    }

    #[test]
    fn each_thread_has_its_own_message() {
        let here = store("main thread");
        std::thread::spawn(|| {
            let there = store("other thread");
            // SAFETY: live buffer of this thread.
            assert_eq!(unsafe { there.as_bytes() }, b"other thread");
        })
        .join()
        .unwrap();
        // SAFETY: the other thread's store did not touch this thread's buffer.
        assert_eq!(unsafe { here.as_bytes() }, b"main thread");
    }
}
