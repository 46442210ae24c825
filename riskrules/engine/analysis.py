"""Static analysis of a checked program: rules that can never fire, rules
shadowed under first-match, and decision-table gaps and overlaps.

Conditions are read as conjunctions of atoms; atoms that constrain one value
(``x < 18``, ``x between 1 and 5``, ``x in [..]``, ``x is missing``) become a
:class:`Dom` — the set of values (and "missing") the atom allows. Two atoms
on the same value intersect; an empty intersection can never hold. A rule is
shadowed when every atom of an earlier rule is implied by its own atoms.
Anything more clever than that is not claimed: the analysis is sound for what
it reports, and silent about what it cannot read.
"""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, replace

from ..dsl.diagnostics import Diagnostic, RulesetError, error, warning
from . import ir
from .irtext import show

MISSING = object()
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


@dataclass(frozen=True)
class Dom:
    """Values allowed for one expression: an interval, an optional finite set, exclusions, missing."""

    lo: object = None
    lo_closed: bool = True
    hi: object = None
    hi_closed: bool = True
    values: frozenset | None = None
    excluded: frozenset = frozenset()
    present: bool = True
    missing: bool = False
    integer: bool = False

    def _in_interval(self, v) -> bool:
        try:
            if self.lo is not None and (v < self.lo or (v == self.lo and not self.lo_closed)):
                return False
            if self.hi is not None and (v > self.hi or (v == self.hi and not self.hi_closed)):
                return False
        except TypeError:
            return False
        return True

    def contains(self, v) -> bool:
        if v is MISSING:
            return self.missing
        if not self.present or v in self.excluded:
            return False
        if self.values is not None and v not in self.values:
            return False
        return self._in_interval(v)

    def present_empty(self) -> bool:
        if not self.present:
            return True
        if self.values is not None:
            return not any(self.contains(v) for v in self.values)
        lo, hi = self.lo, self.hi
        if lo is None or hi is None:
            return False
        if self.integer and isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
            import math

            first = math.floor(lo) + 1 if (not self.lo_closed or lo != math.floor(lo)) else int(lo)
            last = math.ceil(hi) - 1 if (not self.hi_closed or hi != math.ceil(hi)) else int(hi)
            return first > last or (first == last and first in self.excluded)
        try:
            return lo > hi or (lo == hi and not (self.lo_closed and self.hi_closed)) or \
                (lo == hi and lo in self.excluded)
        except TypeError:
            return False

    def empty(self) -> bool:
        return not self.missing and self.present_empty()

    def __and__(self, o: "Dom") -> "Dom":
        lo, lo_c = self.lo, self.lo_closed
        if o.lo is not None and (lo is None or _gt(o.lo, lo) or (o.lo == lo and not o.lo_closed)):
            lo, lo_c = o.lo, o.lo_closed
        hi, hi_c = self.hi, self.hi_closed
        if o.hi is not None and (hi is None or _gt(hi, o.hi) or (o.hi == hi and not o.hi_closed)):
            hi, hi_c = o.hi, o.hi_closed
        if self.values is None:
            values = o.values
        elif o.values is None:
            values = self.values
        else:
            values = self.values & o.values
        return Dom(lo, lo_c, hi, hi_c, values, self.excluded | o.excluded, self.present and o.present,
                   self.missing and o.missing, self.integer or o.integer)

    def within(self, o: "Dom") -> bool:
        """Is every value this domain allows also allowed by ``o``?"""
        if self.missing and not o.missing:
            return False
        if self.present_empty():
            return True
        if not o.present:
            return False
        if o.values is not None:
            if self.values is None:
                return False
            return all(o.contains(v) for v in self.values if self.contains(v))
        if self.values is not None:
            return all(o.contains(v) for v in self.values if self.contains(v))
        for e in o.excluded:
            if self.contains(e):
                return False
        return (o.lo is None or (self.lo is not None and (_gt(self.lo, o.lo) or (self.lo == o.lo and (o.lo_closed or not self.lo_closed))))) \
            and (o.hi is None or (self.hi is not None and (_gt(o.hi, self.hi) or (self.hi == o.hi and (o.hi_closed or not self.hi_closed)))))


