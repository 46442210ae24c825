"""Fixtures of the TUI tests: a seeded store, an app factory, and async tests.

The project has no asyncio pytest plugin, so coroutine tests here are run with
``asyncio.run`` by the hook below.
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any

import pytest
from tui_seed import NOW, REVIEWER, seed

from riskrules.review.store import Store
from riskrules.review.tui import ReviewApp


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    with Store.open(url) as store:
        seed(store)
    return url


@pytest.fixture
def make_app(db_url: str):
    """``make_app(**kw)``: a ReviewApp on the seeded store with a frozen clock, no
    auto-refresh and short retry delays."""

    def make(url: str | None = None, **kw: Any) -> ReviewApp:
        options = {"clock": lambda: NOW, "refresh_seconds": None, "retry_delays": (0.2, 0.5)} | kw
        return ReviewApp(url or db_url, REVIEWER, **options)

    return make


async def _settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture
def settle():
    """``await settle(pilot)``: let database workers finish and their messages land."""
    return _settle
