//! The rules the checker applies, with the stable names reports and tests use.

use serde::{Deserialize, Serialize};
use vix_ffi_gen::manifest::{Output, ParamType, Signature};

/// One rule of the Vix FFI v1 contract that the checker tests.
///
/// The kebab-case name ([`Rule::name`]) is part of the checker's interface: reports, the
/// JSON output and tests refer to rules by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The declared symbol is exported by the library.
    Symbol,
    /// The function has a signature the checker knows how to call.
    Shape,
    /// Version function: the status is written and is `VIX_STATUS_OK`.
    VersionStatus,
    /// Version function: the string is valid UTF-8 of its stated length.
    VersionUtf8,
    /// Version function: the string is not empty.
    VersionNonempty,
    /// Version function: every call, from any thread, returns the same string, and an
    /// earlier returned view still reads the same.
    VersionStable,
    /// `out_ptr = NULL, out_cap = 0` gives `BUFFER_TOO_SMALL` and the size a successful call
    /// reports (or succeeds when the output is empty).
    SizeQuery,
    /// A capacity one short of the queried size gives `BUFFER_TOO_SMALL` with the same size.
    OneShort,
    /// The queried capacity succeeds, reports exactly that size and writes the bytes a
    /// larger buffer gets.
    ExactCapacity,
    /// No byte is written outside `out_ptr[0..out_cap]` (guard bytes and a guard page).
    NoOverflow,
    /// No byte is read outside each input's `ptr[0..len]`: the input is placed against an
    /// inaccessible page after it, then before it, at every length the other rules try
    /// and at lengths around vector and page sizes.
    InputBounds,
    /// The return value is 0 if and only if the status is `VIX_STATUS_OK`.
    RcStatus,
    /// The status is written on every call; `*out_len` on every success and every
    /// `BUFFER_TOO_SMALL`; an error's message is written too.
    StatusWritten,
    /// `out_len == NULL`, `in_ptr == NULL` with `in_len > 0`, `out_ptr == NULL` with
    /// `out_cap > 0` give `VIX_STATUS_INVALID_ARG`.
    NullArgs,
    /// `out_status == NULL` is accepted: no crash, the same return value.
    NullStatus,
    /// The same input gives the same result, also after other calls.
    Deterministic,
    /// Status messages are valid UTF-8 of their stated length (no NUL, non-null pointer).
    MessageUtf8,
    /// A status message still reads the same until the next call on the same thread.
    MessageLifetime,
    /// Empty, one-byte, all-byte-values, large and random inputs never crash or hang.
    Robustness,
    /// Several threads calling at once get what single-threaded calls get.
    Threads,
    /// Each call frees what it allocates: the same call repeated many times does not
    /// leave more allocated memory with each call (a fixed amount cached once is fine).
    Leaks,
    /// When an allocation the library makes during a call fails (malloc returns NULL,
    /// operator new throws std::bad_alloc), the call answers with an error status, or
    /// succeeds with the right output; it does not abort or crash.
    AllocationFailure,
    /// `--fuzz`: mutated inputs, for a time, give no crash, no hang and no breach of the
    /// contract the other rules check call by call.
    Fuzz,
    /// Every successful output is ASCII (bytes `0x00..=0x7f`): checked only for an operation
    /// that a `python.api` entry calls with `"ascii": true`, the promise that lets the
    /// generated Python build its `str` without scanning it.
    AsciiOutput,
    /// Every successful output of an input of `n` bytes is exactly `b * ceil(n / a)` bytes,
    /// both as the size query answers it and as the call writes it: checked only for an
    /// operation that a `python.api` entry calls with `"output_blocks": {"in": a, "out": b}`,
    /// the declaration that lets the generated Python allocate the result without a size
    /// query.
    OutputBlocks,
    /// Every status code written is one of ABI v1.0 (0 to 4) or of the library (1000 and
    /// above): checked for functions of typed signatures (ABI v1.1), which reserves 5 to
    /// 999 and negative codes for later ABI versions.
    StatusRange,
    /// Typed signatures: each scalar parameter at the limits of its type (0, -1, the
    /// minimum and maximum; NaN, infinities and subnormals for `double`; both `bool`s),
    /// the others at ordinary values, never crashes or hangs.
    ExtremeValues,
    /// Typed signatures with a scalar output: `*out_value` is written on every success (a
    /// `bool` as 0 or 1) and left alone on every failure.
    ScalarOutput,
    /// Typed signatures with a `str` output: every successful output is valid UTF-8.
    StrUtf8,
    /// Methods (ABI v1.1 objects): `self = NULL` gives `VIX_STATUS_INVALID_ARG`, without
    /// a crash.
    NullSelf,
    /// Typed signatures that return an object (a constructor, `copy`): `*out_handle` is a
    /// non-NULL handle on every success and left NULL (untouched) on every error.
    HandleOutput,
    /// Classes: `free(NULL)` does nothing (no crash).
    FreeNull,
}

