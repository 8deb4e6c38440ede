//! The checker's verdicts and how they are printed.

use std::fmt::Write as _;

use serde::Serialize;

use crate::rules::Rule;

/// How one rule ended for one function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every check of the rule held.
    Pass,
    /// The library broke the rule (or crashed or hung while it was tested).
    Fail,
    /// The rule could not be applied (no accepted input, missing symbol, ...): not a pass.
    Skip,
}

impl Outcome {
    /// `PASS`, `FAIL` or `SKIP`.
    pub const fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "SKIP",
        }
    }
}

/// The verdict of one rule on one function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleResult {
    /// The function's manifest name.
    pub function: String,
    /// Its exported symbol.
    pub symbol: String,
    /// The rule.
    pub rule: Rule,
    /// The verdict.
    pub outcome: Outcome,
    /// The input and call that showed a violation (or killed the child).
    pub input: Option<String>,
    /// What was seen (for a pass: what was tested).
    pub seen: String,
    /// What the contract expects.
    pub expected: String,
    /// More: further violations of the same rule, the child's last words on stderr.
    pub detail: Option<String>,
}

/// The whole run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The manifest checked.
    pub manifest: String,
    /// The library file that was loaded.
    pub library: String,
    /// The seed of the random inputs (pass it to `--seed` to reproduce).
    pub seed: u64,
    /// The number of random inputs.
    pub iterations: u32,
    /// Every verdict, in manifest order, then rule order.
    pub results: Vec<RuleResult>,
}

#[derive(Serialize)]
struct Summary {
    pass: usize,
    fail: usize,
    skip: usize,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a Report,
    summary: Summary,
    exit_code: i32,
}

impl Report {
    fn count(&self, outcome: Outcome) -> usize {
        self.results.iter().filter(|r| r.outcome == outcome).count()
    }

    /// 0 when nothing failed, 1 when any rule failed.
    pub fn exit_code(&self) -> i32 {
        if self.count(Outcome::Fail) > 0 {
            1
        } else {
            0
        }
    }

    /// One line per rule per function, then a summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "checking {} against {} (seed {}, {} random inputs)",
            self.library, self.manifest, self.seed, self.iterations
        );
        let fn_width = self
            .results
            .iter()
            .map(|r| r.function.len())
            .max()
            .unwrap_or(0);
        let rule_width = self
            .results
            .iter()
            .map(|r| r.rule.name().len())
            .max()
            .unwrap_or(0);
        for r in &self.results {
            let _ = write!(
                out,
                "{}  {:fn_width$}  {:rule_width$}  ",
                r.outcome.label(),
                r.function,
                r.rule.name()
            );
            match r.outcome {
                Outcome::Skip => {
                    let _ = write!(out, "{}", r.seen);
                }
                _ => {
                    if let Some(input) = &r.input {
                        let _ = write!(out, "{input}: ");
                    }
                    let _ = write!(out, "seen {}; expected {}", r.seen, r.expected);
                }
            }
            out.push('\n');
            if let Some(detail) = &r.detail {
                for line in detail.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
        let _ = writeln!(
            out,
            "{} passed, {} failed, {} skipped",
            self.count(Outcome::Pass),
            self.count(Outcome::Fail),
            self.count(Outcome::Skip)
        );
        out
    }

    /// The report as one JSON document.
    pub fn to_json(&self) -> String {
        let doc = JsonReport {
            report: self,
            summary: Summary {
                pass: self.count(Outcome::Pass),
                fail: self.count(Outcome::Fail),
                skip: self.count(Outcome::Skip),
            },
            exit_code: self.exit_code(),
        };
        serde_json::to_string_pretty(&doc).expect("reports always serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(outcome: Outcome) -> RuleResult {
        RuleResult {
            function: "encode".into(),
            symbol: "demo_encode".into(),
            rule: Rule::SizeQuery,
            outcome,
            input: Some("text (5 bytes)".into()),
            seen: "out_len 7".into(),
            expected: "out_len 8".into(),
            detail: None,
        }
    }

    fn report(results: Vec<RuleResult>) -> Report {
        Report {
            manifest: "m.json".into(),
            library: "libdemo.so".into(),
            seed: 1,
            iterations: 4,
            results,
        }
    }

    #[test]
    fn any_failure_exits_1_and_skips_do_not() {
        assert_eq!(report(vec![result(Outcome::Pass)]).exit_code(), 0);
        assert_eq!(report(vec![result(Outcome::Skip)]).exit_code(), 0);
        let both = report(vec![result(Outcome::Pass), result(Outcome::Fail)]);
        assert_eq!(both.exit_code(), 1);
    }

    #[test]
    fn text_lines_name_the_rule_and_show_seen_and_expected() {
        let text = report(vec![result(Outcome::Fail)]).to_text();
        assert!(text.contains(
            "FAIL  encode  size-query  text (5 bytes): seen out_len 7; expected out_len 8\n"
        ));
        assert!(text.ends_with("0 passed, 1 failed, 0 skipped\n"));
    }

    #[test]
    fn ascii_output_is_named_in_text_and_json() {
        let failed = RuleResult {
            rule: Rule::AsciiOutput,
            input: Some("encode(one byte 0xff (1 byte: b\"\\xff\"), out_cap 4100)".into()),
            seen: "byte 0xc3 at offset 0 of the 2-byte output is not ASCII".into(),
            expected: Rule::AsciiOutput.expectation().into(),
            ..result(Outcome::Fail)
        };
        let r = report(vec![result(Outcome::Pass), failed]);
        let text = r.to_text();
        let line = text
            .lines()
            .find(|line| line.starts_with("FAIL"))
            .unwrap_or_default();
        assert!(
            line.starts_with("FAIL  encode  ascii-output  encode(one byte 0xff"),
            "{text}"
        );
        assert!(line.contains("seen byte 0xc3 at offset 0"), "{line}");
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(json["results"][1]["rule"], "ascii-output");
        assert_eq!(json["results"][1]["outcome"], "fail");
        assert_eq!(json["summary"]["pass"], 1);
        assert_eq!(json["summary"]["fail"], 1);
    }

    #[test]
    fn json_has_rule_names_and_a_summary() {
        let json: serde_json::Value =
            serde_json::from_str(&report(vec![result(Outcome::Fail)]).to_json()).unwrap();
        assert_eq!(json["results"][0]["rule"], "size-query");
        assert_eq!(json["results"][0]["outcome"], "fail");
        assert_eq!(json["summary"]["fail"], 1);
        assert_eq!(json["exit_code"], 1);
    }
}
