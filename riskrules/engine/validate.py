"""Input validation: the declared schema -> a generated, fast validator.

The validator returns a normalised copy of the input (every declared field
present, optional ones as ``None``; ISO strings turned into dates and
datetimes; naive datetimes taken as UTC; lists as tuples, so a list equals a list
literal with the same items, as in batch) or raises one :class:`InputError`
naming every bad field. Unknown fields are ignored, or reported when the
engine is loaded with ``strict_input=True``.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from .types import Type


class InputError(ValueError):
    """The input does not fit the ruleset's schema; ``problems`` lists every bad field."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        lines = "; ".join(f"{path or '<input>'}: {msg}" for path, msg in problems)
        super().__init__(f"{len(problems)} invalid field{'s' if len(problems) != 1 else ''}: {lines}")

    def to_dict(self) -> dict:
        return {"error": "InputError", "problems": [{"field": p, "message": m} for p, m in self.problems]}


def _describe(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a bool"
    if isinstance(v, (int, float)):
        return f"the number {_number_text(v)}"
    if isinstance(v, Decimal):
        return f"the decimal {v}"
    if isinstance(v, str):
        return f"the string {v[:40]!r}"
    return f"a {type(v).__name__}"


def _number_text(v) -> str:
    """``repr(v)``, short for an integer too long to read (past 4,300 digits Python refuses to print one)."""
    if type(v) is int and v.bit_length() > 332:  # over 100 digits
        return f"{'-' if v < 0 else ''}<an integer of {int(v.bit_length() * 0.30103) + 1} digits>"
    return repr(v)


def _int(v, path, errs):
    t = type(v)
    if t is int:
        return v
    if t is float and v.is_integer():
        return int(v)
    errs.append((path, f"expected an integer, got {_describe(v)}"))


def _number(v, path, errs):
    t = type(v)
    if t is int or t is float:
        if t is float and not math.isfinite(v):
            errs.append((path, f"expected a finite number, got {v!r}"))
            return None
        return v
    if t is Decimal and v.is_finite():
        return float(v)
    errs.append((path, f"expected a number, got {_describe(v)}"))


def _decimal(v, path, errs, scale):
    """An amount with exactly ``scale`` digits after the point, from a Decimal, an int, text such as
    "12.50" or a float (by its shortest spelling, so the JSON 12.5 is 12.50); never rounded."""
    from .functions.money import parse

    try:
        return parse(v, scale)
    except (ValueError, ArithmeticError) as e:
        errs.append((path, f"expected a decimal amount with at most {scale} digits after the point, got "
                           f"{_describe(v)} ({e})"))


def _string(v, path, errs):
    if type(v) is str:
        return v
    errs.append((path, f"expected a string, got {_describe(v)}"))


def _bool(v, path, errs):
    if type(v) is bool:
        return v
    errs.append((path, f"expected true or false, got {_describe(v)}"))


def _date(v, path, errs):
    if type(v) is dt.date:
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            pass
    errs.append((path, f"expected a date (YYYY-MM-DD), got {_describe(v)}"))


def _datetime(v, path, errs):
    if isinstance(v, dt.datetime):
        return v if v.tzinfo is not None else v.replace(tzinfo=dt.timezone.utc)
    if isinstance(v, str):
        try:
            d = dt.datetime.fromisoformat(v)
        except ValueError:
            d = None
        if d is not None:
            return d if d.tzinfo is not None else d.replace(tzinfo=dt.timezone.utc)
    errs.append((path, f"expected a datetime (ISO 8601), got {_describe(v)}"))


def _duration(v, path, errs):
    if isinstance(v, dt.timedelta):
        return v
    # an int is compared as it is: math.isfinite would raise OverflowError past a float's range
    if type(v) is int or (type(v) is float and math.isfinite(v)):
        if -MAX_DURATION_SECONDS <= v <= MAX_DURATION_SECONDS:
            return dt.timedelta(seconds=v)
        errs.append((path, f"duration out of range: {_number_text(v)} seconds (at most ±{MAX_DURATION_SECONDS:.0e})"))
        return None
    errs.append((path, f"expected a duration (timedelta or seconds), got {_describe(v)}"))


# Durations given as seconds: about 31,700 years either way. Python's timedelta and polars'
# microsecond durations both hold this, so per event and in batch the same numbers are good.
MAX_DURATION_SECONDS = 1e12


_FAST_OK = {
    "int": "type({v}) is int",
    "number": "(type({v}) is int or (type({v}) is float and -INF < {v} < INF))",
    "string": "type({v}) is str",
    "bool": "type({v}) is bool",
    "date": "type({v}) is DATE",
    "datetime": "(type({v}) is DATETIME and {v}.tzinfo is not None)",
    "duration": "type({v}) is TIMEDELTA",
}

_SCALAR = {"int": "_int", "number": "_number", "string": "_string", "bool": "_bool", "date": "_date",
           "datetime": "_datetime", "duration": "_duration"}


class _Gen:
    def __init__(self, strict: bool, prefix: str = ""):
        self.strict = strict
        self.prefix = prefix  # keeps generated names apart from the names of code they are inlined into
        self.funcs: list[str] = []
        self.consts: dict[str, object] = {}
        self.n = 0

    def const(self, value) -> str:
        k = f"{self.prefix}K{len(self.consts)}"
        self.consts[k] = value
        return k

    def obj(self, t: Type) -> str:
        self.n += 1
        name = f"_{self.prefix}obj{self.n}"
        lines = [f"def {name}(d, path, errs):",
                 "    if not isinstance(d, Mapping):",
                 "        errs.append((path, f'expected an object, got {_describe(d)}')); return None",
                 "    pre = path + '.' if path else ''",
                 "    out = {}"]
        for fname, ft, optional in t.fields:
            lines.append(f"    v = d.get({fname!r})")
            lines.append("    if v is None:")
            if optional:
                lines.append(f"        out[{fname!r}] = None")
            else:
                lines.append(f"        errs.append((pre + {fname!r}, 'required field is missing')); out[{fname!r}] = None")
            lines.append("    else:")
            lines.append(f"        out[{fname!r}] = {self.value(ft, 'v', f'pre + {fname!r}')}")
        if self.strict:
            known = self.const(frozenset(f for f, _, _ in t.fields))
            lines.append(f"    for k in d.keys() - {known}:")
            lines.append("        errs.append((pre + str(k), 'unknown field'))")
        lines.append("    return out")
        self.funcs.append("\n".join(lines))
        return name

    def value(self, t: Type, v: str, path: str, errs: str = "errs") -> str:
        """An expression: ``v`` checked and normalised, problems appended to the list ``errs``."""
        if t.name in _SCALAR:
            # the common case (already the right type) inline; the helper only on a mismatch
            ok = _FAST_OK[t.name].format(v=v)
            return f"({v} if {ok} else {_SCALAR[t.name]}({v}, {path}, {errs}))"
        if t.name == "decimal":
            return f"_decimal({v}, {path}, {errs}, {t.scale})"
        if t.name == "enum":
            k = self.const(frozenset(t.values))
            msg = "expected one of " + ", ".join(t.values) + ", got "
            return (f"({v} if type({v}) is str and {v} in {k} else "
                    f"{errs}.append(({path}, {msg!r} + _describe({v}))))")
        if t.name == "object":
            return f"{self.obj(t)}({v}, {path}, {errs})"
        if t.name == "list":
            self.n += 1
            name = f"_{self.prefix}list{self.n}"
            item = self.value(t.item, "x", "f'{path}[{i}]'") if t.item and t.item.name != "any" else "x"
            self.funcs.append("\n".join([
                f"def {name}(seq, path, errs):",
                "    if not isinstance(seq, (list, tuple)):",
                "        errs.append((path, f'expected a list, got {_describe(seq)}')); return None",
                "    out = []",
                "    for i, x in enumerate(seq):",
                "        if x is None:",
                "            errs.append((f'{path}[{i}]', 'list items may not be null')); continue",
                f"        out.append({item})",
                "    return tuple(out)",
            ]))
            return f"{name}({v}, {path}, {errs})"
        return v


def _env(g: _Gen) -> dict:
    """The globals generated validation code needs, with ``g``'s helper functions compiled in."""
    from collections.abc import Mapping

    env = {"Mapping": Mapping, "InputError": InputError, "INF": math.inf, "DATE": dt.date,
           "DATETIME": dt.datetime, "TIMEDELTA": dt.timedelta, "_describe": _describe, "_int": _int, "_number": _number,
           "_string": _string, "_decimal": _decimal, "_bool": _bool, "_date": _date, "_datetime": _datetime, "_duration": _duration}
    env.update(g.consts)
    if g.funcs:
        # generated from the schema's names via repr, never from rule text
        exec(compile("\n\n".join(g.funcs), "<riskrules validator>", "exec"), env)  # noqa: S102
    return env


def build_validator(schema: Type, *, strict: bool = False):
    """A function ``validate(data) -> normalised dict`` raising :class:`InputError`."""
    g = _Gen(strict)
    root = g.obj(schema)
    env = _env(g)
    src = f"""
def validate(d):
    errs = []
    out = {root}(d, '', errs)
    if errs:
        raise InputError(errs)
    return out
"""
    exec(compile(src, "<riskrules validator>", "exec"), env)  # noqa: S102 - see above
    return env["validate"]


def build_prelude(schema: Type, names: dict[str, str], *, strict: bool = False) -> tuple[list[str], dict]:
    """Statements that check the input ``inp`` straight into local variables, and their globals.

    ``names`` maps each top-level field to the local it is bound to. The statements
    check, normalise and report exactly as :func:`build_validator`'s ``validate``
    (same helpers, same order, same messages) and raise one :class:`InputError`, but
    they build no normalised copy of the top level: a generated decision function
    starts with them and reads its fields from the locals. Nested objects and lists
    still go through the validator's helper functions.
    """
    g = _Gen(strict, prefix="v")
    lines = ["if not isinstance(inp, Mapping):",
             "    raise InputError([('', 'expected an object, got ' + _describe(inp))])",
             "_errs = []; _get = inp.get"]
    for fname, ft, optional in schema.fields:
        v, path = names[fname], repr(fname)
        lines.append(f"{v} = _get({path})")
        if ft.name in _SCALAR:
            ok = _FAST_OK[ft.name].format(v=v)
            ok = ok if ok.startswith("(") else f"({ok})"
            fix = f"{v} = {_SCALAR[ft.name]}({v}, {path}, _errs)"
            if optional:
                lines.append(f"if {v} is not None and not {ok}: {fix}")
            else:
                lines += [f"if not {ok}:",
                          f"    if {v} is None: _errs.append(({path}, 'required field is missing'))",
                          f"    else: {fix}"]
        else:
            check = g.value(ft, v, path, "_errs")
            if optional:
                lines.append(f"if {v} is not None: {v} = {check}")
            else:
                lines += [f"if {v} is None: _errs.append(({path}, 'required field is missing'))",
                          f"else: {v} = {check}"]
    if strict:
        known = g.const(frozenset(f for f, _, _ in schema.fields))
        lines += [f"for _k in inp.keys() - {known}:", "    _errs.append((str(_k), 'unknown field'))"]
    lines.append("if _errs: raise InputError(_errs)")
    return lines, _env(g)
