"""``vix-ffi check`` on functions of typed signatures (ABI v1.1): tests/fixtures/c_typed.

The conformant typedlib passes every rule the checker derives from each signature; each
``-DBUG_<NAME>`` build breaks one rule that typed signatures add, and must be reported
under it, naming the function and the call.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from check_helpers import TYPED_SPEC, expected_rules, run_check


def typed_functions() -> dict[str, dict[str, Any]]:
    """The functions of the typed manifest declared with ``returns``, by name."""
    manifest = json.loads(TYPED_SPEC.read_text())
    return {f["name"]: f for f in manifest["functions"] if "returns" in f}


def test_the_conformant_build_passes_every_rule(typed_libs: dict[str, Path]) -> None:
    run = run_check("--spec", str(TYPED_SPEC), "--lib", str(typed_libs["NONE"]))
    assert run.code == 0, run.describe()
    skipped = {
        (r["function"], r["rule"]) for r in run.results() if r["outcome"] == "skip"
    }
    # reset() takes nothing and cannot fail: no message to read.
    assert skipped == {("reset", "message-utf8"), ("reset", "message-lifetime")}, (
        run.describe()
    )
    assert run.failed() == set(), run.describe()
    for name, function in typed_functions().items():
        rules = [
            r["rule"]
            for r in run.results()
            if r["function"] == name and r["rule"] != "symbol"
        ]
        want = expected_rules(function)
        if name == "hexlify":
            want += ["ascii-output", "output-blocks"]
        assert rules == want, (name, rules)
    # The signatures' own numbers show in what was tested.
    seen = run.outcome("clamp", "extreme-values")["seen"]
    assert "with hi, lo, x at the limits" in seen, seen
    seen = run.outcome("clamp", "status-range")["seen"]
    assert seen.endswith("status codes seen: 0, 1000"), seen
    seen = run.outcome("clamp", "scalar-output")["seen"]
    counts = re.fullmatch(
        r"(\d+) successful calls wrote out_value, (\d+) failed calls left it alone",
        seen,
    )
    assert counts and int(counts[1]) > 0 and int(counts[2]) > 0, seen
    seen = run.outcome("repeat", "null-args")["seen"]
    assert seen.startswith("text_ptr NULL, sep_ptr NULL, out_len NULL"), seen
    assert run.outcome("is_prime", "null-args")["seen"] == "out_value NULL"


# bug: (failures that must be reported, other failures the same bug may cause, a part
# of the first finding's "seen")
EXPECTED: dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]], str]] = {
    "SCALAR_ON_FAILURE": (
        {("clamp", "scalar-output")},
        set(),
        "library status code 1000, and out_value written",
    ),
    "NO_STATUS_SCALAR": (
        {("crc32", "status-written")},
        set(),
        "the status not written",
    ),
    "NULL_OUT_VALUE": (
        {("is_prime", "null-args")},
        set(),
        "SIGSEGV",
    ),
    "NAN_CRASH": (
        {("describe", "extreme-values")},
        set(),
        "SIGABRT",
    ),
    "MULTI_SIZE": (
        {("concat", "size-query")},
        {("concat", "one-short"), ("concat", "exact-capacity")},
        "VIX_STATUS_BUFFER_TOO_SMALL, out_len 0",
    ),
    "STR_NOT_UTF8": (
        {("describe", "str-utf8")},
        set(),
        "not UTF-8",
    ),
    "RESERVED_CODE": (
        {("clamp", "status-range")},
        set(),
        "unknown status code 500 (reserved by the ABI)",
    ),
    "CAP_DEPENDENT": (
        {("concat", "exact-capacity")},
        set(),
        "VIX_STATUS_OK, but the output differs from offset 0",
    ),
    "BOOL_TWO": (
        {("is_prime", "scalar-output")},
        set(),
        "out_value the byte 2 (a bool is 0 or 1)",
    ),
}


@pytest.mark.parametrize("bug", sorted(EXPECTED))
def test_each_broken_rule_is_reported_under_it_naming_the_function(
    bug: str, typed_libs: dict[str, Path]
) -> None:
    must, may, seen = EXPECTED[bug]
    run = run_check("--spec", str(TYPED_SPEC), "--lib", str(typed_libs[bug]))
    assert run.code == 1, run.describe()
    failed = run.failed()
    assert must <= failed, f"missing {must - failed}\n{run.describe()}"
    assert failed <= must | may, f"unexpected {failed - must - may}\n{run.describe()}"
    for function, rule in must:
        result = run.outcome(function, rule)
        call = result["input"].removeprefix("while calling ")
        assert call.startswith(f"{function}("), result
        assert seen in result["seen"], result
        assert result["expected"], result

    text = run_check(
        "--spec", str(TYPED_SPEC), "--lib", str(typed_libs[bug]), json_output=False
    )
    assert text.code == 1, text.describe()
    for function, rule in must:
        line = next(
            line
            for line in text.stdout.splitlines()
            if line.startswith("FAIL") and line.split()[1:3] == [function, rule]
        )
        assert f"{function}(" in line, line


def test_a_crash_on_nan_names_the_parameter_and_the_value(
    typed_libs: dict[str, Path],
) -> None:
    run = run_check("--spec", str(TYPED_SPEC), "--lib", str(typed_libs["NAN_CRASH"]))
    result = run.outcome("describe", "extreme-values")
    assert result["outcome"] == "fail", result
    # The other parameters at ordinary values, NaN alone the extreme.
    assert result["input"].startswith(
        'while calling describe(name=text (12 bytes: b"hello, world"), level=3, '
        "scale=NaN, loud=true"
    ), result
    # The NaN never reaches the ordinary arguments of the other rules.
    assert run.outcome("describe", "threads")["outcome"] == "pass"


def test_a_wrong_size_with_several_inputs_names_both_inputs_and_the_size(
    typed_libs: dict[str, Path],
) -> None:
    run = run_check("--spec", str(TYPED_SPEC), "--lib", str(typed_libs["MULTI_SIZE"]))
    result = run.outcome("concat", "size-query")
    assert result["input"] == (
        'concat(a=empty input (0 bytes), b=one byte 0x00 (1 byte: b"\\x00"), '
        "out_ptr NULL, out_cap 0)"
    ), result
    assert result["expected"].startswith("VIX_STATUS_BUFFER_TOO_SMALL, out_len 1"), (
        result
    )


def test_a_crash_on_null_is_reported_once_and_the_message_rules_say_why_they_skip(
    typed_libs: dict[str, Path],
) -> None:
    run = run_check(
        "--spec", str(TYPED_SPEC), "--lib", str(typed_libs["NULL_OUT_VALUE"])
    )
    assert run.failed() == {("is_prime", "null-args")}, run.describe()
    for rule in ("message-utf8", "message-lifetime"):
        result = run.outcome("is_prime", rule)
        assert result["outcome"] == "skip", result
        assert "crashed under null-args" in result["seen"], result
    # The functions that handle NULL still have their messages read.
    assert run.outcome("crc32", "message-utf8")["outcome"] == "pass"


def fuzz_lines(result: dict[str, Any]) -> dict[str, str]:
    """The lines a failing typed ``fuzz`` adds to its detail, by their first words:
    ``found`` (the list fuzzing found), ``reduced`` (what it reduced to), ``replay`` (the
    ``--replay`` value of the command it prints)."""
    lines: dict[str, str] = {}
    for line in result["detail"].splitlines():
        if line.startswith("fuzz argument list #"):
            lines["found"] = line
        elif line.startswith("reduced ("):
            lines["reduced"] = line.split(" to: ", 1)[1]
        elif line.startswith("replay it: vix-ffi check "):
            lines["replay"] = line.split("--replay ", 1)[1]
    return lines


def test_a_typed_fuzz_crash_on_nan_is_reduced_keeping_the_nan(
    typed_libs: dict[str, Path],
) -> None:
    """BUG_NAN_CRASH crashes on a NaN scale, which fuzzing reaches through the extremes
    it mixes in. Reduced, the name is empty and the other scalars at 0 or false, but the
    NaN stays (no finite scale crashes); the encoded list replays it, and so does the
    list's number (``#N``, rebuilt from --seed and --iterations)."""
    lib = str(typed_libs["NAN_CRASH"])
    run = run_check("--spec", str(TYPED_SPEC), "--lib", lib, "--fuzz", "2")
    assert {f for f, rule in run.failed() if rule == "fuzz"} == {"describe"}, (
        run.describe()
    )
    result = run.outcome("describe", "fuzz")
    lines = fuzz_lines(result)
    assert lines["reduced"] == 'describe(name=b"", level=0, scale=NaN, loud=false)', (
        result
    )
    assert lines["replay"] == "describe=,0,NaN,false", result
    assert result["input"].startswith(
        "while calling describe(name=the reduced input (0 bytes), level=0, scale=NaN, "
    ), result
    again = run_check(
        "--spec", str(TYPED_SPEC), "--lib", lib, "--replay", lines["replay"]
    )
    assert again.failed() == {("describe", "fuzz")}, again.describe()
    assert again.outcome("describe", "fuzz")["seen"] == result["seen"]
    finite = run_check(
        "--spec", str(TYPED_SPEC), "--lib", lib, "--replay", "describe=,0,0.0,false"
    )
    assert finite.failed() == set(), finite.describe()
    number = re.match(
        r"fuzz argument list #(\d+) of seed 1: describe\(", lines["found"]
    )
    assert number, lines
    by_number = run_check(
        "--spec", str(TYPED_SPEC), "--lib", lib, "--seed", "1", "--iterations", "64",
        "--replay", f"describe=#{number[1]}",
    )  # fmt: skip
    assert by_number.failed() == {("describe", "fuzz")}, by_number.describe()
    assert "scale=NaN" in by_number.outcome("describe", "fuzz")["input"]


