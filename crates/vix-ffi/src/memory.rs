//! `vix_ffi_memory.h`: a caller-supplied allocator for libraries that must allocate what
//! they return.

use std::os::raw::c_void;

/// `vix_alloc_fn`: `void *(*)(size_t size, void *user)`.
pub type VixAllocFn = Option<unsafe extern "C" fn(size: usize, user: *mut c_void) -> *mut c_void>;

/// `vix_free_fn`: `void (*)(void *ptr, void *user)`.
pub type VixFreeFn = Option<unsafe extern "C" fn(ptr: *mut c_void, user: *mut c_void)>;

/// `vix_allocator`.
///
/// ```c
/// typedef struct vix_allocator { vix_alloc_fn alloc; vix_free_fn free; void *user; } vix_allocator;
/// /* 24 bytes, align 8 on LP64 */
/// ```
/// Memory obtained from `alloc` belongs to the caller, who releases it with `free`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VixAllocator {
    /// Allocates `size` bytes; returns null on failure.
    pub alloc: VixAllocFn,
    /// Releases memory obtained from `alloc`.
    pub free: VixFreeFn,
    /// Passed back unchanged to `alloc` and `free`.
    pub user: *mut c_void,
}
