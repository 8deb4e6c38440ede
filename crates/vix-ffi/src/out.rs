//! [`Output`]: a safe writer over the caller's output buffer.

use std::fmt;
use std::mem::MaybeUninit;

use crate::status::{Error, Result};

/// The caller's output buffer, as a sized operation sees it: a fixed capacity, filled from
/// the start.
///
/// A function exported with `#[vix_ffi::export(size = ...)]` receives one whose capacity
/// is the size its `size` function announced, and writes its output with
/// [`push`](Output::push), [`extend_from_slice`](Output::extend_from_slice),
/// [`push_str`](Output::push_str), or [`fill_with`](Output::fill_with) for encoders that
/// write into uninitialised memory themselves. The bytes written are the output; `out_len`
/// reports how many. Writing past the capacity is refused with an error, never done: the
/// announced size was wrong, which is a bug of the library that the caller learns about
/// as `VIX_STATUS_ERROR`.
///
/// ```
/// use std::mem::MaybeUninit;
/// use vix_ffi::Output;
///
/// let mut buf = [MaybeUninit::uninit(); 8];
/// let mut out = Output::new(&mut buf);
/// out.push_str("abc").unwrap();
/// out.push(b'!').unwrap();
/// assert_eq!(out.as_bytes(), b"abc!");
/// assert_eq!(out.remaining(), 4);
/// assert!(out.extend_from_slice(b"too long").is_err());
/// assert_eq!(out.as_bytes(), b"abc!");
/// ```
pub struct Output<'a> {
    /// Invariant: `buf[..len]` is initialised.
    buf: &'a mut [MaybeUninit<u8>],
    len: usize,
}

impl<'a> Output<'a> {
    /// A writer over `buf`, empty. Sized operations get theirs from the exported symbol;
    /// this is for tests and for code that calls such functions directly.
    pub fn new(buf: &'a mut [MaybeUninit<u8>]) -> Output<'a> {
        Output { buf, len: 0 }
    }

    /// How many bytes the buffer holds in all.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// How many bytes were written.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many more bytes fit.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.len
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        let written = &self.buf[..self.len];
        // SAFETY: `buf[..len]` is initialised (the invariant), and `MaybeUninit<u8>` has
        // the layout of `u8`.
        unsafe { std::slice::from_raw_parts(written.as_ptr().cast::<u8>(), written.len()) }
    }

    /// Appends one byte.
    pub fn push(&mut self, byte: u8) -> Result<()> {
        self.extend_from_slice(&[byte])
    }

    /// Appends UTF-8 text.
    pub fn push_str(&mut self, text: &str) -> Result<()> {
        self.extend_from_slice(text.as_bytes())
    }

