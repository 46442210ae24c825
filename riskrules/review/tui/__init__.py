"""Terminal UI where reviewers work the review queue (``riskrules review``).

>>> from riskrules.review.tui import ReviewApp
>>> app = ReviewApp("sqlite:///review.db", "alice")   # doctest: +SKIP
>>> app.run()                                         # doctest: +SKIP
"""

from .app import ReviewApp, run_tui

__all__ = ["ReviewApp", "run_tui"]
