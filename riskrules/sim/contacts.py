"""Phones, emergency contacts, address-book size and payout bank cards.

All phone numbers of the book (applicants', emergency contacts', blocklist decoys)
come from one draw so they are distinct unless shared on purpose: a spouse named
as emergency contact, or the two emergency phones of a fraud ring.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from riskrules.sim import identity
from riskrules.sim.arrays import pool_slots, unique_codes
from riskrules.sim.draft import Draft
from riskrules.sim.rand import sigmoid, stream
from riskrules.sim.strings import ascii_rows, digit_matrix

SPOUSE_SHARE = 0.12
RING_EMERGENCY_PHONES = 2
UNIONPAY_BIN = 621_700


def draw_contacts(d: Draft) -> None:
    rng = stream(d.seed, "contacts")
    n, z = d.n, d.latent
    ring = d.ring_group >= 0
    n_rings = int(d.ring_group.max()) + 1 if ring.any() else 0
    blocked_phone = d.of("blocklisted_phone")
    n_decoys = 2 * int(blocked_phone.sum())
    phones = identity.phone_numbers(rng, 2 * n + n_decoys + RING_EMERGENCY_PHONES * n_rings)
    own, emergency = phones[:n], phones[n: 2 * n].copy()
    decoys = phones[2 * n: 2 * n + n_decoys]
    ring_phones = phones[2 * n + n_decoys:]

    spouse = (rng.random(n) < SPOUSE_SHARE) & d.ordinary
    emergency[spouse] = own[rng.integers(0, n, int(spouse.sum()))]
    if ring.any():
        emergency[ring] = ring_phones[pool_slots(d.ring_group[ring], np.full(n_rings, RING_EMERGENCY_PHONES))]

    count = np.maximum(np.round(rng.lognormal(np.log(140), 0.7, n)), 8).astype(np.int64)
    count[ring] = rng.integers(3, 16, int(ring.sum()))
    overdue = rng.random(n) < sigmoid(-2.8 + 0.7 * z)
    overdue[ring] = False
    unknown = np.flatnonzero(rng.random(n) < 0.15)
    listed = rng.poisson(0.03 * np.exp(0.6 * z))
    listed[ring] = 0

    d.keys["phone"] = own
    d.keys["emergency_phone"] = emergency
    d.keys["blocked_phones"] = np.unique(np.r_[own[blocked_phone], decoys])
    d.cols["applicant.phone"] = identity.phone_strings(own)
    d.cols["contacts.count"] = count
    d.cols["contacts.emergency_phone"] = identity.phone_strings(emergency)
    d.cols["contacts.emergency_overdue"] = pl.Series(overdue).scatter(unknown, None)
    d.cols["contacts.blocklisted"] = listed.astype(np.int64)
    _bank_cards(d, rng)


def _bank_cards(d: Draft, rng: np.random.Generator) -> None:
    """19-digit UnionPay card the loan is paid out to; rings cash out through a few cards."""
    n = d.n
    ring = d.ring_group >= 0
    g = d.ring_group[ring]
    pool = np.maximum(1, np.bincount(g) // 8) if ring.any() else np.zeros(0, dtype=np.int64)
    codes = unique_codes(rng, n + int(pool.sum()), bits=43)  # < 10**13: 13 digits after the BIN
    card, ring_cards = codes[:n].copy(), codes[n:]
    shared = (rng.random(n) < 0.005) & d.ordinary
    card[shared] = card[rng.integers(0, n, int(shared.sum()))]
    if ring.any():
        card[ring] = ring_cards[pool_slots(g, pool)]
    d.keys["bank_card"] = UNIONPAY_BIN * 10**13 + card


def card_strings(cards: np.ndarray) -> pl.Series:
    return ascii_rows(digit_matrix(cards, 19))
