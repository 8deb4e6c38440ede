//! Rules for functions of typed signatures (ABI v1.1) that are not of the operation
//! shape: any inputs, one output (bytes, text, a scalar or none), the status last.
//!
//! What to call, and which rules apply, follow from the signature alone: a buffer output
//! gets the sizing rules of v1.0, a scalar output the `scalar-output` rule, a text output
//! `str-utf8`; every function gets the status rules, the NULL-pointer rules for the
//! pointers it has, determinism, threads, and its scalar parameters' extreme values.

use std::collections::BTreeSet;
use std::sync::Mutex;

use vix_ffi::StatusCode;
use vix_ffi_gen::manifest::{ClassId, Output, ParamType, Scalar};

use super::dynamic::{Call, Callee, Seen};
use super::ffi::{code_name, Message, Out, MAX_ALLOC, SENTINEL_CODE, SENTINEL_LEN};
use super::memory::{churn_heap, Canary};
use super::operation::{
    after_failure, freed_message, leak, FAILURE_ALLOCATIONS, FAILURE_INPUTS, FAILURE_REFUSED,
    FREED_EXPECTED, LEAK_CALLS, LEAK_WARMUP,
};
use super::{step, Findings};
use crate::corpus::Input;
use crate::protocol::{Done, Replay};
use crate::rules::Rule;
use crate::values::Value;

/// What the rules run on.
pub struct Ctx {
    /// The function's manifest name.
    pub function: String,
    /// The function.
    pub callee: Callee,
    /// The ordinary argument lists.
    pub cases: Vec<Vec<Value>>,
    /// Each scalar parameter at its extremes: (the parameter, the arguments).
    pub extremes: Vec<(usize, Vec<Value>)>,
    /// Each buffer parameter at every input of the corpus, large ones included.
    pub buffers: Vec<Vec<Value>>,
    /// Each buffer parameter at lengths around vector and page sizes: (the parameter,
    /// the arguments).
    pub boundary: Vec<(usize, Vec<Value>)>,
    /// `--iterations`: scales repetition.
    pub iterations: u32,
    /// Whether the message rules also make the NULL-pointer calls (`null-args` made them
    /// without a crash).
    pub null_calls: bool,
    /// The seed (fuzz mutations).
    pub seed: u64,
    /// How long fuzz mutates argument lists, in milliseconds.
    pub fuzz_ms: u64,
    /// fuzz on this one argument list only.
    pub replay: Option<Replay>,
}

/// Threads of the `threads` rule.
const THREADS: usize = 4;
/// Capacity used when the size query gives nothing usable.
const FALLBACK_CAP: usize = 64;
/// Largest queried size no-overflow tests.
const MAX_GUARDED: usize = 16 << 20;

const OK: i32 = StatusCode::Ok as i32;
const TOO_SMALL: i32 = StatusCode::BufferTooSmall as i32;
const INVALID_ARG: i32 = StatusCode::InvalidArg as i32;

/// The highest status code of ABI v1.0, and the first code a library may define.
const LAST_ABI_CODE: i32 = StatusCode::NotSupported as i32;
const FIRST_LIBRARY_CODE: i32 = 1000;

/// A size query and a call with a generous buffer (for a buffer output), or the one call
/// (for any other).
struct Probe {
    query: Option<(String, Seen)>,
    full: Seen,
    full_cap: usize,
}

impl Probe {
    /// The output size of a buffer output, or 0, when the call succeeded.
    fn accepted(&self) -> Option<usize> {
        if !self.full.obs.ok() {
            return None;
        }
        match self.full.obs.out_len {
            None => Some(0),
            Some(m) => Some(m).filter(|&m| m <= self.full_cap),
        }
    }

    /// What a second probe must reproduce.
    fn key(&self, message: bool) -> impl PartialEq + '_ {
        let q = self
            .query
            .as_ref()
            .map(|(_, s)| (s.obs.code, s.obs.out_len));
        let f = &self.full;
        let m = if message {
            f.obs.message.as_ref()
        } else {
            None
        };
        let handle = f.handle.map(|_| f.handle_given());
        (
            q,
            f.obs.code,
            f.obs.out_len,
            &f.obs.output,
            f.value,
            handle,
            m,
        )
    }
}

struct Runner<'a> {
    ctx: &'a Ctx,
}

