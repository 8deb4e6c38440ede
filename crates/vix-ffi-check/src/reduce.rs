//! Reducing an input that failed `fuzz`, replay by replay: one loop for every function
//! the fuzzer calls. An operation's input is an argument list of one buffer; a typed
//! signature's list has any number of buffers, scalars and objects.
//!
//! Each candidate is the list with one value made simpler: a buffer with a chunk removed
//! (half of it, then ever smaller chunks, then single bytes, as long as removing one
//! keeps the failure), a scalar moved toward a simple value (0, 1, -1, 2, -2, then half
//! its magnitude; a `double` also its integer part; `false` for a `bool`). A candidate is
//! kept when a replay in a fresh child fails the same way as the fuzz run did: the child
//! ended the same way (the same signal, a hang, the same exit) with the same expectation
//! in its first finding (its numbers aside: a size in it may shrink with the input). The parameters are gone over again until none becomes simpler,
//! or until [`MAX_REPLAYS`] replays or [`MAX_TIME`] have been spent. A NaN or an infinity
//! stays when no finite value fails the same way.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use vix_ffi_gen::manifest::{ParamType, Scalar};

use crate::corpus::Input;
use crate::protocol::{Event, Job};
use crate::supervise::{self, ChildCommand, ChildRun, End};
use crate::values::Value;

/// Replays one reduction makes at most.
pub const MAX_REPLAYS: usize = 200;
/// Time one reduction takes at most (a replay that has started is let finish).
pub const MAX_TIME: Duration = Duration::from_secs(60);

/// How a fuzz run failed, to tell whether a smaller input fails the same way: the way the
/// child ended and the expectation of its first finding, its numbers left out (an
/// expectation may name a size that shrinks with the input: `out_len 12 (the size
/// query's answer)`).
fn failure_kind(run: &ChildRun) -> (End, Option<String>) {
    let finding = run.events.iter().find_map(|e| match e {
        Event::Finding(f) => Some(without_numbers(&f.expected)),
        _ => None,
    });
    (run.end.clone(), finding)
}

/// `text` with every run of digits written `#`.
fn without_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_number = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

/// The failure kind of a run, when it failed.
fn fuzz_failure_kind(run: &ChildRun) -> Option<(End, Option<String>)> {
    let failed =
        run.end != End::Exited(0) || run.events.iter().any(|e| matches!(e, Event::Finding(_)));
    failed.then(|| failure_kind(run))
}

/// What a reduction ended with.
pub struct Reduced {
    /// The simplest argument list that failed the same way (the one found when no replay
    /// did).
    pub values: Vec<Value>,
    /// The replay of `values`, when one failed the same way.
    pub run: Option<ChildRun>,
    /// Replays made.
    pub replays: usize,
    /// Whether it stopped at [`MAX_REPLAYS`] or [`MAX_TIME`] rather than when nothing
    /// became simpler.
    pub bounded: bool,
}

/// The label of every buffer of a reduced list.
pub const REDUCED: &str = "the reduced input";

/// Replays candidates of one reduction: counts them, remembers those that passed, and
/// keeps the run of the last that failed the same way.
struct Replayer<'a> {
    child: &'a ChildCommand,
    timeout: Duration,
    job: &'a dyn Fn(&[Value]) -> Job,
    kind: (End, Option<String>),
    passed: HashSet<String>,
    replays: usize,
    started: Instant,
    max_replays: usize,
    max_time: Duration,
    best: Option<ChildRun>,
}

impl Replayer<'_> {
    fn spent(&self) -> bool {
        self.replays >= self.max_replays || self.started.elapsed() >= self.max_time
    }

    /// Whether `values` fails the same way; `None` once the bound is reached.
    fn fails(&mut self, values: &[Value]) -> Option<bool> {
        if self.spent() {
            return None;
        }
        let key = serde_json::to_string(values).unwrap_or_default();
        if self.passed.contains(&key) {
            return Some(false);
        }
        self.replays += 1;
        let job = (self.job)(values);
        let run = supervise::run_all(self.child, &[job], self.timeout, 1)
            .ok()
            .and_then(|runs| runs.into_iter().next())
            .filter(|run| fuzz_failure_kind(run).is_some_and(|k| k == self.kind));
        match run {
            Some(run) => {
                self.best = Some(run);
                Some(true)
            }
            None => {
                self.passed.insert(key);
                Some(false)
            }
        }
    }
}

