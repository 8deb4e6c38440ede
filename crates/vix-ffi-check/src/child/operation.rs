//! Rules for functions of the operation shape.
//!
//! ```c
//! int pkg_op(const uint8_t *in_ptr, size_t in_len,
//!            uint8_t *out_ptr, size_t out_cap, size_t *out_len,
//!            vix_status *out_status);
//! ```
//!
//! The sizing rules apply to the inputs the function accepts: a call with a generous buffer
//! succeeds. Inputs it rejects (any other status) are fine, as long as the rest of the
//! contract holds on them.

use std::collections::BTreeSet;
use std::sync::Mutex;

use vix_ffi::StatusCode;

use super::ffi::{code_name, Args, Message, Obs, Op, Out, MAX_ALLOC, SENTINEL_CODE, SENTINEL_LEN};
use super::memory::{churn_heap, Canary};
use super::{emit, step, Findings};
use crate::corpus::Input;
use crate::protocol::{DeclaredBlocks, Done, Event};
use crate::rules::Rule;

/// What the rules run on.
pub struct Ctx {
    /// The function's manifest name.
    pub function: String,
    /// The edge cases, the random inputs, then the derived ones.
    pub inputs: Vec<Input>,
    /// The large inputs (robustness, ascii-output and output-blocks only).
    pub large: Vec<Input>,
    /// Valid UTF-8 texts (ascii-output and output-blocks only).
    pub text: Vec<Input>,
    /// `--iterations`: scales repetition.
    pub iterations: u32,
    /// The output sizes the manifest declares (output-blocks only).
    pub blocks: Vec<DeclaredBlocks>,
    /// Inputs at lengths around vector and page sizes (input-bounds and fuzz only).
    pub boundary: Vec<Input>,
    /// The seed (fuzz mutations).
    pub seed: u64,
    /// How long fuzz mutates inputs, in milliseconds.
    pub fuzz_ms: u64,
    /// fuzz on this one input only.
    pub replay: Option<Input>,
}

/// Outputs offered to other functions: how many, and how large at most.
const MAX_OUTPUTS: usize = 12;
const MAX_OUTPUT_LEN: usize = 4096;
/// Threads of the `threads` rule.
const THREADS: usize = 4;
/// Capacity no-overflow uses when the size query gives nothing usable.
const FALLBACK_CAP: usize = 64;
/// Largest queried size no-overflow tests (buffers are mapped per call).
const MAX_GUARDED: usize = 16 << 20;

const INVALID_ARG: i32 = StatusCode::InvalidArg as i32;

/// A size query and a call with a generous buffer.
struct Probe {
    query: Obs,
    query_desc: String,
    full: Obs,
    full_cap: usize,
}

impl Probe {
    /// The output size, when the input is accepted.
    fn accepted(&self) -> Option<usize> {
        if !self.full.ok() {
            return None;
        }
        self.full.len().filter(|&m| m <= self.full_cap)
    }

    /// The size the query answered, when it said BUFFER_TOO_SMALL.
    fn queried(&self) -> Option<usize> {
        self.query.too_small().then(|| self.query.len()).flatten()
    }

    /// What a second call of the size query must reproduce.
    fn query_key(&self) -> (Option<i32>, Option<usize>) {
        (self.query.code, self.query.out_len)
    }

    /// What a second call with a generous buffer must reproduce (the message too, when
    /// `message`).
    fn full_key(&self, message: bool) -> (Option<i32>, Option<usize>, &[u8], Option<&Message>) {
        let m = if message {
            self.full.message.as_ref()
        } else {
            None
        };
        (self.full.code, self.full.out_len, &self.full.output, m)
    }

    /// Whether `other` reproduces this probe.
    fn same(&self, other: &Probe, message: bool) -> bool {
        self.query_key() == other.query_key() && self.full_key(message) == other.full_key(message)
    }
}

struct Runner<'a> {
    op: &'a Op,
    ctx: &'a Ctx,
}

impl Runner<'_> {
    fn describe(&self, input: &Input, args: Args) -> String {
        let mut s = format!(
            "{}({}, {}",
            self.ctx.function,
            input.describe(),
            args.out.show()
        );
        if args.null_in_ptr {
            s.push_str(", in_ptr NULL");
        }
        if args.null_out_len {
            s.push_str(", out_len NULL");
        }
        if args.null_status {
            s.push_str(", out_status NULL");
        }
        s.push(')');
        s
    }

    /// Announces the call, then makes it.
    fn call(&self, input: &Input, args: Args) -> (String, Obs) {
        let desc = self.describe(input, args);
        step(format!("calling {desc}"));
        let obs = self.op.call(input, args);
        (desc, obs)
    }

    fn probe(&self, input: &Input, announce: bool) -> Probe {
        let call = |args: Args| {
            if announce {
                self.call(input, args)
            } else {
                (String::new(), self.op.call(input, args))
            }
        };
        let (query_desc, query) = call(Args::query());
        let queried = if query.too_small() { query.len() } else { None };
        let mut full_cap = queried
            .unwrap_or(0)
            .saturating_mul(2)
            .saturating_add(4096)
            .max(input.bytes.len().saturating_mul(4).saturating_add(4096))
            .min(MAX_ALLOC);
        let (_, mut full) = call(Args::cap(full_cap));
        if let Some(need) = full.too_small().then(|| full.len()).flatten() {
            if need > full_cap && need <= MAX_ALLOC {
                full_cap = need;
                full = call(Args::cap(full_cap)).1;
            }
        }
        Probe {
            query,
            query_desc,
            full,
            full_cap,
        }
    }

    /// The size query, a generous call and a one-short call: every call of the sizing
    /// protocol. `visit` sees each right after it returns, before the next call.
    fn contract_calls(&self, input: &Input, visit: &mut dyn FnMut(&str, &Obs)) {
        let (desc, query) = self.call(input, Args::query());
        visit(&desc, &query);
        let queried = if query.too_small() { query.len() } else { None };
        let cap = queried
            .unwrap_or(0)
            .saturating_mul(2)
            .saturating_add(4096)
            .max(input.bytes.len().saturating_mul(4).saturating_add(4096))
            .min(MAX_ALLOC);
        let (desc, full) = self.call(input, Args::cap(cap));
        visit(&desc, &full);
        if let Some(n) = queried.filter(|&n| n > 0 && n <= MAX_ALLOC) {
            let (desc, short) = self.call(input, Args::cap(n - 1));
            visit(&desc, &short);
        }
    }
}

