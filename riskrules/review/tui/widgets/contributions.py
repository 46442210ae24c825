"""Model results with each feature's points drawn as a bar.

Scorecard points are "higher is safer"; a contribution that carries a reason code
cost the applicant points against the best bin, so it is drawn in red.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from .. import format as fmt
from ..evidence import ModelResult

BAR_WIDTH = 12
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A left-aligned bar ``fraction`` of ``width`` cells long, in eighths.

    >>> bar(0.5, 4), bar(1.0, 2), bar(0.0, 3)
    ('██', '██', '')
    """
    eighths = round(max(0.0, min(fraction, 1.0)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


class ContributionChart(Static):
    def show_models(self, models: Sequence[ModelResult]) -> None:
        if not models:
            self.update(Text("No model output in the evidence.", style="dim italic"))
            return
        self.update(Group(*(self._model(m) for m in models)))

    @staticmethod
    def _model(model: ModelResult) -> Group:
        head = Text.assemble((model.name, "bold"), (f"  v{model.version}" if model.version else "", "dim"))
        if model.probability is not None:
            head.append(f"  PD {model.probability:.1%}", style="bold yellow")
        if model.points is not None:
            head.append(f"  {model.points:,.0f} pts", style="bold")
        # the reason code is the column that gives way when the pane is narrow
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(no_wrap=True, overflow="ellipsis", min_width=8, max_width=16)
        table.add_column(justify="right", no_wrap=True, overflow="ellipsis", min_width=4, max_width=10)
        table.add_column(justify="right", no_wrap=True, min_width=4)
        table.add_column(no_wrap=True, width=BAR_WIDTH, min_width=BAR_WIDTH)
        table.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        widest = max((abs(c.points) for c in model.contributions), default=0.0) or 1.0
        for c in model.contributions:
            colour = "red" if c.reason else "green"
            table.add_row(
                c.feature, Text(fmt.value(c.value), style="cyan"), f"{c.points:+.0f}",
                Text(bar(abs(c.points) / widest), style=colour), Text(c.reason or "", style="dim"),
            )
        if not model.contributions:
            table.add_row(Text("no contributions recorded", style="dim italic"), "", "", "", "")
        return Group(head, table, Text(""))