def test_fuzzing_finds_reduces_and_replays_a_typed_crash_the_corpus_misses(
    typed_libs: dict[str, Path],
) -> None:
    """BUG_FUZZ_NEWLINE: describe aborts when the level is negative and the name holds a
    newline. No ordinary argument list has both (the check without --fuzz passes); a
    short fuzz run of a fixed seed finds one, reduces it to a one-byte name and the
    simplest scalars that still crash, prints it in the author's terms with a replay
    command, and the replay fails the same way; the same seed gives the same report."""
    lib = str(typed_libs["FUZZ_NEWLINE"])
    plain = run_check("--spec", str(TYPED_SPEC), "--lib", lib)
    assert plain.code == 0, plain.describe()
    args = ("--spec", str(TYPED_SPEC), "--lib", lib, "--fuzz", "1", "--seed", "1")
    run = run_check(*args)
    assert run.failed() == {("describe", "fuzz")}, run.describe()
    result = run.outcome("describe", "fuzz")
    assert "SIGABRT" in result["seen"], result
    lines = fuzz_lines(result)
    assert lines["found"].startswith("fuzz argument list #"), result
    assert lines["reduced"] == (
        'describe(name=b"\\n", level=-1, scale=0.0, loud=false)'
    ), result
    function, encoded = lines["replay"].split("=", 1)
    name, level, scale, loud = encoded.split(",")
    assert function == "describe", lines
    assert bytes.fromhex(name) == b"\n", lines
    assert (int(level), float(scale), loud) == (-1, 0.0, "false"), lines
    assert result["input"] == (
        'while calling describe(name=the reduced input (1 byte: b"\\n"), level=-1, '
        "scale=0.0, loud=false, out_ptr NULL, out_cap 0)"
    ), result

    again = run_check(
        "--spec", str(TYPED_SPEC), "--lib", lib, "--replay", lines["replay"]
    )
    assert again.failed() == {("describe", "fuzz")}, again.describe()
    replayed = again.outcome("describe", "fuzz")
    assert replayed["seen"] == result["seen"], replayed
    assert 'name=the replayed input (1 byte: b"\\n")' in replayed["input"], replayed
    # Each condition alone keeps the contract.
    for other in ("describe=0a,1,0.0,false", "describe=41,-1,0.0,false"):
        alone = run_check("--spec", str(TYPED_SPEC), "--lib", lib, "--replay", other)
        assert alone.code == 0, alone.describe()
    same = run_check(*args)
    assert same.outcome("describe", "fuzz")["detail"] == result["detail"]


