"""Verdicts become rules: candidate conditions learnt from labelled cases, backtested.

Positives are cases a reviewer called ``bad``; negatives are cases called ``good``
plus a sample of the rest of the decision log as *background*. Treating the
unlabelled log as negative is the usual positive-unlabelled shortcut and is
sound here because a novel pattern is rare (the simulator's largest is 1 % of
the book) — and it is what keeps a candidate narrow: fitted on ten bad and ten
good cases alone, a learner happily picks a condition that fires on half the
book. Labelled goods weigh more than background rows (``GOOD_WEIGHT``).

Two real learners propose conditions: scikit-learn's decision tree (each
positive leaf's path, and the union of them) and wittgenstein's RIPPER (its
rule set). Each condition becomes a riskrules expression over the columns of
:mod:`.frames`, is checked by the real checker and backtested by the batch
backend over the stored decisions (see :mod:`.backtest`).

>>> result = propose(engine, store, "rulesets/origination")   # doctest: +SKIP
>>> result.candidates[0].expression  # doctest: +SKIP
'contacts.count <= 12'
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from ..dsl.fmt_expr import name_part
from ..dsl.literals import quote_string
from .backtest import backtest_candidates
from .frames import Column, columns, feature_frame, frame_of, numeric_matrix
from .history import decision_frame
from .learned import LearnedRuleError, promote, save_learned_rule  # noqa: F401 - the learning API
from .store import Store

GOOD_WEIGHT = 5.0
BACKGROUND = 5_000
MIN_POSITIVES = 3


class LearnError(Exception):
    """Not enough labelled cases, or nothing learnable from them."""


@dataclass
class Candidate:
    expression: str
    learner: str
    backtest: dict = field(default_factory=dict)
    diagnostics: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"expression": self.expression, "learner": self.learner, "backtest": self.backtest,
                "diagnostics": self.diagnostics}


@dataclass
class Proposal:
    ruleset: str
    case_ids: list[int]
    positives: int
    negatives: int
    background: int
    candidates: list[Candidate]

    def to_dict(self) -> dict:
        return {"ruleset": self.ruleset, "case_ids": self.case_ids, "positives": self.positives,
                "negatives": self.negatives, "background": self.background,
                "candidates": [c.to_dict() for c in self.candidates]}


def training_set(engine, store: Store, *, background: int = BACKGROUND, seed: int = 0):
    """(flat frame, labels, weights, case ids): bad cases 1, good cases and background 0."""
    ruleset = engine.ruleset["name"]
    labelled = store.labelled_cases(ruleset)
    pos = [lc for lc in labelled if lc.verdict == "bad"]
    neg = [lc for lc in labelled if lc.verdict == "good"]
    if len(pos) < MIN_POSITIVES:
        raise LearnError(f"need at least {MIN_POSITIVES} cases labelled bad to learn a rule, have {len(pos)}")
    seen = {lc.case.decision_id for lc in labelled}
    log, inputs = decision_frame(store, ruleset)
    rest = [inp for did, inp in zip(log["decision_id"], inputs) if did not in seen]
    rng = np.random.default_rng(seed)
    if len(rest) > background:
        rest = [rest[i] for i in sorted(rng.choice(len(rest), background, replace=False))]
    records = [lc.evidence["input"] for lc in pos + neg] + rest
    y = np.array([1] * len(pos) + [0] * (len(neg) + len(rest)))
    # bad cases together weigh about half the background, so a handful of them can still
    # carve out a leaf; good cases weigh GOOD_WEIGHT background rows each
    w = np.array([len(rest) / max(1, len(pos)) / 2 + 1] * len(pos) + [GOOD_WEIGHT] * len(neg) + [1.0] * len(rest))
    flat = feature_frame(engine, frame_of(records))
    return flat, y, w, [lc.case.id for lc in pos + neg], len(rest)


def propose(engine, store: Store, ruleset_dir: str | Path, *, max_candidates: int = 4, background: int = BACKGROUND,
            seed: int = 0) -> Proposal:
    """Learn, check and backtest candidate conditions from the labelled cases of ``engine``'s ruleset."""
    flat, y, w, case_ids, n_bg = training_set(engine, store, background=background, seed=seed)
    cols = columns(engine.program)
    exprs: list[tuple[str, str]] = []
    exprs += [(e, "decision_tree") for e in tree_conditions(flat, cols, y, w, seed=seed)]
    exprs += [(e, "ripper") for e in ripper_conditions(flat, cols, y, seed=seed)]
    unique: dict[str, str] = {}
    for expression, learner in exprs:
        unique.setdefault(expression, learner)
    candidates = [Candidate(e, learner) for e, learner in unique.items()]
    backtest_candidates(engine, store, ruleset_dir, candidates)
    # best fit to the verdicts first; among equals the simplest (fewest conditions), which
    # generalises beyond the handful of labelled cases instead of memorising them
    candidates.sort(key=lambda c: (bool(c.diagnostics), -c.backtest.get("f1_labelled", 0.0),
                                   _size(c.expression), -c.backtest.get("hits", 0)))
    npos = int(y.sum())
    return Proposal(engine.ruleset["name"], case_ids, npos, len(case_ids) - npos, n_bg, candidates[:max_candidates])


# -- decision tree ------------------------------------------------------------------------

def _size(expression: str) -> int:
    return expression.count(" and ") + expression.count(" or ") + 1


