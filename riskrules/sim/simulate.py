"""``simulate()``: draw a whole lending book and write it as Parquet files."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from riskrules.sim import patterns
from riskrules.sim.applications import applicant_ids, applications_frame, draw_book
from riskrules.sim.blocklists import blocklists, write_blocklists
from riskrules.sim.collection import collections_frame
from riskrules.sim.contacts import card_strings
from riskrules.sim.episodes import delinquency_episodes, truth_flags
from riskrules.sim.graph import edges_frame
from riskrules.sim.io import APPLICATIONS_FILE
from riskrules.sim.loans import draw_loans, loan_ids, schedule, schedule_frame
from riskrules.sim.messages import messages_frame
from riskrules.sim.outcomes import SEGMENTS, draw_outcomes, segment
from riskrules.sim.repayments import draw_repayments, repayments_frame
from riskrules.sim.timeline import epoch_seconds, observation_end
from riskrules.sim.events import events_frame
from riskrules.sim.transfers import transfers_frame

TABLES = ("applications", "edges", "loans", "schedule", "repayments", "transfers", "collections",
          "messages", "truth", "events")


@dataclass
class SimSummary:
    """What ``simulate`` wrote."""
    seed: int
    applicants: int
    start: date
    days: int
    out: Path
    rows: dict[str, int] = field(default_factory=dict)          # table → row count
    patterns: dict[str, int] = field(default_factory=dict)      # pattern → applicants
    default_rate: float = 0.0                                   # share with default_90d
    fraud_rate: float = 0.0                                     # share with first_party_fraud
    paths: dict[str, Path] = field(default_factory=dict)        # table or list → file


def simulate(seed: int, applicants: int, out: Path | str, *, days: int = 90,
             start: date = date(2026, 1, 1)) -> SimSummary:
    """Write a synthetic consumer-lending book to ``out`` and summarise it.

    The same ``seed``, ``applicants``, ``days`` and ``start`` give byte-identical files.

    >>> summary = simulate(7, 2_000, Path("book"))          # doctest: +SKIP
    >>> summary.rows["applications"], round(summary.default_rate, 2)  # doctest: +SKIP
    (2000, 0.11)
    """
    out = _check_arguments(seed, applicants, out, days, start)
    start_s = epoch_seconds(start)
    end_s = observation_end(start_s, days)
    d = draw_book(seed, applicants, start_s, days)
    o = draw_outcomes(d)
    ids = {"loan": loan_ids(d.n), "applicant": applicant_ids(d.n), "application": d.cols["application.id"]}

    loans, disbursed, rate = draw_loans(d)
    sched = schedule(d, disbursed, rate)
    reps = draw_repayments(seed, sched, o, d.latent, disbursed, end_s)
    episodes = delinquency_episodes(reps, end_s)
    default, delinquent, cured = truth_flags(reps, d.n, disbursed, episodes)
    seg = segment(o)

    tables = {
        "applications": applications_frame(d),
        "edges": edges_frame(d.keys, _edge_values(d), ids["applicant"]),
        "loans": loans,
        "schedule": schedule_frame(sched, ids["loan"]),
        "repayments": repayments_frame(reps, ids["loan"]),
        "transfers": transfers_frame(d, o, disbursed, ids, end_s),
        "collections": collections_frame(seed, episodes, seg, o.usual_hour, ids, end_s),
        "messages": messages_frame(seed, episodes, seg, ids, end_s),
        "truth": _truth(d, o, ids, default, delinquent, cured, seg),
    }
    tables["events"] = events_frame(tables["loans"], tables["schedule"], tables["repayments"], tables["transfers"],
                                    _utc(end_s))
    summary = SimSummary(seed=seed, applicants=applicants, start=start, days=days, out=out)
    for name, frame in tables.items():
        path = out / (APPLICATIONS_FILE if name == "applications" else f"{name}.parquet")
        frame.write_parquet(path, compression="zstd", statistics=True)
        summary.rows[name], summary.paths[name] = frame.height, path
    summary.paths.update(write_blocklists(blocklists(d), out / "lists"))
    counts = np.bincount(d.pattern[d.pattern >= 0], minlength=len(patterns.PATTERNS))
    summary.patterns = {p.name: int(c) for p, c in zip(patterns.PATTERNS, counts)}
    summary.default_rate = float(default.mean())
    summary.fraud_rate = float(o.fraud.mean())
    return summary


def _utc(seconds: int):
    import datetime as dt

    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def _check_arguments(seed, applicants, out, days, start) -> Path:
    def whole(value) -> bool:
        return isinstance(value, (int, np.integer)) and not isinstance(value, bool)

    if not whole(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not whole(applicants) or applicants <= 0:
        raise ValueError(f"applicants must be a positive integer, got {applicants!r}")
    if not whole(days) or days <= 0:
        raise ValueError(f"days must be a positive integer, got {days!r}")
    if not isinstance(start, date):
        raise ValueError(f"start must be a date, got {start!r}")
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out, prefix=".write-check-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ValueError(f"output directory {str(out)!r} is not writable: {exc.strerror or exc}") from None
    return out


def _edge_values(d) -> dict[str, pl.Series]:
    return {
        "device": d.cols["device.id"],
        "emergency_contact": d.cols["contacts.emergency_phone"],
        "bank_card": card_strings(d.keys["bank_card"]),
        "employer": d.cols["applicant.employer"].fill_null(""),
    }


def _truth(d, o, ids, default, delinquent, cured, seg) -> pl.DataFrame:
    names = pl.Series(patterns.NAMES, dtype=pl.String)
    pattern = names.gather(np.maximum(d.pattern, 0)).scatter(np.flatnonzero(d.pattern < 0), None)
    segment_names = pl.Series(SEGMENTS, dtype=pl.String).gather(np.maximum(seg, 0))
    return pl.DataFrame([
        ids["application"].alias("application_id"),
        ids["applicant"].alias("applicant_id"),
        pl.Series("default_90d", default),
        pl.Series("first_party_fraud", o.fraud),
        pl.Series("delinquent", delinquent),
        pl.Series("cured", cured),
        pattern.alias("pattern"),
        segment_names.scatter(np.flatnonzero(~delinquent), None).alias("collection_segment"),
        pl.Series("latent_risk", np.round(d.latent, 6)),
        pl.Series("pd", np.round(o.pd, 6)),
    ])