@pytest.mark.parametrize(
    ("replay", "message"),
    [
        (
            "describe=0a,-1,zero,false",
            'parameter 3 of 4, scale (double): "zero" is not a float',
        ),
        (
            "describe=0a,-1",
            (
                "4 values expected, comma-separated, one per parameter (name, level, "
                'scale, loud); "0a,-1" has 2'
            ),
        ),
        (
            "describe=0g,-1,1.0,false",
            'parameter 1 of 4, name (str): "0g" is not hex bytes',
        ),
        (
            "add_i32=1,2147483648",
            (
                'parameter 2 of 2, b (int32): "2147483648" is not in the range of int32 '
                "(-2147483648 to 2147483647)"
            ),
        ),
        (
            "is_prime=-1",
            'parameter 1 of 1, n (uint64): "-1" is not in the range of uint64',
        ),
        (
            "max_size=1,2,3,yes",
            'parameter 4 of 4, plus_one (bool): "yes" is not a bool (true or false)',
        ),
        ("reset=1", 'the empty list expected (no parameters); "1" has 1'),
        ("describe=#x", "after `#` comes the number of a fuzz argument list"),
    ],
)
def test_a_bad_replay_list_names_the_parameter_and_exits_2(
    replay: str, message: str, typed_libs: dict[str, Path]
) -> None:
    lib = str(typed_libs["NONE"])
    run = run_check(
        "--spec", str(TYPED_SPEC), "--lib", lib, "--replay", replay, json_output=False
    )
    assert run.code == 2, run.describe()
    assert f"bad arguments: --replay {replay}: " in run.stderr, run.stderr
    assert message in run.stderr, run.stderr


