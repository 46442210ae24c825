"""Ruleset tests: YAML cases next to the rules (``riskrules test PATH``).

A test file holds an optional shared ``base`` input and a list of cases; each
case's ``input`` is deep-merged onto the base (a ``null`` deletes a key), so
a case states only what makes it different::

    now: 2026-03-01T10:00:00+08:00
    base: {applicant: {age: 35, ...}, ...}
    cases:
      - name: minors are declined
        input: {applicant: {age: 17}}
        expect:
          outcome: decline
          fired: [KYC-001]           # these fire (others may too)
          not_fired: [KYC-002]
          fired_exactly: [...]       # exactly these active rules fire
          reasons: [AGE_BELOW_MINIMUM]   # the first reasons, in order ([] = no reasons at all)
          score: {min: 300, max: 700}
          tables: {credit_limit: {limit: 0}}
          shadow_fired: [...]
          unexplained: false
          errors: 0
          input_error: [applicant.age]   # the input must be rejected naming these fields
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .._common.time import UTC, assume_utc, parse_datetime
from .validate import InputError

EXPECT_KEYS = {"outcome", "fired", "not_fired", "fired_exactly", "reasons", "score", "tables", "shadow_fired",
               "unexplained", "errors", "input_error"}


@dataclass
class CaseResult:
    file: str
    name: str
    line: int
    passed: bool
    problems: list[str] = field(default_factory=list)
    fired: tuple[str, ...] = ()
    diff: str = ""  # unified diff of the expectation against what the decision gave


@dataclass
class TestReport:
    results: list[CaseResult]
    never_fired: list[str]
    rule_count: int

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed


def deep_merge(base, patch):
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(base)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node, deep=False):
    m = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
    m["__line__"] = node.start_mark.line + 1
    return m


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(v):
    if isinstance(v, dict):
        return {k: _strip_lines(x) for k, x in v.items() if k != "__line__"}
    if isinstance(v, list):
        return [_strip_lines(x) for x in v]
    return v


def test_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.yaml") if p.is_file()) + sorted(p for p in path.rglob("*.yml"))


def run_tests(engine, path: Path) -> TestReport:
    """Run every case under ``path`` (a file or a folder) against ``engine``."""
    results: list[CaseResult] = []
    fired_any: set[str] = set()
    for f in test_files(path):
        try:
            doc = yaml.load(f.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
        except yaml.YAMLError as exc:
            results.append(CaseResult(str(f), "<file>", 1, False, [f"not valid YAML: {exc}"]))
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
            results.append(CaseResult(str(f), "<file>", 1, False, ["a test file needs a 'cases:' list"]))
            continue
        base = _strip_lines(doc.get("base") or {})
        now = as_utc(doc.get("now"))
        for i, case in enumerate(doc["cases"]):
            r = _run_case(engine, f, i, case, base, now)
            fired_any.update(r.fired)
            results.append(r)
    all_ids = [r.id for r in engine.program.rules + engine.program.shadow]
    return TestReport(results, [rid for rid in all_ids if rid not in fired_any], len(all_ids))


def as_utc(v) -> dt.datetime | None:
    """A test's or an outcome file's time as an aware datetime: a datetime (naive read as
    UTC), a date (its midnight UTC) or ISO 8601 text; None stays None.

    >>> as_utc("2026-03-01")
    datetime.datetime(2026, 3, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return assume_utc(v)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day, tzinfo=UTC)
    return parse_datetime(str(v))


def _run_case(engine, f: Path, i: int, case, base, now) -> CaseResult:
    if not isinstance(case, dict):
        return CaseResult(str(f), f"case {i + 1}", 1, False, ["a case must be a mapping"])
    line = case.get("__line__", 1)
    name = str(case.get("name") or f"case {i + 1}")
    expect = _strip_lines(case.get("expect"))
    if expect is None or expect == {}:
        return CaseResult(str(f), name, line, False,
                          ["a case needs expectations: 'expect:' is missing or empty, so the case would test nothing"])
    if not isinstance(expect, dict):
        return CaseResult(str(f), name, line, False,
                          [f"a case needs expectations: 'expect:' must be a mapping, got {_kind(expect)}"])
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        return CaseResult(str(f), name, line, False, [f"unknown expectation(s): {', '.join(sorted(unknown))}"])
    malformed = _malformed(expect)
    if malformed:
        return CaseResult(str(f), name, line, False, malformed)
    data = deep_merge(base, _strip_lines(case.get("input") or {}))
    try:
        d = engine.decide(data, now=as_utc(case.get("now")) or now)
    except InputError as exc:
        want = expect.get("input_error")
        if want is None:
            return CaseResult(str(f), name, line, False, [f"input rejected: {exc}"])
        bad = {p for p, _ in exc.problems}
        missing = [w for w in want if w not in bad]
        return CaseResult(str(f), name, line, not missing,
                          [f"expected input error on {w}; got {sorted(bad)}" for w in missing])
    problems = _compare(expect, d)
    diff = _diff(expect, d) if problems else ""
    return CaseResult(str(f), name, line, not problems, problems, d.fired + d.shadow_fired, diff)


