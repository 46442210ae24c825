"""A one-line banner that says the database is away and what the TUI does about it."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class DatabaseBanner(Static):
    """Hidden while all is well; shown (``-visible``) while the database is failing."""

    def show_problem(self, error: BaseException, *, retry_in: float | None = None, kept: str = "") -> None:
        text = Text.assemble(("✖ database unavailable ", "bold"), (str(error).strip() or type(error).__name__))
        if kept:
            text.append(f" · {kept}")
        if retry_in is not None:
            text.append(f" · retrying in {retry_in:g}s (r: now)", style="bold")
        else:
            text.append(" · press r to retry", style="bold")
        self.update(text)
        self.add_class("-visible")

    def clear(self) -> None:
        self.update("")
        self.remove_class("-visible")

    @property
    def showing(self) -> bool:
        return self.has_class("-visible")
