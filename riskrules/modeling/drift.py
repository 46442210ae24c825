"""Population drift: PSI and CSI with the bins frozen at training time.

The expected distribution is the training (or a reference) sample binned by the
scorecard's own bins, so a feature is compared on the bins the model actually scores;
a value no bin holds (a category never seen) counts in an ``unseen`` bin of its own and
is reported. An empty bin would make the index infinite: every bin's share is smoothed
by half a count (``(n + 0.5) / (N + 0.5 B)``), which is stated with the result.

``PSI = sum((a - e) * ln(a / e))`` over bins. The usual reading (below 0.10 stable,
0.10-0.25 watch, above 0.25 shift) ignores sample size: with few rows a large PSI is
noise. Under "no change", ``PSI * (1/N + 1/M)^-1`` is approximately chi-square with
``B - 1`` degrees of freedom (Yurdakul, 2018), which gives the critical value a PSI must
exceed to be significant; a result is ``shift`` or ``watch`` only when it passes both the
threshold and the critical value.

>>> counts_e = {"a": 500, "b": 300, "c": 200}
>>> round(psi(counts_e, {"a": 300, "b": 300, "c": 400}).psi, 4)
0.2401
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Hashable, Iterable, Mapping

WATCH, SHIFT = 0.10, 0.25
SMOOTHING = 0.5
UNSEEN = "unseen"


@dataclass(frozen=True)
class BinShare:
    bin: Hashable
    expected: int
    actual: int
    expected_share: float
    actual_share: float
    contribution: float


@dataclass(frozen=True)
class DriftResult:
    psi: float
    n_expected: int
    n_actual: int
    bins: tuple[BinShare, ...]
    critical_value: float  # the PSI significant at ``alpha`` for these sample sizes
    alpha: float
    status: str  # stable | watch | shift | too few rows
    unseen: int = 0
    feature: str | None = None
    period: str | None = None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return {"feature": self.feature, "period": self.period, "psi": self.psi, "status": self.status,
                "critical_value": self.critical_value, "alpha": self.alpha, "n_expected": self.n_expected,
                "n_actual": self.n_actual, "unseen": self.unseen, "notes": list(self.notes),
                "bins": [vars(b) for b in self.bins]}


def critical_value(n_expected: int, n_actual: int, bins: int, alpha: float = 0.01) -> float:
    """The PSI above which a change is significant at ``alpha`` (chi-square approximation)."""
    from scipy.stats import chi2  # noqa: PLC0415

    if bins < 2 or n_expected <= 0 or n_actual <= 0:
        return math.inf
    return float(chi2.ppf(1 - alpha, bins - 1) * (1 / n_expected + 1 / n_actual))


def psi(expected: Mapping[Hashable, int], actual: Mapping[Hashable, int], *, alpha: float = 0.01,
        min_rows: int = 100, feature: str | None = None, period: str | None = None) -> DriftResult:
    """PSI of ``actual`` bin counts against ``expected`` (same bin keys; extra actual keys count too)."""
    keys = list(expected) + [k for k in actual if k not in expected]
    n_e = sum(int(expected.get(k, 0)) for k in keys)
    n_a = sum(int(actual.get(k, 0)) for k in keys)
    for name, counts in (("expected", expected), ("actual", actual)):
        bad = [k for k, v in counts.items() if not isinstance(v, int) or isinstance(v, bool) or v < 0]
        if bad:
            raise ValueError(f"{name} counts must be whole numbers at least 0; bin {bad[0]!r} has {counts[bad[0]]!r}")
    b = len(keys)
    shares = []
    total = 0.0
    for k in keys:
        e, a = int(expected.get(k, 0)), int(actual.get(k, 0))
        pe = (e + SMOOTHING) / (n_e + SMOOTHING * b) if n_e else 0.0
        pa = (a + SMOOTHING) / (n_a + SMOOTHING * b) if n_a else 0.0
        c = (pa - pe) * math.log(pa / pe) if pe > 0 and pa > 0 else 0.0
        total += c
        shares.append(BinShare(k, e, a, pe, pa, c))
    crit = critical_value(n_e, n_a, b, alpha)
    notes = []
    if any(s.expected == 0 or s.actual == 0 for s in shares):
        notes.append(f"empty bins smoothed by {SMOOTHING} of a count")
    if min(n_e, n_a) < min_rows:
        status = "too few rows"
        notes.append(f"fewer than {min_rows} rows on one side: not judged")
    elif total > SHIFT and total > crit:
        status = "shift"
    elif total > WATCH and total > crit:
        status = "watch"
    else:
        status = "stable"
    unseen = int(actual.get(UNSEEN, 0))
    return DriftResult(total, n_e, n_a, tuple(shares), crit, alpha, status, unseen, feature, period, tuple(notes))


def bin_counts(bins: list[dict], kind: str, values: Iterable) -> dict[Hashable, int]:
    """Count ``values`` into a scorecard feature's bins (its YAML ``bins`` list), by bin index;
    a value no bin holds counts under :data:`UNSEEN`. Same rules as the scorecard: values
    bins first, then ranges [min, max), missing, then other."""
    counts: dict[Hashable, int] = {i: 0 for i in range(len(bins))}
    missing = next((i for i, b in enumerate(bins) if b.get("missing")), None)
    other = next((i for i in reversed(range(len(bins))) if bins[i].get("other")), None)
    lookups = [(i, set(map(_key, b["values"]))) for i, b in enumerate(bins) if b.get("values") is not None]
    ranges = [(i, b.get("min"), b.get("max")) for i, b in enumerate(bins)
              if kind == "numeric" and b.get("values") is None and not b.get("missing") and not b.get("other")]
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            i = missing if missing is not None else other
        else:
            i = next((j for j, vals in lookups if _key(v) in vals), None)
            if i is None and kind == "numeric" and not isinstance(v, str):
                i = next((j for j, lo, hi in ranges if (lo is None or v >= lo) and (hi is None or v < hi)), None)
            if i is None:
                i = other
        key = UNSEEN if i is None else i
        counts[key] = counts.get(key, 0) + 1
    return counts


def _key(v):
    return str(v) if not isinstance(v, (int, float)) or isinstance(v, bool) else float(v)


def quantile_bins(values: Iterable[float], n: int = 10) -> list[dict]:
    """Score bands frozen from a reference sample: ``n`` quantile ranges plus a missing bin."""
    xs = sorted(float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v)))
    if not xs:
        raise ValueError("no values to take score bands from")
    edges = sorted({xs[min(len(xs) - 1, (len(xs) * k) // n)] for k in range(1, n)})
    bounds = [None] + edges + [None]
    out = [{k: v for k, v in (("min", bounds[i]), ("max", bounds[i + 1])) if v is not None}
           for i in range(len(bounds) - 1)]
    return out + [{"missing": True}]