def _gt(a, b) -> bool:
    try:
        return a > b
    except TypeError:
        return False


ANY = Dom(missing=True)


def atom_dom(n, subject=None):
    """(subject node, Dom) when ``n`` constrains one value against constants, else None."""
    match n:
        case ir.Op(op=op, args=(a, b)) if op in ir.COMPARE:
            if isinstance(b, ir.Const) and not isinstance(a, ir.Const):
                return a, _cmp_dom(op, b.value, a)
            if isinstance(a, ir.Const) and not isinstance(b, ir.Const):
                return b, _cmp_dom(_FLIP[op], a.value, b)
        case ir.Between(value=v, low=ir.Const(value=lo), high=ir.Const(value=hi)):
            return v, Dom(lo=lo, hi=hi, integer=_is_int(v))
        case ir.Member(item=i, container=ir.Const(value=vals), negated=neg):
            return i, Dom(excluded=vals) if neg else Dom(values=vals)
        case ir.Missing(value=v, negated=neg):
            return v, Dom() if neg else Dom(present=False, missing=True)
        case ir.Op(op="and", args=args):
            doms = [atom_dom(a) for a in args]
            if doms and all(d is not None for d in doms) and len({id(d[0]) for d in doms}) == 1:
                out = doms[0][1]
                for _, d in doms[1:]:
                    out = out & d
                return doms[0][0], out
        case ir.Const(value=True):
            return subject, ANY
    return None


def _is_int(n) -> bool:
    return getattr(n, "type", None) is not None and n.type.name == "int"


def _cmp_dom(op, c, subject) -> Dom | None:
    if c is None:
        return Dom(present=False)  # comparing with null is never true
    integer = _is_int(subject)
    return {
        "==": Dom(values=frozenset([c])),
        "!=": Dom(excluded=frozenset([c])),
        "<": Dom(hi=c, hi_closed=False, integer=integer),
        "<=": Dom(hi=c, integer=integer),
        ">": Dom(lo=c, lo_closed=False, integer=integer),
        ">=": Dom(lo=c, integer=integer),
    }[op]


def conjuncts(n) -> list:
    if isinstance(n, ir.Op) and n.op == "and":
        out = []
        for a in n.args:
            out.extend(conjuncts(a))
        return out
    return [n]


def _constraints(cond) -> tuple[dict[int, tuple[object, Dom]], list]:
    doms: dict[int, tuple[object, Dom]] = {}
    others = []
    for a in conjuncts(cond):
        ad = atom_dom(a)
        if ad is None or ad[1] is None:
            others.append(a)
            continue
        subj, d = ad
        if id(subj) in doms:
            doms[id(subj)] = (subj, doms[id(subj)][1] & d)
        else:
            doms[id(subj)] = (subj, d)
    return doms, others


def analyse(prog) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    parsed = {}
    for r in prog.all_rules:
        doms, others = _constraints(r.cond)
        parsed[r.index] = (doms, others)
        if isinstance(r.cond, ir.Const) and r.cond.value is not True:
            out.append(warning("W400", f"rule {r.id} can never fire: its condition is always false", r.span))
        elif isinstance(r.cond, ir.Const) and r.cond.value is True:
            out.append(warning("W402", f"rule {r.id} always fires", r.span))
        for subj, d in doms.values():
            if d.empty():
                out.append(warning("W400", f"rule {r.id} can never fire: the conditions on '{show(subj)}' "
                                           "contradict each other", r.span))
                break
    if prog.policy == "first_match":
        out.extend(_shadowed(prog, parsed))
    for t in prog.tables.values():
        out.extend(_table(t))
    return out


def add_findings(prog, ctx):
    """The analyse stage: ``prog`` with what :func:`analyse` finds added to its diagnostics.

    Its errors (E501, E504) block loading as lowering's do: RulesetError with every diagnostic.
    """
    found = analyse(prog)
    if any(d.is_error for d in found):
        raise RulesetError(prog.diagnostics + tuple(found), prog.ast.extra.get("sources"))
    return replace(prog, diagnostics=prog.diagnostics + tuple(found)) if found else prog


