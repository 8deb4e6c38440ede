//! The child's side of the preloaded shim (`shim/vix_check_shim.c`): every call of the
//! library is armed, so that the shim counts what the call allocates and frees, fails the
//! allocation a rule asks it to, poisons and remembers the blocks the call frees, and
//! reports a C++ exception that escapes when the process aborts.
//!
//! Without the shim (another platform, or a child started without it) every function
//! here does nothing and [`loaded`] says so; the rules that need it are skipped.

use std::cell::Cell;
use std::sync::OnceLock;

/// What one armed call did (`struct vix_shim_stats` of the shim).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Allocations attempted, the failed one included.
    pub allocations: u64,
    /// Blocks freed.
    pub frees: u64,
    /// Bytes allocated minus bytes freed (as `malloc_usable_size` counts them).
    pub balance: i64,
    /// Blocks allocated minus blocks freed.
    pub blocks: i64,
    /// Bytes the failed allocation asked for.
    pub failed_size: u64,
    /// 1 when the allocation to fail happened.
    pub failed: u64,
}

struct Shim {
    arm: unsafe extern "C" fn(u64),
    disarm: unsafe extern "C" fn(*mut Stats),
    freed_block: unsafe extern "C" fn(*const u8) -> usize,
    report_escapes: unsafe extern "C" fn(i32),
}

fn shim() -> Option<&'static Shim> {
    static SHIM: OnceLock<Option<Shim>> = OnceLock::new();
    SHIM.get_or_init(|| {
        #[cfg(unix)]
        {
            let find = |name: &str| {
                let name = std::ffi::CString::new(name).ok()?;
                // SAFETY: dlsym with a valid C string; RTLD_DEFAULT searches the process.
                let p = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
                (!p.is_null()).then_some(p)
            };
            find("vix_shim_version")?;
            // SAFETY: the shim defines these with exactly these C signatures.
            unsafe {
                Some(Shim {
                    arm: std::mem::transmute::<*mut libc::c_void, unsafe extern "C" fn(u64)>(find(
                        "vix_shim_arm",
                    )?),
                    disarm: std::mem::transmute::<
                        *mut libc::c_void,
                        unsafe extern "C" fn(*mut Stats),
                    >(find("vix_shim_disarm")?),
                    freed_block: std::mem::transmute::<
                        *mut libc::c_void,
                        unsafe extern "C" fn(*const u8) -> usize,
                    >(find("vix_shim_freed_block")?),
                    report_escapes: std::mem::transmute::<
                        *mut libc::c_void,
                        unsafe extern "C" fn(i32),
                    >(find("vix_shim_report_escapes")?),
                })
            }
        }
        #[cfg(not(unix))]
        None
    })
    .as_ref()
}

/// Whether the shim is loaded in this process.
pub fn loaded() -> bool {
    shim().is_some()
}

/// Has an escaping C++ exception reported on `fd` (the protocol stream).
pub fn report_escapes(fd: i32) {
    if let Some(s) = shim() {
        // SAFETY: installs the shim's SIGABRT handler; `fd` stays open for the process.
        unsafe { (s.report_escapes)(fd) };
    }
}

thread_local! {
    /// The allocation the next armed call makes fail (1-based), 0 for none.
    static FAIL_AT: Cell<u64> = const { Cell::new(0) };
    /// What the last armed call on this thread did.
    static LAST: Cell<Option<Stats>> = const { Cell::new(None) };
    /// The balance (bytes, blocks) of every armed call on this thread since
    /// [`take_balance`] last read it.
    static BALANCE: Cell<(i64, i64)> = const { Cell::new((0, 0)) };
}

/// Makes allocation `k` (from 1) of the calls `body` makes fail; none for 0.
pub fn failing<T>(k: u64, body: impl FnOnce() -> T) -> T {
    FAIL_AT.with(|f| f.set(k));
    let out = body();
    FAIL_AT.with(|f| f.set(0));
    out
}

/// Runs `body` (calls that make or release objects around the call under test) with no
/// allocation failing, whatever [`failing`] asked for the call itself.
pub fn unfailing<T>(body: impl FnOnce() -> T) -> T {
    let planned = FAIL_AT.with(|f| f.replace(0));
    let out = body();
    FAIL_AT.with(|f| f.set(planned));
    out
}

/// Runs one call of the library armed: counted, with the planned allocation failing.
pub fn armed<T>(call: impl FnOnce() -> T) -> T {
    let Some(s) = shim() else {
        return call();
    };
    let fail = FAIL_AT.with(Cell::get);
    // SAFETY: arms this thread only; the shim's functions take plain values.
    unsafe { (s.arm)(fail) };
    let out = call();
    let mut stats = Stats::default();
    // SAFETY: `stats` is a live struct of the shim's layout.
    unsafe { (s.disarm)(&mut stats) };
    LAST.with(|l| l.set(Some(stats)));
    BALANCE.with(|b| {
        let (bytes, blocks) = b.get();
        b.set((bytes + stats.balance, blocks + stats.blocks));
    });
    out
}

/// The bytes and blocks that the armed calls on this thread allocated and did not free
/// since the last time this was asked.
pub fn take_balance() -> (i64, i64) {
    BALANCE.with(|b| b.replace((0, 0)))
}

/// Why the rules that need the shim are skipped without it.
pub const NOT_LOADED: &str = "the allocation shim is not loaded in the child process (it \
    is built for Linux with glibc, and preloaded with LD_PRELOAD): allocations cannot be \
    followed";

/// What the last armed call on this thread did; `None` without the shim.
pub fn last() -> Option<Stats> {
    LAST.with(Cell::get)
}

/// The size of the block that holds `p` and that the last armed call on this thread
/// freed, if any.
pub fn freed_block(p: usize) -> Option<usize> {
    let s = shim()?;
    // SAFETY: only compares addresses.
    let n = unsafe { (s.freed_block)(p as *const u8) };
    (n > 0).then_some(n)
}