/// Applies `rule` to the operation `op`.
pub fn run(rule: Rule, op: &Op, ctx: &Ctx) -> Done {
    let runner = Runner { op, ctx };
    let mut findings = Findings::new();
    let result = match rule {
        Rule::SizeQuery => size_query(&runner, &mut findings),
        Rule::OneShort => one_short(&runner, &mut findings),
        Rule::ExactCapacity => exact_capacity(&runner, &mut findings),
        Rule::NoOverflow => no_overflow(&runner, &mut findings),
        Rule::InputBounds => input_bounds(&runner),
        Rule::RcStatus => rc_status(&runner, &mut findings),
        Rule::StatusWritten => status_written(&runner, &mut findings),
        Rule::NullArgs => null_args(&runner, &mut findings),
        Rule::NullStatus => null_status(&runner, &mut findings),
        Rule::Deterministic => deterministic(&runner, &mut findings),
        Rule::MessageUtf8 => message_utf8(&runner, &mut findings),
        Rule::MessageLifetime => message_lifetime(&runner, &mut findings),
        Rule::Robustness => robustness(&runner),
        Rule::Threads => threads(&runner, &mut findings),
        Rule::Leaks => leaks(&runner, &mut findings),
        Rule::AllocationFailure => allocation_failure(&runner, &mut findings),
        Rule::Fuzz => fuzz(&runner, &mut findings),
        Rule::AsciiOutput => ascii_output(&runner, &mut findings),
        Rule::OutputBlocks => output_blocks(&runner, &mut findings),
        Rule::StatusRange => status_range(&runner, &mut findings),
        Rule::StrUtf8 => str_utf8(&runner, &mut findings),
        other => Err(format!("{} does not apply to an operation", other.name())),
    };
    match result {
        Ok(seen) => Done::Checked {
            seen,
            violations: findings.count(),
        },
        Err(reason) => Done::Skipped { reason },
    }
}

/// The accepted inputs, probed, with their output size; or why there are none.
fn accepted<'a>(runner: &Runner<'a>) -> Result<Vec<(&'a Input, Probe, usize)>, String> {
    let mut out = Vec::new();
    let mut rejection = None;
    for input in &runner.ctx.inputs {
        let probe = runner.probe(input, true);
        match probe.accepted() {
            Some(m) => out.push((input, probe, m)),
            None => {
                rejection
                    .get_or_insert_with(|| format!("{}: {}", input.describe(), probe.full.show()));
            }
        }
    }
    if out.is_empty() {
        return Err(format!(
            "no accepted input found: the function rejected all {} inputs (first: {})",
            runner.ctx.inputs.len(),
            rejection.unwrap_or_default()
        ));
    }
    Ok(out)
}

fn size_query(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let accepted = accepted(runner)?;
    for (_, probe, m) in &accepted {
        let m = *m;
        let good = if m > 0 {
            probe.query.too_small() && probe.query.len() == Some(m)
        } else {
            probe.query.ok() && probe.query.len() == Some(0)
        };
        if !good {
            let expected = if m > 0 {
                format!(
                    "VIX_STATUS_BUFFER_TOO_SMALL, out_len {m} (the size a call with out_cap {} \
                     reported)",
                    probe.full_cap
                )
            } else {
                "VIX_STATUS_OK, out_len 0 (the output is empty)".to_owned()
            };
            findings.add(probe.query_desc.clone(), probe.query.show(), expected);
        }
    }
    Ok(format!(
        "size queries of {} accepted inputs (of {})",
        accepted.len(),
        runner.ctx.inputs.len()
    ))
}

fn one_short(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let accepted = accepted(runner)?;
    let mut tested = 0;
    for (input, probe, m) in &accepted {
        let n = probe.queried().unwrap_or(*m);
        if n == 0 || n > MAX_ALLOC {
            continue;
        }
        tested += 1;
        let (desc, obs) = runner.call(input, Args::cap(n - 1));
        if !(obs.too_small() && obs.len() == Some(n)) {
            findings.add(
                desc,
                obs.show(),
                format!("VIX_STATUS_BUFFER_TOO_SMALL, out_len {n} (the size query's answer)"),
            );
        }
    }
    if tested == 0 {
        return Err(format!(
            "every one of the {} accepted inputs has an empty output",
            accepted.len()
        ));
    }
    Ok(format!("out_cap one short for {tested} accepted inputs"))
}

fn exact_capacity(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let accepted = accepted(runner)?;
    let mut tested = 0;
    for (input, probe, m) in &accepted {
        let n = probe.queried().unwrap_or(*m);
        if n > MAX_ALLOC {
            continue;
        }
        tested += 1;
        let (desc, obs) = runner.call(input, Args::cap(n));
        if !(obs.ok() && obs.len() == Some(n)) {
            findings.add(
                desc,
                obs.show(),
                format!("VIX_STATUS_OK, out_len {n} (the size query's answer)"),
            );
        } else if let Some((seen, expected)) =
            other_bytes(&obs.output, &probe.full.output, probe.full_cap)
        {
            findings.add(desc, seen, expected);
        }
    }
    Ok(format!(
        "out_cap equal to the queried size for {tested} accepted inputs"
    ))
}

/// `(seen, expected)` when a call at the exact capacity wrote other bytes than the call
/// with `full_cap` bytes: the output must not depend on the capacity.
pub(crate) fn other_bytes(exact: &[u8], full: &[u8], full_cap: usize) -> Option<(String, String)> {
    if exact == full {
        return None;
    }
    let at = exact
        .iter()
        .zip(full)
        .position(|(a, b)| a != b)
        .unwrap_or(exact.len().min(full.len()));
    let show = |bytes: &[u8]| {
        let end = (at + 16).min(bytes.len());
        format!("b\"{}\"", bytes[at.min(end)..end].escape_ascii())
    };
    Some((
        format!(
            "VIX_STATUS_OK, but the output differs from offset {at}: {} from there",
            show(exact)
        ),
        format!(
            "the bytes a call with out_cap {full_cap} wrote: {} from offset {at} (the output \
             does not depend on the capacity)",
            show(full)
        ),
    ))
}

