//! Exported classes written wrong: each error points at the offending part.
use vix_ffi::Result;

pub struct Hasher(u64);

#[vix_ffi::export(prefix = "p_")]
impl Hasher {
    pub const BAD: Vec<u8> = Vec::new();

    pub fn new() -> Result<u32> {
        Ok(1)
    }

    pub fn consume(self) -> Result<()> {
        Ok(())
    }

    pub fn make(seed: u64) -> Result<Self> {
        Ok(Hasher(seed))
    }

    pub fn close(&self) -> Result<()> {
        Ok(())
    }

    pub fn borrow_mut(&self, other: &mut Hasher) -> Result<()> {
        let _ = other;
        Ok(())
    }

    #[vix(default(n = None))]
    pub fn count(&self, n: u32) -> Result<u32> {
        Ok(n)
    }

    pub fn nothing(&mut self) {}

    pub fn unsized_writer(&self, length: usize, out: &mut vix_ffi::Output<'_>) -> Result<()> {
        let _ = (length, out);
        Ok(())
    }

    #[vix(size = |d| Ok(d.len()))]
    pub fn size_of_nothing(&self, length: usize, out: &mut vix_ffi::Output<'_>) -> Result<()> {
        let _ = (length, out);
        Ok(())
    }

    #[vix(size = |length| Ok(length))]
    pub fn size_without_writer(&self, length: usize) -> Result<u32> {
        let _ = length;
        Ok(0)
    }
}

pub struct Plain;

pub struct Other;

/// `Plain` is not an exported class: the compiler says so where it is used.
#[vix_ffi::export(prefix = "p_")]
impl Other {
    pub fn take(&self, plain: &Plain) -> Result<()> {
        let _ = plain;
        Ok(())
    }
}

fn main() {}
