//! Rules for `vix_str <pkg>_ffi_version(vix_status *out_status)`.

use vix_ffi::{StatusCode, VixStatus, VixStr};

use super::ffi::{code_name, sentinel_status, text_problem, VersionFn, MAX_MESSAGE};
use super::{step, Findings};
use crate::protocol::Done;
use crate::rules::Rule;

/// Calls and repetitions for `version-stable`.
const CALLS: usize = 8;
const THREADS: usize = 4;

/// What one call returned.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Returned {
    Text(Vec<u8>),
    NullWithLength(usize),
    TooLong(usize),
}

impl Returned {
    fn show(&self) -> String {
        match self {
            Returned::Text(bytes) => format!("{:?}", String::from_utf8_lossy(bytes)),
            Returned::NullWithLength(len) => format!("ptr NULL with len {len}"),
            Returned::TooLong(len) => format!("implausible len {len}"),
        }
    }
}

/// # Safety
/// `s` was returned by the version function.
unsafe fn read(s: VixStr) -> Returned {
    if s.len == 0 {
        return Returned::Text(Vec::new());
    }
    if s.ptr.is_null() {
        return Returned::NullWithLength(s.len);
    }
    if s.len > MAX_MESSAGE {
        return Returned::TooLong(s.len);
    }
    // SAFETY: non-null with a plausible length, as the library promised.
    Returned::Text(unsafe { std::slice::from_raw_parts(s.ptr.cast::<u8>(), s.len) }.to_vec())
}

fn call(f: VersionFn, status: Option<&mut VixStatus>) -> (VixStr, Returned) {
    let status_ptr = match status {
        Some(s) => s as *mut VixStatus,
        None => std::ptr::null_mut(),
    };
    // SAFETY: the version shape: `status_ptr` is NULL or a live local.
    let s = unsafe { f(status_ptr) };
    step("reading the returned vix_str");
    // SAFETY: just returned by the library.
    (s, unsafe { read(s) })
}

/// Applies `rule` to the version function `f`.
pub fn run(rule: Rule, function: &str, f: VersionFn) -> Done {
    let mut findings = Findings::new();
    let call_desc = format!("{function}(out_status)");
    let seen = match rule {
        Rule::VersionStatus => {
            let mut status = sentinel_status();
            step(format!("calling {call_desc}"));
            call(f, Some(&mut status));
            if status.code != StatusCode::Ok as i32 {
                findings.add(call_desc.clone(), code_name(status.code), "VIX_STATUS_OK");
            }
            code_name(status.code)
        }
        Rule::VersionUtf8 => {
            step(format!("calling {call_desc}"));
            let (_, returned) = call(f, Some(&mut sentinel_status()));
            let problem = match &returned {
                Returned::Text(bytes) => text_problem(bytes),
                other => Some(other.show()),
            };
            if let Some(problem) = problem {
                findings.add(
                    call_desc.clone(),
                    problem,
                    "valid UTF-8 of the stated length",
                );
            }
            returned.show()
        }
        Rule::VersionNonempty => {
            step(format!("calling {call_desc}"));
            let (s, returned) = call(f, Some(&mut sentinel_status()));
            if s.len == 0 {
                findings.add(call_desc.clone(), "an empty string", "a non-empty string");
            }
            returned.show()
        }
        Rule::VersionStable => stable(f, &call_desc, &mut findings),
        Rule::NullStatus => {
            step(format!("calling {function}(NULL)"));
            let (_, without) = call(f, None);
            step(format!("calling {call_desc}"));
            let (_, with) = call(f, Some(&mut sentinel_status()));
            if without != with {
                findings.add(
                    format!("{function}(NULL)"),
                    without.show(),
                    format!("{} (what a call with a status returns)", with.show()),
                );
            }
            "a call with out_status NULL returned".to_owned()
        }
        other => {
            return Done::Skipped {
                reason: format!("{} does not apply to a version function", other.name()),
            }
        }
    };
    Done::Checked {
        seen,
        violations: findings.count(),
    }
}

fn stable(f: VersionFn, call_desc: &str, findings: &mut Findings) -> String {
    step(format!("calling {call_desc}"));
    let (first_view, first) = call(f, Some(&mut sentinel_status()));
    for i in 1..CALLS {
        step(format!("calling {call_desc} (call {})", i + 1));
        let (_, again) = call(f, Some(&mut sentinel_status()));
        if again != first {
            findings.add(
                format!("call {} of {call_desc}", i + 1),
                again.show(),
                format!("{} (what the first call returned)", first.show()),
            );
        }
    }
    step(format!(
        "{THREADS} threads calling {call_desc} {CALLS} times each"
    ));
    let from_threads: Vec<Returned> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(move || {
                    (0..CALLS)
                        .map(|_| {
                            let mut status = sentinel_status();
                            let status_ptr: *mut VixStatus = &mut status;
                            // SAFETY: the version shape, with a live local status.
                            let s = unsafe { f(status_ptr) };
                            // SAFETY: just returned by the library.
                            unsafe { read(s) }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    if let Some(other) = from_threads.iter().find(|r| **r != first) {
        findings.add(
            format!("{call_desc} from {THREADS} threads at once"),
            other.show(),
            format!("{} (what the first call returned)", first.show()),
        );
    }
    step("re-reading the string returned by the first call");
    // SAFETY: the version string is static by contract; if it was freed, reading it may
    // fault, which the parent reports.
    let reread = unsafe { read(first_view) };
    if reread != first {
        findings.add(
            format!("the first result of {call_desc}, read again after later calls"),
            reread.show(),
            format!("{} (a static string that never changes)", first.show()),
        );
    }
    format!(
        "{} calls, {} from threads: {}",
        CALLS,
        THREADS * CALLS,
        first.show()
    )
}