impl Runner<'_> {
    fn buffer_out(&self) -> bool {
        self.ctx.callee.sig.output.is_buffer()
    }

    fn describe(&self, values: &[Value], call: Call) -> String {
        let callee = &self.ctx.callee;
        let sig = &callee.sig;
        let object = |c: ClassId| {
            let name = callee.life(c.0).map_or("object", |l| l.name.as_str());
            format!("a new {name}")
        };
        let mut parts: Vec<String> = Vec::new();
        if let Some(c) = sig.receiver {
            parts.push(match (call.null_self, call.this) {
                (true, _) => "self NULL".into(),
                (false, Some(_)) => "self".into(),
                (false, None) => format!("self={}", object(c)),
            });
        }
        parts.extend(
            sig.params
                .iter()
                .zip(values)
                .enumerate()
                .map(|(i, (p, v))| {
                    if let ParamType::Object(c) = p.ty {
                        return if call.null_object == Some(i) {
                            format!("{} NULL", p.name)
                        } else {
                            format!("{}={}", p.name, object(c))
                        };
                    }
                    let null = if call.null_input == Some(i) {
                        format!(" with {}_ptr NULL", p.name)
                    } else {
                        String::new()
                    };
                    format!("{}={}{null}", p.name, v.show())
                }),
        );
        if self.buffer_out() {
            parts.push(call.out.show());
            if call.null_out_len {
                parts.push("out_len NULL".into());
            }
        }
        if call.null_out_value {
            parts.push("out_value NULL".into());
        }
        if call.null_out_handle {
            parts.push("out_handle NULL".into());
        }
        if call.null_status {
            parts.push("out_status NULL".into());
        }
        format!("{}({})", self.ctx.function, parts.join(", "))
    }

    /// Announces the call, then makes it.
    fn call(&self, values: &[Value], call: Call) -> (String, Seen) {
        let desc = self.describe(values, call);
        step(format!("calling {desc}"));
        let seen = self.ctx.callee.call(values, call);
        (desc, seen)
    }

    fn quiet(&self, values: &[Value], call: Call, announce: bool) -> (String, Seen) {
        if announce {
            self.call(values, call)
        } else {
            (String::new(), self.ctx.callee.call(values, call))
        }
    }

    /// A capacity that fits any plausible output: twice the queried size, or four times
    /// the inputs, and 4 KiB more.
    fn generous(&self, values: &[Value], queried: Option<usize>) -> usize {
        let inputs: usize = values
            .iter()
            .filter_map(Value::buffer)
            .map(|b| b.bytes.len())
            .sum();
        queried
            .unwrap_or(0)
            .saturating_mul(2)
            .saturating_add(4096)
            .max(inputs.saturating_mul(4).saturating_add(4096))
            .min(MAX_ALLOC)
    }

    fn probe(&self, values: &[Value], announce: bool) -> Probe {
        if !self.buffer_out() {
            let (_, full) = self.quiet(values, Call::cap(0), announce);
            return Probe {
                query: None,
                full,
                full_cap: 0,
            };
        }
        let (query_desc, query) = self.quiet(values, Call::query(), announce);
        let queried = query.obs.too_small().then(|| query.obs.len()).flatten();
        let mut full_cap = self.generous(values, queried);
        let (_, mut full) = self.quiet(values, Call::cap(full_cap), announce);
        if let Some(need) = full.obs.too_small().then(|| full.obs.len()).flatten() {
            if need > full_cap && need <= MAX_ALLOC {
                full_cap = need;
                full = self.quiet(values, Call::cap(full_cap), announce).1;
            }
        }
        Probe {
            query: Some((query_desc, query)),
            full,
            full_cap,
        }
    }

    /// Every call of the contract for one argument list: for a buffer output the size
    /// query, a generous call and a one-short call; otherwise the one call. `visit` sees
    /// each right after it returns.
    fn contract_calls(&self, values: &[Value], visit: &mut dyn FnMut(&str, &Seen)) {
        if !self.buffer_out() {
            let (desc, seen) = self.call(values, Call::cap(0));
            visit(&desc, &seen);
            return;
        }
        let (desc, query) = self.call(values, Call::query());
        visit(&desc, &query);
        let queried = query.obs.too_small().then(|| query.obs.len()).flatten();
        let (desc, full) = self.call(values, Call::cap(self.generous(values, queried)));
        visit(&desc, &full);
        if let Some(n) = queried.filter(|&n| n > 0 && n <= MAX_ALLOC) {
            let (desc, short) = self.call(values, Call::cap(n - 1));
            visit(&desc, &short);
        }
    }

    /// An ordinary argument list for the NULL checks: the first case without an empty
    /// buffer (else the first case), with any empty buffer given bytes, so that a NULL
    /// pointer beside it has a non-zero length.
    fn ordinary_values(&self) -> Option<Vec<Value>> {
        let mut values = self
            .ctx
            .cases
            .iter()
            .find(|c| {
                c.iter()
                    .all(|v| v.buffer().is_none_or(|b| !b.bytes.is_empty()))
            })
            .or_else(|| self.ctx.cases.first())?
            .clone();
        for (i, _) in self.ctx.callee.sig.buffer_params() {
            if values[i].buffer().is_none_or(|b| b.bytes.is_empty()) {
                values[i] = Value::Buffer(Input {
                    label: "text".into(),
                    bytes: b"hello, world".to_vec(),
                    null_ptr: false,
                });
            }
        }
        Some(values)
    }

    /// The calls that must give `VIX_STATUS_INVALID_ARG`, on one argument list: each
    /// buffer input's pointer NULL with a non-zero length, and each NULL output pointer
    /// (`out_len` with and without a buffer, `out_ptr` with a capacity, `out_value`).
    fn null_calls(&self) -> Option<(Vec<Value>, Vec<Call>)> {
        let sig = &self.ctx.callee.sig;
        let values = self.ordinary_values()?;
        let mut calls = Vec::new();
        for (i, _) in sig.buffer_params() {
            calls.push(Call {
                null_input: Some(i),
                ..Call::cap(FALLBACK_CAP)
            });
        }
        for (i, p) in sig.params.iter().enumerate() {
            if matches!(p.ty, ParamType::Object(_)) && !p.optional {
                calls.push(Call {
                    null_object: Some(i),
                    ..Call::cap(FALLBACK_CAP)
                });
            }
        }
        match sig.output {
            Output::Bytes | Output::Str => {
                calls.push(Call {
                    null_out_len: true,
                    ..Call::query()
                });
                calls.push(Call {
                    null_out_len: true,
                    ..Call::cap(FALLBACK_CAP)
                });
                calls.push(Call {
                    out: Out::Null(FALLBACK_CAP),
                    ..Call::cap(0)
                });
            }
            Output::Scalar(_) => calls.push(Call {
                null_out_value: true,
                ..Call::cap(0)
            }),
            Output::Object(_) => calls.push(Call {
                null_out_handle: true,
                ..Call::cap(0)
            }),
            Output::None | Output::This => {}
        }
        (!calls.is_empty()).then_some((values, calls))
    }

    /// A method's calls with `self = NULL`, every other argument ordinary (the first
    /// argument list without an empty buffer, as for `null-args`) and every pointer
    /// given: for a buffer output the size query and a call with a buffer.
    fn null_self_calls(&self) -> Option<(Vec<Value>, Vec<Call>)> {
        self.ctx.callee.sig.receiver?;
        let values = self.ordinary_values().unwrap_or_default();
        let mut calls = vec![Call {
            null_self: true,
            ..Call::cap(FALLBACK_CAP)
        }];
        if self.buffer_out() {
            calls.insert(
                0,
                Call {
                    null_self: true,
                    ..Call::query()
                },
            );
        }
        Some((values, calls))
    }
}

