//! The run-time part of classes (ABI v1.1 objects): what the symbols generated for an
//! `impl` block exported with `#[vix_ffi::export]` call.
//!
//! # The handle
//!
//! A handle `pkg_thing *` is a `Box<Handle<T>>` turned into a raw pointer: the Rust value
//! inside a [`std::sync::Mutex`]. Every call on the object locks it for the whole call,
//! `&self` methods as well as `&mut self` ones, so no two calls ever use one object at
//! once, whoever the caller is: the symbols are plain C functions that any C program may
//! call from any thread, so the guarantee is in the symbols, not in the Python binding
//! (which also enters one call at a time per object). `T: Send` is required
//! ([`Class`]): the object may be used, and freed, on any thread.
//!
//! - The object a method is called on (`self`) is locked, waiting for a call already
//!   running on it in another thread: concurrent calls are serialized.
//! - An object passed as an argument (`&Other`) is tried, not waited for: when another
//!   call holds it, the call fails with `VIX_STATUS_INVALID_ARG` ("... is in use by another
//!   call"). Waiting only for `self`, and only while holding nothing, means that two calls
//!   can never wait for each other (`a.absorb(b)` against `b.absorb(a)`).
//! - The same object twice in one call (`a.absorb(a)`) is `VIX_STATUS_INVALID_ARG`:
//!   Rust cannot lend it both as `&mut self` and `&Other`, and a lock taken twice would
//!   wait forever.
//! - A call that panicked inside the object's code leaves the object poisoned: its state
//!   may be half-updated, so every later call on it (or with it) fails with
//!   `VIX_STATUS_ERROR`; free still releases it.
//! - A NULL `self` or object argument is `VIX_STATUS_INVALID_ARG`, a NULL `out_handle`
//!   too (before any work); `<c_name>_free(NULL)` does nothing.
//!
//! What no function can check is a pointer that is not a live handle of the class (never
//! created, or already freed): as for any C API, that is the caller's contract, and
//! `free` must not run while a call on the same object is running (the Python binding's
//! `close()` waits for the calls).

use std::marker::PhantomData;
use std::sync::{Mutex, MutexGuard, TryLockError};

use crate::op::Out;
use crate::status::{Error, Result, StatusCode};

/// A type exported as a class: implemented by `#[vix_ffi::export]` on the type's `impl`
/// block. A method's `&Other` parameter or `Other` result needs it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an exported class",
    label = "not a class of this library",
    note = "export its `impl` block with `#[vix_ffi::export(prefix = \"...\")]`: a method takes \
            and returns objects of exported classes only"
)]
pub trait Class: Send + Sized + 'static {
    /// The Python class name.
    const NAME: &'static str;
}

/// Fails to compile, with [`Class`]'s message, unless `T` is an exported class: the
/// expansion asserts it for each other class a method names.
pub const fn assert_class<T: Class>() {}

/// What a handle points to: the object, behind the lock of one call at a time.
#[derive(Debug)]
pub struct Handle<T> {
    value: Mutex<T>,
}

impl<T: Send> Handle<T> {
    /// A new handle owning `value`, as the raw pointer given to the caller.
    ///
    /// # Panics
    /// When the handle cannot be allocated (see [`Handle::try_into_raw`]).
    pub fn into_raw(value: T) -> *mut Handle<T> {
        Self::try_into_raw(value).expect("the handle is allocated")
    }

    /// [`Handle::into_raw`], or the `VIX_STATUS_ERROR` to report (and `value` dropped)
    /// when memory for the handle cannot be had: `Box::new` would abort the process.
    /// [`boxed`] of `value`.
    pub fn try_into_raw(value: T) -> Result<*mut Handle<T>> {
        boxed(|| Ok::<T, Error>(value))
    }
}

/// A handle as the caller passed it (`self` or an object argument), unchecked.
#[derive(Debug)]
pub struct HandleArg<'a, T> {
    ptr: *const Handle<T>,
    _borrow: PhantomData<&'a Handle<T>>,
}

impl<T> Clone for HandleArg<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for HandleArg<'_, T> {}

/// The C name of a method's object.
const SELF: &str = "self";

fn poisoned(name: &str) -> Error {
    Error::new(
        StatusCode::Error,
        crate::try_format!(
            "`{name}` is unusable: an earlier call on it panicked and may have left it \
             half-updated; free it"
        ),
    )
}

