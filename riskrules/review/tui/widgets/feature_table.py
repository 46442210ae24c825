"""Feature values the engine computed for the case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from .. import format as fmt


class FeatureTable(DataTable):
    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)

    def on_mount(self) -> None:
        self.add_column("Feature", key="feature")
        self.add_column(Text("Value", justify="right"), key="value")

    def show_features(self, features: Mapping[str, Any]) -> None:
        self.clear()
        for name in sorted(features):
            value = features[name]
            style = "red" if value is True else "dim" if value is None else ""
            self.add_row(name, Text(fmt.value(value), justify="right", style=style), key=name)
        if not features:
            self.add_row(Text("no features in the evidence", style="dim italic"), "")