fn no_overflow(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut calls = 0;
    for input in &runner.ctx.inputs {
        let (_, query) = runner.call(input, Args::query());
        let n = if query.too_small() {
            query
                .len()
                .filter(|&n| n <= MAX_GUARDED)
                .unwrap_or(FALLBACK_CAP)
        } else if query.ok() {
            0
        } else {
            FALLBACK_CAP
        };
        let caps: BTreeSet<usize> = [0, 1, n / 2, n.saturating_sub(1), n]
            .into_iter()
            .filter(|&c| c <= n.max(1))
            .collect();
        for cap in caps {
            let mut canary = Canary::new(cap);
            let args = Args {
                out: Out::Raw(canary.ptr(), cap),
                ..Args::cap(cap)
            };
            let (desc, _) = runner.call(input, args);
            calls += 1;
            if let Some(damage) = canary.damage() {
                findings.add(desc, damage, "no byte written outside out_ptr[0..out_cap]");
            }
            #[cfg(unix)]
            if let Some(page) = super::memory::GuardPage::new(cap) {
                let args = Args {
                    out: Out::Raw(page.ptr(), cap),
                    ..Args::cap(cap)
                };
                let desc = runner.describe(input, args);
                step(format!(
                    "calling {desc} with the buffer ending at an inaccessible page (a write \
                     past out_cap faults)"
                ));
                runner.op.call(input, args);
                calls += 1;
            }
        }
    }
    Ok(format!(
        "{calls} calls on {} inputs with guard bytes around the buffer and a guard page after it",
        runner.ctx.inputs.len()
    ))
}

/// Every input (the corpus, the large ones and those at vector and page boundaries),
/// copied against an inaccessible page after it, then before it, given to a size query
/// and to a call with room for the output: a read outside `in_ptr[0..in_len]` faults, and
/// the parent reports the call announced last.
fn input_bounds(runner: &Runner) -> Result<String, String> {
    let ctx = runner.ctx;
    let all = ctx
        .inputs
        .iter()
        .chain(&ctx.large)
        .chain(&ctx.boundary)
        .filter(|input| !input.null_ptr);
    let (mut count, mut calls) = (0, 0);
    for input in all {
        count += 1;
        let (_, query) = runner.call(input, Args::query());
        let cap = match query.len() {
            Some(n) if query.too_small() && n <= MAX_ALLOC => n,
            _ => input
                .bytes
                .len()
                .saturating_mul(4)
                .saturating_add(4096)
                .min(MAX_ALLOC),
        };
        #[cfg(unix)]
        for side in super::memory::Side::BOTH {
            let Some(guarded) = super::memory::GuardedInput::new(&input.bytes, side) else {
                continue;
            };
            for args in [Args::query(), Args::cap(cap)] {
                let args = Args {
                    in_at: Some(guarded.ptr()),
                    ..args
                };
                let desc = runner.describe(input, args);
                step(format!(
                    "calling {desc} with {}",
                    side.describe("the input")
                ));
                runner.op.call(input, args);
                calls += 1;
            }
        }
    }
    Ok(format!(
        "{calls} calls on {count} inputs ({} at lengths around vector and page sizes, {} of \
         1 MiB) placed against an inaccessible page after the input, then before it",
        ctx.boundary.len(),
        ctx.large.len()
    ))
}

fn rc_status(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut checked = 0;
    for input in &runner.ctx.inputs {
        runner.contract_calls(input, &mut |desc, obs| {
            let Some(code) = obs.code.filter(|&c| c != SENTINEL_CODE) else {
                return;
            };
            checked += 1;
            if (obs.rc == 0) != (code == StatusCode::Ok as i32) {
                findings.add(
                    desc,
                    format!("return value {} with {}", obs.rc, code_name(code)),
                    "return value 0 if and only if VIX_STATUS_OK",
                );
            }
        });
    }
    Ok(format!("{checked} calls with a written status"))
}

fn status_written(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut checked = 0;
    for input in &runner.ctx.inputs {
        runner.contract_calls(input, &mut |desc, obs| {
            checked += 1;
            let code = obs.code.unwrap_or(SENTINEL_CODE);
            let len_written = obs.out_len != Some(SENTINEL_LEN);
            if code == SENTINEL_CODE {
                findings.add(
                    desc,
                    format!(
                        "the status not written (the pre-filled sentinel is still there), \
                         return value {}",
                        obs.rc
                    ),
                    "the status written on every call",
                );
            } else if code == StatusCode::Ok as i32 && !len_written {
                findings.add(
                    desc,
                    "VIX_STATUS_OK but out_len not written",
                    "out_len set on success",
                );
            } else if code == StatusCode::BufferTooSmall as i32 && !len_written {
                findings.add(
                    desc,
                    "VIX_STATUS_BUFFER_TOO_SMALL but out_len not written",
                    "out_len set to the size needed",
                );
            } else if code != StatusCode::Ok as i32 && obs.message == Some(Message::NotWritten) {
                findings.add(
                    desc,
                    format!("{} but the message was not written", code_name(code)),
                    "the whole status written, message included (an empty message is fine)",
                );
            }
        });
    }
    Ok(format!(
        "{checked} calls with a pre-filled status and out_len"
    ))
}

/// Typed signatures only: every status code written is one of ABI v1 or the library's.
fn status_range(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut codes = BTreeSet::new();
    for input in &runner.ctx.inputs {
        runner.contract_calls(input, &mut |desc, obs| {
            let Some(code) = obs.code.filter(|&c| c != SENTINEL_CODE) else {
                return;
            };
            codes.insert(code);
            if !super::typed::legal_code(code) {
                findings.add(desc, obs.show(), super::typed::RANGE_EXPECTED);
            }
        });
    }
    let shown: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    Ok(format!(
        "{} inputs, status codes seen: {}",
        runner.ctx.inputs.len(),
        shown.join(", ")
    ))
}

/// Typed signatures with a `str` output: every successful output of the inputs and the
/// valid UTF-8 texts is valid UTF-8.
fn str_utf8(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let ctx = runner.ctx;
    let (mut outputs, mut bytes) = (0, 0);
    for input in ctx.inputs.iter().chain(&ctx.text) {
        let probe = runner.probe(input, true);
        if probe.accepted().is_none() {
            continue;
        }
        outputs += 1;
        let output = &probe.full.output;
        bytes += output.len();
        if let Err(e) = std::str::from_utf8(output) {
            let at = e.valid_up_to();
            let end = (at + 4).min(output.len());
            findings.add(
                runner.describe(input, Args::cap(probe.full_cap)),
                format!(
                    "VIX_STATUS_OK with a str output that is not UTF-8: invalid at offset {at} \
                     of {} bytes (bytes {:02x?})",
                    output.len(),
                    &output[at..end]
                ),
                "every successful str output valid UTF-8",
            );
        }
    }
    if outputs == 0 {
        return Err("no accepted input found".into());
    }
    Ok(format!(
        "{outputs} successful outputs ({bytes} bytes), all valid UTF-8"
    ))
}