def test_replayed_extremes_reach_the_function_exactly(
    typed_libs: dict[str, Path],
) -> None:
    """The limits of each scalar type, NaN, -0.0, the infinities and a NULL buffer pass
    through ``--replay`` as the C function receives them: the conformant build keeps the
    contract on each, and a failing call shows the values it got."""
    lib = str(typed_libs["NONE"])
    for replay in [
        "sub_i64=-9223372036854775808,9223372036854775807",
        "max_size=18446744073709551615,0,1,true",
        "low_half=18446744073709551615",
        "clamp=-0.0,-inf,NaN",
        "describe=null,-2147483648,5e-324,true",
    ]:
        run = run_check("--spec", str(TYPED_SPEC), "--lib", lib, "--replay", replay)
        function = replay.split("=", 1)[0]
        assert run.code == 0, run.describe()
        assert run.outcome(function, "fuzz")["outcome"] == "pass", run.describe()
    crash = run_check(
        "--spec", str(TYPED_SPEC), "--lib", str(typed_libs["NAN_CRASH"]),
        "--replay", "describe=null,-2147483648,-NaN,true",
    )  # fmt: skip
    result = crash.outcome("describe", "fuzz")
    assert result["input"].startswith(
        "while calling describe(name=the replayed input, ptr NULL (0 bytes), "
        "level=-2147483648, scale=NaN, loud=true, "
    ), result
