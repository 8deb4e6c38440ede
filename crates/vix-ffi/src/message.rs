//! Per-thread storage for status messages built at run time.
//!
//! The ABI promises that a message stays valid at least until the next call on the same
//! thread. Each thread keeps one buffer; storing a new message replaces the old one, which
//! is exactly that lifetime. The buffer keeps a NUL after the text so that C callers who
//! print it with `%s` stay within bounds, but the length never counts it.
//!
//! Nothing on this path aborts when memory runs out: messages are built with
//! [`try_format`] (the [`try_format!`](crate::try_format) macro), which grows its text
//! with `try_reserve` and falls back to a static text, and stored with `try_reserve`,
//! falling back to a static text as well. Rust's `format!` would abort the process
//! instead (the standard library's answer to a failed allocation), which is what a caller
//! under memory pressure least needs from an error path.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use crate::types::VixStr;

thread_local! {
    static LAST_MESSAGE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Shown when the per-thread storage cannot be used (the thread is being torn down).
const UNAVAILABLE: &str = "error message unavailable (thread is exiting)";

/// A `String` that grows only through `try_reserve`: writing into it fails (as a
/// formatting error) instead of aborting when an allocation fails.
struct FallibleText(String);

impl fmt::Write for FallibleText {
    fn write_str(&mut self, part: &str) -> fmt::Result {
        self.0.try_reserve(part.len()).map_err(|_| fmt::Error)?;
        self.0.push_str(part);
        Ok(())
    }
}

/// `args` formatted into a new string, or `fallback` when memory for it cannot be had
/// (never an abort). A message without arguments is borrowed as it is. The function
/// behind [`try_format!`](crate::try_format).
pub fn try_format(args: fmt::Arguments<'_>, fallback: &'static str) -> Cow<'static, str> {
    if let Some(text) = args.as_str() {
        return Cow::Borrowed(text);
    }
    let mut text = FallibleText(String::new());
    match fmt::write(&mut text, args) {
        Ok(()) => Cow::Owned(text.0),
        // Out of memory, or a Display implementation that failed: either way there is no
        // text to give, and the template still says what went wrong.
        Err(fmt::Error) => Cow::Borrowed(fallback),
    }
}

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
    fn formatted_messages_are_owned_and_plain_ones_borrowed() {
        let n = 7;
        let built = crate::try_format!("bad byte at offset {n} of {}", 9);
        assert_eq!(built, "bad byte at offset 7 of 9");
        assert!(matches!(built, Cow::Owned(_)));
        let plain = crate::try_format!("out_len is NULL");
        assert!(matches!(plain, Cow::Borrowed("out_len is NULL")));
    }

    #[test]
    fn a_failed_format_gives_the_template() {
        struct Failing;
        impl fmt::Display for Failing {
            fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
                Err(fmt::Error)
            }
        }
        // A failing write is what an allocation failure looks like to `try_format`.
        let text = crate::try_format!("value {}", Failing);
        assert_eq!(text, "value {}");
    }

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