fn message_utf8(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut messages = 0;
    for input in &runner.ctx.inputs {
        runner.contract_calls(input, &mut |desc, obs| {
            let Some(message) = &obs.message else { return };
            if matches!(message, Message::NotWritten | Message::Empty) {
                return;
            }
            messages += 1;
            if let Some(problem) = message.problem() {
                findings.add(
                    desc,
                    format!("{} message: {problem}", code_name(obs.code.unwrap_or(0))),
                    "valid UTF-8 of the stated length, no NUL",
                );
            }
        });
    }
    if messages == 0 {
        return Err("no call returned a non-empty status message".into());
    }
    Ok(format!("{messages} non-empty status messages"))
}

fn message_lifetime(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut messages = 0;
    for input in &runner.ctx.inputs {
        runner.contract_calls(input, &mut |desc, obs| {
            let (Some(Message::Text(first)), Some((ptr, len))) = (&obs.message, obs.message_view)
            else {
                return;
            };
            if obs.ok() {
                return;
            }
            messages += 1;
            if let Some(block) = super::shim::freed_block(ptr) {
                findings.add(desc, freed_message(block), FREED_EXPECTED);
                return;
            }
            churn_heap();
            step(format!(
                "re-reading the status message of {desc} after other allocations"
            ));
            // SAFETY: the view the library wrote; the contract keeps it valid until the
            // next call on this thread, and none was made. If it dangles, this read may
            // fault, which the parent reports.
            let again = unsafe { std::slice::from_raw_parts(ptr as *const u8, len) };
            if again != first.as_slice() {
                findings.add(
                    desc,
                    format!(
                        "the message changed to {:?} before the next call",
                        String::from_utf8_lossy(again)
                    ),
                    format!(
                        "{:?} (as read right after the call) until the next call on this thread",
                        String::from_utf8_lossy(first)
                    ),
                );
            }
        });
    }
    if messages == 0 {
        return Err("no call returned a non-empty error message".into());
    }
    Ok(format!(
        "{messages} error messages re-read after heap churn"
    ))
}

/// The `seen` of a message found in a block the call freed.
pub(crate) fn freed_message(block: usize) -> String {
    format!(
        "the message points into a block of {block} bytes that the function freed before \
         returning (its bytes are gone: the checker poisons freed memory)"
    )
}

/// The `expected` of a message found in freed memory.
pub(crate) const FREED_EXPECTED: &str = "a message that stays valid until the next call on \
    the thread: a string literal, or thread-local storage (as vix_ffi.hpp and the vix-ffi \
    crate keep it), never the text of an object destroyed before returning";

/// Calls of each input after the warm-up calls, for `leaks`.
pub(crate) const LEAK_CALLS: i64 = 32;
/// Warm-up calls of each input before `leaks` counts (caches fill, lazy statics start).
pub(crate) const LEAK_WARMUP: usize = 2;
/// Accepted inputs `allocation-failure` tries, and allocations per call it makes fail.
pub(crate) const FAILURE_INPUTS: usize = 16;
pub(crate) const FAILURE_ALLOCATIONS: u64 = 24;
/// Refused inputs `allocation-failure` tries (their error paths allocate messages).
pub(crate) const FAILURE_REFUSED: usize = 8;

/// `(seen, expected)` when `calls` repetitions of one call left `bytes` bytes in `blocks`
/// blocks allocated, `positive` of them leaving more than they found: a leak when on
/// average at least a byte per call stays, in at least half of the calls. A fixed cache
/// filled during the warm-up leaves nothing later; one evicting and refilling leaves
/// about as much as it frees.
pub(crate) fn leak(function: &str, bytes: i64, blocks: i64, positive: i64) -> Option<String> {
    leak_per(function, "call", bytes, blocks, positive)
}

/// [`leak`], for `calls` repetitions of something other than a call (a create/call/free
/// cycle of an object).
pub(crate) fn leak_per(
    function: &str,
    unit: &str,
    bytes: i64,
    blocks: i64,
    positive: i64,
) -> Option<String> {
    if bytes < LEAK_CALLS || positive * 2 < LEAK_CALLS {
        return None;
    }
    let per_call = bytes as f64 / LEAK_CALLS as f64;
    let blocks = blocks as f64 / LEAK_CALLS as f64;
    Some(format!(
        "{function} leaks {per_call:.0} bytes per {unit} ({blocks:.1} blocks per {unit} left \
         allocated, by malloc_usable_size; {bytes} bytes over {LEAK_CALLS} {unit}s after \
         {LEAK_WARMUP} warm-up {unit}s)"
    ))
}

fn leaks(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    if !super::shim::loaded() {
        return Err(super::shim::NOT_LOADED.into());
    }
    let mut inputs = 0;
    for input in &runner.ctx.inputs {
        let probe = runner.probe(input, true);
        runner.probe(input, false);
        let args = Args::cap(probe.full_cap);
        let desc = runner.describe(input, args);
        step(format!(
            "calling {desc} {LEAK_CALLS} times, counting what stays allocated"
        ));
        super::shim::take_balance();
        let (mut bytes, mut blocks, mut positive) = (0, 0, 0);
        for _ in 0..LEAK_CALLS {
            runner.op.call(input, args);
            let (b, k) = super::shim::take_balance();
            bytes += b;
            blocks += k;
            positive += i64::from(b > 0);
        }
        inputs += 1;
        if let Some(seen) = leak(&runner.ctx.function, bytes, blocks, positive) {
            findings.add(
                desc,
                seen,
                "every call frees what it allocates (a fixed amount cached once is fine)",
            );
        }
    }
    Ok(format!(
        "{inputs} inputs, each called {LEAK_CALLS} times after {LEAK_WARMUP} warm-up calls, \
         left no memory allocated per call"
    ))
}

