//! Rules for a class as a whole (ABI v1.1 objects): `free(NULL)` is harmless,
//! create/call/free cycles leave no memory allocated, and threads that each use their
//! own object get what one thread gets.
//!
//! The methods are called through [`Callee`] as the typed rules call them, with the
//! class's own object passed as `self` ([`Call::this`]); object arguments and returned
//! objects are made and released by the callee.

use std::sync::Mutex;

use super::dynamic::{release_pending, Call, Callee, Life, Seen};
use super::ffi::MAX_ALLOC;
use super::operation::{leak_per, LEAK_CALLS, LEAK_WARMUP};
use super::{step, Findings};
use crate::protocol::Done;
use crate::rules::Rule;
use crate::values::Value;

/// One method of the class.
pub struct Method {
    /// Its name in reports (`Hasher.update`).
    pub name: String,
    /// The method.
    pub callee: Callee,
    /// Its ordinary argument lists.
    pub cases: Vec<Vec<Value>>,
}

/// What the rules run on.
pub struct Ctx {
    /// The class.
    pub life: Life,
    /// Its methods, in manifest order.
    pub methods: Vec<Method>,
    /// `--iterations`: scales repetition.
    pub iterations: u32,
}

/// Threads of `threads`, each with its own object.
const THREADS: usize = 4;

/// Applies `rule` to the class of `ctx`.
pub fn run(rule: Rule, ctx: &Ctx) -> Done {
    let mut findings = Findings::new();
    let result = match rule {
        Rule::FreeNull => free_null(ctx),
        Rule::Leaks => leaks(ctx, &mut findings),
        Rule::Threads => threads(ctx, &mut findings),
        other => Err(format!("{} does not apply to a class", other.name())),
    };
    match result {
        Ok(seen) => Done::Checked {
            seen,
            violations: findings.count(),
        },
        Err(reason) => Done::Skipped { reason },
    }
}

fn free_null(ctx: &Ctx) -> Result<String, String> {
    step(format!("calling {}(NULL)", ctx.life.free_symbol));
    ctx.life.free(0);
    Ok(format!("{}(NULL) returned", ctx.life.free_symbol))
}

/// The capacity a method's buffer output gets in a script: four times its inputs and
/// 4 KiB more.
fn capacity(values: &[Value]) -> usize {
    let inputs: usize = values
        .iter()
        .filter_map(Value::buffer)
        .map(|b| b.bytes.len())
        .sum();
    inputs.saturating_mul(4).saturating_add(4096).min(MAX_ALLOC)
}

/// What a call in a script showed, as compared between threads: the return value, the
/// status code, `out_len`, the output, `out_value`, whether an object came back.
type Key = (i32, Option<i32>, Option<usize>, Vec<u8>, Option<u64>, bool);

fn key(seen: &Seen) -> Key {
    (
        seen.obs.rc,
        seen.obs.code,
        seen.obs.out_len,
        seen.obs.output.clone(),
        seen.value,
        seen.handle_given(),
    )
}

/// For reports: `Hasher.update(data=..)`.
fn describe(method: &Method, values: &[Value]) -> String {
    let shown: Vec<String> = method
        .callee
        .sig
        .params
        .iter()
        .zip(values)
        .map(|(p, v)| format!("{}={}", p.name, v.show()))
        .collect();
    format!("{}({})", method.name, shown.join(", "))
}

/// What a script shows each call to: the round, the method, its arguments, what it did.
type Visit<'a> = dyn FnMut(usize, &Method, &[Value], &Seen) + 'a;

/// One object's script: `rounds` times every method in turn, on argument list
/// `round` of each, on the object `this`. `visit` sees each call.
fn script(ctx: &Ctx, this: usize, rounds: usize, visit: &mut Visit) {
    for round in 0..rounds {
        for m in &ctx.methods {
            let Some(values) = m.cases.get(round % m.cases.len().max(1)) else {
                continue;
            };
            let call = Call {
                this: Some(this),
                ..Call::cap(capacity(values))
            };
            let seen = m.callee.call(values, call);
            visit(round, m, values, &seen);
        }
    }
}

/// The names of the methods, for reports.
fn method_names(ctx: &Ctx) -> String {
    let names: Vec<&str> = ctx
        .methods
        .iter()
        .map(|m| m.name.rsplit('.').next().unwrap_or(&m.name))
        .collect();
    if names.is_empty() {
        "no method".into()
    } else {
        names.join(", ")
    }
}

