//! Every form of an exported class compiles in a crate that forbids unsafe code.
#![forbid(unsafe_code)]

use vix_ffi::Result;

pub struct Counter {
    n: u64,
}

/// A counter.
#[vix_ffi::export(prefix = "p_")]
impl Counter {
    pub const STEP: u64 = 1;
    #[vix(name = "LABEL")]
    pub const LABEL: &'static str = "counter";

    #[vix(default(start = 0, name = None))]
    pub fn new(start: u64, name: Option<&str>) -> Result<Self> {
        let _ = name;
        Ok(Counter { n: start })
    }

    pub fn bump(&mut self, by: u64) -> Result<&mut Self> {
        self.n += by;
        Ok(self)
    }

    pub fn get(&self) -> Result<u64> {
        Ok(self.n)
    }

    pub fn copy(&self) -> Result<Self> {
        Ok(Counter { n: self.n })
    }

    pub fn add(&mut self, other: &Counter, more: Option<&Self>, raw: Option<&[u8]>) -> Result<()> {
        self.n += other.n + more.map_or(0, |m| m.n) + raw.map_or(0, |r| r.len() as u64);
        Ok(())
    }

    pub fn snapshot(&self) -> Result<Snapshot> {
        Ok(Snapshot(self.n))
    }

    fn _helper(&self) {}
}

pub struct Snapshot(u64);

#[vix_ffi::export(prefix = "p_", name = "CounterSnapshot")]
impl Snapshot {
    pub fn value(&self) -> Result<u64> {
        Ok(self.0)
    }
}

fn main() {}