/// What a call with allocation `k` failing must give, against the call without failures
/// (`reference`): the same result, or an error status that the return value agrees with.
/// `None` when it did; otherwise what it gave.
pub(crate) fn after_failure(obs: &Obs, reference: &Obs) -> Option<String> {
    let code = obs.code.unwrap_or(SENTINEL_CODE);
    if code == SENTINEL_CODE {
        return Some("the status not written".into());
    }
    if obs.ok() || obs.too_small() {
        if obs.code == reference.code
            && obs.len() == reference.len()
            && obs.output == reference.output
        {
            return None;
        }
        return Some(format!(
            "{} where a call without the failure gave {}{}",
            obs.show(),
            reference.show(),
            if obs.ok() && reference.ok() && obs.output != reference.output {
                " (another output)"
            } else {
                ""
            }
        ));
    }
    if obs.rc == 0 {
        return Some(format!("return value 0 with {}", code_name(code)));
    }
    None
}

fn allocation_failure(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    if !super::shim::loaded() {
        return Err(super::shim::NOT_LOADED.into());
    }
    let (mut chosen, mut taken, mut refused) = (Vec::new(), 0, 0);
    for input in &runner.ctx.inputs {
        let probe = runner.probe(input, true);
        if probe.accepted().is_some() {
            if taken < FAILURE_INPUTS {
                taken += 1;
                chosen.push((input, probe.full_cap));
            }
        } else if refused < FAILURE_REFUSED {
            refused += 1;
            chosen.push((input, probe.full_cap));
        }
    }
    let (mut calls, mut failed, mut most) = (0, 0, 0);
    for (input, full_cap) in chosen {
        for args in [Args::query(), Args::cap(full_cap)] {
            let reference = runner.op.call(input, args);
            let n = super::shim::last().map_or(0, |s| s.allocations);
            most = most.max(n);
            calls += 1;
            for k in 1..=n.min(FAILURE_ALLOCATIONS) {
                let desc = runner.describe(input, args);
                step(format!(
                    "calling {desc} with allocation {k} of the {n} it makes failing (malloc \
                     returns NULL, operator new throws std::bad_alloc)"
                ));
                let obs = super::shim::failing(k, || runner.op.call(input, args));
                failed += 1;
                let size = super::shim::last().map_or(0, |s| s.failed_size);
                if let Some(seen) = after_failure(&obs, &reference) {
                    findings.add(
                        format!("{desc}, allocation {k} of {n} ({size} bytes) failing"),
                        seen,
                        "an error status (VIX_STATUS_ERROR or the library's own code) with a \
                         non-zero return value, or the output of a call without the failure",
                    );
                }
            }
        }
    }
    if failed == 0 {
        return Ok(format!(
            "{calls} calls of {taken} accepted and {refused} refused inputs made no \
             allocation: nothing to fail"
        ));
    }
    Ok(format!(
        "{failed} calls with one allocation failing ({calls} calls of {taken} accepted and \
         {refused} refused inputs, up to {most} allocations per call, the first \
         {FAILURE_ALLOCATIONS} of each tried)"
    ))
}

/// A breach of the contract on one call: `(seen, expected)`.
fn breach(obs: &Obs) -> Option<(String, String)> {
    let code = obs.code.unwrap_or(SENTINEL_CODE);
    if code == SENTINEL_CODE {
        return Some((
            "status not written".into(),
            Rule::StatusWritten.expectation().into(),
        ));
    }
    if (obs.rc == 0) != obs.ok() {
        return Some((
            format!("return value {} with {}", obs.rc, code_name(code)),
            Rule::RcStatus.expectation().into(),
        ));
    }
    let problem = obs.message.as_ref().and_then(Message::problem)?;
    Some((
        format!("message: {problem}"),
        Rule::MessageUtf8.expectation().into(),
    ))
}

/// The contract on one input, as fuzz checks it: the input against a guard page after
/// it, the size query, then a call with exactly the size it answered into a buffer with
/// guard bytes. `(the call, seen, expected)` of the first breach.
fn fuzz_one(runner: &Runner, input: &Input) -> Option<(String, String, String)> {
    #[cfg(unix)]
    let guarded = super::memory::GuardedInput::new(&input.bytes, super::memory::Side::After);
    #[cfg(unix)]
    let at = guarded.as_ref().map(super::memory::GuardedInput::ptr);
    #[cfg(not(unix))]
    let at = None;
    let with = |args: Args| Args { in_at: at, ..args };
    let (desc, query) = runner.call(input, with(Args::query()));
    if let Some((seen, expected)) = breach(&query) {
        return Some((desc, seen, expected));
    }
    if query.ok() && query.len() != Some(0) {
        return Some((desc, query.show(), Rule::SizeQuery.expectation().into()));
    }
    let n = query
        .too_small()
        .then(|| query.len())
        .flatten()
        .filter(|&n| n <= MAX_GUARDED)?;
    let mut canary = Canary::new(n);
    let args = with(Args {
        out: Out::Raw(canary.ptr(), n),
        ..Args::cap(n)
    });
    let (desc, obs) = runner.call(input, args);
    if let Some(damage) = canary.damage() {
        return Some((desc, damage, Rule::NoOverflow.expectation().into()));
    }
    if let Some((seen, expected)) = breach(&obs) {
        return Some((desc, seen, expected));
    }
    // An input refused only by the real call is fine (a decoder may size before it
    // validates); a success of another size, or a second BUFFER_TOO_SMALL, is not.
    if (obs.ok() && obs.len() != Some(n)) || obs.too_small() {
        return Some((
            desc,
            obs.show(),
            format!("VIX_STATUS_OK, out_len {n} (the size query's answer), or an error"),
        ));
    }
    None
}

/// `--fuzz`: mutated inputs (see [`crate::corpus::mutate`]) one after the other for the
/// time given, each announced by number, until one breaches the contract; or the one
/// input given to replay.
fn fuzz(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let ctx = runner.ctx;
    if let Some(input) = &ctx.replay {
        if let Some((desc, seen, expected)) = fuzz_one(runner, input) {
            findings.add(desc, seen, expected);
        }
        return Ok("the replayed input kept the contract".into());
    }
    let base: Vec<Input> = ctx.inputs.iter().chain(&ctx.boundary).cloned().collect();
    let budget = std::time::Duration::from_millis(ctx.fuzz_ms);
    let start = std::time::Instant::now();
    let mut i = 0;
    while start.elapsed() < budget {
        let input = crate::corpus::mutate(&base, ctx.seed, i);
        emit(&Event::Fuzzing { iteration: i });
        if let Some((desc, seen, expected)) = fuzz_one(runner, &input) {
            findings.add(desc, seen, expected);
            break;
        }
        i += 1;
    }
    Ok(format!(
        "{i} mutated inputs in {:.1} s (seed {}) kept the contract",
        start.elapsed().as_secs_f64(),
        ctx.seed
    ))
}

