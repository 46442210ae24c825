"""Text builtins: case, trimming, searching, slicing, masking and RE2 regexes.

Lengths and positions count characters (code points), so ``length("张三") == 2``.
Positions start at 0; a negative start counts from the end.
"""
from __future__ import annotations

import polars as pl

from ..types import BOOL, INT, STRING, list_of
from . import builtin
from ._common import null_if_any_null
from ._regex import compiled, pattern_error, polars_safe

# Unicode White_Space: what trim removes in both backends (Python's str.strip
# would also strip \x1c-\x1f, Rust's trim would not).
WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@builtin("lower", [STRING], STRING, polars=lambda s: s.str.to_lowercase())
def lower(s: str) -> str:
    """Lower-case a string: `lower("ABC") == "abc"`."""
    return s.lower()


@builtin("upper", [STRING], STRING, polars=lambda s: s.str.to_uppercase())
def upper(s: str) -> str:
    """Upper-case a string: `upper("x1") == "X1"`."""
    return s.upper()


@builtin("trim", [STRING], STRING, polars=lambda s: s.str.strip_chars(WHITESPACE))
def trim(s: str) -> str:
    """Remove leading and trailing whitespace, including the ideographic space U+3000."""
    return s.strip(WHITESPACE)


@builtin("is_blank", [STRING], BOOL,
         polars=lambda s: s.str.strip_chars(WHITESPACE).str.len_chars() == 0)
def is_blank(s: str) -> bool:
    """True when the string is empty or only whitespace: `is_blank("  ")`."""
    return not s.strip(WHITESPACE)


@builtin("length", [STRING], INT, polars=lambda s: s.str.len_chars().cast(pl.Int64))
def length(s: str) -> int:
    """Number of characters: `length("张三") == 2`."""
    return len(s)


@builtin("contains", [STRING, STRING], BOOL,
         polars=lambda s, sub: s.str.contains(sub, literal=True))
def contains(s: str, sub: str) -> bool:
    """Does `s` contain `sub` literally? `contains(email, "@")`."""
    return sub in s


@builtin("starts_with", [STRING, STRING], BOOL,
         polars=lambda s, prefix: s.str.starts_with(prefix))
def starts_with(s: str, prefix: str) -> bool:
    """Does `s` start with `prefix`? `starts_with(phone, "170")`."""
    return s.startswith(prefix)


@builtin("ends_with", [STRING, STRING], BOOL,
         polars=lambda s, suffix: s.str.ends_with(suffix))
def ends_with(s: str, suffix: str) -> bool:
    """Does `s` end with `suffix`? `ends_with(email, "@qq.com")`."""
    return s.endswith(suffix)


def _substr_polars(s, start, n):
    # a null length means "to the end" in polars, hence the guard
    return null_if_any_null([s, start, n], s.str.slice(start, n.clip(lower_bound=0)))


@builtin("substr", [STRING, INT, INT], STRING, polars=_substr_polars,
         polars_fault=lambda s, start, n: n < 0)
def substr(s: str, start: int, n: int) -> str:
    """`n` characters from 0-based `start` (negative counts from the end): `substr(id, 6, 8)`.

    Characters outside the string are left out; a negative `n` is an error.
    """
    if n < 0:
        raise ValueError(f"substr length must not be negative, got {n}")
    begin = start if start >= 0 else len(s) + start
    end = begin + n
    begin, end = max(begin, 0), max(end, 0)
    return s[begin:end]


@builtin("replace", [STRING, STRING, STRING], STRING, literal_params=(1,),
         validate=lambda lits: None if isinstance(lits.get(1), str)
         else "the text to replace must be a string literal",
         polars=lambda s, old, new: null_if_any_null(
             [s, new], s.str.replace_all(old, new, literal=True)))
def replace(s: str, old: str, new: str) -> str:
    """Replace every `old` (a literal) with `new`: `replace(phone, "-", "")`.

    An empty `old` inserts `new` around every character, as Python and polars do.
    """
    return s.replace(old, new)


