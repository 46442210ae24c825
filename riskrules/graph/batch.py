"""The relationship graph from tables, for backtests and for warming an online graph.

Two table shapes are read, with the column names the caller gives:

* identifiers: one row per applicant and identifier (``applicant, kind, value``), the
  natural shape of a user's own data;
* applicant edges: ``src, dst, kind, value`` (the simulator's ``edges.parquet``): each
  edge links both applicants to the identifier ``(kind, value)``.

:func:`replay` decides what every application would have seen: applications in time
order, each adding its identifiers, statuses (bad, delinquent) applied from the time
they became known, and each application's features taken right after its own change, as
the online graph gives them. :func:`component_sizes` computes the final components with
scipy's sparse graph routines, a second implementation the online union-find is tested
against.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .state import KINDS, GraphError, RelationshipGraph


@dataclass(frozen=True)
class Identifiers:
    rows: pl.DataFrame  # applicant (str), kind (str), value (str)
    dropped_empty: int  # rows with no value (nothing to link); counted, not hidden


def identifiers(frame: pl.DataFrame, *, applicant: str = "applicant_id", kind: str = "kind", value: str = "value",
                src: str | None = None, dst: str | None = None, kinds=KINDS) -> Identifiers:
    """Normalise an identifier table (or an applicant-edge table, with ``src``/``dst``)."""
    if src is not None or dst is not None:
        need = [c for c in (src, dst, kind, value) if c is not None]
        _require(frame, need)
        base = frame.select(pl.col(kind).cast(pl.String).alias("kind"), pl.col(value).cast(pl.String).alias("value"))
        rows = pl.concat([
            pl.concat([frame.select(pl.col(src).cast(pl.String).alias("applicant")), base], how="horizontal"),
            pl.concat([frame.select(pl.col(dst).cast(pl.String).alias("applicant")), base], how="horizontal"),
        ])
    else:
        _require(frame, [applicant, kind, value])
        rows = frame.select(pl.col(applicant).cast(pl.String).alias("applicant"),
                            pl.col(kind).cast(pl.String).alias("kind"), pl.col(value).cast(pl.String).alias("value"))
    rows = rows.with_columns(pl.col("value").str.strip_chars())
    unknown = rows.filter(~pl.col("kind").is_in(list(kinds)))
    if unknown.height:
        seen = unknown.group_by("kind").len().sort("len", descending=True).head(5)
        listed = ", ".join(f"{k!r} ({n} rows)" for k, n in seen.iter_rows())
        raise GraphError(f"unknown identifier kinds: {listed}; declared: {', '.join(sorted(kinds))}")
    if rows.filter(pl.col("applicant").is_null() | (pl.col("applicant") == "")).height:
        raise GraphError("some rows have no applicant id")
    empty = pl.col("value").is_null() | (pl.col("value") == "")
    dropped = rows.filter(empty).height
    return Identifiers(rows.filter(~empty).unique(maintain_order=True), dropped)


def _require(frame: pl.DataFrame, columns) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise GraphError(f"the edge table has no column {', '.join(map(repr, missing))}; it has "
                         f"{', '.join(frame.columns[:12])}")


def component_sizes(ids: Identifiers) -> dict[str, int]:
    """Applicants in each applicant's component, by sparse connected components."""
    from scipy.sparse import coo_matrix  # noqa: PLC0415
    from scipy.sparse.csgraph import connected_components  # noqa: PLC0415

    rows = ids.rows
    applicants = rows["applicant"].unique(maintain_order=True)
    keys = rows.select(pl.concat_str([pl.col("kind"), pl.col("value")], separator="\x00").alias("k"))["k"]
    idents = keys.unique(maintain_order=True)
    a_index = pl.DataFrame({"applicant": applicants, "a": np.arange(applicants.len())})
    i_index = pl.DataFrame({"k": idents, "i": np.arange(idents.len()) + applicants.len()})
    joined = (rows.with_columns(keys.alias("k")).join(a_index, on="applicant").join(i_index, on="k"))
    n = applicants.len() + idents.len()
    graph = coo_matrix((np.ones(joined.height, dtype=np.int8), (joined["a"].to_numpy(), joined["i"].to_numpy())),
                       shape=(n, n))
    _, label = connected_components(graph, directed=False)
    a_labels = label[: applicants.len()]
    counts = np.bincount(a_labels)
    return dict(zip(applicants.to_list(), counts[a_labels].tolist()))


def build(ids: Identifiers, statuses: dict | None = None, **kw) -> RelationshipGraph:
    """The final graph of a table (order does not matter for the final state)."""
    g = RelationshipGraph(**kw)
    for applicant, group in _grouped(ids.rows):
        g.link(applicant, group)
    for applicant, status in (statuses or {}).items():
        g.mark(applicant, status)
    return g


def _grouped(rows: pl.DataFrame):
    current, group = None, []
    for applicant, kind, value in rows.sort("applicant", maintain_order=True).iter_rows():
        if applicant != current and current is not None:
            yield current, group
            group = []
        current = applicant
        group.append((kind, value))
    if current is not None:
        yield current, group


def replay(applications: pl.DataFrame, ids: Identifiers, *, applicant: str = "applicant_id", at: str = "at",
           statuses: pl.DataFrame | None = None, status_applicant: str = "applicant_id", status: str = "status",
           status_at: str = "at", **kw) -> pl.DataFrame:
    """Each application's graph features as of its own time (ties: applications before
    statuses known at the same instant, then by the table's order)."""
    _require(applications, [applicant, at])
    by_applicant: dict[str, list] = {}
    for a, kind, value in ids.rows.iter_rows():
        by_applicant.setdefault(a, []).append((kind, value))
    events = [(t, 0, n, str(a)) for n, (a, t) in enumerate(applications.select(applicant, at).iter_rows())]
    if statuses is not None:
        _require(statuses, [status_applicant, status, status_at])
        events += [(t, 1, n, (str(a), s)) for n, (a, s, t) in
                   enumerate(statuses.select(status_applicant, status, status_at).iter_rows())]
    if any(e[0] is None for e in events):
        raise GraphError(f"every application and status needs a time ({at!r}, {status_at!r}); some are missing")
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    g = RelationshipGraph(**kw)
    out: list[dict | None] = [None] * applications.height
    for _, kind, n, payload in events:
        if kind == 1:
            g.mark(*payload)
        else:
            out[n] = g.add(payload, by_applicant.get(payload, ())).to_dict()
    frame = pl.DataFrame([{k: v for k, v in d.items() if k != "sharing"} for d in out])
    return frame.with_columns(applications[applicant].alias(applicant))
