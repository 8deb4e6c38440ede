//! An exported class must be `Send`: C callers may use and free it on any thread.
use std::rc::Rc;

pub struct Shared(Rc<u32>);

#[vix_ffi::export(prefix = "p_")]
impl Shared {
    pub fn new() -> vix_ffi::Result<Self> {
        Ok(Shared(Rc::new(1)))
    }
}

fn main() {}