impl Rule {
    /// The rules applied to a function of the version shape, in report order.
    pub const VERSION: [Rule; 5] = [
        Rule::VersionStatus,
        Rule::VersionUtf8,
        Rule::VersionNonempty,
        Rule::VersionStable,
        Rule::NullStatus,
    ];

    /// The rules applied to a function of the operation shape, in report order.
    pub const OPERATION: [Rule; 16] = [
        Rule::SizeQuery,
        Rule::OneShort,
        Rule::ExactCapacity,
        Rule::NoOverflow,
        Rule::InputBounds,
        Rule::RcStatus,
        Rule::StatusWritten,
        Rule::NullArgs,
        Rule::NullStatus,
        Rule::Deterministic,
        Rule::MessageUtf8,
        Rule::MessageLifetime,
        Rule::Robustness,
        Rule::Threads,
        Rule::Leaks,
        Rule::AllocationFailure,
    ];

    /// The rules applied to a function of the operation shape only when the manifest makes
    /// the promise they check (`"ascii": true` for [`Rule::AsciiOutput`], `"output_blocks"`
    /// for [`Rule::OutputBlocks`]), after [`Rule::OPERATION`] in report order. Functions
    /// without the promise do not list them.
    pub const PROMISES: [Rule; 2] = [Rule::AsciiOutput, Rule::OutputBlocks];

    /// The rules applied to a class as a whole (ABI v1.1 objects), in report order:
    /// `free(NULL)`, create/call/free cycles without leaks, one object per thread giving
    /// the single-threaded results. Its constructor and methods get [`Rule::typed`].
    pub const CLASS: [Rule; 3] = [Rule::FreeNull, Rule::Leaks, Rule::Threads];

    /// The rules applied to a function of a typed signature (ABI v1.1) that is not of the
    /// operation shape, in report order, as its signature calls for them: the sizing rules
    /// for a buffer output, `scalar-output` for a scalar one, `str-utf8` for text,
    /// `null-args` where there is a pointer besides the status, `robustness` where there
    /// is a buffer input, `extreme-values` where there is a scalar one.
    pub fn typed(sig: &Signature) -> Vec<Rule> {
        let mut rules = Vec::new();
        if sig.output.is_buffer() {
            rules.extend([
                Rule::SizeQuery,
                Rule::OneShort,
                Rule::ExactCapacity,
                Rule::NoOverflow,
            ]);
        }
        let buffers = sig.buffer_params().next().is_some();
        if buffers {
            rules.push(Rule::InputBounds);
        }
        rules.extend([Rule::RcStatus, Rule::StatusWritten, Rule::StatusRange]);
        let scalars = sig
            .params
            .iter()
            .any(|p| matches!(p.ty, ParamType::Scalar(_)));
        let objects = sig
            .params
            .iter()
            .any(|p| matches!(p.ty, ParamType::Object(_)) && !p.optional);
        if buffers || objects || !matches!(sig.output, Output::None | Output::This) {
            rules.push(Rule::NullArgs);
        }
        if sig.receiver.is_some() {
            rules.push(Rule::NullSelf);
        }
        rules.extend([
            Rule::NullStatus,
            Rule::Deterministic,
            Rule::MessageUtf8,
            Rule::MessageLifetime,
        ]);
        if buffers {
            rules.push(Rule::Robustness);
        }
        if scalars {
            rules.push(Rule::ExtremeValues);
        }
        rules.extend([Rule::Threads, Rule::Leaks, Rule::AllocationFailure]);
        match sig.output {
            Output::Scalar(_) => rules.push(Rule::ScalarOutput),
            Output::Str => rules.push(Rule::StrUtf8),
            Output::Object(_) => rules.push(Rule::HandleOutput),
            Output::Bytes | Output::None | Output::This => {}
        }
        rules
    }