fn null_args(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut chosen = None;
    for input in runner.ctx.inputs.iter().filter(|i| !i.bytes.is_empty()) {
        let probe = runner.probe(input, true);
        if let Some(m) = probe.accepted().filter(|&m| m > 0) {
            chosen = Some((input, probe.queried().unwrap_or(m)));
            break;
        }
        chosen.get_or_insert((input, FALLBACK_CAP));
    }
    let Some((input, n)) = chosen else {
        return Err("no non-empty input".into());
    };
    let n = n.clamp(1, MAX_GUARDED);
    let cases = [
        Args {
            null_out_len: true,
            ..Args::query()
        },
        Args {
            null_out_len: true,
            ..Args::cap(n)
        },
        Args {
            null_in_ptr: true,
            ..Args::cap(n)
        },
        Args {
            out: Out::Null(n),
            ..Args::cap(0)
        },
    ];
    for args in cases {
        let (desc, obs) = runner.call(input, args);
        if obs.code != Some(INVALID_ARG) {
            findings.add(desc, obs.show(), "VIX_STATUS_INVALID_ARG");
        }
    }
    Ok(format!(
        "out_len NULL (twice), in_ptr NULL, out_ptr NULL on {}",
        input.describe()
    ))
}

fn null_status(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut calls = 0;
    for input in &runner.ctx.inputs {
        let probe = runner.probe(input, true);
        let cases = [
            (Args::query(), &probe.query),
            (Args::cap(probe.full_cap), &probe.full),
        ];
        for (args, with_status) in cases {
            let args = Args {
                null_status: true,
                ..args
            };
            let (desc, obs) = runner.call(input, args);
            calls += 1;
            if obs.rc != with_status.rc || obs.out_len != with_status.out_len {
                findings.add(
                    desc,
                    format!("return value {}, {}", obs.rc, show_len(obs.out_len)),
                    format!(
                        "return value {}, {} (what the same call with a status gave)",
                        with_status.rc,
                        show_len(with_status.out_len)
                    ),
                );
            }
        }
    }
    Ok(format!("{calls} calls with out_status NULL"))
}

fn show_len(len: Option<usize>) -> String {
    match len {
        Some(SENTINEL_LEN) | None => "out_len not written".into(),
        Some(n) => format!("out_len {n}"),
    }
}

fn show_call(obs: &Obs) -> String {
    let mut s = obs.show();
    if obs.ok() {
        let shown = &obs.output[..obs.output.len().min(24)];
        s.push_str(&format!(", output b\"{}\"", shown.escape_ascii()));
        if obs.output.len() > 24 {
            s.push_str("...");
        }
    }
    s
}

/// `(seen, expected)`: the parts of two probes that differ.
fn differences(seen: &Probe, expected: &Probe, message: bool) -> (String, String) {
    let mut parts = (Vec::new(), Vec::new());
    if seen.query_key() != expected.query_key() {
        parts.0.push(format!("size query: {}", seen.query.show()));
        parts
            .1
            .push(format!("size query: {}", expected.query.show()));
    }
    if seen.full_key(message) != expected.full_key(message) {
        let cap = format!("out_cap {}", seen.full_cap);
        parts.0.push(format!("{cap}: {}", show_call(&seen.full)));
        parts
            .1
            .push(format!("{cap}: {}", show_call(&expected.full)));
    }
    (parts.0.join("; "), parts.1.join("; "))
}

fn deterministic(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let first: Vec<Probe> = runner
        .ctx
        .inputs
        .iter()
        .map(|input| runner.probe(input, true))
        .collect();
    for (input, before) in runner.ctx.inputs.iter().zip(&first).rev() {
        let again = runner.probe(input, true);
        if !again.same(before, false) {
            let (seen, expected) = differences(&again, before, false);
            findings.add(
                format!(
                    "{}({}), called again",
                    runner.ctx.function,
                    input.describe()
                ),
                seen,
                format!("{expected} (what the first call gave)"),
            );
        }
    }
    Ok(format!(
        "{} inputs, each twice with other calls in between",
        first.len()
    ))
}

fn robustness(runner: &Runner) -> Result<String, String> {
    let mut outputs = 0;
    let all = runner.ctx.inputs.iter().chain(&runner.ctx.large);
    let mut count = 0;
    for input in all {
        count += 1;
        let (_, query) = runner.call(input, Args::query());
        let cap = match query.len() {
            Some(n) if query.too_small() && n <= MAX_ALLOC => n,
            _ if query.ok() => continue,
            _ => input
                .bytes
                .len()
                .saturating_mul(2)
                .saturating_add(4096)
                .min(MAX_ALLOC),
        };
        let (_, obs) = runner.call(input, Args::cap(cap));
        let is_large = input.bytes.len() >= crate::corpus::LARGE_LEN;
        if obs.ok()
            && outputs < MAX_OUTPUTS
            && !is_large
            && !input.bytes.is_empty()
            && !obs.output.is_empty()
            && obs.output.len() <= MAX_OUTPUT_LEN
        {
            outputs += 1;
            emit(&Event::Output(Input {
                label: format!("output of {} on {}", runner.ctx.function, input.label),
                bytes: obs.output.clone(),
                null_ptr: false,
            }));
        }
    }
    Ok(format!(
        "{count} inputs (edge cases, {} random, {} large of 1 MiB) without a crash or a hang",
        runner.ctx.iterations,
        runner.ctx.large.len()
    ))
}

fn threads(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let inputs = &runner.ctx.inputs;
    step(format!(
        "calling {} on {} inputs, single-threaded",
        runner.ctx.function,
        inputs.len()
    ));
    let reference: Vec<Probe> = inputs.iter().map(|i| runner.probe(i, false)).collect();
    let rounds = (runner.ctx.iterations as usize / 16).clamp(2, 8);
    step(format!(
        "{THREADS} threads calling {} on {} inputs at once, {rounds} rounds each",
        runner.ctx.function,
        inputs.len()
    ));
    let mismatches = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let (reference, mismatches) = (&reference, &mismatches);
            scope.spawn(move || {
                let n = inputs.len();
                for round in 0..rounds {
                    for k in 0..n {
                        let i = (k + t * n / THREADS) % n;
                        let probe = runner.probe(&inputs[i], false);
                        if !probe.same(&reference[i], true) {
                            let mut m = mismatches.lock().unwrap_or_else(|e| e.into_inner());
                            if m.len() < 20 {
                                m.push((t, round, i, probe));
                            }
                        }
                    }
                }
            });
        }
    });
    let mismatches = mismatches.into_inner().unwrap_or_else(|e| e.into_inner());
    for (t, round, i, probe) in mismatches {
        let (seen, expected) = differences(&probe, &reference[i], true);
        findings.add(
            format!(
                "thread {t} of {THREADS}, round {round}: {}({})",
                runner.ctx.function,
                inputs[i].describe()
            ),
            seen,
            format!("{expected} (the single-threaded result)"),
        );
    }
    Ok(format!(
        "{THREADS} threads x {rounds} rounds over {} inputs",
        inputs.len()
    ))
}