impl<'a, T: Send> HandleArg<'a, T> {
    /// Keeps the pointer for [`HandleArg::this`], [`HandleArg::object`] and
    /// [`HandleArg::optional`].
    ///
    /// # Safety
    /// `ptr` is NULL or a live handle of `T` made by [`Handle::into_raw`], not freed
    /// during `'a`.
    pub unsafe fn new(ptr: *mut Handle<T>) -> HandleArg<'a, T> {
        HandleArg {
            ptr,
            _borrow: PhantomData,
        }
    }

    /// The address, to tell whether two arguments are one object.
    pub fn addr(self) -> usize {
        self.ptr as usize
    }

    fn handle(self, name: &str) -> Result<&'a Handle<T>> {
        if self.ptr.is_null() {
            return Err(Error::invalid_arg(crate::try_format!("{name} is NULL")));
        }
        // SAFETY: non-null, and live for 'a by `new`'s contract.
        Ok(unsafe { &*self.ptr })
    }

    /// The method's own object, locked for the call: waits for a call running on it in
    /// another thread.
    pub fn this(self) -> Result<MutexGuard<'a, T>> {
        let handle = self.handle(SELF)?;
        handle.value.lock().map_err(|_| poisoned(SELF))
    }

    /// An object argument, locked for the call if no other call holds it.
    pub fn object(self, name: &str) -> Result<MutexGuard<'a, T>> {
        let handle = self.handle(name)?;
        match handle.value.try_lock() {
            Ok(guard) => Ok(guard),
            Err(TryLockError::Poisoned(_)) => Err(poisoned(name)),
            Err(TryLockError::WouldBlock) => Err(Error::invalid_arg(crate::try_format!(
                "`{name}` is in use by another call at the same time: an object is used by \
                 one call at a time"
            ))),
        }
    }

    /// An optional object argument: NULL is `None`.
    pub fn optional(self, name: &str) -> Result<Option<MutexGuard<'a, T>>> {
        if self.ptr.is_null() {
            Ok(None)
        } else {
            self.object(name).map(Some)
        }
    }
}

/// Refuses a call that names one object twice (`self` included): `(address, name)` of
/// each handle argument; NULL ones are left to the per-argument checks.
pub fn distinct(handles: &[(usize, &str)]) -> Result<()> {
    for (j, (addr, name)) in handles.iter().enumerate() {
        if *addr == 0 {
            continue;
        }
        if let Some((_, first)) = handles[..j].iter().find(|(a, _)| a == addr) {
            return Err(Error::invalid_arg(crate::try_format!(
                "`{name}` is the same object as `{first}`: a call uses each object once"
            )));
        }
    }
    Ok(())
}

/// A new object's output `pkg_thing **out_handle`: NULL is `VIX_STATUS_INVALID_ARG`
/// before any work, and the handle is written on success only.
#[derive(Debug)]
pub struct HandleOut<T>(pub *mut *mut Handle<T>);

impl<T> Clone for HandleOut<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for HandleOut<T> {}

impl<T: Send> Out for HandleOut<T> {
    /// The new handle, already made by the body with [`boxed`]: the object goes from the
    /// author's result straight into its block, rather than through the status guard's
    /// return value (a large object, such as a hasher of 1.9 KB, was copied five times).
    type Value = *mut Handle<T>;

    unsafe fn open(&self) -> Result<()> {
        if self.0.is_null() {
            return Err(Error::invalid_arg("out_handle is NULL"));
        }
        Ok(())
    }

    unsafe fn finish(&self, handle: *mut Handle<T>) -> Result<()> {
        // SAFETY: `open` checked that it is non-null; writable by contract.
        unsafe { self.0.write(handle) };
        Ok(())
    }
}

/// A constructor's or method's new object, as its handle: the block is allocated first,
/// then `make` (the author's function) runs and its `Ok` value is written into the block,
/// or its error converted (and the block released). Allocating first leaves no failure
/// between the value and its block, so the value is not kept aside for a drop: a large
/// object with a destructor (a hasher holding a thread pool) is written once instead of
/// being copied through the stack three more times. Out of memory for the block is
/// `VIX_STATUS_ERROR`, and `make` does not run.
#[inline(always)]
pub fn boxed<T: Send, E: Into<Error>>(
    make: impl FnOnce() -> std::result::Result<T, E>,
) -> Result<*mut Handle<T>> {
    let layout = std::alloc::Layout::new::<Handle<T>>();
    if layout.size() == 0 {
        // Not reachable (a mutex has a size), but a zero-sized allocation is not ours to
        // make: `Box` does not allocate for it.
        let value = make().map_err(Into::into)?;
        return Ok(Box::into_raw(Box::new(Handle {
            value: Mutex::new(value),
        })));
    }
    // SAFETY: the layout has a non-zero size.
    let ptr = unsafe { std::alloc::alloc(layout) }.cast::<Handle<T>>();
    if ptr.is_null() {
        return Err(Error::other(
            "out of memory: the new object's handle could not be allocated",
        ));
    }
    // Released if `make` fails or panics.
    struct Block(*mut u8, std::alloc::Layout);
    impl Drop for Block {
        fn drop(&mut self) {
            // SAFETY: allocated above with this layout, and not handed out.
            unsafe { std::alloc::dealloc(self.0, self.1) };
        }
    }
    let block = Block(ptr.cast(), layout);
    let value = make().map_err(Into::into)?;
    std::mem::forget(block);
    // SAFETY: `ptr` is a fresh block of the handle's layout, written once. It is the
    // block `Box::new` would allocate (the global allocator, the handle's layout), so
    // `free` releases it with `Box::from_raw`.
    unsafe {
        ptr.write(Handle {
            value: Mutex::new(value),
        })
    };
    Ok(ptr)
}

