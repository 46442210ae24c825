"""Files: replacing one atomically, and finding the ruleset a path names.

>>> write_atomic(Path("rulesets/origination/learned.yaml"), text)   # doctest: +SKIP
>>> ruleset_file(Path("rulesets/origination"))                      # doctest: +SKIP
PosixPath('rulesets/origination/ruleset.yaml')
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["RULESET_NAMES", "NoRuleset", "ruleset_file", "write_atomic"]

#: The file a ruleset folder is read from, in this order of preference.
RULESET_NAMES = ("ruleset.yaml", "ruleset.rules")


class NoRuleset(FileNotFoundError):
    """A path that names no ruleset file; the message says what was looked for."""


def ruleset_file(path: str | os.PathLike) -> Path:
    """The ruleset file ``path`` names: the file itself, or a folder's ``ruleset.yaml``
    (else its ``ruleset.rules``). Raises :class:`NoRuleset`."""
    p = Path(path)
    if p.is_dir():
        for name in RULESET_NAMES:
            if (p / name).is_file():
                return p / name
        raise NoRuleset(f"{p} is a folder without {' or '.join(RULESET_NAMES)}")
    if not p.exists():
        raise NoRuleset(f"{p}: no such file")
    return p


def write_atomic(path: str | os.PathLike, text: str | bytes) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one step: a reader, or a crash, sees the
    old file or the new one, never half of one.

    Through a symlink it replaces the file the link names, not the link. The temporary
    file sits in the same folder, so the rename stays on one file system. The new file
    keeps the old one's permission bits (a new file gets what the umask allows), not
    mkstemp's owner-only ones.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    path = Path(os.path.realpath(path))
    mode = path.stat().st_mode & 0o7777 if path.is_file() else None
    tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")  # what secrets.token_hex does, without its imports
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the kernel applies the umask
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if mode is not None:
                os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
