"""Synthetic consumer-lending book: applications, loans, events and ground truth.

>>> from riskrules.sim import simulate, load_applications, iter_inputs  # doctest: +SKIP
>>> summary = simulate(seed=7, applicants=2_000, out=Path("book"))       # doctest: +SKIP
>>> first = next(iter_inputs(load_applications("book")))                 # doctest: +SKIP

See docs/simulator.md for the tables, the planted patterns and their rates.
"""
from riskrules.sim.blocklists import LIST_FILES
from riskrules.sim.identity import is_valid_id_number
from riskrules.sim.io import iter_inputs, load_applications, write_samples_jsonl
from riskrules.sim.patterns import PATTERNS, Pattern
from riskrules.sim.simulate import TABLES, SimSummary, simulate

__all__ = [
    "LIST_FILES", "PATTERNS", "Pattern", "SimSummary", "TABLES", "is_valid_id_number", "iter_inputs",
    "load_applications", "simulate", "write_samples_jsonl",
]