    /// Appends bytes, or writes nothing and fails when they do not all fit.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.len() > self.remaining() {
            return Err(self.overflow(bytes.len()));
        }
        let spare = &mut self.buf[self.len..self.len + bytes.len()];
        for (slot, &byte) in spare.iter_mut().zip(bytes) {
            slot.write(byte);
        }
        self.len += bytes.len();
        Ok(())
    }

    /// Appends `len` zero bytes and returns them to be overwritten, for writers that
    /// take an initialised `&mut [u8]` (a hash's output reader, `Read::read_exact`); or
    /// writes nothing and fails when they do not fit.
    ///
    /// ```
    /// use std::mem::MaybeUninit;
    /// use vix_ffi::Output;
    ///
    /// let mut buf = [MaybeUninit::uninit(); 4];
    /// let mut out = Output::new(&mut buf);
    /// out.extend_zeroed(3).unwrap().copy_from_slice(b"xyz");
    /// assert_eq!(out.as_bytes(), b"xyz");
    /// assert!(out.extend_zeroed(2).is_err());
    /// ```
    pub fn extend_zeroed(&mut self, len: usize) -> Result<&mut [u8]> {
        if len > self.remaining() {
            return Err(self.overflow(len));
        }
        let start = self.len;
        let spare = &mut self.buf[start..start + len];
        for slot in spare.iter_mut() {
            slot.write(0);
        }
        self.len += len;
        // SAFETY: `buf[start..start + len]` was just initialised, and `MaybeUninit<u8>`
        // has the layout of `u8`; the borrow of `self` keeps it unaliased.
        Ok(unsafe { std::slice::from_raw_parts_mut(spare.as_mut_ptr().cast::<u8>(), len) })
    }

    /// Lets `fill` write into the unwritten part of the buffer and keeps what it reports
    /// as written.
    ///
    /// `fill` receives the uninitialised rest of the buffer and returns the part it
    /// initialised, which must start where the rest starts (as encoders that write into
    /// `&mut [MaybeUninit<u8>]` return it, e.g. `base64_simd::Out`). Anything else is
    /// refused as an internal error and counts as nothing written.
    ///
    /// ```
    /// use std::mem::MaybeUninit;
    /// use vix_ffi::Output;
    ///
    /// let mut buf = [MaybeUninit::uninit(); 4];
    /// let mut out = Output::new(&mut buf);
    /// out.fill_with(|spare| spare[..3].write_copy_of_slice(b"zzz")).unwrap();
    /// assert_eq!(out.as_bytes(), b"zzz");
    /// ```
    pub fn fill_with(
        &mut self,
        fill: impl FnOnce(&mut [MaybeUninit<u8>]) -> &mut [u8],
    ) -> Result<()> {
        self.try_fill_with(|spare| Ok(fill(spare)))
    }

    /// [`fill_with`](Output::fill_with) for writers that can fail: an error from `fill`
    /// is returned as it is, and nothing counts as written.
    pub fn try_fill_with(
        &mut self,
        fill: impl FnOnce(&mut [MaybeUninit<u8>]) -> Result<&mut [u8]>,
    ) -> Result<()> {
        let spare = &mut self.buf[self.len..];
        let (start, room) = (spare.as_ptr().cast::<u8>(), spare.len());
        let filled = fill(spare)?;
        let written = filled.len();
        if written > 0 && (!std::ptr::eq(filled.as_ptr(), start) || written > room) {
            return Err(Error::other(crate::try_format!(
                "internal error: an output writer returned {written} bytes that are not the \
                 start of the {room} bytes it was given"
            )));
        }
        // `filled` is a `&mut [u8]`, so its bytes are initialised; they are
        // `buf[len..len + written]`, checked above.
        self.len += written;
        Ok(())
    }

    fn overflow(&self, more: usize) -> Error {
        Error::other(crate::try_format!(
            "internal error: the operation wrote more than the {} bytes its size function \
             announced ({} written, {more} more)",
            self.capacity(),
            self.len
        ))
    }
}

impl fmt::Debug for Output<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Output")
            .field("len", &self.len)
            .field("capacity", &self.capacity())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buffer<const N: usize>() -> [MaybeUninit<u8>; N] {
        [MaybeUninit::uninit(); N]
    }

    #[test]
    fn writes_fill_from_the_start_and_stop_at_the_capacity() {
        let mut buf = buffer::<4>();
        let mut out = Output::new(&mut buf);
        assert!(out.is_empty());
        out.extend_from_slice(b"ab").unwrap();
        out.push(b'c').unwrap();
        let err = out.push_str("de").unwrap_err();
        assert_eq!(err.code(), crate::StatusCode::Error);
        assert!(err.message().contains("4 bytes"), "{}", err.message());
        assert_eq!(
            (out.as_bytes(), out.len(), out.remaining()),
            (&b"abc"[..], 3, 1)
        );
        out.push(b'd').unwrap();
        assert!(out.push(b'e').is_err());
        assert_eq!(out.as_bytes(), b"abcd");
    }

    #[test]
    fn fill_with_keeps_what_the_writer_initialised() {
        let mut buf = buffer::<6>();
        let mut out = Output::new(&mut buf);
        out.push(b'>').unwrap();
        out.fill_with(|spare| {
            assert_eq!(spare.len(), 5);
            spare[..2].write_copy_of_slice(b"xx")
        })
        .unwrap();
        assert_eq!(out.as_bytes(), b">xx");
    }

    #[test]
    fn fill_with_refuses_a_slice_from_elsewhere() {
        let mut buf = buffer::<4>();
        let mut out = Output::new(&mut buf);
        // A leaked buffer is the one way safe code can return other memory.
        let err = out
            .fill_with(|_| Box::leak(Box::new([9u8, 9])) as &mut [u8])
            .unwrap_err();
        assert!(err.message().contains("not the start"), "{}", err.message());
        let err = out
            .fill_with(|spare| &mut spare[..3].write_copy_of_slice(b"abc")[1..])
            .unwrap_err();
        assert!(err.message().contains("not the start"), "{}", err.message());
        assert!(out.is_empty());
    }

    #[test]
    fn try_fill_with_passes_errors_through_and_writes_nothing() {
        let mut buf = buffer::<4>();
        let mut out = Output::new(&mut buf);
        let err = out
            .try_fill_with(|_| Err(Error::invalid_arg("bad input at offset 2")))
            .unwrap_err();
        assert_eq!(err.message(), "bad input at offset 2");
        assert!(out.is_empty());
    }
}
