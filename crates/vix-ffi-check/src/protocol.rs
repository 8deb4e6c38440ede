//! What the checker and its child processes say to each other.
//!
//! The parent writes one [`Job`] as JSON to the child's standard input. The child answers
//! with [`Event`]s, one JSON object per line, each line starting with [`MARKER`] so that
//! anything else on the stream is ignored. The child announces every risky step before
//! taking it ([`Event::Step`]), so that when the library kills it the parent knows which
//! call did.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use vix_ffi_gen::manifest::{ClassId, Output, Param, ParamType, Signature};

use crate::corpus::Input;
use crate::rules::Rule;
use crate::values::Value;

/// Starts every protocol line.
pub const MARKER: &str = "@vix-ffi-check ";

/// What one child process does.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    /// The task.
    pub task: Task,
}

/// The tasks a child can run.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Load the first of `candidates` that loads and look up `symbols` in it.
    Load {
        /// Paths (or a bare file name for the system loader), in search order.
        candidates: Vec<String>,
        /// Every symbol the manifest declares.
        symbols: Vec<String>,
    },
    /// Apply one rule to a function of the version shape.
    Version {
        /// The loaded library.
        library: PathBuf,
        /// The function's manifest name (for messages).
        function: String,
        /// The exported symbol.
        symbol: String,
        /// The rule.
        rule: Rule,
    },
    /// Apply one rule to a function of the operation shape.
    Operation {
        /// The loaded library.
        library: PathBuf,
        /// The function's manifest name (for messages).
        function: String,
        /// The exported symbol.
        symbol: String,
        /// The rule.
        rule: Rule,
        /// Seed of the random inputs.
        seed: u64,
        /// How many random inputs (and how much repetition).
        iterations: u32,
        /// Inputs made from other functions' outputs.
        derived: Vec<Input>,
        /// The output sizes the manifest declares for the function (`output-blocks` only;
        /// empty for the other rules).
        #[serde(default)]
        blocks: Vec<DeclaredBlocks>,
        /// How long `fuzz` mutates inputs, in milliseconds.
        #[serde(default)]
        fuzz_ms: u64,
        /// `fuzz` on this one input only (a replay, or a step of reducing one).
        #[serde(default)]
        replay: Option<Input>,
    },
    /// Apply one rule to a function of a typed signature that is not of the operation
    /// shape.
    Typed {
        /// The loaded library.
        library: PathBuf,
        /// The function's manifest name (for messages).
        function: String,
        /// The exported symbol.
        symbol: String,
        /// The rule.
        rule: Rule,
        /// Seed of the random inputs.
        seed: u64,
        /// How many random inputs (and how much repetition).
        iterations: u32,
        /// The signature, as the manifest spells it.
        signature: TypedSignature,
        /// Whether the message rules may also read the messages of the NULL-pointer calls
        /// (`null-args` ran them without a crash).
        #[serde(default)]
        null_calls: bool,
        /// How long `fuzz` mutates argument lists, in milliseconds.
        #[serde(default)]
        fuzz_ms: u64,
        /// `fuzz` on this one argument list only (a replay, or a step of reducing one).
        #[serde(default)]
        replay: Option<Replay>,
    },
    /// Apply one rule to a class as a whole (ABI v1.1 objects): `free-null`, `leaks`
    /// over create/call/free cycles, `threads` with one object per thread.
    Class {
        /// The loaded library.
        library: PathBuf,
        /// The rule.
        rule: Rule,
        /// Seed of the arguments.
        seed: u64,
        /// How many random arguments (and how much repetition).
        iterations: u32,
        /// The class: its name, `free` and how to make one.
        class: ClassLife,
        /// Its methods: `(name in reports, symbol, signature)`.
        methods: Vec<(String, String, TypedSignature)>,
    },
}

/// The one argument list a typed `fuzz` calls instead of fuzzing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Replay {
    /// Fuzz argument list number `n` of the seed (see [`crate::values::mutate`]).
    Number(u64),
    /// This argument list (`--replay NAME=ARGS`, or a candidate of a reduction).
    Args(Vec<Value>),
}

/// A typed signature as it crosses the process boundary: each parameter's name and type,
/// and the output, in the manifest's spelling; an object (ABI v1.1) is spelled
/// `class:<index>`, and `classes` says how to make and release each class it names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypedSignature {
    /// `(name, type)` of each parameter, in order.
    pub params: Vec<(String, String)>,
    /// The output's name (`none`, `bytes`, `str`, a scalar type, `self` or
    /// `class:<index>`).
    pub output: String,
    /// A method's class (its first C parameter is `self`).
    #[serde(default)]
    pub receiver: Option<u32>,
    /// The parameters Python may pass as `None` (NULL), by name.
    #[serde(default)]
    pub optional: Vec<String>,
    /// How to make and release an object of each class the signature names.
    #[serde(default)]
    pub classes: Vec<ClassLife>,
}

/// What the checker needs to give a method a live `self` (or a function an object
/// argument) and to release the objects a call returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassLife {
    /// The class's index in the manifest's `classes`.
    pub id: u32,
    /// The class's (Python) name, for reports.
    pub name: String,
    /// `<c_name>_free`.
    pub free: String,
    /// How to make one, when the manifest gives a way without other objects.
    pub maker: Option<Maker>,
}