/// Applies `rule` to the function of `ctx`.
pub fn run(rule: Rule, ctx: &Ctx) -> Done {
    let runner = Runner { ctx };
    if let Err(why) = ctx.callee.objects_ready() {
        // A method's self (or an object argument) cannot be made: only what needs no
        // object is checked.
        if rule != Rule::NullSelf {
            return Done::Skipped {
                reason: format!(
                    "{} needs an object the checker cannot make: {why}",
                    ctx.function
                ),
            };
        }
    }
    let mut findings = Findings::new();
    let f = &mut findings;
    let result = match rule {
        Rule::SizeQuery => size_query(&runner, f),
        Rule::OneShort => one_short(&runner, f),
        Rule::ExactCapacity => exact_capacity(&runner, f),
        Rule::NoOverflow => no_overflow(&runner, f),
        Rule::InputBounds => input_bounds(&runner),
        Rule::RcStatus => rc_status(&runner, f),
        Rule::StatusWritten => status_written(&runner, f),
        Rule::StatusRange => status_range(&runner, f),
        Rule::NullArgs => null_args(&runner, f),
        Rule::NullSelf => null_self(&runner, f),
        Rule::HandleOutput => handle_output(&runner, f),
        Rule::NullStatus => null_status(&runner, f),
        Rule::Deterministic => deterministic(&runner, f),
        Rule::MessageUtf8 => message_utf8(&runner, f),
        Rule::MessageLifetime => message_lifetime(&runner, f),
        Rule::Robustness => robustness(&runner),
        Rule::ExtremeValues => extreme_values(&runner),
        Rule::Threads => threads(&runner, f),
        Rule::Leaks => leaks(&runner, f),
        Rule::AllocationFailure => allocation_failure(&runner, f),
        Rule::Fuzz => fuzz(&runner, f),
        Rule::ScalarOutput => scalar_output(&runner, f),
        Rule::StrUtf8 => str_utf8(&runner, f),
        other => Err(format!(
            "{} does not apply to a function of a typed signature",
            other.name()
        )),
    };
    match result {
        Ok(seen) => Done::Checked {
            seen,
            violations: findings.count(),
        },
        Err(reason) => Done::Skipped { reason },
    }
}

/// An accepted argument list, its probe and its output size.
type Accepted<'a> = (&'a [Value], Probe, usize);

/// The argument lists the function accepts, probed, with their output size.
fn accepted<'a>(runner: &Runner<'a>) -> Result<Vec<Accepted<'a>>, String> {
    let mut out = Vec::new();
    let mut rejection = None;
    for values in &runner.ctx.cases {
        let probe = runner.probe(values, true);
        match probe.accepted() {
            Some(m) => out.push((values.as_slice(), probe, m)),
            None => {
                rejection.get_or_insert_with(|| {
                    format!(
                        "{}: {}",
                        runner.describe(values, Call::cap(probe.full_cap)),
                        probe.full.obs.show()
                    )
                });
            }
        }
    }
    if out.is_empty() {
        return Err(format!(
            "no accepted arguments found: the function rejected all {} argument lists \
             (first: {})",
            runner.ctx.cases.len(),
            rejection.unwrap_or_default()
        ));
    }
    Ok(out)
}

fn size_query(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let accepted = accepted(runner)?;
    for (_, probe, m) in &accepted {
        let Some((desc, query)) = &probe.query else {
            continue;
        };
        let m = *m;
        let good = if m > 0 {
            query.obs.too_small() && query.obs.len() == Some(m)
        } else {
            query.obs.ok() && query.obs.len() == Some(0)
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
            findings.add(desc.clone(), query.obs.show(), expected);
        }
    }
    Ok(format!(
        "size queries of {} accepted argument lists (of {})",
        accepted.len(),
        runner.ctx.cases.len()
    ))
}

/// The queried size of a probe, or the written one.
fn needed(probe: &Probe, m: usize) -> usize {
    probe
        .query
        .as_ref()
        .and_then(|(_, q)| q.obs.too_small().then(|| q.obs.len()).flatten())
        .unwrap_or(m)
}

fn one_short(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let accepted = accepted(runner)?;
    let mut tested = 0;
    for (values, probe, m) in &accepted {
        let n = needed(probe, *m);
        if n == 0 || n > MAX_ALLOC {
            continue;
        }
        tested += 1;
        let (desc, seen) = runner.call(values, Call::cap(n - 1));
        if !(seen.obs.too_small() && seen.obs.len() == Some(n)) {
            findings.add(
                desc,
                seen.obs.show(),
                format!("VIX_STATUS_BUFFER_TOO_SMALL, out_len {n} (the size query's answer)"),
            );
        }
    }
    if tested == 0 {
        return Err(format!(
            "every one of the {} accepted argument lists has an empty output",
            accepted.len()
        ));
    }
    Ok(format!(
        "out_cap one short for {tested} accepted argument lists"
    ))
}

fn exact_capacity(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let accepted = accepted(runner)?;
    let mut tested = 0;
    for (values, probe, m) in &accepted {
        let n = needed(probe, *m);
        if n > MAX_ALLOC {
            continue;
        }
        tested += 1;
        let (desc, seen) = runner.call(values, Call::cap(n));
        if !(seen.obs.ok() && seen.obs.len() == Some(n)) {
            findings.add(
                desc,
                seen.obs.show(),
                format!("VIX_STATUS_OK, out_len {n} (the size query's answer)"),
            );
        } else if let Some((seen, expected)) =
            super::operation::other_bytes(&seen.obs.output, &probe.full.obs.output, probe.full_cap)
        {
            findings.add(desc, seen, expected);
        }
    }
    Ok(format!(
        "out_cap equal to the queried size for {tested} accepted argument lists"
    ))
}

fn no_overflow(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut calls = 0;
    for values in &runner.ctx.cases {
        let (_, query) = runner.call(values, Call::query());
        let n = if query.obs.too_small() {
            query
                .obs
                .len()
                .filter(|&n| n <= MAX_GUARDED)
                .unwrap_or(FALLBACK_CAP)
        } else if query.obs.ok() {
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
            let call = Call {
                out: Out::Raw(canary.ptr(), cap),
                ..Call::cap(cap)
            };
            let (desc, _) = runner.call(values, call);
            calls += 1;
            if let Some(damage) = canary.damage() {
                findings.add(desc, damage, "no byte written outside out_ptr[0..out_cap]");
            }
            #[cfg(unix)]
            if let Some(page) = super::memory::GuardPage::new(cap) {
                let call = Call {
                    out: Out::Raw(page.ptr(), cap),
                    ..Call::cap(cap)
                };
                let desc = runner.describe(values, call);
                step(format!(
                    "calling {desc} with the buffer ending at an inaccessible page (a write \
                     past out_cap faults)"
                ));
                runner.ctx.callee.call(values, call);
                calls += 1;
            }
        }
    }
    Ok(format!(
        "{calls} calls on {} argument lists with guard bytes around the buffer and a guard \
         page after it",
        runner.ctx.cases.len()
    ))
}

