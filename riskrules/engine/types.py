"""Types of the riskrules expression language.

A type is a small frozen value. ``INT`` is assignable to ``NUMBER``; an enum is
a string with a closed set of values; ``ANY`` is used only for the argument of
generic builtins and for ``null``.

``decimal(s)`` is exact money with ``s`` digits after the point, known when the
rules are checked (a field declares it, a literal ``12.50d`` has 2, ``a * b``
has the sum, ``a + b`` the larger), so every backend holds the same digits;
see docs/language.md "Exact money". An int mixes with a decimal (scale 0); a
binary ``number`` never does without an explicit ``decimal()`` / ``number()``.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Type:
    name: str  # int number string bool date datetime duration list object enum null any
    item: "Type | None" = None
    fields: tuple[tuple[str, "Type", bool], ...] = ()  # object: (name, type, optional)
    values: tuple[str, ...] = ()  # enum
    scale: int = 0  # decimal: digits after the point

    def __str__(self) -> str:
        if self.name == "list":
            return f"list<{self.item}>"
        if self.name == "enum":
            return "enum(" + ", ".join(self.values) + ")"
        if self.name == "decimal":
            return f"decimal({self.scale})"
        return self.name

    def field(self, name: str) -> "tuple[Type, bool] | None":
        for n, t, opt in self.fields:
            if n == name:
                return t, opt
        return None

    @property
    def is_numeric(self) -> bool:
        return self.name in ("int", "number")

    @property
    def is_decimal(self) -> bool:
        return self.name == "decimal"

    @property
    def is_stringy(self) -> bool:
        return self.name in ("string", "enum")


INT = Type("int")
NUMBER = Type("number")
STRING = Type("string")
BOOL = Type("bool")
DATE = Type("date")
DATETIME = Type("datetime")
DURATION = Type("duration")
DECIMAL = Type("decimal", scale=2)  # the schema's bare `decimal`: an amount in cents
NULL = Type("null")
ANY = Type("any")


#: every backend holds a decimal in 38 significant digits (polars Decimal(38, s), an i128);
#: a value or result with more is an input error or a fault, never rounded away
MAX_PRECISION = 38
MAX_SCALE = 18


def decimal_of(scale: int) -> Type:
    return Type("decimal", scale=scale)


def _exact(t: Type) -> bool:
    """An int or a decimal: the operands exact arithmetic accepts."""
    return t.name in ("int", "decimal")


def list_of(item: Type) -> Type:
    return Type("list", item=item)


def enum_of(values) -> Type:
    return Type("enum", values=tuple(values))


def object_of(fields) -> Type:
    return Type("object", fields=tuple(fields))


SCALARS = {t.name: t for t in (INT, NUMBER, STRING, BOOL, DATE, DATETIME, DURATION, DECIMAL)}


def assignable(src: Type, dst: Type) -> bool:
    """Can a value of type ``src`` be used where ``dst`` is expected?"""
    if dst.name == "any" or src.name in ("any", "null"):
        return True
    if src == dst:
        return True
    if dst.name == "number" and src.name == "int":
        return True
    if dst.name == "decimal" and _exact(src):
        return True
    if dst.name == "string" and src.name == "enum":
        return True
    if dst.name == "enum" and src.name == "enum":
        return set(src.values) <= set(dst.values)
    if dst.name == "list" and src.name == "list":
        return src.item is None or dst.item is None or assignable(src.item, dst.item)
    return False


def comparable(a: Type, b: Type) -> bool:
    """May ``a`` and ``b`` be compared with ``==`` / ``<``?"""
    if "null" in (a.name, b.name) or "any" in (a.name, b.name):
        return True
    if a.is_numeric and b.is_numeric:
        return True
    if _exact(a) and _exact(b):
        return True
    if a.is_stringy and b.is_stringy:
        return True
    return a.name == b.name


def unify(a: Type, b: Type) -> Type:
    """The type of ``if c then a else b`` / ``coalesce(a, b)`` / a list of a and b."""
    if a.name in ("null", "any"):
        return b
    if b.name in ("null", "any"):
        return a
    if a == b:
        return a
    if a.is_numeric and b.is_numeric:
        return NUMBER
    if _exact(a) and _exact(b):
        return decimal_of(max(a.scale if a.is_decimal else 0, b.scale if b.is_decimal else 0))
    if a.is_stringy and b.is_stringy:
        if a.name == "enum" and b.name == "enum":
            return enum_of(sorted(set(a.values) | set(b.values)))
        return STRING
    return ANY