fn leaks(ctx: &Ctx, findings: &mut Findings) -> Result<String, String> {
    if !super::shim::loaded() {
        return Err(super::shim::NOT_LOADED.into());
    }
    let life = &ctx.life;
    let cycle = || -> Result<(), String> {
        let this = life.make()?;
        script(ctx, this, 1, &mut |_, _, _, _| {});
        release_pending();
        life.free(this);
        Ok(())
    };
    let what = format!(
        "{}, every method once ({}), {}",
        life.maker_call(),
        method_names(ctx),
        life.free_symbol
    );
    step(format!("{LEAK_WARMUP} warm-up cycles of {what}"));
    for _ in 0..LEAK_WARMUP {
        cycle()?;
    }
    step(format!(
        "{LEAK_CALLS} cycles of {what}, counting what stays allocated"
    ));
    super::shim::take_balance();
    let (mut bytes, mut blocks, mut positive) = (0, 0, 0);
    for _ in 0..LEAK_CALLS {
        cycle()?;
        let (b, k) = super::shim::take_balance();
        bytes += b;
        blocks += k;
        positive += i64::from(b > 0);
    }
    let who = format!("class {}: each create/call/free cycle", life.name);
    if let Some(seen) = leak_per(&who, "cycle", bytes, blocks, positive) {
        findings.add(
            format!("cycles of {what}"),
            seen,
            format!(
                "every object releases in {} what its constructor and methods allocated",
                life.free_symbol
            ),
        );
    }
    Ok(format!(
        "{LEAK_CALLS} create/call/free cycles ({what}) after {LEAK_WARMUP} warm-up cycles \
         left no memory allocated"
    ))
}

fn threads(ctx: &Ctx, findings: &mut Findings) -> Result<String, String> {
    let life = &ctx.life;
    let rounds = (ctx.iterations as usize / 8).clamp(2, 8);
    step(format!(
        "one {} made by {}, then {rounds} rounds of every method ({}), single-threaded",
        life.name,
        life.maker_call(),
        method_names(ctx)
    ));
    let this = life.make()?;
    let mut reference = Vec::new();
    script(ctx, this, rounds, &mut |_, _, _, seen| {
        reference.push(key(seen))
    });
    release_pending();
    life.free(this);
    step(format!(
        "{THREADS} threads at once, each with its own {}, each making the same calls",
        life.name
    ));
    let mismatches = Mutex::new(Vec::new());
    let failed = Mutex::new(None);
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let (reference, mismatches, failed) = (&reference, &mismatches, &failed);
            scope.spawn(move || {
                let this = match life.make() {
                    Ok(h) => h,
                    Err(why) => {
                        *failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
                        return;
                    }
                };
                let mut i = 0;
                script(ctx, this, rounds, &mut |round, m, values, seen| {
                    let k = key(seen);
                    if reference.get(i) != Some(&k) {
                        let mut list = mismatches.lock().unwrap_or_else(|e| e.into_inner());
                        if list.len() < 20 {
                            list.push((t, round, describe(m, values), seen.obs.show(), i));
                        }
                    }
                    i += 1;
                });
                release_pending();
                life.free(this);
            });
        }
    });
    if let Some(why) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        findings.add(
            format!("{} in one of {THREADS} threads", life.maker_call()),
            why,
            format!("a new {} in every thread, as on one", life.name),
        );
    }
    let single: Vec<String> = {
        // What the single thread saw, call by call, for the report.
        let this = life.make()?;
        let mut shown = Vec::new();
        script(ctx, this, rounds, &mut |_, _, _, seen| {
            shown.push(seen.obs.show())
        });
        release_pending();
        life.free(this);
        shown
    };
    for (t, round, desc, seen, i) in mismatches.into_inner().unwrap_or_else(|e| e.into_inner()) {
        findings.add(
            format!(
                "thread {t} of {THREADS}, each with its own {}, round {round}: {desc}",
                life.name
            ),
            seen,
            format!(
                "{} (what the same call on a {} of one thread gave)",
                single.get(i).cloned().unwrap_or_default(),
                life.name
            ),
        );
    }
    Ok(format!(
        "{THREADS} threads, each with its own {}, {rounds} rounds of every method ({}), \
         {} calls each, as on one thread",
        life.name,
        method_names(ctx),
        reference.len()
    ))
}