/// Every successful output of the whole corpus (the inputs, the UTF-8 texts, the large
/// inputs) is ASCII: what `"ascii": true` promises the generated Python, which then builds
/// its `str` without looking at the bytes.
fn ascii_output(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let ctx = runner.ctx;
    let all = ctx.inputs.iter().chain(&ctx.text).chain(&ctx.large);
    let (mut total, mut outputs, mut bytes) = (0, 0, 0);
    let mut rejection = None;
    for input in all {
        total += 1;
        let probe = runner.probe(input, true);
        if probe.accepted().is_none() {
            rejection.get_or_insert_with(|| format!("{}: {}", input.describe(), probe.full.show()));
            continue;
        }
        outputs += 1;
        let output = &probe.full.output;
        bytes += output.len();
        if let Some(problem) = non_ascii(output) {
            findings.add(
                runner.describe(input, Args::cap(probe.full_cap)),
                problem,
                "every output byte in 0x00..=0x7f, as \"ascii\": true promises (the generated \
                 Python builds its str without checking)",
            );
        }
    }
    if outputs == 0 {
        return Err(format!(
            "no accepted input found: the function rejected all {total} inputs (first: {})",
            rejection.unwrap_or_default()
        ));
    }
    Ok(format!(
        "{outputs} successful outputs ({bytes} bytes) of {total} inputs ({} valid UTF-8 \
         texts and {} of 1 MiB among them), all ASCII",
        ctx.text.len(),
        ctx.large.len()
    ))
}

/// The first byte of `output` above 0x7f, its offset and the bytes around it; `None` when
/// every byte is ASCII.
fn non_ascii(output: &[u8]) -> Option<String> {
    let at = output.iter().position(|b| !b.is_ascii())?;
    let start = at.saturating_sub(8);
    let end = at.saturating_add(8).min(output.len());
    Some(format!(
        "byte 0x{:02x} at offset {at} of the {}-byte output is not ASCII (output[{start}..{end}] \
         = b\"{}\")",
        output[at],
        output.len(),
        output[start..end].escape_ascii()
    ))
}

/// Every successful output of the whole corpus (the inputs, the UTF-8 texts, the large
/// inputs) has the size each `"output_blocks"` declaration gives, both in the size query's
/// answer and in `*out_len` of the call that wrote it: what lets the generated Python
/// allocate the result without a size query. Inputs the library refuses do not count.
fn output_blocks(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let ctx = runner.ctx;
    if ctx.blocks.is_empty() {
        return Err("the manifest declares no \"output_blocks\" for this function".into());
    }
    let all = ctx.inputs.iter().chain(&ctx.text).chain(&ctx.large);
    let (mut total, mut outputs) = (0, 0);
    let mut rejection = None;
    for input in all {
        total += 1;
        let probe = runner.probe(input, true);
        let Some(written) = probe.accepted() else {
            rejection.get_or_insert_with(|| format!("{}: {}", input.describe(), probe.full.show()));
            continue;
        };
        outputs += 1;
        let n = input.bytes.len() as u64;
        for declared in &ctx.blocks {
            let Some(size) = declared.size(n) else {
                findings.add(
                    format!("{}({})", ctx.function, input.describe()),
                    format!("a successful output of {written} bytes"),
                    format!(
                        "{} * ceil({n} / {}) bytes, as {} declares, which is past 2^64",
                        declared.output,
                        declared.input,
                        declared.show()
                    ),
                );
                continue;
            };
            if let Some(seen) = blocks_mismatch(size, &probe.query, written, probe.full_cap) {
                findings.add(
                    format!("{}({})", ctx.function, input.describe()),
                    seen,
                    blocks_expected(declared, n, size),
                );
            }
        }
    }
    if outputs == 0 {
        return Err(format!(
            "no accepted input found: the function rejected all {total} inputs (first: {})",
            rejection.unwrap_or_default()
        ));
    }
    let declared: Vec<String> = ctx.blocks.iter().map(DeclaredBlocks::show).collect();
    Ok(format!(
        "{outputs} successful outputs of {total} inputs ({} valid UTF-8 texts and {} of 1 MiB \
         among them), each of the size declared by {}",
        ctx.text.len(),
        ctx.large.len(),
        declared.join(" and ")
    ))
}

