"""Relationship edges between applicants who share something.

kinds: ``device``, ``emergency_contact`` (same emergency phone), ``bank_card``,
``employer`` and ``phone`` (one applicant's emergency contact is another applicant).
A value shared by k applicants gives k-1 edges from its earliest applicant (a star):
the connected components are those of the full clique, at linear size, so a large
employer does not explode into millions of edges.
"""
from __future__ import annotations

import numpy as np
import polars as pl


def star_edges(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hub, member) index pairs for every group of equal ``key`` values (negative = no value)."""
    idx = np.flatnonzero(key >= 0)
    order = idx[np.argsort(key[idx], kind="stable")]
    k = key[order]
    new_group = np.r_[True, k[1:] != k[:-1]]
    hub = order[np.flatnonzero(new_group)][np.cumsum(new_group) - 1]
    member = ~new_group
    return hub[member], order[member]


def contact_edges(emergency: np.ndarray, phone: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(applicant, other applicant) where the first names the second as emergency contact."""
    order = np.argsort(phone, kind="stable")
    pos = np.clip(np.searchsorted(phone[order], emergency), 0, phone.size - 1)
    owner = order[pos]
    hit = (phone[owner] == emergency) & (owner != np.arange(emergency.size))
    return np.flatnonzero(hit), owner[hit]


def edges_frame(keys: dict, values: dict, applicant_ids: pl.Series) -> pl.DataFrame:
    """``src, dst, kind, value``; ``values[kind]`` is the per-applicant display string."""
    links = (  # kind, (src, dst), whose display string is the value
        ("device", star_edges(keys["device"]), "device"),
        ("phone", contact_edges(keys["emergency_phone"], keys["phone"]), "emergency_contact"),
        ("emergency_contact", star_edges(keys["emergency_phone"]), "emergency_contact"),
        ("bank_card", star_edges(keys["bank_card"]), "bank_card"),
        ("employer", star_edges(keys["employer"]), "employer"),
    )
    return pl.concat([pl.DataFrame([
        applicant_ids.gather(src).alias("src"),
        applicant_ids.gather(dst).alias("dst"),
        pl.repeat(kind, src.size, dtype=pl.String, eager=True).alias("kind"),
        values[shown].gather(src).alias("value"),
    ]) for kind, (src, dst), shown in links])
