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

from .._common.time import assume_utc
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
        return assume_utc(v)
    if isinstance(v, str):
        try:
            d = dt.datetime.fromisoformat(v)
        except ValueError:
            d = None
        if d is not None:
            return assume_utc(d)
    errs.append((path, f"expected a datetime (ISO 8601), got {_describe(v)}"))


def as_datetime(v) -> dt.datetime | None:
    """``v`` read as the validator reads a datetime field (ISO text; naive is UTC), or None if it is none."""
    errs: list = []
    out = _datetime(v, "", errs)
    return None if errs else out


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


def build_prelude(schema: Type, names: dict, *, strict: bool = False) -> tuple[list[str], dict]:
    """Statements that check the input ``inp`` straight into local variables, and their globals.

    ``names`` maps each top-level field to the local it is bound to. The statements
    check, normalise and report exactly as :func:`build_validator`'s ``validate``
    (same helpers, same order, same messages) and raise one :class:`InputError`, but
    they build no normalised copy: a generated decision function starts with them and
    reads its fields from the locals. A nested object whose fields ``names`` also maps
    (by path, ``("applicant", "kyc", "face_match")``) is checked inline in the same way:
    each of its fields gets a local (``None`` when the object is missing), and the
    object's own local keeps the object as given, or ``None``. Other nested objects and
    lists go through the validator's helper functions.
    """
    g = _Gen(strict, prefix="v")
    lines = ["if type(inp) is not DICT and not isinstance(inp, Mapping):",
             "    raise InputError([('', 'expected an object, got ' + _describe(inp))])",
             "_errs = []; _get = inp.get"]
    _prelude_fields(g, schema, (), names, "_get", lines)
    if strict:
        known = g.const(frozenset(f for f, _, _ in schema.fields))
        lines += [f"for _k in inp.keys() - {known}:", "    _errs.append((str(_k), 'unknown field'))"]
    lines.append("if _errs: raise InputError(_errs)")
    env = _env(g)
    env["DICT"] = dict  # a plain dict is a Mapping: the common case skips the slower isinstance
    return lines, env


def _prelude_fields(g: _Gen, t: Type, at: tuple, names: dict, get: str, lines: list[str]) -> None:
    """The checks of object ``t``'s fields (``at`` is its path, ``get`` its ``.get``) into ``lines``."""
    for fname, ft, optional in t.fields:
        path_t = at + (fname,)
        v, path = names[path_t if at else fname], repr(".".join(path_t))
        lines.append(f"{v} = {get}({fname!r})")
        if _inlined(ft, path_t, names):
            # inline: the object's fields into their own locals
            inner: list[str] = []
            g.n += 1
            inner_get = f"_get{g.n}"
            _prelude_fields(g, ft, path_t, names, inner_get, inner)
            if g.strict:
                known = g.const(frozenset(f for f, _, _ in ft.fields))
                inner += [f"for _k in {v}.keys() - {known}:",
                          f"    _errs.append(({path} + '.' + str(_k), 'unknown field'))"]
            lines.append(f"if {v} is None:")
            if not optional:
                lines.append(f"    _errs.append(({path}, 'required field is missing'))")
            lines.append("    " + " = ".join(_locals_under(ft, path_t, names)) + " = None")
            lines += [f"elif type({v}) is not DICT and not isinstance({v}, Mapping):",
                      f"    _errs.append(({path}, 'expected an object, got ' + _describe({v})))",
                      "else:",
                      f"    {inner_get} = {v}.get"]
            lines += ["    " + line for line in inner]
        elif ft.name in _SCALAR:
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


def _inlined(t: Type, at: tuple, names: dict) -> bool:
    """Whether the object field at ``at`` is checked inline: ``names`` has a local for each of its fields."""
    return t.name == "object" and bool(t.fields) and all(at + (f,) in names for f, _, _ in t.fields)


def _locals_under(t: Type, at: tuple, names: dict) -> list[str]:
    """The locals of every field inside the inlined object ``t`` at ``at``, nested ones too."""
    out = []
    for fname, ft, _ in t.fields:
        out.append(names[at + (fname,)])
        if _inlined(ft, at + (fname,), names):
            out += _locals_under(ft, at + (fname,), names)
    return out