def tree_conditions(flat: pl.DataFrame, cols: list[Column], y, w, *, seed: int = 0,
                    depths: tuple[int, ...] = (1, 2, 3)) -> list[str]:
    """Trees of growing depth: each one's best positive leaf, and the deepest one's union of leaves."""
    from sklearn.tree import DecisionTreeClassifier

    x, names = numeric_matrix(flat, cols)
    x = np.where(np.isnan(x), -1.0, x)
    kinds = _kinds(cols)
    out: list[str] = []
    for depth in depths:
        tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=3, random_state=seed)
        conj = _positive_paths(tree.fit(x, y, sample_weight=w), names, kinds)
        out += conj[:1]
        if depth == depths[-1]:
            out += conj[1:3]
            if len(conj) > 1:
                out.append(" or ".join(f"({c})" for c in conj[:4]))
    return list(dict.fromkeys(out))


def _positive_paths(tree, names: list[str], kinds: dict[str, str]) -> list[str]:
    """The paths to leaves where bad cases weigh more than the rest, heaviest first, as text."""
    t = tree.tree_
    leaves: list[tuple[float, list]] = []

    def walk(node, path):
        if t.children_left[node] == -1:
            pos_w, tot_w = t.value[node][0][1] * t.weighted_n_node_samples[node], t.weighted_n_node_samples[node]
            if tot_w and pos_w / tot_w > 0.5:
                leaves.append((pos_w, path))
            return
        f, thr = t.feature[node], t.threshold[node]
        walk(t.children_left[node], path + [(f, "<=", thr)])
        walk(t.children_right[node], path + [(f, ">", thr)])

    walk(0, [])
    leaves.sort(key=lambda lp: -lp[0])
    return [c for c in (_conjunction([(names[f], op, thr) for f, op, thr in p], kinds) for _, p in leaves) if c]


def _kinds(cols: list[Column]) -> dict[str, str]:
    kinds = {c.name: c.kind for c in cols}
    for c in cols:
        for v in c.values:
            kinds[f"{c.name}=={v}"] = "onehot"
    return kinds


def _path(name: str) -> str:
    """A field path / feature name as riskrules text: segments that are keywords or
    not plain words are backtick-quoted."""
    return ".".join(name_part(part) for part in name.split("."))


def _string(value) -> str:
    """A category value as a riskrules string literal (quotes, backslashes escaped)."""
    return quote_string(str(value))


def _conjunction(atoms: list[tuple[str, str, float]], kinds: dict[str, str]) -> str:
    """Tree split atoms as riskrules text, with bounds on one column merged."""
    lo: dict[str, float] = {}
    hi: dict[str, float] = {}
    parts: list[str] = []
    for name, op, thr in atoms:
        kind = kinds.get(name, "number")
        if kind in ("bool", "onehot"):
            truth = op == ">"
            if kind == "onehot":
                col, _, value = name.partition("==")
                parts.append(f'{_path(col)} {"==" if truth else "!="} {_string(value)}')
            else:
                parts.append(_path(name) if truth else f"not {_path(name)}")
        elif op == ">":
            lo[name] = max(lo.get(name, -math.inf), thr)
        else:
            hi[name] = min(hi.get(name, math.inf), thr)
    for name in dict.fromkeys(list(lo) + list(hi)):
        integer = kinds.get(name) == "int"
        text = _path(name)
        if name in lo:
            parts.append(f"{text} >= {math.floor(lo[name]) + 1}" if integer else f"{text} > {_num(lo[name])}")
        if name in hi:
            parts.append(f"{text} <= {math.floor(hi[name])}" if integer else f"{text} <= {_num(hi[name])}")
    return " and ".join(parts)


def _num(v: float) -> str:
    return f"{v:.6g}"


# -- RIPPER -------------------------------------------------------------------------------

def ripper_conditions(flat: pl.DataFrame, cols: list[Column], y, *, seed: int = 0, max_rules: int = 4) -> list[str]:
    """wittgenstein's RIPPER rule set as one ``or`` of conjunctions (empty if it learns nothing)."""
    try:
        import wittgenstein as lw
    except ImportError:  # the tree alone still proposes
        return []
    df = flat.select([c.name for c in cols]).to_pandas()
    df["__class"] = y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = lw.RIPPER(random_state=seed, max_rules=max_rules, max_rule_conds=3)
        model.fit(df, class_feat="__class", pos_class=1)
    kinds = {c.name: c.kind for c in cols}
    rules = [" and ".join(_ripper_atom(cond.feature, cond.val, kinds) for cond in rule.conds)
             for rule in model.ruleset_.rules if rule.conds]
    rules = [r for r in rules if r]
    if not rules:
        return []
    return [rules[0]] + ([" or ".join(f"({r})" for r in rules)] if len(rules) > 1 else [])


def _ripper_atom(raw: str, val, kinds: dict[str, str]) -> str:
    kind = kinds.get(raw, "number")
    name = _path(raw)
    if kind == "bool":
        return name if str(val).lower() == "true" else f"not {name}"
    if kind == "enum":
        return f"{name} == {_string(val)}"
    if not isinstance(val, str):
        return f"{name} == {_num(float(val))}"
    # wittgenstein bins: "<hi", ">lo", "lo - hi" (lo inclusive, hi exclusive: numpy.digitize)
    if val.startswith("<"):
        return f"{name} < {_num(float(val[1:]))}"
    if val.startswith(">"):
        return f"{name} >= {_num(float(val[1:]))}"
    lo, _, hi = val.partition(" - ")
    return f"{name} >= {_num(float(lo))} and {name} < {_num(float(hi))}"
