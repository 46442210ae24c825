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
``riskrules compile --show --backend batch`` makes visible.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..types import Type


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

    def result_type(self, arg_types: list[Type]) -> Type:
        return self.returns(arg_types) if callable(self.returns) else self.returns

    def signature(self) -> str:
        ps = [str(p) for p in self.params]
        if self.variadic and ps:
            ps[-1] += "..."
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