/// Reduces `found`, an argument list of parameters of `types` that failed `fuzz` as
/// `failed` did, replaying each candidate as `job` makes it (in a fresh child, with
/// `timeout`).
pub fn reduce(
    child: &ChildCommand,
    timeout: Duration,
    failed: &ChildRun,
    types: &[ParamType],
    found: &[Value],
    job: &dyn Fn(&[Value]) -> Job,
) -> Reduced {
    reduce_within(
        child,
        timeout,
        failed,
        types,
        found,
        job,
        (MAX_REPLAYS, MAX_TIME),
    )
}

fn reduce_within(
    child: &ChildCommand,
    timeout: Duration,
    failed: &ChildRun,
    types: &[ParamType],
    found: &[Value],
    job: &dyn Fn(&[Value]) -> Job,
    (max_replays, max_time): (usize, Duration),
) -> Reduced {
    let mut values: Vec<Value> = found
        .iter()
        .map(|v| match v {
            Value::Buffer(input) => Value::Buffer(Input {
                label: if input.null_ptr {
                    format!("{REDUCED}, ptr NULL")
                } else {
                    REDUCED.into()
                },
                ..input.clone()
            }),
            other => other.clone(),
        })
        .collect();
    let mut r = Replayer {
        child,
        timeout,
        job,
        kind: failure_kind(failed),
        passed: HashSet::new(),
        replays: 0,
        started: Instant::now(),
        max_replays,
        max_time,
        best: None,
    };
    if r.fails(&values) != Some(true) {
        return Reduced {
            values: found.to_vec(),
            run: None,
            replays: r.replays,
            bounded: false,
        };
    }
    let simpler_list = |values: &[Value], i: usize, value: Value| {
        let mut list = values.to_vec();
        list[i] = value;
        list
    };
    loop {
        let mut progress = false;
        for (i, ty) in types.iter().enumerate().take(values.len()) {
            match (&values[i], ty) {
                (Value::Buffer(input), _) => {
                    let input = input.clone();
                    let bytes = shrink_bytes(input.bytes.clone(), &mut |bytes| {
                        let candidate = Value::Buffer(Input {
                            bytes: bytes.to_vec(),
                            ..input.clone()
                        });
                        r.fails(&simpler_list(&values, i, candidate))
                    });
                    if bytes.len() < input.bytes.len() {
                        progress = true;
                        values[i] = Value::Buffer(Input { bytes, ..input });
                    }
                }
                (_, ParamType::Scalar(s)) => {
                    // The simplest candidate that fails, again from there, until none does.
                    'simpler: loop {
                        for candidate in simpler(*s, &values[i]) {
                            let list = simpler_list(&values, i, candidate);
                            match r.fails(&list) {
                                Some(true) => {
                                    values = list;
                                    progress = true;
                                    continue 'simpler;
                                }
                                Some(false) => {}
                                None => break 'simpler,
                            }
                        }
                        break;
                    }
                }
                _ => {}
            }
        }
        if !progress || r.spent() {
            break;
        }
    }
    Reduced {
        values,
        bounded: r.spent(),
        replays: r.replays,
        run: r.best,
    }
}