def _implies(later, earlier) -> bool:
    """Does every atom of ``earlier`` hold whenever all atoms of ``later`` hold?"""
    ldoms, lothers = later
    edoms, eothers = earlier
    if any(all(o is not x for x in lothers) for o in eothers):
        return False
    for key, (subj, d) in edoms.items():
        if key not in ldoms or not ldoms[key][1].within(d):
            return False
    return True


def _shadowed(prog, parsed) -> list[Diagnostic]:
    out = []
    rules = [r for r in prog.rules]
    for j, rj in enumerate(rules):
        if any(d.empty() for _, d in parsed[rj.index][0].values()):
            continue
        for ri in rules[:j]:
            if ri.action is None:
                continue
            if _implies(parsed[rj.index], parsed[ri.index]):
                out.append(warning("W401", f"rule {rj.id} is shadowed: whenever it fires, rule {ri.id} "
                                           f"(line {ri.span.line}) has already matched first", rj.span,
                                   "give it a higher priority or make its condition narrower"))
                break
    return out


# -- decision tables ------------------------------------------------------------------------

_MAX_REGIONS = 200_000
_OTHER = "\x00other"  # the representative of every string no row names


@dataclass(frozen=True)
class Tests:
    """A cell of several unary tests, any of which may hold (``< 18, >= 60``), or, negated,
    ``not(...)``: none of them holds and the input is present."""

    parts: tuple
    negated: bool = False
    present: bool = False  # negated with a check the input is present (folded away when it always is)

    def contains(self, v) -> bool:
        hit = any(p.contains(v) for p in self.parts)
        if not self.negated:
            return hit
        return not hit and not (self.present and v is MISSING)

    def doms(self) -> list[Dom]:
        return [d for p in self.parts for d in (p.doms() if isinstance(p, Tests) else [p])]


def _cell_dom(c):
    """The cell as a Dom or Tests, or None when the analysis cannot read it."""
    match c:
        case ir.Op(op="or", args=args):
            parts = [_cell_dom(a) for a in args]
            return None if any(p is None for p in parts) else Tests(tuple(parts))
        case ir.Op(op="and", args=(a, b)) if _is_not_of_present(a, b) or _is_not_of_present(b, a):
            inner = _cell_dom((b if isinstance(b, ir.Op) and b.op == "not" else a).args[0])
            return None if inner is None else Tests((inner,), True, True)
        case ir.Op(op="not", args=(a,)):
            inner = _cell_dom(a)
            return None if inner is None else Tests((inner,), True)
    ad = atom_dom(c)
    return None if ad is None else ad[1]


def _is_not_of_present(present, neg) -> bool:
    return isinstance(present, ir.Missing) and present.negated and isinstance(neg, ir.Op) and neg.op == "not"


def _doms(cell) -> list[Dom]:
    return cell.doms() if isinstance(cell, Tests) else [cell]


def _mask(cell, region) -> int | None:
    """The column's elementary regions the cell passes, as bits (None without regions)."""
    if region is None:
        return None
    return sum(1 << n for n, v in enumerate(region) if cell.contains(v))


def _meet(a, b, ma, mb) -> bool | None:
    """Can one value pass both cells? None when the analysis cannot tell."""
    if isinstance(a, Dom) and isinstance(b, Dom):
        return not (a & b).empty()
    if ma is None:
        return None
    return bool(ma & mb)


