"""Safe YAML reading that keeps the position of every key and value.

PyYAML's ``SafeLoader`` only *composes* the document here: the node graph
keeps line/column marks, and nothing is constructed until the document has
passed the checks below (so an alias bomb or a ``!!python/object`` tag is
rejected before it can cost anything):

* at most ``MAX_ALIASES`` aliases, at most ``MAX_NODES`` nodes once aliases are
  expanded, no recursive aliases (E111);
* only the standard tags: str, int, float, bool, null, timestamp, map, seq (E111);
* duplicate keys in a mapping (E118).

The result is plain data (dicts, lists, scalars) plus a map from each data
path (``("rules", 0, "when")``) to its YAML nodes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .ast import Span
from .diagnostics import Diagnostic, error
from .positions import LineIndex, Locator, mapped_locator, yaml_scalar_offsets
from .yaml_comments import GapComments

MAX_ALIASES = 100
MAX_NODES = 200_000

_STD = "tag:yaml.org,2002:"
ALLOWED_TAGS = frozenset(_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq"))

Path = tuple  # of str keys and int indices


class _TooManyAliases(Exception):
    def __init__(self, mark) -> None:
        super().__init__(mark)
        self.mark = mark


class _ComposingLoader(yaml.SafeLoader):
    """A SafeLoader that counts aliases while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_count = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                raise _TooManyAliases(self.peek_event().start_mark)
        return super().compose_node(parent, index)


