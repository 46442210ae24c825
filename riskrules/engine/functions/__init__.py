"""The typed registry of builtin functions callable from rule expressions.

Adding a function is one decorated function in ``<domain>.py`` plus its test::

    @builtin("lower", [STRING], STRING, polars=lambda s: s.str.to_lowercase())
    def lower(s: str) -> str:
        "Lower-case a string."
        return s.lower()

Unless ``null_safe=True``, a call with a missing (``None``) argument returns
missing without calling the implementation; the code generator emits that
guard, so implementations only ever see present values. An exception raised by
an implementation is a fault of the rule that called it (see DESIGN.md).

``polars`` is the vectorised form used by the batch backend: it receives one
``polars.Expr`` per parameter (literal parameters arrive as Python values) and
returns an Expr. Functions without it run per row in batch mode, which
``riskrules compile --show --backend batch`` makes visible. A ``context="now"``
function's polars form receives the decision time first, as an Expr (a
column or ``pl.lit``) or a tz-aware ``datetime``. The Expr must give the
implementation's value on every row the implementation accepts, and missing
where any argument is missing (unless ``null_safe``). Where the implementation
raises, ``polars_fault`` (same arguments) returns a boolean Expr that is true on
exactly those rows, so the batch backend can report them as faults; the value
Expr is then null there. A function whose faults cannot be expressed that way
has no polars form.

``requires`` names a predicate builtin over the same arguments instead of a
``polars_fault``: the function faults exactly where the predicate is false, and
its ``polars`` form need only be right where the predicate holds. The batch
backend then computes the predicate once per distinct argument and shares it
(the ``cn_id_*`` accessors all read one ``cn_id_valid``); :meth:`Builtin.polars_checked`
gives the self-contained form.

``returns`` is a type or, for generic functions, a callable over the argument
types; it raises :class:`ArgTypeError` when they do not fit, and the checker
reports the message at the call.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import polars as pl

from ..types import Type


class ArgTypeError(TypeError):
    """Raised by a ``returns`` callable: the argument types do not fit."""


@dataclass(frozen=True)
class Builtin:
    name: str
    params: tuple[Type, ...]
    returns: Type | Callable[[list[Type]], Type]
    impl: Callable[..., Any]
    domain: str
    doc: str = ""
    variadic: bool = False  # the last parameter repeats (at least once)
    literal_params: tuple[int, ...] = ()  # argument positions that must be literals
    validate: Callable[[dict[int, Any]], str | None] | None = None  # literal values -> error
    polars: Callable[..., Any] | None = None
    null_safe: bool = False  # impl handles None arguments itself
    context: str | None = None  # "now": impl receives the decision time first
    polars_fault: Callable[..., Any] | None = None  # same args as polars -> bool Expr
    requires: str | None = None  # a predicate builtin, same args: faults exactly where it is false
    min_args: int | None = None  # trailing parameters past this many are optional
    returns_literals: bool = False  # ``returns`` also receives the literal arguments (a decimal's scale)

    def polars_checked(self, *args):
        """(value, fault or None): the polars form with its faults, ``requires`` included."""
        value = self.polars(*args)
        if self.requires is None:
            return value, (self.polars_fault(*args) if self.polars_fault is not None else None)
        pred = get(self.requires)
        ok = pred.polars(*(args[1:] if self.context == "now" and pred.context != "now" else args))
        return pl.when(ok).then(value), ~ok

    def call(self, args, now=None):
        """Reference semantics of a call: the missing-argument guard, then the impl.

        >>> get("lower").call(["ABC"])
        'abc'
        """
        if not self.null_safe and any(a is None for a in args):
            return None
        if self.context == "now":
            return self.impl(now, *args)
        return self.impl(*args)

    def result_type(self, arg_types: list[Type], literals: dict | None = None) -> Type:
        if self.returns_literals:
            return self.returns(arg_types, literals or {})
        return self.returns(arg_types) if callable(self.returns) else self.returns

    def signature(self) -> str:
        ps = [str(p) for p in self.params]
        if self.variadic and ps:
            ps[-1] += "..."
        if self.min_args is not None:
            ps[self.min_args:] = [f"[{p}]" for p in ps[self.min_args:]]
        ret = self.returns.__name__ if callable(self.returns) else str(self.returns)
        return f"{self.name}({', '.join(ps)}) -> {ret}"


REGISTRY: dict[str, Builtin] = {}


def builtin(name: str, params, returns, **kw) -> Callable:
    """Register the decorated function as the builtin ``name``."""

    def register(fn: Callable) -> Callable:
        if name in REGISTRY:
            raise ValueError(f"builtin {name!r} registered twice")
        domain = fn.__module__.rsplit(".", 1)[-1]
        REGISTRY[name] = Builtin(
            name=name,
            params=tuple(params),
            returns=returns,
            impl=fn,
            domain=domain,
            doc=(fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else "",
            **kw,
        )
        return fn

    return register


def get(name: str) -> Builtin | None:
    _load_all()
    return REGISTRY.get(name)


def all_builtins() -> dict[str, Builtin]:
    _load_all()
    return dict(sorted(REGISTRY.items()))


def describe_all() -> str:
    """A Markdown table of every builtin, grouped by domain (docs/functions.md).

    >>> describe_all().splitlines()[0]
    '| function | domain | description | vectorised |'
    """
    rows = ["| function | domain | description | vectorised |", "|---|---|---|---|"]
    for b in sorted(all_builtins().values(), key=lambda b: (b.domain, b.name)):
        notes = []
        if b.context == "now":
            notes.append("uses the decision time")
        if b.literal_params:
            notes.append("literal argument " + ", ".join(str(i + 1) for i in b.literal_params))
        if b.null_safe:
            notes.append("accepts missing")
        doc = b.doc + (f" ({'; '.join(notes)})" if notes else "")
        cells = [f"`{b.signature()}`", b.domain, doc, "yes" if b.polars else "no"]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"


_loaded = False


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import pkgutil

    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