def _table(t) -> list[Diagnostic]:
    rows = []
    for row in t.rows:
        doms = [_cell_dom(c) for c in row.cells]
        if any(d is None for d in doms):
            return []  # a cell the analysis cannot read: say nothing rather than guess
        rows.append(doms)
    out = []
    regions = [_regions(col, ty, [d for r in rows for d in _doms(r[k])], nullable)
               for k, (col, ty, nullable) in enumerate(zip(t.inputs, t.input_types, [i.nullable for i in t.inputs]))]
    if t.hit in ("unique", "any"):
        # each cell's regions once, so a pair of rows costs a few bit operations, not a walk of the regions
        mixed = [any(not isinstance(r[k], Dom) for r in rows) for k in range(len(regions))]
        masks = [[_mask(d, reg) if m else None for d, reg, m in zip(row, regions, mixed)] for row in rows]
        for (i, a), (j, b) in itertools.combinations(enumerate(rows), 2):
            if not all(_meet(x, y, mx, my) for x, y, mx, my in zip(a, b, masks[i], masks[j])):
                continue
            both = _example(t, a, b, regions)
            if t.hit == "unique":
                out.append(error("E501", f"table '{t.name}': rows {i + 1} and {j + 1} overlap{both}, but the hit "
                                         "policy is unique", t.rows[j].span,
                                 "make the rows exclusive or use hit policy first/priority"))
            elif _differ(t.rows[i].outputs, t.rows[j].outputs):
                out.append(error("E504", f"table '{t.name}': rows {i + 1} and {j + 1} overlap{both} with different "
                                         "outputs, but the hit policy is any", t.rows[j].span,
                                 "give overlapping rows the same outputs or use hit policy first/priority"))
    if any(r is None for r in regions):
        return out
    total = 1
    for r in regions:
        total *= max(1, len(r))
    if total > _MAX_REGIONS:
        return out
    if t.hit == "first":
        for j, row in enumerate(rows):
            reach = [[v for v in reg if d.contains(v)] for reg, d in zip(regions, row)]
            if all(reach) and all(any(all(rows[i][k].contains(v[k]) for k in range(len(v))) for i in range(j))
                                  for v in itertools.product(*reach)):
                out.append(warning("W503", f"table '{t.name}': row {j + 1} can never match, the rows before it "
                                           "cover all of its inputs", t.rows[j].span))
    if t.default is None and t.hit not in ("collect", "rule_order", "output_order"):
        for point in itertools.product(*regions):
            if not any(all(d.contains(v) for d, v in zip(row, point)) for row in rows):
                example = ", ".join(f"{show(i)} = {'missing' if v is MISSING else _fmt(v)}"
                                    for i, v in zip(t.inputs, point))
                out.append(warning("W502", f"table '{t.name}' has a gap: no row matches {example}, and there is no "
                                           "default", t.span, "add a row or a default"))
                break
    return out


def _example(t, a, b, regions) -> str:
    """`` (both match app.x = 7)`` when every column has a value both rows' cells pass, else ''."""
    point = []
    for x, y, reg in zip(a, b, regions):
        v = next((v for v in reg or () if x.contains(v) and y.contains(v)), None)
        if v is None:
            return ""
        point.append(v)
    return " (both match " + ", ".join(f"{show(i)} = {'missing' if v is MISSING else _fmt(v)}"
                                       for i, v in zip(t.inputs, point)) + ")"


def _differ(a, b) -> bool:
    """Do two rows' outputs certainly differ (constants that are not equal)?"""
    return any(isinstance(x, ir.Const) and isinstance(y, ir.Const) and x.value != y.value for x, y in zip(a, b))


def _fmt(v) -> str:
    if v == _OTHER:
        return "a value no row names"
    return f'"{v}"' if isinstance(v, str) else str(v)


def _regions(col, ty, doms, nullable):
    """Representative values of every elementary region the rows' bounds cut the column into."""
    reps: list = [MISSING] if nullable else []
    if ty.name == "bool":
        return reps + [True, False]
    if ty.name == "enum":
        return reps + list(ty.values)
    points = set()
    values = set()
    for d in doms:
        for p in (d.lo, d.hi):
            if p is not None:
                points.add(p)
        values |= set(d.values or ()) | set(d.excluded)
    if ty.name == "string":
        if points:
            return None
        return reps + sorted(values) + [_OTHER]
    if not ty.is_numeric and ty.name not in ("date", "datetime"):
        return None
    pts = sorted(points | {v for v in values if v is not None})
    if not pts:
        return reps + [0]
    step = dt.timedelta(days=1) if ty.name in ("date", "datetime") else 1
    out = [pts[0] - step]
    for a, b in zip(pts, pts[1:]):
        out.append(a)
        mid = a + (b - a) / 2 if ty.name != "date" else a + dt.timedelta(days=max(1, (b - a).days // 2))
        if ty.name == "int":
            if b - a > 1:
                out.append(a + 1)
        elif mid != a and mid != b:
            out.append(mid)
    out.append(pts[-1])
    out.append(pts[-1] + step)
    return reps + out