@builtin("concat", [STRING], STRING, variadic=True,
         polars=lambda *parts: pl.concat_str(list(parts)))
def concat(*parts: str) -> str:
    """Join strings: `concat(province, "-", city)`; missing if any part is missing."""
    return "".join(parts)


@builtin("mask", [STRING, INT], STRING,
         polars=lambda s, keep: pl.concat_str([
             pl.lit("*").repeat_by(
                 (s.str.len_chars().cast(pl.Int64) - keep).clip(lower_bound=0)
             ).list.join(""),
             s.str.tail(keep.clip(lower_bound=0)),
         ]),
         polars_fault=lambda s, keep: keep < 0)
def mask(s: str, keep_last: int) -> str:
    """Replace all but the last `keep_last` characters with `*`: `mask("6222021234", 4)`."""
    if keep_last < 0:
        raise ValueError(f"mask keep_last must not be negative, got {keep_last}")
    hidden = max(len(s) - keep_last, 0)
    return "*" * hidden + s[hidden:]


@builtin("split", [STRING, STRING], list_of(STRING), literal_params=(1,),
         validate=lambda lits: "the separator must be a non-empty string"
         if not isinstance(lits.get(1), str) or not lits.get(1) else None,
         polars=lambda s, sep: s.str.split(sep, inclusive=False))
def split(s: str, sep: str) -> list[str]:
    """Split on a literal separator: `split(tags, ",")`; `split("", ",")` is `[""]`."""
    if not sep:
        raise ValueError("split separator must not be empty")
    return s.split(sep)


# -- regular expressions (RE2) ------------------------------------------------

def _validate_pattern(lits):
    return pattern_error(lits.get(1))


def _per_value(s: pl.Expr, fn, dtype) -> pl.Expr:
    return s.map_elements(fn, return_dtype=dtype, skip_nulls=True)


def _matches_polars(s, pattern):
    if polars_safe(pattern):
        return s.str.contains(pattern)
    return _per_value(s, lambda v: matches(v, pattern), pl.Boolean)


@builtin("matches", [STRING, STRING], BOOL, literal_params=(1,),
         validate=_validate_pattern, polars=_matches_polars)
def matches(s: str, pattern: str) -> bool:
    """Does the RE2 `pattern` match anywhere in `s`? `matches(name, "[0-9]")`."""
    return compiled(pattern).search(s) is not None


def _full_match_polars(s, pattern):
    if polars_safe(pattern):
        return s.str.contains(rf"\A(?:{pattern})\z")
    return _per_value(s, lambda v: full_match(v, pattern), pl.Boolean)


@builtin("full_match", [STRING, STRING], BOOL, literal_params=(1,),
         validate=_validate_pattern, polars=_full_match_polars)
def full_match(s: str, pattern: str) -> bool:
    """Does the RE2 `pattern` match all of `s`? `full_match(code, "[A-Z]{2}[0-9]{4}")`."""
    return compiled(pattern).fullmatch(s) is not None


def _validate_extract(lits):
    error = pattern_error(lits.get(1))
    if error:
        return error
    group = lits.get(2)
    if not isinstance(group, int) or isinstance(group, bool) or group < 0:
        return "the group must be a non-negative integer literal"
    groups = compiled(lits[1]).groups
    if group > groups:
        return f"the pattern has {groups} group(s), so group {group} does not exist"
    return None


def _extract_polars(s, pattern, group):
    if polars_safe(pattern):
        return s.str.extract(pattern, group)
    return _per_value(s, lambda v: regex_extract(v, pattern, group), pl.String)


@builtin("regex_extract", [STRING, STRING, INT], STRING, literal_params=(1, 2),
         validate=_validate_extract, polars=_extract_polars)
def regex_extract(s: str, pattern: str, group: int):
    """Group `group` (0 = whole match) of the first RE2 match, missing if none.

    `regex_extract(email, "@(.+)$", 1)` is the e-mail's domain.
    """
    m = compiled(pattern).search(s)
    return None if m is None else m.group(group)

