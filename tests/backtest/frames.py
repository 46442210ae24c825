"""Small hand-made results frames (the batch contract) with answers worked out by hand."""
from __future__ import annotations

import polars as pl

from riskrules.backtest import RuleMeta

RULES = [
    RuleMeta("A", "Applicant under 18", "decline", "AGE", "active"),
    RuleMeta("B", "<script>alert(1)</script> & 收入负债比过高", "decline", "DTI", "active"),
    RuleMeta("S", "Device velocity", "review", "VEL", "shadow"),
]

#            0     1     2     3      4     5      6     7
A = [True, True, True, False, False, False, True, False]
B = [True, False, False, False, True, True, False, False]
S = [False, False, False, False, True, False, False, True]
LABEL = pl.Series("bad_12m", [1, 1, 0, 0, 1, 0, None, 0])
SCORE = [500.0, 510.0, 620.0, 700.0, 480.0, 640.0, None, 690.0]


def book() -> pl.DataFrame:
    fired = [[r for r, f in (("A", a), ("B", b)) if f] for a, b in zip(A, B)]
    return pl.DataFrame({
        "outcome": ["decline" if f else "approve" for f in fired],
        "score": SCORE,
        "fired": fired,
        "shadow_fired": [["S"] if s else [] for s in S],
        "reasons": [[] for _ in A],
        "errors": [["rule:A"], [], [], [], [], [], [], []],
        "unexplained": [False, False, False, True, False, False, None, False],
        "rule:A": A, "rule:B": B, "rule:S": S,
    }, schema_overrides={"fired": pl.List(pl.Utf8), "shadow_fired": pl.List(pl.Utf8),
                         "reasons": pl.List(pl.Utf8), "errors": pl.List(pl.Utf8)})


def pair() -> tuple[pl.DataFrame, pl.DataFrame, pl.Series, pl.Series]:
    """(challenger, champion, label, ids) for six applications."""
    lists = {"fired": pl.List(pl.Utf8)}
    champion = pl.DataFrame({
        "outcome": ["approve", "approve", "decline", "review", "approve", "approve"],
        "score": [650.0, 640.0, 500.0, 560.0, 700.0, 610.0],
        "fired": [[], [], ["X"], ["R"], [], []],
    }, schema_overrides=lists)
    challenger = pl.DataFrame({
        "outcome": ["approve", "decline", "approve", "decline", "approve", "review"],
        "score": [650.0, 600.0, 590.0, 540.0, 690.0, 580.0],
        "fired": [[], ["N"], [], ["N"], ["N"], []],
    }, schema_overrides=lists)
    label = pl.Series("bad", [0, 1, 0, None, 1, 0])
    ids = pl.Series("application_id", ["a0", "a1", "a2", "a3", "a4", "a5"])
    return challenger, champion, label, ids