/// What the size query (`query`) and a successful call with `out_cap` `cap` that reported
/// `written` bytes showed, where it differs from the declared `size`; `None` when both
/// agree with it. The size query must give `BUFFER_TOO_SMALL` with `*out_len == size`, or
/// `OK` with `*out_len == 0` when `size` is 0.
fn blocks_mismatch(size: u64, query: &Obs, written: usize, cap: usize) -> Option<String> {
    let mut parts = Vec::new();
    let answered = query.len().map(|m| m as u64);
    let query_good = if size > 0 {
        query.too_small() && answered == Some(size)
    } else {
        query.ok() && answered == Some(0)
    };
    if !query_good {
        // The message of a BUFFER_TOO_SMALL says nothing the size does not; an error's does.
        let shown = if query.too_small() {
            Obs {
                message: None,
                ..query.clone()
            }
            .show()
        } else {
            query.show()
        };
        parts.push(format!(
            "the size query (out_ptr NULL, out_cap 0) gave {shown}"
        ));
    }
    if written as u64 != size {
        parts.push(format!(
            "the call with out_cap {cap} succeeded and wrote {} (out_len {written})",
            byte_count(written as u64)
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// `1 byte`, `2 bytes`.
fn byte_count(n: u64) -> String {
    format!("{n} {}", if n == 1 { "byte" } else { "bytes" })
}

/// The expectation of `output-blocks` for an input of `n` bytes.
fn blocks_expected(declared: &DeclaredBlocks, n: u64, size: u64) -> String {
    let query = if size > 0 {
        format!("VIX_STATUS_BUFFER_TOO_SMALL, out_len {size}")
    } else {
        "VIX_STATUS_OK, out_len 0".to_owned()
    };
    format!(
        "{} = {} * ceil({n} / {}), as {} declares: the size query gives {query}, a successful \
         call out_len {size}",
        byte_count(size),
        declared.output,
        declared.input,
        declared.show()
    )
}

#[cfg(test)]
mod tests {
    use super::{blocks_expected, blocks_mismatch, non_ascii, Message, Obs, SENTINEL_LEN};
    use crate::protocol::DeclaredBlocks;
    use vix_ffi::StatusCode;

    #[test]
    fn a_leak_is_a_byte_or_more_per_call_in_most_calls() {
        use super::{leak, LEAK_CALLS};
        // 24 bytes every call: a leak, said per call.
        let seen = leak("f", 24 * LEAK_CALLS, LEAK_CALLS, LEAK_CALLS).unwrap_or_default();
        assert!(
            seen.starts_with("f leaks 24 bytes per call (1.0 blocks"),
            "{seen}"
        );
        // Nothing left, or less than a byte per call: no leak.
        assert_eq!(leak("f", 0, 0, 0), None);
        assert_eq!(leak("f", LEAK_CALLS - 1, 1, 1), None);
        // One large block once (a cache filled late): not in most calls, no leak.
        assert_eq!(leak("f", 4096, 1, 1), None);
    }

    #[test]
    fn after_a_failed_allocation_an_error_or_the_same_result_is_fine() {
        use super::after_failure;
        let mut ok = obs(StatusCode::Ok, 2);
        ok.output = b"ab".to_vec();
        let mut error = obs(StatusCode::Error, 0);
        error.rc = 1;
        assert_eq!(after_failure(&error, &ok), None);
        assert_eq!(after_failure(&ok, &ok), None);
        let mut other = ok.clone();
        other.output = b"a\0".to_vec();
        let seen = after_failure(&other, &ok).unwrap_or_default();
        assert!(seen.ends_with("(another output)"), "{seen}");
        error.rc = 0;
        assert!(after_failure(&error, &ok).is_some());
        let mut unwritten = ok.clone();
        unwritten.code = Some(super::SENTINEL_CODE);
        assert!(after_failure(&unwritten, &ok).is_some());
    }

    #[test]
    fn non_ascii_names_the_first_offending_byte_and_its_offset() {
        assert_eq!(non_ascii(b""), None);
        assert_eq!(non_ascii(b"\x00plain\x7f"), None);
        assert_eq!(
            non_ascii(b"ab\xc3\xbf"),
            Some(
                "byte 0xc3 at offset 2 of the 4-byte output is not ASCII (output[0..4] = \
                 b\"ab\\xc3\\xbf\")"
                    .into()
            )
        );
        let long = [b"0123456789abcdef".as_slice(), &[0x80], b"0123456789"].concat();
        let seen = non_ascii(&long).unwrap_or_default();
        assert!(
            seen.starts_with("byte 0x80 at offset 16 of the 27-byte output"),
            "{seen}"
        );
        assert!(seen.contains("output[8..24] = b\"89abcdef\\x80"), "{seen}");
    }

    fn obs(code: StatusCode, out_len: usize) -> Obs {
        Obs {
            rc: code as i32,
            code: Some(code as i32),
            message: None,
            message_view: None,
            out_len: Some(out_len),
            output: Vec::new(),
        }
    }

    #[test]
    fn blocks_mismatch_compares_the_query_and_the_written_length_with_the_declaration() {
        let too_small = |n| obs(StatusCode::BufferTooSmall, n);
        assert_eq!(blocks_mismatch(8, &too_small(8), 8, 4100), None);
        assert_eq!(blocks_mismatch(0, &obs(StatusCode::Ok, 0), 0, 4096), None);
        // The size query alone disagrees (its message, when it is BUFFER_TOO_SMALL, is
        // left out).
        let mut with_message = too_small(9);
        with_message.message = Some(Message::Text(b"output buffer too small".to_vec()));
        assert_eq!(
            blocks_mismatch(8, &with_message, 8, 4114).as_deref(),
            Some(
                "the size query (out_ptr NULL, out_cap 0) gave VIX_STATUS_BUFFER_TOO_SMALL, \
                 out_len 9"
            )
        );
        // The written length alone disagrees.
        assert_eq!(
            blocks_mismatch(8, &too_small(8), 7, 4100).as_deref(),
            Some("the call with out_cap 4100 succeeded and wrote 7 bytes (out_len 7)")
        );
        // Both, consistently with each other: one byte short of the declaration.
        let seen = blocks_mismatch(1, &obs(StatusCode::Ok, 0), 0, 4097).unwrap_or_default();
        assert_eq!(
            seen,
            "the size query (out_ptr NULL, out_cap 0) gave VIX_STATUS_OK, out_len 0; the call \
             with out_cap 4097 succeeded and wrote 0 bytes (out_len 0)"
        );
        // An empty output must be answered OK, not BUFFER_TOO_SMALL with 0, nor an error.
        assert!(blocks_mismatch(0, &too_small(0), 0, 4096).is_some());
        let mut refused = obs(StatusCode::InvalidArg, 0);
        refused.message = Some(Message::Text(b"bad input".to_vec()));
        let seen = blocks_mismatch(8, &refused, 8, 4096).unwrap_or_default();
        assert!(
            seen.ends_with("gave VIX_STATUS_INVALID_ARG, out_len 0, message \"bad input\""),
            "{seen}"
        );
        let mut unwritten = too_small(8);
        unwritten.out_len = Some(SENTINEL_LEN);
        assert!(blocks_mismatch(8, &unwritten, 8, 4096).is_some());
    }

    #[test]
    fn blocks_expected_gives_the_formula_and_the_declaring_entry() {
        let declared = DeclaredBlocks {
            input: 2,
            output: 1,
            entries: vec!["hex_decode".into()],
        };
        assert_eq!(
            blocks_expected(&declared, 1, 1),
            "1 byte = 1 * ceil(1 / 2), as \"output_blocks\": {\"in\": 2, \"out\": 1} of \
             python.api entry \"hex_decode\" declares: the size query gives \
             VIX_STATUS_BUFFER_TOO_SMALL, out_len 1, a successful call out_len 1"
        );
        assert!(blocks_expected(&declared, 0, 0).contains(
            "the size query gives VIX_STATUS_OK, out_len 0, a successful call out_len 0"
        ));
    }
}