/// Each buffer input of every argument list (the ordinary ones, the corpus with the
/// large inputs, and lengths around vector and page sizes), in turn copied against an
/// inaccessible page after it, then before it: a read outside its bytes faults, and the
/// parent reports the call announced last.
fn input_bounds(runner: &Runner) -> Result<String, String> {
    let sig = &runner.ctx.callee.sig;
    let buffers: Vec<usize> = sig.buffer_params().map(|(i, _)| i).collect();
    let mut lists: Vec<(usize, &[Value])> = Vec::new();
    for values in runner.ctx.cases.iter().chain(&runner.ctx.buffers) {
        lists.extend(buffers.iter().map(|&i| (i, values.as_slice())));
    }
    lists.extend(runner.ctx.boundary.iter().map(|(i, v)| (*i, v.as_slice())));
    let mut calls = 0;
    for &(i, values) in &lists {
        let Some(input) = values[i].buffer().filter(|b| !b.null_ptr) else {
            continue;
        };
        let cap = if runner.buffer_out() {
            let (_, query) = runner.call(values, Call::query());
            let queried = query.obs.too_small().then(|| query.obs.len()).flatten();
            runner.generous(values, queried)
        } else {
            0
        };
        #[cfg(unix)]
        for side in super::memory::Side::BOTH {
            let Some(guarded) = super::memory::GuardedInput::new(&input.bytes, side) else {
                continue;
            };
            let mut tried = vec![Call::cap(cap)];
            if runner.buffer_out() {
                tried.insert(0, Call::query());
            }
            for call in tried {
                let call = Call {
                    input_at: Some((i, guarded.ptr())),
                    ..call
                };
                let desc = runner.describe(values, call);
                let name = format!("{} (of {} bytes)", sig.params[i].name, input.bytes.len());
                step(format!("calling {desc} with {}", side.describe(&name)));
                runner.ctx.callee.call(values, call);
                calls += 1;
            }
        }
    }
    Ok(format!(
        "{calls} calls with each of {} buffer input(s) placed against an inaccessible page \
         after it, then before it ({} argument lists, lengths around vector and page sizes \
         and 1 MiB among them)",
        buffers.len(),
        lists.len()
    ))
}

fn rc_status(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut checked = 0;
    for values in &runner.ctx.cases {
        runner.contract_calls(values, &mut |desc, seen| {
            let Some(code) = seen.obs.code.filter(|&c| c != SENTINEL_CODE) else {
                return;
            };
            checked += 1;
            if (seen.obs.rc == 0) != (code == OK) {
                findings.add(
                    desc,
                    format!("return value {} with {}", seen.obs.rc, code_name(code)),
                    "return value 0 if and only if VIX_STATUS_OK",
                );
            }
        });
    }
    Ok(format!("{checked} calls with a written status"))
}

fn status_written(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut checked = 0;
    let buffer = runner.buffer_out();
    for values in &runner.ctx.cases {
        runner.contract_calls(values, &mut |desc, seen| {
            checked += 1;
            let obs = &seen.obs;
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
            } else if buffer && (code == OK || code == TOO_SMALL) && !len_written {
                findings.add(
                    desc,
                    format!("{} but out_len not written", code_name(code)),
                    "out_len set on success and to the size needed on \
                     VIX_STATUS_BUFFER_TOO_SMALL",
                );
            } else if code != OK && obs.message == Some(Message::NotWritten) {
                findings.add(
                    desc,
                    format!("{} but the message was not written", code_name(code)),
                    "the whole status written, message included (an empty message is fine)",
                );
            }
        });
    }
    Ok(format!("{checked} calls with a pre-filled status"))
}

/// Whether `code` may come out of a call: an ABI v1.0 code (0 to 4) or a library code
/// (1000 and above). 5 to 999 and negative codes are reserved for later ABI versions.
pub fn legal_code(code: i32) -> bool {
    (0..=LAST_ABI_CODE).contains(&code) || code >= FIRST_LIBRARY_CODE
}

/// The expectation of `status-range` for a code outside it.
pub const RANGE_EXPECTED: &str =
    "a status code of ABI v1 (0 to 4) or of the library (1000 and above); 5 to 999 and \
     negative codes are reserved for later ABI versions";

fn status_range(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut codes = BTreeSet::new();
    for values in &runner.ctx.cases {
        runner.contract_calls(values, &mut |desc, seen| {
            let Some(code) = seen.obs.code.filter(|&c| c != SENTINEL_CODE) else {
                return;
            };
            codes.insert(code);
            if !legal_code(code) {
                findings.add(desc, seen.obs.show(), RANGE_EXPECTED);
            }
        });
    }
    let shown: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    Ok(format!(
        "{} argument lists, status codes seen: {}",
        runner.ctx.cases.len(),
        if shown.is_empty() {
            "none".to_owned()
        } else {
            shown.join(", ")
        }
    ))
}

fn null_args(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let Some((values, calls)) = runner.null_calls() else {
        return Err("the function takes no pointer that may be NULL".into());
    };
    for call in &calls {
        let (desc, seen) = runner.call(&values, *call);
        if seen.obs.code != Some(INVALID_ARG) {
            findings.add(desc, seen.obs.show(), "VIX_STATUS_INVALID_ARG");
        }
    }
    let what: Vec<String> = calls
        .iter()
        .map(|c| {
            let sig = &runner.ctx.callee.sig;
            if let Some(i) = c.null_input {
                format!("{}_ptr NULL", sig.params[i].name)
            } else if c.null_out_len {
                format!("out_len NULL ({})", c.out.show())
            } else if c.null_out_value {
                "out_value NULL".into()
            } else if let Some(i) = c.null_object {
                format!("{} NULL", sig.params[i].name)
            } else if c.null_out_handle {
                "out_handle NULL".into()
            } else {
                c.out.show()
            }
        })
        .collect();
    Ok(what.join(", "))
}

/// `self = NULL`, every other argument ordinary (and every pointer given): the first
/// argument list without an empty buffer, as for `null-args`; for a buffer output the
/// size query too.
fn null_self(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let (Some(life), Some((values, calls))) =
        (runner.ctx.callee.receiver(), runner.null_self_calls())
    else {
        return Err("the function is not a method".into());
    };
    for call in &calls {
        let (desc, seen) = runner.call(&values, *call);
        if seen.obs.code != Some(INVALID_ARG) || seen.obs.rc == 0 {
            let mut shown = seen.obs.show();
            if seen.obs.ok() {
                shown.push_str(": the method went on without an object");
            }
            findings.add(
                desc,
                shown,
                format!(
                    "VIX_STATUS_INVALID_ARG with a non-zero return value: check self for NULL \
                     first in every method of {} (vix_ffi.hpp's *_method helpers and \
                     #[vix_ffi::export] do)",
                    life.name
                ),
            );
        }
    }
    Ok(format!(
        "{} call(s) with self NULL gave VIX_STATUS_INVALID_ARG",
        calls.len()
    ))
}