class _CommentingLoader(_ComposingLoader):
    """... and finds the comments between the tokens it reads, for fmt."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.gaps = GapComments(stream)

    def get_token(self):
        token = super().get_token()
        self.gaps.feed(token)
        return token


@dataclass
class YamlDoc:
    """A composed YAML file: data, nodes by path, and span helpers."""

    file: str
    text: str
    data: object = None
    nodes: dict = field(default_factory=dict)  # path -> value node
    keys: dict = field(default_factory=dict)  # path -> key node (mapping entries only)
    root: Node | None = None
    index: LineIndex | None = None
    comments: list = field(default_factory=list)  # riskrules.dsl.comments.Comment, not yet attached

    def span(self, node: Node) -> Span:
        a, b = node.start_mark, node.end_mark
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            b = a  # a block scalar ends after its trailing lines; keep the header
        # lines as an editor counts them: PyYAML's own line/column also break at NEL, LS and PS
        return Span(self.file, *self.index.position(a.index), *self.index.position(b.index))

    def span_at(self, path: Path) -> Span:
        """The value at ``path``, else its key, else the nearest enclosing node."""
        for n in range(len(path), -1, -1):
            node = self.nodes.get(tuple(path[:n]))
            if node is not None:
                return self.span(node)
        return Span(self.file, 1, 1, 1, 1)

    def value_at(self, path: Path):
        """The data at ``path`` (which must exist)."""
        value = self.data
        for el in path:
            value = value[el]
        return value

    def key_span_at(self, path: Path) -> Span:
        node = self.keys.get(tuple(path))
        return self.span(node) if node is not None else self.span_at(path)

    def scalar_locator(self, node: ScalarNode) -> Locator:
        """Offsets into ``node.value`` -> spans at the exact characters of the file."""
        offsets = yaml_scalar_offsets(self.text, node.start_mark.index, node.end_mark.index, node.style, node.value)
        return mapped_locator(self.file, self.index, offsets)


def compose(text: str, file: str, *, comments: bool = True) -> tuple[YamlDoc, list[Diagnostic]]:
    """Compose ``text`` safely; return the document and any E110/E111/E118 problems.

    ``comments=False`` leaves ``doc.comments`` empty (only fmt prints them).
    """
    doc = YamlDoc(file, text, index=LineIndex(text))
    try:
        # the reader rejects control characters as it is built, so it is built in here
        loader = _CommentingLoader(text) if comments else _ComposingLoader(text)
    except yaml.reader.ReaderError as e:
        return doc, [_control_character(doc, e)]
    try:
        doc.root = loader.get_single_node()
        if comments:
            loader.gaps.finish()
            doc.comments = loader.gaps.comments(file, doc.index)
    except _TooManyAliases as e:
        return doc, [error("E111", f"more than {MAX_ALIASES} YAML aliases", _mark_span(doc, e.mark),
                           hint="write the values out; aliases are limited to keep loading cheap")]
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        return doc, [error("E110", f"invalid YAML: {e.problem or e.context}", _mark_span(doc, mark))]
    except yaml.YAMLError as e:
        return doc, [error("E110", f"invalid YAML: {e}", Span(file, 1, 1, 1, 1))]
    except RecursionError:
        return doc, [error("E111", "YAML is nested too deeply", Span(file, 1, 1, 1, 1))]
    finally:
        loader.dispose()
    if doc.root is None:
        return doc, []
    problems = _check_graph(doc)
    if problems:
        return doc, problems
    problems = []
    doc.data = _to_data(doc, doc.root, (), problems)
    return doc, problems


def _mark_span(doc: YamlDoc, mark) -> Span:
    if mark is None:
        return Span(doc.file, 1, 1, 1, 1)
    line, col = doc.index.position(mark.index)
    return Span(doc.file, line, col, line, col + 1)


def _control_character(doc: YamlDoc, e: yaml.reader.ReaderError) -> Diagnostic:
    at = e.position if isinstance(e.position, int) else 0
    line, col = doc.index.position(at)
    code = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "\0")
    return error("E110", f"invalid YAML: control character U+{code:04X} is not allowed", Span(doc.file, line, col, line, col + 1),
                 hint="remove it; YAML allows tabs and line breaks but no other control characters")


#: what a scalar of each standard tag must look like, for the message when it does not
_SCALAR_KIND = {"int": "an integer", "float": "a number", "bool": "true or false", "timestamp": "a valid date or datetime",
                "null": "null"}


def _scalar(doc: YamlDoc, node: ScalarNode, constructor, problems: list[Diagnostic]):
    """A scalar's value; one that its tag cannot build (``2024-02-30``, ``!!int abc``,
    an integer too long to convert) is a positioned E110 and becomes None."""
    try:
        return constructor.construct_object(node)
    except (ValueError, KeyError, TypeError, OverflowError, yaml.YAMLError) as exc:
        kind = node.tag.replace(_STD, "")
        shown = node.value if len(node.value) <= 40 else node.value[:37] + "…"
        if kind == "int" and len(node.value) > 4000:
            why = f"an integer of {len(node.value)} digits is too long"
        else:
            why = f"'{shown}' is not {_SCALAR_KIND.get(kind, kind)}"
            detail = str(exc).strip().splitlines()[0] if isinstance(exc, ValueError) and str(exc) else ""
            if detail and kind == "timestamp":
                why += f" ({detail})"
        problems.append(error("E110", f"invalid YAML value: {why}", doc.span(node)))
        return None


def _check_graph(doc: YamlDoc) -> list[Diagnostic]:
    """Tags, recursive aliases and expanded size, each node visited once."""
    problems: list[Diagnostic] = []
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(doc.root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            continue
        if key in size:
            continue
        if key in on_path:
            return [error("E111", "recursive YAML alias", doc.span(node))]
        if node.tag not in ALLOWED_TAGS:
            shown = node.tag.replace(_STD, "!!")
            problems.append(error("E111", f"YAML tag {shown} is not allowed", doc.span(node),
                                  hint="only plain YAML values are accepted (no Python or custom tags)"))
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)
    if problems:
        return problems
    if size[id(doc.root)] > MAX_NODES:
        return [error("E111", f"YAML expands to more than {MAX_NODES} values (alias bomb?)", doc.span(doc.root))]
    return []


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _to_data(doc: YamlDoc, node: Node, path: Path, problems: list[Diagnostic], constructor=None):
    """Plain data for ``node``; scalars are built by PyYAML's SafeConstructor (tags checked)."""
    constructor = constructor or yaml.constructor.SafeConstructor()
    doc.nodes[path] = node
    if isinstance(node, ScalarNode):
        return _scalar(doc, node, constructor, problems)
    if isinstance(node, SequenceNode):
        return [_to_data(doc, child, path + (i,), problems, constructor) for i, child in enumerate(node.value)]
    out: dict = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            problems.append(error("E115", "mapping keys must be plain words", doc.span(key_node)))
            continue
        key = key_node.value
        if key in out:
            problems.append(error("E118", f"duplicate key '{key}'", doc.span(key_node)))
            continue
        doc.keys[path + (key,)] = key_node
        out[key] = _to_data(doc, value_node, path + (key,), problems, constructor)
    return out