/// A call that makes a new object: the class's constructor, or a function returning one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Maker {
    /// Its name in reports (`Hasher.new`).
    pub function: String,
    /// Its symbol.
    pub symbol: String,
    /// Its signature (no object parameters; the output is the class).
    pub signature: TypedSignature,
    /// The arguments: each parameter's default, or an ordinary value.
    pub args: Vec<Value>,
}

/// The spelling of an object type in a [`TypedSignature`].
fn class_spelling(id: ClassId) -> String {
    format!("class:{}", id.0)
}

fn class_of_spelling(s: &str) -> Option<ClassId> {
    s.strip_prefix("class:")?.parse().ok().map(ClassId)
}

impl TypedSignature {
    /// The spelling of `sig` (its classes without a way to make or free them: see
    /// [`TypedSignature::classes`]).
    pub fn of(sig: &Signature) -> TypedSignature {
        TypedSignature {
            params: sig
                .params
                .iter()
                .map(|p| {
                    let ty = match p.ty {
                        ParamType::Object(c) => class_spelling(c),
                        ty => ty.name().to_owned(),
                    };
                    (p.name.clone(), ty)
                })
                .collect(),
            output: match sig.output {
                Output::Object(c) => class_spelling(c),
                out => out.name().to_owned(),
            },
            receiver: sig.receiver.map(|c| c.0),
            optional: sig
                .params
                .iter()
                .filter(|p| p.optional)
                .map(|p| p.name.clone())
                .collect(),
            classes: Vec::new(),
        }
    }

    /// The same, with how to make and free each class it names.
    pub fn with_classes(mut self, classes: Vec<ClassLife>) -> TypedSignature {
        self.classes = classes;
        self
    }

    /// The signature back (defaults and how Python passes parameters are not needed to
    /// call it, and dropped); `None` for a type name the model does not know.
    pub fn signature(&self) -> Option<Signature> {
        let params = self
            .params
            .iter()
            .map(|(name, ty)| {
                let ty = match class_of_spelling(ty) {
                    Some(c) => ParamType::Object(c),
                    None => ParamType::from_name(ty)?,
                };
                let mut p = Param::new(name.clone(), ty);
                p.optional = self.optional.contains(name);
                Some(p)
            })
            .collect::<Option<Vec<Param>>>()?;
        Some(Signature {
            receiver: self.receiver.map(ClassId),
            params,
            output: match class_of_spelling(&self.output) {
                Some(c) => Output::Object(c),
                None => Output::from_name(&self.output)?,
            },
        })
    }
}

/// One `"output_blocks": {"in": a, "out": b}` the manifest declares for a function, with
/// the `python.api` entries that declare it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredBlocks {
    /// `in`: input bytes per block (at least 1).
    pub input: u32,
    /// `out`: output bytes per block (at least 1).
    pub output: u32,
    /// The names of the `python.api` entries that declare it, in manifest order.
    pub entries: Vec<String>,
}

impl DeclaredBlocks {
    /// The declared output size for an input of `n` bytes: `out * ceil(n / in)`; `None`
    /// past `u64` (or for an `in` of 0, which the manifest parser refuses).
    pub fn size(&self, n: u64) -> Option<u64> {
        if self.input == 0 {
            return None;
        }
        vix_ffi_gen::manifest::OutputBlocks {
            input: self.input,
            output: self.output,
        }
        .size(n)
    }

    /// For reports: `"output_blocks": {"in": 3, "out": 4} of python.api "encode"`.
    pub fn show(&self) -> String {
        let quoted: Vec<String> = self.entries.iter().map(|e| format!("{e:?}")).collect();
        let (noun, names) = match quoted.as_slice() {
            [one] => ("entry", one.clone()),
            _ => ("entries", quoted.join(", ")),
        };
        format!(
            "\"output_blocks\": {{\"in\": {}, \"out\": {}}} of python.api {noun} {names}",
            self.input, self.output
        )
    }
}

/// A violation seen by a child.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The input and call that showed it.
    pub input: String,
    /// What was seen.
    pub seen: String,
    /// What the contract expects.
    pub expected: String,
}

/// How a rule ended inside the child, when the child lived to say it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Done {
    /// Every check ran; `seen` sums up what was tested (findings, if any, came before).
    Checked {
        /// What was tested, e.g. `12 accepted inputs`.
        seen: String,
        /// Violations seen (only the first ones are sent as [`Event::Finding`]).
        #[serde(default)]
        violations: usize,
    },
    /// The rule could not be applied.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// One line from a child.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// About to do this (a call into the library, or reading memory it returned).
    Step(String),
    /// A violation.
    Finding(Finding),
    /// An output of an accepted input, offered as an input to other functions.
    Output(Input),
    /// Answer of [`Task::Load`]: the library that loaded, and the symbols missing from it.
    Loaded {
        /// The candidate that loaded.
        path: String,
        /// Declared symbols the library does not export.
        missing: Vec<String>,
    },
    /// Answer of [`Task::Load`] when no candidate loaded: each with the loader's error.
    LoadFailed(Vec<(String, String)>),
    /// The end of a rule.
    Done(Done),
    /// `fuzz` is about to try mutated input number `iteration`.
    Fuzzing {
        /// The input's number (see [`crate::corpus::mutate`]).
        iteration: u64,
    },
    /// A C++ exception was in flight (thrown, not caught) when the child aborted: written
    /// by the shim's SIGABRT handler, with the exception's mangled type name.
    Escaped {
        /// The type name as `std::type_info::name()` gives it (`St16invalid_argument`).
        mangled: String,
        /// The type name demangled (`std::invalid_argument`); empty when the C++ runtime
        /// could not demangle it.
        #[serde(default)]
        name: String,
    },
}