/// What is wrong with `*out_handle` after a call, if anything: not a handle on success,
/// or one written on an error.
fn handle_problem(seen: &Seen) -> Option<String> {
    let raw = seen.handle?;
    let code = seen.obs.code.filter(|&c| c != SENTINEL_CODE)?;
    let written = raw != super::dynamic::SENTINEL_HANDLE;
    if code == OK && !seen.handle_given() {
        return Some(if written {
            "VIX_STATUS_OK with out_handle set to NULL".into()
        } else {
            "VIX_STATUS_OK but out_handle not written (the pre-filled sentinel is still \
             there)"
                .into()
        });
    }
    if code != OK && written && raw != 0 {
        return Some(format!(
            "{}, and out_handle set to {raw:#x}: a caller told of an error owns no object, \
             and one that releases what it finds there frees what it was not given",
            code_name(code)
        ));
    }
    None
}

/// A new object on every success, nothing on every error: over the ordinary arguments
/// (some of which a constructor may refuse) and the extremes.
fn handle_output(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let (mut given, mut refused) = (0, 0);
    let lists = runner
        .ctx
        .cases
        .iter()
        .chain(runner.ctx.extremes.iter().map(|(_, v)| v));
    for values in lists {
        let (desc, seen) = runner.call(values, Call::cap(0));
        match seen.obs.code {
            Some(OK) => given += 1,
            Some(c) if c != SENTINEL_CODE => refused += 1,
            _ => {}
        }
        if let Some(problem) = handle_problem(&seen) {
            findings.add(desc, problem, Rule::HandleOutput.expectation());
        }
    }
    Ok(format!(
        "{given} calls gave a new object, {refused} refused their arguments with an error \
         status and left out_handle NULL"
    ))
}

fn null_status(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut calls = 0;
    for values in &runner.ctx.cases {
        let probe = runner.probe(values, true);
        let mut cases = vec![(Call::cap(probe.full_cap), &probe.full)];
        if let Some((_, query)) = &probe.query {
            cases.insert(0, (Call::query(), query));
        }
        for (call, with_status) in cases {
            let call = Call {
                null_status: true,
                ..call
            };
            let (desc, seen) = runner.call(values, call);
            calls += 1;
            let shown = |s: &Seen| {
                let mut text = format!("return value {}", s.obs.rc);
                if let Some(len) = s.obs.out_len {
                    text.push_str(&format!(", {}", show_len(len)));
                }
                if let Some(v) = s.value {
                    text.push_str(&format!(", out_value {}", runner.ctx.callee.show_value(v)));
                }
                text
            };
            if seen.obs.rc != with_status.obs.rc
                || seen.obs.out_len != with_status.obs.out_len
                || seen.value != with_status.value
            {
                findings.add(
                    desc,
                    shown(&seen),
                    format!(
                        "{} (what the same call with a status gave)",
                        shown(with_status)
                    ),
                );
            }
        }
    }
    Ok(format!("{calls} calls with out_status NULL"))
}

fn show_len(len: usize) -> String {
    if len == SENTINEL_LEN {
        "out_len not written".into()
    } else {
        format!("out_len {len}")
    }
}

/// For reports: the status, `out_len`, the output's first bytes and `out_value`.
fn show_seen(runner: &Runner, seen: &Seen) -> String {
    let mut s = seen.obs.show();
    if seen.obs.ok() && runner.buffer_out() {
        let shown = &seen.obs.output[..seen.obs.output.len().min(24)];
        s.push_str(&format!(", output b\"{}\"", shown.escape_ascii()));
        if seen.obs.output.len() > 24 {
            s.push_str("...");
        }
    }
    if let Some(v) = seen.value {
        s.push_str(&format!(", out_value {}", runner.ctx.callee.show_value(v)));
    }
    s
}

/// `(seen, expected)`: what two probes of the same arguments showed.
fn differences(runner: &Runner, seen: &Probe, expected: &Probe) -> (String, String) {
    let mut parts = (Vec::new(), Vec::new());
    if let (Some((_, a)), Some((_, b))) = (&seen.query, &expected.query) {
        if (a.obs.code, a.obs.out_len) != (b.obs.code, b.obs.out_len) {
            parts.0.push(format!("size query: {}", a.obs.show()));
            parts.1.push(format!("size query: {}", b.obs.show()));
        }
    }
    parts.0.push(show_seen(runner, &seen.full));
    parts.1.push(show_seen(runner, &expected.full));
    (parts.0.join("; "), parts.1.join("; "))
}

fn deterministic(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let cases = &runner.ctx.cases;
    let first: Vec<Probe> = cases.iter().map(|v| runner.probe(v, true)).collect();
    for (values, before) in cases.iter().zip(&first).rev() {
        let again = runner.probe(values, true);
        if again.key(false) != before.key(false) {
            let (seen, expected) = differences(runner, &again, before);
            findings.add(
                format!(
                    "{}, called again",
                    runner.describe(values, Call::cap(again.full_cap))
                ),
                seen,
                format!("{expected} (what the first call gave)"),
            );
        }
    }
    Ok(format!(
        "{} argument lists, each twice with other calls in between",
        first.len()
    ))
}

/// The calls the message rules read: every contract call of the ordinary arguments, then
/// the NULL-pointer calls (where a library most surely writes an error message) when
/// `null-args` made them without a crash.
fn message_calls(runner: &Runner, visit: &mut dyn FnMut(&str, &Seen)) {
    for values in &runner.ctx.cases {
        runner.contract_calls(values, visit);
    }
    if !runner.ctx.null_calls {
        return;
    }
    if let Some((values, calls)) = runner.null_calls() {
        for call in calls {
            let (desc, seen) = runner.call(&values, call);
            visit(&desc, &seen);
        }
    }
    if let Some((values, calls)) = runner.null_self_calls() {
        for call in calls {
            let (desc, seen) = runner.call(&values, call);
            visit(&desc, &seen);
        }
    }
}

