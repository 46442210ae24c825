"""The book while it is being drawn: one row per application, column by column.

``cols`` holds the schema fields under their dotted paths (``applicant.kyc.face_match``);
``keys`` holds integer codes other tables join on (device, phones, employer, bank card).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from riskrules.sim import patterns


@dataclass
class Draft:
    seed: int
    n: int
    start_s: int
    days: int
    pattern: np.ndarray          # int8 pattern code, patterns.NONE for ordinary applicants
    latent: np.ndarray           # latent risk, higher is riskier, ~N(0, 1) for ordinary applicants
    submitted: np.ndarray        # int64 epoch seconds
    burst_group: np.ndarray      # employer burst number, -1 outside bursts
    ring_group: np.ndarray       # fraud ring number, -1 outside rings
    cols: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)

    def of(self, name: str) -> np.ndarray:
        """Mask of the members of the named pattern."""
        return self.pattern == patterns.code(name)

    @property
    def ordinary(self) -> np.ndarray:
        return self.pattern == patterns.NONE
