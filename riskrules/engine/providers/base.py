"""The provider interface and its registry.

A provider is what a ruleset names besides its own expressions: a model, a list,
and (later) a window aggregate, a graph lookup, a text classifier. Each kind is
one registered class that

* binds itself from the bytes the loader read (``bind``: no file I/O),
* declares its outputs and their types to the checker, and checks the inputs it is
  given (positioned diagnostics, at the ruleset entry that names it),
* evaluates one event (``__call__``: the codegen and interpreter backends),
* has a batch adapter (``batch``: polars expressions, or an explicit per-row map
  that ``riskrules compile --show --backend batch`` lists),
* describes itself for dumps (``describe``).

The backends and the checker ask the registry; nothing else branches on a kind.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

from ...dsl import ast as A
from ...dsl.diagnostics import Diagnostic
from ..types import NUMBER, Type


class ProviderError(Exception):
    """A provider's file or settings cannot be bound; the message says why (checker code E302)."""


@dataclass
class BatchModel:
    """A model as polars expressions over the frame (see ``ModelProvider.batch``)."""

    value: Any  # pl.Expr: a struct with one field per declared output
    fault: Any = None  # pl.Expr | None: rows where the model raises (may read the value's column)
    before: list = field(default_factory=list)  # columns computed one stage earlier, which value reads
    contributions: list = field(default_factory=list)  # per feature: (points lost, reason code number)
    per_row: str | None = None  # what runs in Python rather than polars, for the plan listing


#: ``code(reason) -> int | None``: the batch backend's number for a reason code
ReasonNumber = Callable[[str | None], "int | None"]


class ModelProvider:
    """One model kind. Subclass, set ``kind``, implement ``bind``, ``__call__`` and ``batch``,
    and decorate with :func:`register`. ``__call__`` returns an object with one attribute per
    declared output, ``contributions`` (for reasons) and ``to_dict()`` (for the Decision),
    such as :class:`~riskrules.engine.models.ModelResult`.
    """

    kind: ClassVar[str]
    #: loading the file runs code from it (a pickle): the checker warns (W407)
    runs_code: ClassVar[bool] = False
    #: output name -> type, as rules read them (``models.pd``, ``models.pd.points``)
    outputs: ClassVar[dict[str, Type]] = {"probability": NUMBER, "points": NUMBER}
    #: the output ``models.<name>`` alone means
    default_output: ClassVar[str] = "probability"

    version: str = ""
    input_names: tuple[str, ...] = ()

    @classmethod
    def bind(cls, ref: A.ModelRef, data: bytes) -> "ModelProvider":
        """The model of ``ref`` from its file's bytes; raises :class:`ProviderError`."""
        raise NotImplementedError

    def check_inputs(self, ref: A.ModelRef, types: tuple[Type, ...]) -> list[Diagnostic]:
        """Problems with the inputs' types (in ``input_names`` order), positioned at ``ref``."""
        return []

    def __call__(self, values: tuple):
        raise NotImplementedError

    def batch(self, inputs: list[tuple[Any, Type]], *, prefix: str, code: ReasonNumber) -> BatchModel:
        """The model over a frame: ``inputs`` are (polars expression, type) in ``input_names``
        order. The value is stored in the column named ``prefix`` (``fault`` may read it);
        columns the model adds to ``before`` are named ``prefix + "_" + something``."""
        raise NotImplementedError

    def reason_codes(self) -> set[str]:
        """Every reason code a contribution can carry."""
        return set()

    def describe(self) -> str:
        return f"{self.kind} {self.version}"


def by_index(idx, values: list, dtype):
    """The polars expression ``values[idx]`` (null for a null index): a bin's points or code."""
    import polars as pl

    out = pl.lit(None, dtype=dtype)
    for i, x in reversed(list(enumerate(values))):
        out = pl.when(idx == i).then(pl.lit(x, dtype=dtype)).otherwise(out)
    return out


_MODELS: dict[str, type[ModelProvider]] = {}


def register(cls: type[ModelProvider]) -> type[ModelProvider]:
    """Class decorator: make ``cls.kind`` usable as ``models: {x: {type: <kind>}}``."""
    _MODELS[cls.kind] = cls
    return cls


def model_kind(kind: str) -> type[ModelProvider] | None:
    return _MODELS.get(kind)


def model_kinds() -> tuple[str, ...]:
    return tuple(sorted(_MODELS))
