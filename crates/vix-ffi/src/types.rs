//! `vix_ffi_types.h`: views of strings and buffers owned by someone else.

use std::os::raw::c_char;

/// `vix_str`: a UTF-8 string when textual, *not* NUL-terminated.
///
/// ```c
/// typedef struct vix_str { const char *ptr; size_t len; } vix_str; /* 16 bytes, align 8 on LP64 */
/// ```
/// `ptr` may be null only when `len` is 0.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VixStr {
    /// First byte of the string; null only when `len` is 0.
    pub ptr: *const c_char,
    /// Length in bytes, without any terminator.
    pub len: usize,
}

impl VixStr {
    /// The empty string: null pointer, zero length.
    pub const EMPTY: VixStr = VixStr {
        ptr: std::ptr::null(),
        len: 0,
    };

    /// A view of a string that lives for the whole program.
    pub const fn from_static(s: &'static str) -> VixStr {
        VixStr {
            ptr: s.as_ptr().cast(),
            len: s.len(),
        }
    }

    /// The bytes this view points at.
    ///
    /// # Safety
    /// `ptr` must be null with `len == 0`, or point at `len` readable bytes that stay
    /// valid and unchanged for `'a`.
    pub unsafe fn as_bytes<'a>(&self) -> &'a [u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: the caller guarantees `len` readable bytes at a non-null `ptr`.
        unsafe { std::slice::from_raw_parts(self.ptr.cast(), self.len) }
    }
}

/// `vix_buf`: a read-only byte buffer.
///
/// ```c
/// typedef struct vix_buf { const uint8_t *ptr; size_t len; } vix_buf; /* 16 bytes, align 8 on LP64 */
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VixBuf {
    /// First byte; null only when `len` is 0.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

/// `vix_mut_buf`: a writable byte buffer of capacity `cap`.
///
/// ```c
/// typedef struct vix_mut_buf { uint8_t *ptr; size_t cap; } vix_mut_buf; /* 16 bytes, align 8 on LP64 */
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VixMutBuf {
    /// First byte; null only when `cap` is 0.
    pub ptr: *mut u8,
    /// Capacity in bytes.
    pub cap: usize,
}
