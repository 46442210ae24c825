from datetime import date

import polars as pl
import pytest

from riskrules.sim import simulate

START = date(2026, 3, 1)
DAYS = 30


class Book:
    def __init__(self, summary):
        self.summary = summary
        self.out = summary.out
        self._cache = {}

    def __getitem__(self, table: str) -> pl.DataFrame:
        if table not in self._cache:
            self._cache[table] = pl.read_parquet(self.summary.paths[table])
        return self._cache[table]


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> Book:
    """A 2,000-applicant book over 30 days."""
    return Book(simulate(7, 2_000, tmp_path_factory.mktemp("book"), days=DAYS, start=START))


@pytest.fixture(scope="session")
def big_book(tmp_path_factory) -> Book:
    """A 20,000-applicant book over the default 90 days, for rates and model quality."""
    return Book(simulate(2024, 20_000, tmp_path_factory.mktemp("big")))