/// Why a message rule found nothing to read.
fn no_message(runner: &Runner, what: &str) -> String {
    let null_calls = runner.null_calls().is_some() || runner.null_self_calls().is_some();
    if null_calls && !runner.ctx.null_calls {
        let rules = if runner.ctx.callee.sig.receiver.is_some() {
            "null-args or null-self"
        } else {
            "null-args"
        };
        format!(
            "no call with ordinary arguments returned a non-empty {what} message, and the \
             NULL-pointer calls were left out: they crashed under {rules}"
        )
    } else {
        format!("no call returned a non-empty {what} message")
    }
}

fn message_utf8(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut messages = 0;
    message_calls(runner, &mut |desc, seen| {
        let Some(message) = &seen.obs.message else {
            return;
        };
        if matches!(message, Message::NotWritten | Message::Empty) {
            return;
        }
        messages += 1;
        if let Some(problem) = message.problem() {
            findings.add(
                desc,
                format!(
                    "{} message: {problem}",
                    code_name(seen.obs.code.unwrap_or(0))
                ),
                "valid UTF-8 of the stated length, no NUL",
            );
        }
    });
    if messages == 0 {
        return Err(no_message(runner, "status"));
    }
    Ok(format!("{messages} non-empty status messages"))
}

fn message_lifetime(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let mut messages = 0;
    message_calls(runner, &mut |desc, seen| {
        let (Some(Message::Text(first)), Some((ptr, len))) =
            (&seen.obs.message, seen.obs.message_view)
        else {
            return;
        };
        if seen.obs.ok() {
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
        // SAFETY: the view the library wrote; the contract keeps it valid until the next
        // call on this thread, and none was made. If it dangles, this read may fault,
        // which the parent reports.
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
    if messages == 0 {
        return Err(no_message(runner, "error"));
    }
    Ok(format!(
        "{messages} error messages re-read after heap churn"
    ))
}

fn leaks(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    if !super::shim::loaded() {
        return Err(super::shim::NOT_LOADED.into());
    }
    step(format!(
        "making and releasing the objects {} needs, counting what stays allocated",
        runner.ctx.function
    ));
    if let Some(why) = objects_leak(runner) {
        return Err(why);
    }
    let mut lists = 0;
    for values in &runner.ctx.cases {
        let probe = runner.probe(values, true);
        runner.probe(values, false);
        let call = Call::cap(probe.full_cap);
        let desc = runner.describe(values, call);
        step(format!(
            "calling {desc} {LEAK_CALLS} times, counting what stays allocated"
        ));
        super::shim::take_balance();
        let (mut bytes, mut blocks, mut positive) = (0, 0, 0);
        for _ in 0..LEAK_CALLS {
            runner.ctx.callee.call(values, call);
            let (b, k) = super::shim::take_balance();
            bytes += b;
            blocks += k;
            positive += i64::from(b > 0);
        }
        lists += 1;
        if let Some(seen) = leak(&leak_subject(runner), bytes, blocks, positive) {
            findings.add(
                desc,
                seen,
                "every call frees what it allocates (a fixed amount cached once is fine)",
            );
        }
    }
    Ok(format!(
        "{lists} argument lists, each called {LEAK_CALLS} times after {LEAK_WARMUP} warm-up \
         calls, left no memory allocated per call"
    ))
}

/// Who leaks, in a `leaks` finding: the function, and for one that involves objects the
/// cycle each call is (the objects it needs made, those it returns released).
fn leak_subject(runner: &Runner) -> String {
    let callee = &runner.ctx.callee;
    let mut parts = Vec::new();
    for c in needed_classes(callee) {
        if let Some(l) = callee.life(c.0) {
            parts.push(format!(
                "with a {} made by {} and released by {} for each call",
                l.name,
                l.maker_call(),
                l.free_symbol
            ));
        }
    }
    if let Output::Object(c) = callee.sig.output {
        if let Some(l) = callee.life(c.0) {
            parts.push(format!(
                "each {} it returns released by {}",
                l.name, l.free_symbol
            ));
        }
    }
    if parts.is_empty() {
        return runner.ctx.function.clone();
    }
    format!("{} ({})", runner.ctx.function, parts.join("; "))
}

/// The classes a call needs objects of (`self`, object parameters), each once.
fn needed_classes(callee: &Callee) -> Vec<ClassId> {
    let params = callee.sig.params.iter().filter_map(|p| match p.ty {
        ParamType::Object(c) => Some(c),
        _ => None,
    });
    let mut classes: Vec<ClassId> = callee.sig.receiver.into_iter().chain(params).collect();
    classes.sort();
    classes.dedup();
    classes
}

/// Whether making and releasing the objects a call needs leaks on its own: then the
/// leak is the class's (reported under its constructor and the class), not the call's.
fn objects_leak(runner: &Runner) -> Option<String> {
    let callee = &runner.ctx.callee;
    for c in needed_classes(callee) {
        let life = callee.life(c.0)?;
        let cycle = || life.make().map(|h| life.free(h)).is_ok();
        for _ in 0..LEAK_WARMUP {
            cycle();
        }
        super::shim::take_balance();
        let (mut bytes, mut blocks, mut positive) = (0, 0, 0);
        for _ in 0..LEAK_CALLS {
            cycle();
            let (b, k) = super::shim::take_balance();
            bytes += b;
            blocks += k;
            positive += i64::from(b > 0);
        }
        let who = format!("{} then {}", life.maker_call(), life.free_symbol);
        if let Some(seen) = leak(&who, bytes, blocks, positive) {
            return Some(format!(
                "not measured: making and releasing the {} it needs already leaks ({seen}); \
                 see the leaks of the class {} and of its constructor",
                life.name, life.name
            ));
        }
    }
    None
}

fn allocation_failure(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    if !super::shim::loaded() {
        return Err(super::shim::NOT_LOADED.into());
    }
    let (mut chosen, mut taken, mut refused) = (Vec::new(), 0, 0);
    for values in &runner.ctx.cases {
        let probe = runner.probe(values, true);
        if probe.accepted().is_some() {
            if taken < FAILURE_INPUTS {
                taken += 1;
                chosen.push((values, probe.full_cap));
            }
        } else if refused < FAILURE_REFUSED {
            refused += 1;
            chosen.push((values, probe.full_cap));
        }
    }
    let (mut calls, mut failed, mut most) = (0, 0, 0);
    for (values, full_cap) in chosen {
        let mut tried = vec![Call::cap(full_cap)];
        if runner.buffer_out() {
            tried.insert(0, Call::query());
        }
        for call in tried {
            let reference = runner.ctx.callee.call(values, call);
            let n = super::shim::last().map_or(0, |s| s.allocations);
            most = most.max(n);
            calls += 1;
            for k in 1..=n.min(FAILURE_ALLOCATIONS) {
                let desc = runner.describe(values, call);
                step(format!(
                    "calling {desc} with allocation {k} of the {n} it makes failing (malloc \
                     returns NULL, operator new throws std::bad_alloc)"
                ));
                let seen = super::shim::failing(k, || runner.ctx.callee.call(values, call));
                failed += 1;
                let size = super::shim::last().map_or(0, |s| s.failed_size);
                let wrong = after_failure(&seen.obs, &reference.obs).or_else(|| {
                    (seen.obs.ok() && seen.value != reference.value).then(|| {
                        format!(
                            "VIX_STATUS_OK with out_value {} where a call without the failure \
                             gave {}",
                            runner.ctx.callee.show_value(seen.value.unwrap_or_default()),
                            runner
                                .ctx
                                .callee
                                .show_value(reference.value.unwrap_or_default())
                        )
                    })
                });
                if let Some(wrong) = wrong {
                    findings.add(
                        format!("{desc}, allocation {k} of {n} ({size} bytes) failing"),
                        wrong,
                        "an error status (VIX_STATUS_ERROR or the library's own code) with a \
                         non-zero return value, or the result of a call without the failure",
                    );
                }
            }
        }
    }
    if failed == 0 {
        return Ok(format!(
            "{calls} calls of {taken} accepted and {refused} refused argument lists made no \
             allocation: nothing to fail"
        ));
    }
    Ok(format!(
        "{failed} calls with one allocation failing ({calls} calls of {taken} accepted and \
         {refused} refused argument lists, up to {most} allocations per call, the first \
         {FAILURE_ALLOCATIONS} of each tried)"
    ))
}

/// A breach of the contract on one call of a typed function: `(seen, expected)`.
fn breach(runner: &Runner, seen: &Seen) -> Option<(String, String)> {
    let obs = &seen.obs;
    let code = obs.code.unwrap_or(SENTINEL_CODE);
    if code == SENTINEL_CODE {
        return Some((
            "status not written".into(),
            Rule::StatusWritten.expectation().into(),
        ));
    }
    if !legal_code(code) {
        return Some((code_name(code), RANGE_EXPECTED.into()));
    }
    if (obs.rc == 0) != obs.ok() {
        return Some((
            format!("return value {} with {}", obs.rc, code_name(code)),
            Rule::RcStatus.expectation().into(),
        ));
    }
    if let Some(problem) = obs.message.as_ref().and_then(Message::problem) {
        return Some((
            format!("message: {problem}"),
            Rule::MessageUtf8.expectation().into(),
        ));
    }
    if let Some(problem) = handle_problem(seen) {
        return Some((problem, Rule::HandleOutput.expectation().into()));
    }
    if matches!(runner.ctx.callee.sig.output, Output::Scalar(_)) && obs.ok() != seen.value_written()
    {
        return Some((
            format!(
                "{} with out_value {}",
                code_name(code),
                runner.ctx.callee.show_value(seen.value.unwrap_or_default())
            ),
            Rule::ScalarOutput.expectation().into(),
        ));
    }
    None
}

/// The contract on one argument list, as fuzz checks it: the first buffer input against
/// a guard page after it; for a buffer output the size query, then a call with exactly
/// the size it answered into a buffer with guard bytes; otherwise the one call.
fn fuzz_one(runner: &Runner, values: &[Value]) -> Option<(String, String, String)> {
    let sig = &runner.ctx.callee.sig;
    let first = sig.buffer_params().next().map(|(i, _)| i);
    #[cfg(unix)]
    let guarded = first.and_then(|i| {
        let input = values[i].buffer().filter(|b| !b.null_ptr)?;
        super::memory::GuardedInput::new(&input.bytes, super::memory::Side::After).map(|g| (i, g))
    });
    #[cfg(unix)]
    let at = guarded.as_ref().map(|(i, g)| (*i, g.ptr()));
    #[cfg(not(unix))]
    let at = {
        let _ = first;
        None
    };
    let with = |call: Call| Call {
        input_at: at,
        ..call
    };
    if !runner.buffer_out() {
        let (desc, seen) = runner.call(values, with(Call::cap(0)));
        return breach(runner, &seen).map(|(s, e)| (desc, s, e));
    }
    let (desc, query) = runner.call(values, with(Call::query()));
    if let Some((seen, expected)) = breach(runner, &query) {
        return Some((desc, seen, expected));
    }
    if query.obs.ok() && query.obs.len() != Some(0) {
        return Some((desc, query.obs.show(), Rule::SizeQuery.expectation().into()));
    }
    let n = query
        .obs
        .too_small()
        .then(|| query.obs.len())
        .flatten()
        .filter(|&n| n <= MAX_GUARDED)?;
    let mut canary = Canary::new(n);
    let call = with(Call {
        out: Out::Raw(canary.ptr(), n),
        ..Call::cap(n)
    });
    let (desc, seen) = runner.call(values, call);
    if let Some(damage) = canary.damage() {
        return Some((desc, damage, Rule::NoOverflow.expectation().into()));
    }
    if let Some((s, e)) = breach(runner, &seen) {
        return Some((desc, s, e));
    }
    if (seen.obs.ok() && seen.obs.len() != Some(n)) || seen.obs.too_small() {
        return Some((
            desc,
            seen.obs.show(),
            format!("VIX_STATUS_OK, out_len {n} (the size query's answer), or an error"),
        ));
    }
    None
}

/// `--fuzz`: mutated argument lists ([`crate::values::mutate`]), buffers and scalars
/// alike, one after the other for the time given, each announced by number, until one
/// breaches the contract; or the one list to replay (by its number, or given: a replay
/// from the command line, or a candidate of a reduction).
fn fuzz(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let ctx = runner.ctx;
    let sig = &ctx.callee.sig;
    let base = crate::values::fuzz_base(sig, ctx.seed, ctx.iterations);
    if let Some(replay) = &ctx.replay {
        let (values, which) = match replay {
            Replay::Number(i) => (
                crate::values::mutate(sig, &base, ctx.seed, *i),
                format!("fuzz argument list #{i}"),
            ),
            Replay::Args(values) => (values.clone(), "the replayed argument list".into()),
        };
        if values.len() != sig.params.len() {
            return Err(format!(
                "{which} has {} values for {} parameters",
                values.len(),
                sig.params.len()
            ));
        }
        if let Some((desc, seen, expected)) = fuzz_one(runner, &values) {
            findings.add(desc, seen, expected);
        }
        return Ok(format!("{which} kept the contract"));
    }
    let budget = std::time::Duration::from_millis(ctx.fuzz_ms);
    let start = std::time::Instant::now();
    let mut i = 0;
    while start.elapsed() < budget {
        let values = crate::values::mutate(sig, &base, ctx.seed, i);
        super::emit(&crate::protocol::Event::Fuzzing { iteration: i });
        if let Some((desc, seen, expected)) = fuzz_one(runner, &values) {
            findings.add(desc, seen, expected);
            break;
        }
        i += 1;
    }
    Ok(format!(
        "{i} mutated argument lists in {:.1} s (seed {}) kept the contract",
        start.elapsed().as_secs_f64(),
        ctx.seed
    ))
}

fn robustness(runner: &Runner) -> Result<String, String> {
    for values in &runner.ctx.buffers {
        runner.probe(values, true);
    }
    Ok(format!(
        "{} argument lists (each buffer input at the edge cases, {} random and 2 large \
         inputs of 1 MiB) without a crash or a hang",
        runner.ctx.buffers.len(),
        runner.ctx.iterations
    ))
}

fn extreme_values(runner: &Runner) -> Result<String, String> {
    let sig = &runner.ctx.callee.sig;
    let mut tried = BTreeSet::new();
    for (i, values) in &runner.ctx.extremes {
        tried.insert(sig.params[*i].name.clone());
        runner.probe(values, true);
    }
    let names: Vec<String> = tried.into_iter().collect();
    Ok(format!(
        "{} calls with {} at the limits of their types (0, -1, the minimum and maximum; NaN, \
         infinities and subnormals for double) without a crash or a hang",
        runner.ctx.extremes.len(),
        names.join(", ")
    ))
}

fn threads(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let cases = &runner.ctx.cases;
    step(format!(
        "calling {} on {} argument lists, single-threaded",
        runner.ctx.function,
        cases.len()
    ));
    let reference: Vec<Probe> = cases.iter().map(|v| runner.probe(v, false)).collect();
    let rounds = (runner.ctx.iterations as usize / 16).clamp(2, 8);
    step(format!(
        "{THREADS} threads calling {} on {} argument lists at once, {rounds} rounds each",
        runner.ctx.function,
        cases.len()
    ));
    let mismatches = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let (reference, mismatches) = (&reference, &mismatches);
            scope.spawn(move || {
                let n = cases.len();
                for round in 0..rounds {
                    for k in 0..n {
                        let i = (k + t * n / THREADS) % n;
                        let probe = runner.probe(&cases[i], false);
                        if probe.key(true) != reference[i].key(true) {
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
        let (seen, expected) = differences(runner, &probe, &reference[i]);
        findings.add(
            format!(
                "thread {t} of {THREADS}, round {round}: {}",
                runner.describe(&cases[i], Call::cap(probe.full_cap))
            ),
            seen,
            format!("{expected} (the single-threaded result)"),
        );
    }
    Ok(format!(
        "{THREADS} threads x {rounds} rounds over {} argument lists",
        cases.len()
    ))
}

/// `*out_value` is written on every success (a `bool` as 0 or 1) and left alone on every
/// failure: over the ordinary arguments, the extremes (where a library refuses what it
/// cannot compute) and, when `null-args` made them without a crash, NULL buffer inputs.
fn scalar_output(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let Output::Scalar(scalar) = runner.ctx.callee.sig.output else {
        return Err("the function has no scalar output".into());
    };
    let (mut successes, mut failures) = (0, 0);
    let mut check = |desc: &str, seen: &Seen| {
        let Some(code) = seen.obs.code.filter(|&c| c != SENTINEL_CODE) else {
            return;
        };
        let raw = seen.value.unwrap_or(super::dynamic::SENTINEL_VALUE);
        let shown = runner.ctx.callee.show_value(raw);
        if code == OK {
            successes += 1;
            if !seen.value_written() {
                findings.add(
                    desc,
                    "VIX_STATUS_OK but out_value not written (the pre-filled sentinel is \
                     still there)",
                    "out_value written on success",
                );
            } else if scalar == Scalar::Bool && raw.to_ne_bytes()[0] > 1 {
                findings.add(
                    desc,
                    format!("VIX_STATUS_OK, out_value {shown}"),
                    "a bool written as 0 or 1",
                );
            }
        } else {
            failures += 1;
            if seen.value_written() {
                findings.add(
                    desc,
                    format!("{}, and out_value written: {shown}", code_name(code)),
                    "out_value written on success only (left as it was on every error)",
                );
            }
        }
    };
    for values in &runner.ctx.cases {
        let (desc, seen) = runner.call(values, Call::cap(0));
        check(&desc, &seen);
    }
    for (_, values) in &runner.ctx.extremes {
        let (desc, seen) = runner.call(values, Call::cap(0));
        check(&desc, &seen);
    }
    let null_inputs = runner.null_calls().filter(|_| runner.ctx.null_calls);
    if let Some((values, calls)) = null_inputs {
        for call in calls.into_iter().filter(|c| c.null_input.is_some()) {
            let (desc, seen) = runner.call(&values, call);
            check(&desc, &seen);
        }
    }
    Ok(format!(
        "{successes} successful calls wrote out_value, {failures} failed calls left it alone"
    ))
}

/// Every successful `str` output is valid UTF-8: over the ordinary
/// arguments, whose text inputs are valid UTF-8 as the generated Python passes them.
fn str_utf8(runner: &Runner, findings: &mut Findings) -> Result<String, String> {
    let accepted = accepted(runner)?;
    let mut bytes = 0;
    for (values, probe, _) in &accepted {
        let output = &probe.full.obs.output;
        bytes += output.len();
        if let Err(e) = std::str::from_utf8(output) {
            let at = e.valid_up_to();
            let end = (at + 4).min(output.len());
            findings.add(
                runner.describe(values, Call::cap(probe.full_cap)),
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
    Ok(format!(
        "{} successful outputs ({bytes} bytes), all valid UTF-8",
        accepted.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::legal_code;

    #[test]
    fn library_codes_are_legal_and_reserved_ones_are_not() {
        for code in [0, 1, 4, 1000, 1234, i32::MAX] {
            assert!(legal_code(code), "{code}");
        }
        for code in [5, 999, -1, i32::MIN] {
            assert!(!legal_code(code), "{code}");
        }
    }
}
