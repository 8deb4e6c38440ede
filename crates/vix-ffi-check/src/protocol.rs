//! What the checker and its child processes say to each other.
//!
//! The parent writes one [`Job`] as JSON to the child's standard input. The child answers
//! with [`Event`]s, one JSON object per line, each line starting with [`MARKER`] so that
//! anything else on the stream is ignored. The child announces every risky step before
//! taking it ([`Event::Step`]), so that when the library kills it the parent knows which
//! call did.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::corpus::Input;
use crate::rules::Rule;

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
    },
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
}