impl Event {
    /// The protocol line (with [`MARKER`] and a newline).
    pub fn to_line(&self) -> String {
        let json = serde_json::to_string(self).expect("events always serialize");
        format!("{MARKER}{json}\n")
    }

    /// Parses a protocol line; `None` for anything else.
    pub fn from_line(line: &str) -> Option<Event> {
        serde_json::from_str(line.strip_prefix(MARKER)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_through_lines() {
        let events = [
            Event::Step("calling f".into()),
            Event::Finding(Finding {
                input: "x".into(),
                seen: "y".into(),
                expected: "z".into(),
            }),
            Event::Done(Done::Skipped { reason: "r".into() }),
            Event::Done(Done::Checked {
                seen: "s".into(),
                violations: 3,
            }),
            Event::LoadFailed(vec![("a".into(), "b".into())]),
        ];
        for event in events {
            let line = event.to_line();
            assert!(line.ends_with('\n'));
            assert_eq!(Event::from_line(line.trim_end()), Some(event));
        }
        assert_eq!(Event::from_line("library noise"), None);
    }

    #[test]
    fn declared_blocks_give_the_size_and_name_their_entries() {
        let base64 = DeclaredBlocks {
            input: 3,
            output: 4,
            entries: vec!["encode".into()],
        };
        let sizes: Vec<Option<u64>> = [0, 1, 2, 3, 4, 6, 7].map(|n| base64.size(n)).into();
        let want = [0, 4, 4, 4, 8, 8, 12].map(Some);
        assert_eq!(sizes, want);
        assert_eq!(
            base64.show(),
            r#""output_blocks": {"in": 3, "out": 4} of python.api entry "encode""#
        );
        let wide = DeclaredBlocks {
            input: 1,
            output: u32::MAX,
            entries: vec!["a".into(), "b".into()],
        };
        assert_eq!(wide.size(u64::MAX), None);
        assert_eq!(wide.size(2), Some(2 * u64::from(u32::MAX)));
        assert!(wide.show().ends_with(r#"of python.api entries "a", "b""#));
        let broken = DeclaredBlocks {
            input: 0,
            output: 1,
            entries: Vec::new(),
        };
        assert_eq!(broken.size(5), None);
    }

    #[test]
    fn typed_signatures_round_trip() {
        let sig = Signature {
            receiver: None,
            params: vec![
                Param::new("data", ParamType::Bytes),
                Param::new("seed", ParamType::from_name("uint32").unwrap()),
            ],
            output: Output::from_name("double").unwrap(),
        };
        let spelled = TypedSignature::of(&sig);
        assert_eq!(spelled.params[1], ("seed".to_owned(), "uint32".to_owned()));
        assert_eq!(spelled.signature(), Some(sig));
        let unknown = TypedSignature {
            params: vec![("x".into(), "int128".into())],
            output: "none".into(),
            receiver: None,
            optional: Vec::new(),
            classes: Vec::new(),
        };
        assert_eq!(unknown.signature(), None);
    }

    #[test]
    fn a_replayed_argument_list_crosses_with_its_floats_bit_for_bit() {
        let negative_nan = f64::from_bits(f64::NAN.to_bits() | (1 << 63));
        let floats = [
            f64::NAN,
            negative_nan,
            f64::INFINITY,
            -0.0,
            f64::from_bits(1),
        ];
        let replay = Replay::Args(floats.iter().map(|&x| Value::Float(x)).collect());
        let json = serde_json::to_string(&replay).unwrap_or_else(|e| panic!("{e}"));
        let back: Replay = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
        let Replay::Args(values) = back else {
            panic!("{json}")
        };
        let bits: Vec<u64> = values
            .iter()
            .map(|v| match v {
                Value::Float(x) => x.to_bits(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(bits, floats.map(f64::to_bits));
        let number: Replay =
            serde_json::from_str(r#"{"number": 7}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(number, Replay::Number(7));
    }

    #[test]
    fn an_operation_job_without_blocks_still_parses() {
        let json = r#"{"task": {"operation": {"library": "l", "function": "f", "symbol": "s",
            "rule": "size-query", "seed": 1, "iterations": 2, "derived": []}}}"#;
        let job: Job = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        match job.task {
            Task::Operation { blocks, .. } => assert!(blocks.is_empty()),
            other => panic!("{other:?}"),
        }
    }
}
