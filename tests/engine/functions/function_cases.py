"""Loading the YAML cases of the builtin functions (cases/<domain>.yaml).

A case is ``{fn, args, expected}``, ``{fn, args, approx}`` (floats),
``{fn, args, error: true}`` (the implementation faults) or
``{fn, literals: {i: value}, invalid: true|false}`` (the ``validate`` hook).
``now`` overrides the decision time. ``!duration 90m`` is a ``timedelta``;
``!decimal 12.50`` a ``Decimal`` (its digits kept).
"""
from __future__ import annotations

import datetime as dt
import pathlib
import re
import zoneinfo
from decimal import Decimal

import yaml

CASES_DIR = pathlib.Path(__file__).parent / "cases"
NOW = dt.datetime(2024, 3, 1, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
_UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days",
          "w": "weeks"}


class CaseLoader(yaml.SafeLoader):
    pass


def _duration(loader, node):
    text = loader.construct_scalar(node)
    m = re.fullmatch(r"(-?\d+)(ms|s|m|h|d|w)", text)
    if not m:
        raise ValueError(f"bad duration {text!r}")
    return dt.timedelta(**{_UNITS[m[2]]: int(m[1])})


CaseLoader.add_constructor("!duration", _duration)
CaseLoader.add_constructor("!decimal", lambda loader, node: Decimal(loader.construct_scalar(node)))


def load_cases() -> list[dict]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for i, case in enumerate(yaml.load(path.read_text("utf-8"), CaseLoader)):
            case["id"] = f"{path.stem}:{i + 1}:{case['fn']}"
            case.setdefault("now", NOW)
            cases.append(case)
    return cases


def call_cases() -> list[dict]:
    return [c for c in load_cases() if "args" in c]


def validate_cases() -> list[dict]:
    return [c for c in load_cases() if "literals" in c]