    /// Every rule, in report order.
    pub const ALL: [Rule; 32] = [
        Rule::Symbol,
        Rule::Shape,
        Rule::VersionStatus,
        Rule::VersionUtf8,
        Rule::VersionNonempty,
        Rule::VersionStable,
        Rule::SizeQuery,
        Rule::OneShort,
        Rule::ExactCapacity,
        Rule::NoOverflow,
        Rule::InputBounds,
        Rule::RcStatus,
        Rule::StatusWritten,
        Rule::NullArgs,
        Rule::NullStatus,
        Rule::Deterministic,
        Rule::MessageUtf8,
        Rule::MessageLifetime,
        Rule::Robustness,
        Rule::Threads,
        Rule::Leaks,
        Rule::AllocationFailure,
        Rule::Fuzz,
        Rule::AsciiOutput,
        Rule::OutputBlocks,
        Rule::StatusRange,
        Rule::ExtremeValues,
        Rule::ScalarOutput,
        Rule::StrUtf8,
        Rule::NullSelf,
        Rule::HandleOutput,
        Rule::FreeNull,
    ];

    /// The stable kebab-case name.
    pub const fn name(self) -> &'static str {
        match self {
            Rule::Symbol => "symbol",
            Rule::Shape => "shape",
            Rule::VersionStatus => "version-status",
            Rule::VersionUtf8 => "version-utf8",
            Rule::VersionNonempty => "version-nonempty",
            Rule::VersionStable => "version-stable",
            Rule::SizeQuery => "size-query",
            Rule::OneShort => "one-short",
            Rule::ExactCapacity => "exact-capacity",
            Rule::NoOverflow => "no-overflow",
            Rule::InputBounds => "input-bounds",
            Rule::RcStatus => "rc-status",
            Rule::StatusWritten => "status-written",
            Rule::NullArgs => "null-args",
            Rule::NullStatus => "null-status",
            Rule::Deterministic => "deterministic",
            Rule::MessageUtf8 => "message-utf8",
            Rule::MessageLifetime => "message-lifetime",
            Rule::Robustness => "robustness",
            Rule::Threads => "threads",
            Rule::Leaks => "leaks",
            Rule::AllocationFailure => "allocation-failure",
            Rule::Fuzz => "fuzz",
            Rule::AsciiOutput => "ascii-output",
            Rule::OutputBlocks => "output-blocks",
            Rule::StatusRange => "status-range",
            Rule::ExtremeValues => "extreme-values",
            Rule::ScalarOutput => "scalar-output",
            Rule::StrUtf8 => "str-utf8",
            Rule::NullSelf => "null-self",
            Rule::HandleOutput => "handle-output",
            Rule::FreeNull => "free-null",
        }
    }

    /// Parses a name given by [`Rule::name`].
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }

    /// What the rule expects, in a few words (the "expected" of a passing line).
    pub const fn expectation(self) -> &'static str {
        match self {
            Rule::Symbol => "the symbol is exported",
            Rule::Shape => "the operation shape, the version shape or a typed signature",
            Rule::VersionStatus => "the status written, VIX_STATUS_OK",
            Rule::VersionUtf8 => "valid UTF-8 of the stated length, no NUL",
            Rule::VersionNonempty => "a non-empty string",
            Rule::VersionStable => "the same string on every call, from every thread",
            Rule::SizeQuery => {
                "out_ptr NULL, out_cap 0 gives VIX_STATUS_BUFFER_TOO_SMALL and the size a \
                 successful call reports (VIX_STATUS_OK for an empty output)"
            }
            Rule::OneShort => {
                "out_cap one short of the queried size gives VIX_STATUS_BUFFER_TOO_SMALL and \
                 the same size"
            }
            Rule::ExactCapacity => {
                "out_cap equal to the queried size gives VIX_STATUS_OK, out_len equal to it and \
                 the bytes a larger buffer gets"
            }
            Rule::NoOverflow => "no byte written outside out_ptr[0..out_cap]",
            Rule::InputBounds => {
                "no byte read outside in_ptr[0..in_len] (neither one past the end nor one \
                 before the start)"
            }
            Rule::RcStatus => "return value 0 if and only if VIX_STATUS_OK",
            Rule::StatusWritten => {
                "status written on every call; out_len on success and on \
                 VIX_STATUS_BUFFER_TOO_SMALL; a message with every error"
            }
            Rule::NullArgs => {
                "VIX_STATUS_INVALID_ARG for out_len NULL, in_ptr NULL with in_len > 0, out_ptr \
                 NULL with out_cap > 0 (and, for typed signatures, each input pointer NULL \
                 with a length, out_value NULL)"
            }
            Rule::NullStatus => "out_status NULL accepted: no crash, the same return value",
            Rule::Deterministic => "the same input gives the same result every time",
            Rule::MessageUtf8 => "status messages valid UTF-8 of their stated length, no NUL",
            Rule::MessageLifetime => "a status message unchanged until the next call",
            Rule::Robustness => "no crash or hang on any input",
            Rule::Threads => "concurrent calls give the single-threaded results",
            Rule::Leaks => "no memory left allocated per call (a fixed amount cached once is fine)",
            Rule::Fuzz => {
                "no crash, hang or breach of the contract on mutated inputs (status written, \
                 return value matching it, the size query's answer honoured, nothing written \
                 past out_cap nor read past in_len, messages valid UTF-8)"
            }
            Rule::AllocationFailure => {
                "an error status (or the right output) when an allocation made during the \
                 call fails; no abort, no crash"
            }
            Rule::AsciiOutput => {
                "every successful output all ASCII (bytes 0x00..=0x7f), as \"ascii\": true \
                 promises"
            }
            Rule::OutputBlocks => {
                "every successful output of n input bytes b * ceil(n / a) bytes, in the size \
                 query's answer and in out_len, as \"output_blocks\": {\"in\": a, \"out\": b} \
                 declares"
            }
            Rule::StatusRange => {
                "status codes 0 to 4 (ABI v1) or 1000 and above (the library's own); none of \
                 5 to 999 nor negative"
            }
            Rule::ExtremeValues => {
                "no crash or hang with a scalar at the limits of its type (NaN and \
                 infinities for double)"
            }
            Rule::ScalarOutput => {
                "out_value written on every success (a bool as 0 or 1), left alone on every \
                 error"
            }
            Rule::StrUtf8 => "every successful str output valid UTF-8",
            Rule::NullSelf => {
                "VIX_STATUS_INVALID_ARG (and a non-zero return value) for self NULL, without \
                 a crash"
            }
            Rule::HandleOutput => {
                "out_handle set to a non-NULL handle on every success, left NULL (untouched) \
                 on every error"
            }
            Rule::FreeNull => "free(NULL) does nothing: no crash",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rule;

    #[test]
    fn names_round_trip_and_match_serde() {
        for rule in Rule::ALL {
            assert_eq!(Rule::from_name(rule.name()), Some(rule));
            let json = serde_json::to_string(&rule).unwrap();
            assert_eq!(json, format!("\"{}\"", rule.name()));
        }
    }

    #[test]
    fn shape_lists_are_in_all() {
        let lists = [
            &Rule::VERSION[..],
            &Rule::OPERATION[..],
            &Rule::PROMISES[..],
            &Rule::CLASS[..],
        ];
        for rule in lists.concat() {
            assert!(Rule::ALL.contains(&rule));
        }
    }

    #[test]
    fn typed_rules_follow_the_signature() {
        use vix_ffi_gen::manifest::{Output, Param, ParamType, Scalar, Signature};
        let sig = |params: Vec<ParamType>, output| Signature {
            receiver: None,
            params: params
                .into_iter()
                .enumerate()
                .map(|(i, ty)| Param::new(format!("p{i}"), ty))
                .collect(),
            output,
        };
        let names =
            |s: &Signature| -> Vec<&str> { Rule::typed(s).iter().map(|r| r.name()).collect() };
        let double = ParamType::Scalar(Scalar::Double);
        assert_eq!(
            names(&sig(vec![double, double], Output::Scalar(Scalar::Double))),
            [
                "rc-status",
                "status-written",
                "status-range",
                "null-args",
                "null-status",
                "deterministic",
                "message-utf8",
                "message-lifetime",
                "extreme-values",
                "threads",
                "leaks",
                "allocation-failure",
                "scalar-output"
            ]
        );
        let text = names(&sig(vec![ParamType::Str, ParamType::Bytes], Output::Str));
        assert_eq!(
            &text[..6],
            [
                "size-query",
                "one-short",
                "exact-capacity",
                "no-overflow",
                "input-bounds",
                "rc-status"
            ]
        );
        assert!(text.contains(&"robustness") && !text.contains(&"extreme-values"));
        assert_eq!(text.last(), Some(&"str-utf8"));
        // Nothing to pass as NULL, nothing to size.
        let bare = names(&sig(vec![], Output::None));
        assert!(!bare.contains(&"null-args") && !bare.contains(&"size-query"));
        for rule in Rule::typed(&sig(vec![ParamType::Bytes, double], Output::Bytes)) {
            assert!(Rule::ALL.contains(&rule));
        }
    }

    #[test]
    fn methods_and_constructors_get_the_object_rules() {
        use vix_ffi_gen::manifest::{ClassId, Output, Param, ParamType, Signature};
        let hasher = ClassId(0);
        let names =
            |s: &Signature| -> Vec<&str> { Rule::typed(s).iter().map(|r| r.name()).collect() };
        // reset(self) -> none: only self is a pointer, and null-self says what a NULL
        // one must give.
        let reset = Signature {
            receiver: Some(hasher),
            params: vec![],
            output: Output::None,
        };
        let rules = names(&reset);
        assert!(
            rules.contains(&"null-self") && !rules.contains(&"null-args"),
            "{rules:?}"
        );
        assert!(!rules.contains(&"handle-output"));
        // new(key: bytes) -> Hasher: no self, a handle out.
        let new = Signature {
            receiver: None,
            params: vec![Param::new("key", ParamType::Bytes)],
            output: Output::Object(hasher),
        };
        let rules = names(&new);
        assert!(!rules.contains(&"null-self"), "{rules:?}");
        assert_eq!(rules.last(), Some(&"handle-output"));
        assert!(rules.contains(&"null-args") && rules.contains(&"leaks"));
        // absorb(self, other: Hasher) -> self: the object parameter may be NULL-checked,
        // unless it is optional; no extreme values for an object.
        let mut absorb = Signature {
            receiver: Some(hasher),
            params: vec![Param::new("other", ParamType::Object(hasher))],
            output: Output::This,
        };
        let rules = names(&absorb);
        assert!(rules.contains(&"null-args") && !rules.contains(&"extreme-values"));
        absorb.params[0].optional = true;
        assert!(!names(&absorb).contains(&"null-args"));
        for rule in Rule::CLASS {
            assert!(Rule::ALL.contains(&rule));
        }
    }

    #[test]
    fn promise_rules_are_not_always_on() {
        for rule in Rule::PROMISES {
            assert!(!Rule::OPERATION.contains(&rule));
            assert!(!Rule::VERSION.contains(&rule));
        }
        assert_eq!(Rule::AsciiOutput.name(), "ascii-output");
        assert_eq!(Rule::OutputBlocks.name(), "output-blocks");
    }
}