/// A chaining method's result (`&mut Self` or `&Self`): the object itself, which the C
/// caller already has, so nothing is written.
#[inline]
pub fn chain<R, E: Into<Error>>(result: std::result::Result<R, E>) -> Result<()> {
    result.map(|_| ()).map_err(Into::into)
}

/// `<c_name>_free`: releases the object; NULL does nothing. A panic in the object's
/// `Drop` is caught (and the status-less `free` has nowhere to report it).
///
/// # Safety
/// `ptr` is NULL or a live handle of `T` made by [`Handle::into_raw`], which no call is
/// using and nobody uses afterwards.
pub unsafe fn free<T: Send>(ptr: *mut Handle<T>) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: by contract, a live handle from `Handle::try_into_raw`, a block of the
    // global allocator with the handle's layout (as `Box` allocates it), released once.
    let boxed = unsafe { Box::from_raw(ptr) };
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(boxed)));
    if let Err(payload) = dropped {
        // Its own `Drop` might panic too: leak it rather than unwind into C.
        std::mem::forget(payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::call;
    use crate::test_support::status_sentinel;
    use std::ptr::null_mut;

    #[derive(Debug, Default)]
    struct Counter(u64);

    impl Class for Counter {
        const NAME: &'static str = "Counter";
    }

    #[test]
    fn handles_are_created_locked_and_freed() {
        let raw = Handle::into_raw(Counter(3));
        // SAFETY: a live handle.
        let arg = unsafe { HandleArg::new(raw) };
        {
            let mut this = arg.this().unwrap();
            this.0 += 1;
            let err = arg.object("other").unwrap_err();
            assert_eq!(err.code(), StatusCode::InvalidArg);
            assert!(
                err.message().contains("in use by another call"),
                "{}",
                err.message()
            );
        }
        assert_eq!(arg.object("other").unwrap().0, 4);
        // SAFETY: released once; NULL is allowed.
        unsafe {
            free(raw);
            free::<Counter>(null_mut());
        }
    }

    #[test]
    fn null_handles_and_duplicates_are_invalid_arguments() {
        // SAFETY: NULL is what is tested.
        let null = unsafe { HandleArg::<Counter>::new(null_mut()) };
        assert_eq!(null.this().unwrap_err().message(), "self is NULL");
        assert_eq!(null.object("other").unwrap_err().message(), "other is NULL");
        assert!(null.optional("other").unwrap().is_none());
        assert!(distinct(&[(8, "self"), (0, "a"), (0, "b"), (16, "c")]).is_ok());
        let err = distinct(&[(8, "self"), (16, "a"), (8, "b")]).unwrap_err();
        assert_eq!(
            err.message(),
            "`b` is the same object as `self`: a call uses each object once"
        );
    }

    #[test]
    fn a_panic_poisons_the_object() {
        let raw = Handle::into_raw(Counter(0));
        let mut st = status_sentinel();
        // SAFETY: a live handle; `call` catches the panic.
        let arg = unsafe { HandleArg::new(raw) };
        // SAFETY: valid status.
        let rc = unsafe {
            call(&mut st, crate::glue::NoOut, |_| {
                let _this = arg.this()?;
                panic!("inside");
            })
        };
        assert_eq!(rc, 1);
        let err = arg.this().unwrap_err();
        assert_eq!(err.code(), StatusCode::Error);
        assert!(err.message().contains("panicked"));
        // SAFETY: released once.
        unsafe { free(raw) };
    }

    #[test]
    fn out_handle_is_checked_first_and_written_on_success_only() {
        let mut st = status_sentinel();
        let mut out: *mut Handle<Counter> = null_mut();
        // SAFETY: a NULL out_handle is what is tested.
        let rc = unsafe {
            call(&mut st, HandleOut::<Counter>(null_mut()), |_| {
                boxed(|| Ok::<_, Error>(Counter(1)))
            })
        };
        assert_eq!(rc, 2);
        // SAFETY: valid pointers.
        let rc = unsafe {
            call(&mut st, HandleOut(&mut out), |_| {
                boxed(|| Err::<Counter, _>(Error::other("no")))
            })
        };
        assert_eq!((rc, out.is_null()), (1, true));
        // SAFETY: valid pointers.
        let rc = unsafe {
            call(&mut st, HandleOut(&mut out), |_| {
                boxed(|| Ok::<_, Error>(Counter(7)))
            })
        };
        assert_eq!(rc, 0);
        // SAFETY: the handle just made.
        let arg = unsafe { HandleArg::new(out) };
        assert_eq!(arg.this().unwrap().0, 7);
        // SAFETY: released once.
        unsafe { free(out) };
    }
}
