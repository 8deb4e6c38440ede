"""``vix-ffi check`` on classes (ABI v1.1 objects): tests/fixtures/c_objects and
tests/fixtures/cpp_objects.

A class's constructor and methods are checked as typed functions (``Class.new``,
``Class.method``), each method on a live object made by the constructor; the class as a
whole gets ``free-null``, ``leaks`` over create/call/free cycles and ``threads`` with one
object per thread. The conformant objlib and the C++ cppstats pass every rule; each
``-DBUG_<NAME>`` build of objlib breaks one rule of objects and must be reported under
it, in the author's terms: the class, the method, the call.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from check_helpers import (
    CLASS_RULES,
    CPP_OBJECTS_SPEC,
    OBJECTS_SPEC,
    CheckRun,
    expected_rules,
    run_check,
)


def reported_rules(spec: Path) -> dict[str, list[str]]:
    """Every entry of ``spec`` the checker reports on (functions declared with
    ``returns``, then per class ``Class.new``, ``Class.method`` and ``Class``), with the
    rules it must apply, worked out from the manifest."""
    manifest = json.loads(spec.read_text())
    entries: dict[str, list[str]] = {}
    for f in manifest["functions"]:
        if "returns" in f:
            entries[f["name"]] = expected_rules(f)
    for cls in manifest["classes"]:
        name = cls["name"]
        if "init" in cls:
            entries[f"{name}.new"] = expected_rules(cls["init"], returns=name)
        for m in cls.get("methods", []):
            entries[f"{name}.{m['name']}"] = expected_rules(m, method=True)
        entries[name] = CLASS_RULES
    return entries


def assert_every_rule_applied(run: CheckRun, spec: Path) -> None:
    for name, want in reported_rules(spec).items():
        rules = [
            r["rule"]
            for r in run.results()
            if r["function"] == name and r["rule"] != "symbol"
        ]
        assert rules == want, (name, rules, want)


def test_the_conformant_c_build_passes_every_rule(
    objects_libs: dict[str, Path],
) -> None:
    run = run_check("--spec", str(OBJECTS_SPEC), "--lib", str(objects_libs["NONE"]))
    assert run.code == 0, run.describe()
    assert run.failed() == set(), run.describe()
    skipped = {
        (r["function"], r["rule"]) for r in run.results() if r["outcome"] == "skip"
    }
    # objlib declares no version function; nothing else is left unchecked.
    assert skipped == {("(version)", "symbol")}, run.describe()
    assert_every_rule_applied(run, OBJECTS_SPEC)
    # Methods ran on a live object: a Hasher's digest succeeded and wrote its value.
    seen = run.outcome("Hasher.digest", "scalar-output")["seen"]
    assert re.match(r"[1-9]\d* successful calls wrote out_value", seen), seen
    # The constructor was called with keys it takes; the class with every method.
    seen = run.outcome("Hasher.new", "handle-output")["seen"]
    assert re.match(r"[1-9]\d* calls gave a new object", seen), seen
    seen = run.outcome("Hasher", "threads")["seen"]
    assert "each with its own Hasher" in seen, seen
    assert "update, digest, length, hexdigest, copy, absorb" in seen, seen
    # An object parameter and out_handle given as NULL are refused.
    assert run.outcome("Hasher.absorb", "null-args")["seen"] == "other NULL"
    assert run.outcome("hash_of", "null-args")["seen"] == (
        "data_ptr NULL, out_handle NULL"
    )


def test_the_cpp_objects_fixture_passes_every_rule(cpp_objects_lib: Path) -> None:
    run = run_check("--spec", str(CPP_OBJECTS_SPEC), "--lib", str(cpp_objects_lib))
    assert run.code == 0, run.describe()
    assert run.failed() == set(), run.describe()
    skipped = {
        (r["function"], r["rule"]) for r in run.results() if r["outcome"] == "skip"
    }
    # A new Stats has the empty label: nothing one byte short of it to ask for.
    assert skipped == {("Stats.label", "one-short")}, run.describe()
    assert_every_rule_applied(run, CPP_OBJECTS_SPEC)
    # vix_ffi.hpp's method helpers refuse a NULL self with a message, which the message
    # rules then read.
    assert run.outcome("Stats.add", "message-utf8")["outcome"] == "pass"


# bug: (failures that must be reported, the call the first finding names, a part of
# its "seen", a part of its "expected")
EXPECTED: dict[str, tuple[set[tuple[str, str]], str, str, str]] = {
    "FREE_NULL": (
        {("Hasher", "free-null")},
        "while calling objlib_hasher_free(NULL)",
        "SIGSEGV",
        "free(NULL) does nothing",
    ),
    "NULL_SELF_OK": (
        {("Hasher.length", "null-self")},
        "Hasher.length(self NULL",
        "VIX_STATUS_OK: the method went on without an object",
        "check self for NULL first in every method of Hasher",
    ),
    "NULL_SELF_CRASH": (
        {("Hasher.digest", "null-self")},
        "while calling Hasher.digest(self NULL",
        "SIGSEGV",
        "VIX_STATUS_INVALID_ARG",
    ),
    "HANDLE_ON_ERROR": (
        {("Hasher.new", "handle-output")},
        "Hasher.new(key=",
        "VIX_STATUS_INVALID_ARG, and out_handle set to 0x",
        "left NULL (untouched) on every error",
    ),
    "NEW_LEAK": (
        {("Hasher", "leaks"), ("Hasher.new", "leaks")},
        "",
        "leaks",
        "",
    ),
}


@pytest.mark.parametrize("bug", sorted(EXPECTED))
def test_each_broken_build_is_reported_under_its_rule(
    bug: str, objects_libs: dict[str, Path]
) -> None:
    must, call, seen, expected = EXPECTED[bug]
    run = run_check("--spec", str(OBJECTS_SPEC), "--lib", str(objects_libs[bug]))
    assert run.code == 1, run.describe()
    assert run.failed() == must, run.describe()
    for function, rule in must:
        result = run.outcome(function, rule)
        assert result["input"].startswith(call), result
        assert seen in result["seen"], result
        assert expected in result["expected"], result

    text = run_check(
        "--spec", str(OBJECTS_SPEC), "--lib", str(objects_libs[bug]), json_output=False
    )
    assert text.code == 1, text.describe()
    for function, rule in must:
        assert any(
            line.startswith("FAIL") and line.split()[1:3] == [function, rule]
            for line in text.stdout.splitlines()
        ), text.describe()


def per_cycle(result: dict[str, Any]) -> int:
    match = re.search(r"leaks (\d+) bytes per (cycle|call)", result["seen"])
    assert match, result
    return int(match[1])


def test_a_leaking_constructor_is_named_with_its_class_and_bytes_per_cycle(
    objects_libs: dict[str, Path],
) -> None:
    run = run_check("--spec", str(OBJECTS_SPEC), "--lib", str(objects_libs["NEW_LEAK"]))
    cls = run.outcome("Hasher", "leaks")
    assert cls["seen"].startswith("class Hasher: each create/call/free cycle leaks"), (
        cls
    )
    # BUG_NEW_LEAK keeps a 40-byte tag per Hasher.
    assert per_cycle(cls) >= 40, cls
    assert "objlib_hasher_free" in cls["expected"], cls
    new = run.outcome("Hasher.new", "leaks")
    assert new["input"].startswith("Hasher.new(key="), new
    assert "each Hasher it returns released by objlib_hasher_free" in new["seen"], new
    assert 40 <= per_cycle(new) < 80, new
    # The methods are not blamed for their constructor's leak: they say where it is.
    for method in ("Hasher.update", "Hasher.digest", "same"):
        result = run.outcome(method, "leaks")
        assert result["outcome"] == "skip", result
        assert "see the leaks of the class Hasher" in result["seen"], result
    # The Counter, another class of the same library, is unaffected.
    assert run.outcome("Counter", "leaks")["outcome"] == "pass"
    assert run.outcome("Counter.add", "leaks")["outcome"] == "pass"


def test_a_crash_on_a_null_self_keeps_the_message_rules_off_null_calls(
    objects_libs: dict[str, Path],
) -> None:
    run = run_check(
        "--spec", str(OBJECTS_SPEC), "--lib", str(objects_libs["NULL_SELF_CRASH"])
    )
    # Reported once, under null-self; the message rules do not make the call again.
    assert run.failed() == {("Hasher.digest", "null-self")}, run.describe()
    for rule in ("message-utf8", "message-lifetime"):
        result = run.outcome("Hasher.digest", rule)
        assert result["outcome"] == "skip", result
        assert "crashed under null-args or null-self" in result["seen"], result
    # The other methods' NULL-self calls still give messages to read.
    assert run.outcome("Hasher.length", "message-utf8")["outcome"] == "pass"


def test_the_conformant_c_build_survives_a_short_fuzz_run(
    objects_libs: dict[str, Path],
) -> None:
    """--fuzz 1: constructors and methods get mutated argument lists too, each method on
    a new object, every object released."""
    run = run_check(
        "--spec", str(OBJECTS_SPEC), "--lib", str(objects_libs["NONE"]), "--fuzz", "1"
    )
    assert run.code == 0, run.describe()
    for function in ("Hasher.new", "Hasher.update", "Hasher.absorb", "Counter.add"):
        result = run.outcome(function, "fuzz")
        assert result["outcome"] == "pass", result
        assert not result["seen"].startswith("0 mutated"), result


def test_a_replayed_argument_list_gives_a_method_a_new_object_argument(
    objects_libs: dict[str, Path],
) -> None:
    """In ``--replay Class.method=ARGS`` an object parameter is ``new`` (self is made as
    for every rule, and left out of the list); anything else there is refused, naming
    the parameter."""
    lib = str(objects_libs["NONE"])
    for replay in ("Hasher.absorb=new", "Hasher.update=6869", "Hasher.new=null"):
        run = run_check("--spec", str(OBJECTS_SPEC), "--lib", lib, "--replay", replay)
        function = replay.split("=", 1)[0]
        assert run.code == 0, run.describe()
        result = run.outcome(function, "fuzz")
        assert result["seen"] == "the replayed argument list kept the contract", result
    bad = run_check(
        "--spec", str(OBJECTS_SPEC), "--lib", lib, "--replay", "Hasher.absorb=00",
        json_output=False,
    )  # fmt: skip
    assert bad.code == 2, bad.describe()
    assert (
        'parameter 1 of 1, other (an object): "00" is not `new` (an object parameter '
        "takes a new object)"
    ) in bad.stderr, bad.stderr
