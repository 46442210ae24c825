"""The one entry point: a batch results frame (and optionally a champion's) -> BacktestResult.

    >>> from riskrules.backtest import load_data, run_backtest, rules_of, write_html
    >>> book = load_data("book.parquet", label="bad_12m")
    >>> results = decide_frame(engine, book)
    >>> result = run_backtest(results, rules=rules_of(engine), label=book["bad_12m"],
    ...                       ruleset=engine.ruleset, data="book.parquet")
    >>> write_html(result, "report.html")
"""
from __future__ import annotations

from typing import Callable, Iterable

import polars as pl

from .compare import compare
from .data import check_label
from .metrics import BacktestError, overlap, rule_stats, summarise
from .result import BacktestResult, RuleMeta

STEPS = ("summary", "rules", "overlap", "champion", "compare")


def rules_of(engine_or_program) -> list[RuleMeta]:
    """Rule metadata from an ``Engine`` (or its ``Program``): active rules, then shadow."""
    prog = getattr(engine_or_program, "program", engine_or_program)
    out = []
    for status, rules in (("active", prog.rules), ("shadow", prog.shadow)):
        for r in rules:
            out.append(RuleMeta(id=r.id, name=getattr(r, "name", "") or r.id,
                                action=getattr(r, "action", None), reason=getattr(r, "reason", None),
                                status=getattr(r, "status", None) or status,
                                score=getattr(r, "score", None)))
    return out


def run_backtest(results: pl.DataFrame, *, rules: Iterable[RuleMeta] = (),
                 label: pl.Series | None = None, ids: pl.Series | None = None,
                 against: pl.DataFrame | None = None, against_rules: Iterable[RuleMeta] = (),
                 ruleset: dict | None = None, against_ruleset: dict | None = None,
                 data: str | None = None, approve: Iterable[str] = ("approve",),
                 bins: int = 20, overlap_top: int = 20, sample: int = 20,
                 on_step: Callable[[str], None] | None = None) -> BacktestResult:
    """Measure what a ruleset did to a book, and (with ``against``) what changed versus a champion.

    ``results`` is ``decide_frame(engine, book)``; ``label`` is aligned with it (1/True =
    bad; nulls are rows without performance and are left out of label metrics);
    ``ids`` names rows in the sample of changed decisions. ``on_step(name)`` is called
    after each of :data:`STEPS` so a CLI can advance a progress bar.
    """
    rules, against_rules, approve = list(rules), list(against_rules), tuple(approve)
    step = on_step or (lambda _name: None)
    notes: list[str] = []
    label_name = None
    if label is not None:
        label_name = label.name or None
        label = check_label(label, source=data)
        _same_length("label", label.len(), results.height)
        missing = label.null_count()
        if missing:
            notes.append(f"{missing:,} of {label.len():,} rows have no label; label metrics "
                         f"(precision, recall, lift, bad rates, AUC, KS) use the labelled rows only")
    if ids is not None:
        _same_length("id column", ids.len(), results.height)

    summary = summarise(results, label, approve=approve, bins=bins)
    step("summary")
    stats = rule_stats(results, rules, label)
    step("rules")
    ov = overlap(results, rules, stats, top=overlap_top)
    step("overlap")
    if summary.input_errors:
        notes.append(f"{summary.input_errors:,} rows break the input schema and were not decided "
                     "(outcome '(none)'); see the results' input_error column")
    if summary.score.note:
        notes.append(summary.score.note)
    undescribed = [s.id for s in stats if s.status == "unknown"]
    if undescribed:
        notes.append("rule columns without metadata (not in the ruleset given): " + ", ".join(undescribed))

    comparison = None
    if against is not None:
        champ = summarise(against, label, approve=approve, bins=bins)
        step("champion")
        comparison = compare(results, against, label=label, challenger_summary=summary,
                             champion_summary=champ, rules=rules, champion_rules=against_rules,
                             ids=ids, approve=approve, sample=sample)
        comparison.ruleset = dict(against_ruleset) if against_ruleset else None
        step("compare")
        if label is not None and comparison.swap_in and not comparison.swap_in_labelled:
            notes.append("none of the rows only the challenger approves has a label (the champion did "
                         "not approve them, so they have no performance): their bad rate is unknown")
    return BacktestResult(summary=summary, rules=stats, overlap=ov,
                          ruleset=dict(ruleset) if ruleset else None, data=data, label=label_name,
                          comparison=comparison, notes=notes)


def _same_length(what: str, n: int, rows: int) -> None:
    if n != rows:
        raise BacktestError(f"{what} has {n:,} rows but the results have {rows:,}")
