"""Devices and network: device ids, OS, root/emulator flags, IPs, shared use.

Device ids are 60-bit integers shown as 15 hex digits. Sharing is planted on
purpose: households (two applicants on one phone), fraud rings (about five members
per device) and blocklisted devices reused by a few applicants. ``accounts`` and
``applications_7d`` are then counted from the book itself, so they agree with
``edges.parquet``.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from riskrules.sim.arrays import pool_slots, unique_codes
from riskrules.sim.draft import Draft
from riskrules.sim.rand import stream, weighted
from riskrules.sim.reference import IP_FIRST_OCTETS, PROVINCES, PROXY_FIRST_OCTETS, REGIONS
from riskrules.sim.strings import ascii_rows, hex_matrix, pick
from riskrules.sim.timeline import DAY

HOUSEHOLD_SHARE = 0.02
MEMBERS_PER_RING_DEVICE = 5


def device_strings(codes: np.ndarray) -> pl.Series:
    return ascii_rows(hex_matrix(codes, 15))


def draw_devices(d: Draft) -> None:
    rng = stream(d.seed, "devices")
    n = d.n
    blocked = d.of("blocklisted_device")
    ring = d.ring_group >= 0
    n_blocked_pool = int(np.ceil(blocked.sum() / 1.5))
    n_rings = int(d.ring_group.max()) + 1 if ring.any() else 0
    ring_sizes = np.bincount(d.ring_group[ring], minlength=n_rings)
    ring_pool = np.maximum(1, ring_sizes // MEMBERS_PER_RING_DEVICE)
    codes = unique_codes(rng, n + n_blocked_pool * 3 + int(ring_pool.sum()))
    device = codes[:n].copy()
    blocked_pool = codes[n: n + n_blocked_pool * 3]  # a third used in the book, the rest decoys
    ring_devices = codes[n + n_blocked_pool * 3:]

    plain = np.flatnonzero(d.ordinary)
    pairs = rng.choice(plain, size=2 * int(plain.size * HOUSEHOLD_SHARE / 2), replace=False).reshape(-1, 2)
    device[pairs[:, 1]] = device[pairs[:, 0]]
    device[blocked] = blocked_pool[rng.integers(0, max(n_blocked_pool, 1), int(blocked.sum()))]
    if ring.any():
        device[ring] = ring_devices[pool_slots(d.ring_group[ring], ring_pool)]

    d.keys["device"] = device
    d.keys["blocked_devices"] = np.unique(np.r_[device[blocked], blocked_pool])
    d.cols["device.id"] = device_strings(device)
    _flags(d, rng)
    _network(d, rng)
    _usage(d, rng, device)


def _flags(d: Draft, rng: np.random.Generator) -> None:
    n = d.n
    emulator, rooted = d.of("emulator_device"), d.of("rooted_device")
    os = weighted(rng, [0.70, 0.27, 0.03], n)
    os[emulator | rooted] = 0  # rooting and emulators are an Android affair
    d.cols["device.os"] = pick(("android", "ios", "other"), os)
    d.cols["device.rooted"] = rooted | (emulator & (rng.random(n) < 0.5))
    d.cols["device.emulator"] = emulator


def _network(d: Draft, rng: np.random.Generator) -> None:
    n = d.n
    proxy = d.of("proxy_other_province")
    first = np.asarray(IP_FIRST_OCTETS)[rng.integers(0, len(IP_FIRST_OCTETS), n)]
    first[proxy] = np.asarray(PROXY_FIRST_OCTETS)[rng.integers(0, len(PROXY_FIRST_OCTETS), int(proxy.sum()))]
    octets = pl.DataFrame({
        "a": first, "b": rng.integers(0, 256, n), "c": rng.integers(0, 256, n), "d": rng.integers(1, 255, n),
    })
    d.cols["device.ip"] = octets.select(
        pl.concat_str([pl.col(c).cast(pl.String) for c in "abcd"], separator=".")).to_series()
    province_idx = _province_index(d)
    elsewhere = (province_idx + rng.integers(1, len(PROVINCES), n)) % len(PROVINCES)
    roll = rng.random(n)
    ip_prov = np.where(roll < 0.03, elsewhere, province_idx)
    ip_prov[proxy] = elsewhere[proxy]
    unknown = (roll > 0.98) & ~proxy
    d.cols["device.ip_province"] = pick(PROVINCES, ip_prov).scatter(np.flatnonzero(unknown), None)
    d.cols["device.proxy"] = proxy


def _province_index(d: Draft) -> np.ndarray:
    lookup = np.array([PROVINCES.index(r[0]) for r in REGIONS])
    return lookup[d.keys["region"]]


def _usage(d: Draft, rng: np.random.Generator, device: np.ndarray) -> None:
    n = d.n
    _, dense, per_device = np.unique(device, return_inverse=True, return_counts=True)
    extra = weighted(rng, [0.9, 0.08, 0.02], n)
    # A ring's devices were already used for accounts at other lenders; tiny books
    # (a ring of two) still show the ring's signature.
    ring = d.ring_group >= 0
    extra[ring] = np.maximum(extra[ring], 4 - per_device[dense][ring])
    d.cols["device.accounts"] = (per_device[dense] + extra).astype(np.int64)
    # Applications from the same device in the 7 days up to and including this one.
    key = dense.astype(np.int64) * (1 << 40) + (d.submitted - d.start_s)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    earlier = np.searchsorted(sorted_key, sorted_key - 7 * DAY + 1, side="left")
    count = np.empty(n, dtype=np.int64)
    count[order] = np.arange(n) - earlier + 1
    d.cols["device.applications_7d"] = count