def _kind(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"the bool {v}"
    if isinstance(v, (int, float)):
        return f"the number {v!r}"
    if isinstance(v, str):
        return f"the string {v[:40]!r}"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    return type(v).__name__


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _string_list(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _malformed(expect: dict) -> list[str]:
    """Expectations of the wrong shape, each as a problem (never a crash later on)."""
    p = []
    if "outcome" in expect and not isinstance(expect["outcome"], str):
        p.append(f"outcome: expected an outcome name, got {_kind(expect['outcome'])}")
    for key in ("fired", "not_fired", "fired_exactly", "shadow_fired", "reasons"):
        if key in expect and not _string_list(expect[key]):
            p.append(f"{key}: expected a list of {'reason codes' if key == 'reasons' else 'rule ids'}, "
                     f"got {_kind(expect[key])}")
    if "input_error" in expect:
        v = expect["input_error"]
        if not _string_list(v) or not v:
            p.append(f"input_error: expected a non-empty list of field names, got {_kind(v)}")
    if "score" in expect:
        v = expect["score"]
        if isinstance(v, dict):
            extra = set(v) - {"min", "max"}
            bounds = [v[k] for k in ("min", "max") if v.get(k) is not None]
            if extra or not bounds or not all(_is_number(b) for b in bounds):
                p.append("score: expected a number or {min: number, max: number}, got "
                         + (f"the key(s) {', '.join(sorted(map(str, extra)))}" if extra else
                            "no bound" if not bounds else "a bound that is not a number"))
        elif not _is_number(v):
            p.append(f"score: expected a number or {{min, max}}, got {_kind(v)}")
    if "tables" in expect:
        v = expect["tables"]
        if not isinstance(v, dict):
            p.append(f"tables: expected a mapping of table -> {{output: value}}, got {_kind(v)}")
        else:
            for t, outs in v.items():
                if not isinstance(outs, dict):
                    p.append(f"tables.{t}: expected a mapping of output -> value, got {_kind(outs)}")
    if "errors" in expect and (not isinstance(expect["errors"], int) or isinstance(expect["errors"], bool)
                               or expect["errors"] < 0):
        p.append(f"errors: expected a count (a non-negative integer), got {_kind(expect['errors'])}")
    if "unexplained" in expect and not isinstance(expect["unexplained"], bool):
        p.append(f"unexplained: expected true or false, got {_kind(expect['unexplained'])}")
    return p


def _as_written(v):
    """A table output as a case writes it: list values are tuples per event, YAML lists in a case."""
    return [_as_written(x) for x in v] if isinstance(v, tuple) else v


def _actual(expect: dict, d) -> dict:
    """The decision, seen through the keys the case expects."""
    got = {
        "outcome": d.outcome, "fired": list(d.fired), "fired_exactly": list(d.fired),
        "shadow_fired": list(d.shadow_fired), "reasons": d.reason_codes, "score": d.score,
        "unexplained": d.unexplained, "errors": len(d.errors),
        "not_fired": [r for r in expect.get("not_fired", []) if r not in d.fired],
        "tables": {t: {k: _as_written(d.tables.get(t, {}).get(k)) for k in outs}
                   for t, outs in (expect.get("tables") or {}).items()},
    }
    if isinstance(expect.get("fired"), list):
        got["fired"] = [r for r in expect["fired"] if r in d.fired] + [r for r in d.fired if r not in expect["fired"]]
    return {k: got[k] for k in expect if k in got}


def _diff(expect: dict, d) -> str:
    import difflib

    def dump(v):
        return yaml.safe_dump(v, allow_unicode=True, sort_keys=False, default_flow_style=None).splitlines()

    lines = difflib.unified_diff(dump(expect), dump(_actual(expect, d)), "expected", "decided", lineterm="", n=1)
    return "\n".join(lines)


def _compare(expect: dict, d) -> list[str]:
    p = []
    if "input_error" in expect:
        p.append(f"expected the input to be rejected, but it was decided: {d.outcome}")
    if "outcome" in expect and d.outcome != expect["outcome"]:
        p.append(f"outcome: expected {expect['outcome']!r}, got {d.outcome!r}")
    fired = set(d.fired)
    for rid in expect.get("fired", []):
        if rid not in fired:
            p.append(f"fired: expected {rid} to fire; fired: {', '.join(d.fired) or 'none'}")
    for rid in expect.get("not_fired", []):
        if rid in fired:
            p.append(f"not_fired: {rid} fired")
    if "fired_exactly" in expect and sorted(expect["fired_exactly"]) != sorted(d.fired):
        p.append(f"fired_exactly: expected {sorted(expect['fired_exactly'])}, got {sorted(d.fired)}")
    if "shadow_fired" in expect and sorted(expect["shadow_fired"]) != sorted(d.shadow_fired):
        p.append(f"shadow_fired: expected {sorted(expect['shadow_fired'])}, got {sorted(d.shadow_fired)}")
    if "reasons" in expect:
        want = list(expect["reasons"])
        if not want:  # `reasons: []` means no reasons at all (an empty prefix would always pass)
            if d.reason_codes:
                p.append(f"reasons: expected none, got {d.reason_codes}")
        elif d.reason_codes[: len(want)] != want:
            p.append(f"reasons: expected {want} first, got {d.reason_codes}")
    if "score" in expect:
        s = expect["score"]
        lo, hi = (s.get("min"), s.get("max")) if isinstance(s, dict) else (s, s)
        if d.score is None or (lo is not None and d.score < lo) or (hi is not None and d.score > hi):
            p.append(f"score: expected within [{lo}, {hi}], got {d.score}")
    for table, outs in (expect.get("tables") or {}).items():
        got = d.tables.get(table)
        if got is None:
            p.append(f"tables: no table {table!r}")
            continue
        for k, v in outs.items():
            if _as_written(got.get(k)) != v:
                p.append(f"tables.{table}.{k}: expected {v!r}, got {_as_written(got.get(k))!r}")
    if "unexplained" in expect and d.unexplained != expect["unexplained"]:
        p.append(f"unexplained: expected {expect['unexplained']}, got {d.unexplained}")
    if "errors" in expect and len(d.errors) != expect["errors"]:
        p.append(f"errors: expected {expect['errors']}, got {len(d.errors)}: "
                 + "; ".join(f"{e['where']}: {e['message']}" for e in d.errors))
    return p