/// `bytes` with chunks removed while `fails` says the shorter bytes still fail: halves
/// first, then chunks half as long, down to single bytes (`fails` answers `None` once
/// the bound of the reduction is reached, which ends it).
pub fn shrink_bytes(mut bytes: Vec<u8>, fails: &mut dyn FnMut(&[u8]) -> Option<bool>) -> Vec<u8> {
    let mut chunk = bytes.len().div_ceil(2);
    while chunk >= 1 {
        let mut start = 0;
        while start < bytes.len() {
            let mut candidate = bytes.clone();
            candidate.drain(start..(start + chunk).min(bytes.len()));
            match fails(&candidate) {
                Some(true) => bytes = candidate,
                Some(false) => start += chunk,
                None => return bytes,
            }
        }
        if chunk == 1 {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    bytes
}

/// How far a scalar is from the simplest: smaller is simpler. Finite numbers by
/// magnitude (a negative after the positive of the same magnitude, -0.0 after 0.0), then
/// the infinities, then NaN.
fn complexity(value: &Value) -> (u8, f64, bool) {
    match value {
        Value::Int(n) => (0, n.unsigned_abs() as f64, *n < 0),
        Value::Float(x) if x.is_nan() => (2, 0.0, x.is_sign_negative()),
        Value::Float(x) if x.is_infinite() => (1, 0.0, *x < 0.0),
        Value::Float(x) => (0, x.abs(), x.is_sign_negative()),
        Value::Bool(b) => (0, f64::from(u8::from(*b)), false),
        Value::Buffer(_) | Value::Object => (0, 0.0, false),
    }
}

fn is_simpler(a: &Value, b: &Value) -> bool {
    let key = |v: &Value| {
        let (class, magnitude, negative) = complexity(v);
        (class, magnitude, u8::from(negative))
    };
    key(a) < key(b)
}

/// The values of type `s` simpler than `value` worth a replay, simplest first: 0, 1,
/// -1, 2, -2, then half of it (integers toward zero), and a `double`'s integer part;
/// `false` for `true`.
pub fn simpler(s: Scalar, value: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = match (s, value) {
        (Scalar::Bool, _) => vec![Value::Bool(false)],
        (Scalar::Double, Value::Float(x)) => {
            let mut c: Vec<f64> = vec![0.0, 1.0, -1.0, 2.0, -2.0];
            if x.is_finite() {
                c.push(x.trunc());
                c.push(x / 2.0);
            }
            c.into_iter().map(Value::Float).collect()
        }
        (_, Value::Int(n)) => {
            let (lo, hi) = s.int_range().unwrap_or((0, 0));
            [0, 1, -1, 2, -2, n / 2]
                .into_iter()
                .filter(|c| (lo..=hi).contains(c))
                .map(Value::Int)
                .collect()
        }
        _ => Vec::new(),
    };
    out.retain(|c| is_simpler(c, value));
    let mut seen = Vec::new();
    out.retain(|c| {
        let new = !seen.contains(c);
        seen.push(c.clone());
        new
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A child that reads its job and ends as the job's one word says: killed by SIGABRT
    /// (`abort`), by SIGSEGV (`segv`), or exiting 0.
    #[cfg(unix)]
    fn fake_child() -> ChildCommand {
        let script = "job=$(cat); case \"$job\" in *abort*) kill -ABRT $$;; \
                      *segv*) kill -SEGV $$;; esac; exit 0";
        ChildCommand {
            env: Vec::new(),
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
        }
    }

    #[cfg(unix)]
    fn word_job(word: &str) -> Job {
        Job {
            task: crate::protocol::Task::Load {
                candidates: vec![word.into()],
                symbols: Vec::new(),
            },
        }
    }

    #[cfg(unix)]
    fn crashed(signal: i32) -> ChildRun {
        ChildRun {
            events: Vec::new(),
            end: End::Signaled(signal),
            stderr: String::new(),
        }
    }

    /// Stands for `describe(name, level, loud, scale)` of a library that aborts when the
    /// name holds a newline, the level is negative and the scale is NaN, and crashes
    /// otherwise (SIGSEGV) on a newline alone.
    #[cfg(unix)]
    fn verdict(values: &[Value]) -> Job {
        let newline = values[0].buffer().is_some_and(|b| b.bytes.contains(&b'\n'));
        let negative = matches!(values[1], Value::Int(n) if n < 0);
        let nan = matches!(values[3], Value::Float(x) if x.is_nan());
        word_job(match (newline, negative && nan) {
            (true, true) => "abort",
            (true, false) => "segv",
            _ => "pass",
        })
    }

    #[cfg(unix)]
    fn found() -> (Vec<ParamType>, Vec<Value>) {
        let types = vec![
            ParamType::Str,
            ParamType::Scalar(Scalar::Int32),
            ParamType::Scalar(Scalar::Bool),
            ParamType::Scalar(Scalar::Double),
        ];
        let values = vec![
            Value::Buffer(Input {
                label: "random text (mutated)".into(),
                bytes: b"abcdefghijklmnopqrstuvwxyz\nABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec(),
                null_ptr: false,
            }),
            Value::Int(i128::from(i32::MIN)),
            Value::Bool(true),
            Value::Float(f64::NAN),
        ];
        (types, values)
    }

    #[test]
    #[cfg(unix)]
    fn a_typed_list_is_reduced_keeping_the_same_failure() {
        let (types, values) = found();
        let child = fake_child();
        let timeout = Duration::from_secs(10);
        let r = reduce(
            &child,
            timeout,
            &crashed(libc::SIGABRT),
            &types,
            &values,
            &verdict,
        );
        let reduced = &r.values;
        assert_eq!(
            reduced[0]
                .buffer()
                .map(|b| (b.bytes.as_slice(), b.label.as_str())),
            Some((&b"\n"[..], REDUCED))
        );
        // A level of 0 or 1 crashes too, but with SIGSEGV: not the same failure.
        assert_eq!(reduced[1], Value::Int(-1));
        assert_eq!(reduced[2], Value::Bool(false));
        // No finite scale aborts: the NaN stays.
        assert!(matches!(reduced[3], Value::Float(x) if x.is_nan()));
        assert!(!r.bounded && r.replays < MAX_REPLAYS, "{}", r.replays);
        assert_eq!(r.run.map(|run| run.end), Some(End::Signaled(libc::SIGABRT)));

        // A failure that does not come back is left as it was found.
        let other = reduce(
            &child,
            timeout,
            &crashed(libc::SIGBUS),
            &types,
            &values,
            &verdict,
        );
        assert!(other.run.is_none() && other.replays == 1);
        // (Compared as text: a NaN is not equal to itself.)
        assert_eq!(format!("{:?}", other.values), format!("{values:?}"));
    }

    #[test]
    #[cfg(unix)]
    fn a_reduction_stops_at_its_bound() {
        let (types, values) = found();
        let bounded = reduce_within(
            &fake_child(),
            Duration::from_secs(10),
            &crashed(libc::SIGABRT),
            &types,
            &values,
            &verdict,
            (5, MAX_TIME),
        );
        assert!(bounded.bounded);
        assert_eq!(bounded.replays, 5);
        // Still a list that fails: the last one that did.
        assert!(bounded.run.is_some());
        let shorter = bounded.values[0].buffer().map_or(0, |b| b.bytes.len());
        assert!(shorter < 53 && shorter > 1, "{shorter}");
    }

    #[test]
    fn a_finding_of_the_same_expectation_with_other_numbers_is_the_same_failure() {
        let run = |expected: &str| ChildRun {
            events: vec![Event::Finding(crate::protocol::Finding {
                input: "f(...)".into(),
                seen: "VIX_STATUS_OK, out_len 3".into(),
                expected: expected.into(),
            })],
            end: End::Exited(0),
            stderr: String::new(),
        };
        let size = |n: u32| {
            run(&format!(
                "VIX_STATUS_OK, out_len {n} (the size query's answer)"
            ))
        };
        assert_eq!(fuzz_failure_kind(&size(12)), fuzz_failure_kind(&size(3)));
        assert_ne!(
            fuzz_failure_kind(&size(3)),
            fuzz_failure_kind(&run("no byte written outside out_ptr[0..out_cap]"))
        );
        let clean = ChildRun {
            events: Vec::new(),
            end: End::Exited(0),
            stderr: String::new(),
        };
        assert_eq!(fuzz_failure_kind(&clean), None);
        assert_eq!(without_numbers("a 12 b 3.5 c0"), "a # b #.# c#");
    }

    #[test]
    fn bytes_shrink_to_what_still_fails() {
        // Fails while it holds a newline and at least three bytes.
        let mut asked = 0;
        let bytes = shrink_bytes(b"abcdefgh\nijklmnop".to_vec(), &mut |b| {
            asked += 1;
            Some(b.contains(&b'\n') && b.len() >= 3)
        });
        assert_eq!(bytes.len(), 3);
        assert!(bytes.contains(&b'\n'));
        assert!(asked < 40, "{asked}");
        // The bound ends it at once.
        let mut calls = 0;
        let bytes = shrink_bytes(vec![1; 1000], &mut |_| {
            calls += 1;
            (calls < 2).then_some(true)
        });
        assert_eq!((bytes.len(), calls), (500, 2));
    }

    #[test]
    fn scalars_move_toward_simple_values() {
        let ints = simpler(Scalar::Int32, &Value::Int(i128::from(i32::MIN)));
        assert_eq!(
            ints,
            [0, 1, -1, 2, -2, i128::from(i32::MIN) / 2]
                .map(Value::Int)
                .to_vec()
        );
        // Never outside the type, never the value itself or a harder one.
        assert_eq!(
            simpler(Scalar::Uint64, &Value::Int(7)),
            [0, 1, 2, 3].map(Value::Int).to_vec()
        );
        assert_eq!(simpler(Scalar::Int64, &Value::Int(0)), Vec::new());
        assert_eq!(
            simpler(Scalar::Int64, &Value::Int(-1)),
            vec![Value::Int(0), Value::Int(1)]
        );
        assert_eq!(
            simpler(Scalar::Bool, &Value::Bool(true)),
            vec![Value::Bool(false)]
        );
        assert_eq!(simpler(Scalar::Bool, &Value::Bool(false)), Vec::new());
        // NaN and the infinities give way to any finite value, -0.0 to 0.0.
        let nan = simpler(Scalar::Double, &Value::Float(f64::NAN));
        assert_eq!(nan, [0.0, 1.0, -1.0, 2.0, -2.0].map(Value::Float).to_vec());
        assert_eq!(
            simpler(Scalar::Double, &Value::Float(-0.0)),
            vec![Value::Float(0.0)]
        );
        let big = simpler(Scalar::Double, &Value::Float(-7.75));
        assert!(big.contains(&Value::Float(-7.0)) && big.contains(&Value::Float(-3.875)));
        assert_eq!(simpler(Scalar::Double, &Value::Float(0.0)), Vec::new());
    }
}
