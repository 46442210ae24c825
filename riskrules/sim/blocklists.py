"""Blocklist files with the planted values, for rulesets to load as lists.

Each list holds the values of the book's blocklisted pattern members plus decoys
that never apply (a real list is mostly people who never come back).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from riskrules.sim import identity
from riskrules.sim.devices import device_strings
from riskrules.sim.draft import Draft
from riskrules.sim.rand import stream, weighted
from riskrules.sim.reference import REGIONS

LIST_FILES = {
    "blocked_devices": "blocked_devices.txt",
    "blocked_id_numbers": "blocked_id_numbers.txt",
    "blocked_phones": "blocked_phones.txt",
}


def blocklists(d: Draft) -> dict[str, list[str]]:
    """Sorted values of each blocklist."""
    rng = stream(d.seed, "blocklists")
    members = d.of("blocklisted_id")
    k = int(members.sum())
    decoy_birth = (np.datetime64("1970-01-01") + rng.integers(2_000, 15_000, 2 * k) * np.timedelta64(1, "D"))
    district = np.array([r[2] for r in REGIONS], dtype=np.int64)[weighted(rng, [r[3] for r in REGIONS], 2 * k)]
    decoys = identity.id_numbers(rng, district, decoy_birth)
    book = d.cols["applicant.id_number"]
    ids = pl.concat([book.filter(pl.Series(members)), decoys.filter(~decoys.is_in(book.implode()))])
    return {
        "blocked_devices": sorted(device_strings(d.keys["blocked_devices"]).to_list()),
        "blocked_id_numbers": sorted(set(ids.to_list())),
        "blocked_phones": sorted(identity.phone_strings(d.keys["blocked_phones"]).to_list()),
    }


def write_blocklists(lists: dict[str, list[str]], folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, values in lists.items():
        path = folder / LIST_FILES[name]
        path.write_text("".join(v + "\n" for v in values), encoding="utf-8")
        paths[name] = path
    return paths
