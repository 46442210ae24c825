"""The application input as a collapsible tree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from .. import format as fmt


class InputTree(Tree[Any]):
    def __init__(self, **kwargs) -> None:
        super().__init__("input", **kwargs)
        self.show_root = False
        self.guide_depth = 3

    def show_input(self, data: Mapping[str, Any]) -> None:
        self.clear()
        if not data:
            self.root.add_leaf(Text("no input in the evidence", style="dim italic"))
        else:
            _add(self.root, data)
        self.root.expand_all()

def _add(node: TreeNode[Any], data: Any) -> None:
    items = data.items() if isinstance(data, Mapping) else enumerate(data)
    for key, value in items:
        if isinstance(value, (Mapping, list, tuple)) and value:
            _add(node.add(Text(str(key), style="bold"), data=value), value)
        else:
            shown = fmt.mask(str(key), value) if isinstance(value, str) else _leaf(value)
            label = Text.assemble((str(key), "bold"), (" = ", "dim"), (shown, _style(value)))
            node.add_leaf(label, data=value)


def _leaf(value: Any) -> str:
    if isinstance(value, (Mapping, list, tuple)):
        return "{}" if isinstance(value, Mapping) else "[]"
    return fmt.value(value)


def _style(value: Any) -> str:
    if isinstance(value, bool):
        return "green" if value else "red"
    if isinstance(value, (int, float)):
        return "cyan"
    return "" if value is not None else "dim"
