"""Text -> AST: expressions, decision-table cells, schema types and ``.rules`` files.

One lazily built LALR ``Lark`` instance per start symbol (contextual lexer,
``propagate_positions``). Every failure is a :class:`RulesetError` carrying
positioned :class:`Diagnostic` objects; a lark exception never escapes.

>>> parse_expression("applicant.age < 18").op
'<'
"""
from __future__ import annotations

import contextvars
import functools
from pathlib import Path
from typing import Callable

from lark import Lark
from lark.exceptions import UnexpectedInput

from . import ast as A
from . import comments as C
from .diagnostics import Diagnostic, RulesetError, SourceCache, error
from .limits import MAX_FILE_BYTES, MAX_PARSER_STACK, DepthTree, NestingTooDeep, check_tree, scan_brackets, too_deep
from .positions import Locator, text_locator
from .syntax_errors import syntax_diagnostic
from .transform import ExprTransformer

_GRAMMAR_DIR = Path(__file__).parent / "grammar"


def _grammar(*names: str) -> str:
    return "\n".join((_GRAMMAR_DIR / n).read_text(encoding="utf-8") for n in names)


@functools.cache
def get_lark(start: str) -> Lark:
    """The cached parser for ``start`` (``expr_start``, ``cell_start``, ``type_start`` or ``file``)."""
    files = ("expressions.lark", "rules.lark") if start == "file" else ("expressions.lark",)
    return Lark(
        _grammar(*files),
        start=start,
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        tree_class=DepthTree,
        lexer_callbacks={"COMMENT": _on_comment},
    )


_LEXED_COMMENTS: contextvars.ContextVar[list | None] = contextvars.ContextVar("riskrules_lexed_comments", default=None)


def _on_comment(token):
    """Lexer callback: comments are ignored by the grammar, but ``fmt`` keeps them."""
    found = _LEXED_COMMENTS.get()
    if found is not None:
        found.append(token)
    return token


def parse_tree(text: str, start: str, locate: Locator):
    """Parse ``text`` from ``start`` into a checked lark tree.

    Returns ``(tree, [], None)``, or ``(None, diagnostics, offset)`` where
    ``offset`` is where a syntax error was found (None for other problems),
    so that callers can resume after it.
    """
    if len(text) > MAX_FILE_BYTES:
        return None, [error("E112", f"text is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", locate(0, 0))], None
    bracket_problem = scan_brackets(text, locate)
    if bracket_problem is not None:
        return None, [bracket_problem], None
    lark = get_lark(start)
    lexed = [] if C.collecting_active() else None
    reset = _LEXED_COMMENTS.set(lexed)
    try:
        tree = _parse_guarded(lark, text)
    except UnexpectedInput as exc:
        diag = syntax_diagnostic(exc, lark, text, locate)
        token = getattr(exc, "token", None)
        if token is not None:
            offset = len(text) if token.type == "$END" else token.start_pos
        else:
            offset = getattr(exc, "pos_in_stream", None)
        return None, [diag], len(text) if offset is None else offset
    except NestingTooDeep as exc:
        return None, [too_deep(locate(exc.start, exc.start + 1))], None
    finally:
        _LEXED_COMMENTS.reset(reset)
    problems = check_tree(tree, locate)
    if problems:
        return None, problems, None
    if lexed:
        C.record(C.comment(t.value, locate(t.start_pos, t.end_pos)) for t in lexed)
    return tree, [], None


def parse_located(
    text: str,
    start: str,
    locate: Locator,
    transformer: Callable[[Locator], object] = ExprTransformer,
) -> tuple[object | None, list[Diagnostic]]:
    """Parse ``text`` from ``start``; return ``(node, [])`` or ``(None, diagnostics)``.

    The non-raising core shared by every front-end: size and nesting limits,
    syntax errors, literal checks, then the mechanical transform.
    """
    tree, problems, _ = parse_tree(text, start, locate)
    if problems:
        return None, problems
    return transformer(locate).transform(tree), []


#: texts shorter than this cannot grow the parser stack past MAX_PARSER_STACK: a token is
#: at least one character and a shift pushes one state; a reduce never grows the stack
#: (no rule is empty but the empty file's)
_SHORT = MAX_PARSER_STACK - 8


def _parse_guarded(lark: Lark, text: str):
    """``lark.parse``, giving up as soon as nesting is hopeless (token by token when it might be)."""
    if len(text) < _SHORT:
        try:
            return lark.parse(text)
        except UnexpectedInput:
            pass  # parsed again below, so the error is the one a long text gets
    parser = lark.parse_interactive(text)
    stack = parser.parser_state.state_stack
    for token in parser.iter_parse():
        if len(stack) > MAX_PARSER_STACK:
            raise NestingTooDeep(token.start_pos or 0)
    return parser.feed_eof()


def _raise_or_return(result: tuple[object | None, list[Diagnostic]], file: str, text: str):
    node, diags = result
    if diags:
        sources = SourceCache()
        if file.startswith("<"):
            sources.add(file, text)
        raise RulesetError(diags, sources)
    return node


def parse_expression(text: str, *, file: str = "<expr>", line: int = 1, col: int = 1) -> A.Expr:
    """Parse one expression. ``line``/``col`` say where ``text`` starts in ``file``.

    >>> parse_expression("x between 1 and 2 and y").op
    'and'

    Raises :class:`RulesetError` (E100 syntax, E101 reserved word, E102 bad
    literal, E103 too deep, E104 too large, E112 too long).
    """
    locate = text_locator(file, text, line, col)
    return _raise_or_return(parse_located(text, "expr_start", locate), file, text)


def parse_cell(text: str, *, file: str = "<cell>", line: int = 1, col: int = 1) -> A.Expr:
    """Parse a decision-table cell into a test over :class:`~riskrules.dsl.ast.Placeholder`.

    >>> parse_cell("< 0.05").op
    '<'
    >>> parse_cell("-").value
    True
    """
    locate = text_locator(file, text, line, col)
    return _raise_or_return(parse_located(text, "cell_start", locate), file, text)


def parse_type(text: str, *, file: str = "<type>", line: int = 1, col: int = 1) -> tuple[A.TypeRef, bool]:
    """Parse a schema type such as ``list<string>`` or ``int?``; returns ``(type, optional)``.

    Type names are not checked here (see :mod:`riskrules.dsl.schema`).
    """
    locate = text_locator(file, text, line, col)
    return _raise_or_return(parse_located(text, "type_start", locate), file, text)
