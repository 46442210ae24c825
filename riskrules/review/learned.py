"""The learned-rules file next to a ruleset: saving shadow rules and promoting them.

``learned.yaml`` holds only ``rules:``; the ruleset pulls it in with
``include: [learned.yaml]``. A rule saved from the review loop arrives with
``status: shadow`` and its provenance, and a test case generated from the case it
came from goes to ``tests/learned.yaml``. Promotion (maker-checker through the
store) flips the status to active and the test's expectation with it.

>>> save_learned_rule("rulesets/origination", "device.accounts >= 5", "LRN-001", "review",  # doctest: +SKIP
...                   "SHARED_DEVICE_RING", {"case_ids": [3]}, case_input)  # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock, Timeout

from .._common.files import NoRuleset, write_atomic
from .._common.files import ruleset_file as find_ruleset
from .._common.json import to_jsonable
from .history import decision_frame
from .store import RuleProposal, Store

LEARNED = "learned.yaml"
TESTS = "tests/learned.yaml"
HEADER = ("# Rules learned in the review loop (riskrules rules propose / promote).\n"
          "# Each arrives as status: shadow with its provenance; promotion makes it active.\n")
LOCK_TIMEOUT_S = 30.0  # how long a save or promotion waits for another one on the same ruleset

#: Test hook, None in production: called with the ruleset folder after learned.yaml is
#: read and before it is written back (saving and promoting alike). The race tests set it
#: to hold two writers at that point, where without the folder's lock they would
#: overwrite each other's rules.
after_read_hook: Callable[[Path], None] | None = None


class LearnedRuleError(Exception):
    """The learned rule cannot be saved or promoted; the message says what to do."""


def error_lines(diagnostics) -> list[str]:
    """The errors among a checker's diagnostics as ``code: message`` lines."""
    return [f"{d.code}: {d.message}" for d in diagnostics if d.is_error]


def ruleset_file(path: str | Path) -> Path:
    """The ruleset file of a folder (or the file itself): a YAML one, which can include learned.yaml."""
    try:
        p = find_ruleset(path)
    except NoRuleset as exc:
        raise LearnedRuleError(str(exc)) from None
    if p.suffix not in (".yaml", ".yml"):
        raise LearnedRuleError(f"{p}: learned rules go into a YAML ruleset (include: [{LEARNED}]); "
                               "convert it with riskrules fmt --to yaml")
    return p


def includes_learned(path: str | Path) -> bool:
    src = ruleset_file(path)
    try:
        doc = yaml.safe_load(src.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise LearnedRuleError(f"{src} is not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(doc, dict):
        raise LearnedRuleError(f"{src} is not a ruleset: expected a mapping at the top")
    inc = doc.get("include") or []
    return LEARNED in ([inc] if isinstance(inc, str) else list(inc))


def read_rules(folder: Path) -> list[dict]:
    f = folder / LEARNED
    if not f.is_file():
        return []
    doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
    return list(doc.get("rules") or [])


def write_rules(folder: Path, rules: list[dict]) -> None:
    body = yaml.safe_dump({"rules": rules}, allow_unicode=True, sort_keys=False, width=100)
    write_atomic(folder / LEARNED, HEADER + body)


@contextlib.contextmanager
def restored_on_failure(*paths: Path) -> Iterator[None]:
    """Put ``paths`` back byte for byte (absent ones removed) if the body raises."""
    backup = {p: p.read_bytes() if p.is_file() else None for p in paths}
    try:
        yield
    except BaseException:
        for p, data in backup.items():
            if data is not None:
                write_atomic(p, data)
            elif p.is_file():  # made by the body; anything else there was not ours to remove
                p.unlink()
        raise


def lock_file(folder: Path) -> Path:
    """The lock file of ``folder``'s learned rules: hidden, next to learned.yaml (the
    file a symlinked learned.yaml names, so rulesets sharing one file share its lock).
    Its name ends in ``.lock``, so nothing that reads a ruleset's YAML picks it up."""
    real = Path(os.path.realpath(folder / LEARNED))
    return real.with_name(f".{real.name}.lock")


@contextlib.contextmanager
def learned_rules_locked(folder: Path) -> Iterator[None]:
    """Hold the lock of ``folder``'s learned rules for the body, across threads and processes.

    Saving and promoting read learned.yaml, rewrite it, check the ruleset, then commit
    or put the files back; two at once on one ruleset would lose a rule (the store's own
    transactions do not serialise them on PostgreSQL). The lock is the operating
    system's (flock), so it dies with its process and can never be left stale. Waits
    :data:`LOCK_TIMEOUT_S`, then raises :class:`LearnedRuleError` naming the lock file.
    """
    path = lock_file(folder)
    lock = FileLock(path, timeout=LOCK_TIMEOUT_S)
    try:
        lock.acquire()
    except Timeout:
        raise LearnedRuleError(f"{path}: another save or promotion of this ruleset held the lock for "
                               f"{LOCK_TIMEOUT_S:g} s; try again when it is done (nothing was changed)") from None
    except OSError as exc:
        raise LearnedRuleError(f"{path}: cannot take the lock of the learned rules: {exc.strerror or exc} "
                               "(nothing was changed)") from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def committed_with_files(folder: Path, change: contextlib.AbstractContextManager[RuleProposal]
                         ) -> Iterator[RuleProposal]:
    """Stake a store change on the body that writes the learned rules of ``folder``.

    ``change`` is :meth:`Store.creating_proposal` or :meth:`Store.moving_proposal`:
    it commits only if the body succeeds, and if the body or the commit fails,
    learned.yaml and its tests are put back as they were. So the store and the files
    never disagree. The whole of it, from the body's read of learned.yaml to the commit
    or the restore, holds the folder's lock (:func:`learned_rules_locked`): a restore
    never puts back a copy older than another writer's rule.
    """
    with learned_rules_locked(folder), restored_on_failure(folder / LEARNED, folder / TESTS):
        with change as proposal:  # the commit itself may still fail
            yield proposal


def scratch_ruleset(path: str | Path, extra_rules: list[dict]) -> tuple[tempfile.TemporaryDirectory, Path]:
    """A throw-away copy of the ruleset with ``extra_rules`` appended to its learned rules."""
    src = ruleset_file(path)
    tmp = tempfile.TemporaryDirectory(prefix="riskrules-learn-")
    dst = Path(tmp.name) / "ruleset"
    shutil.copytree(src.parent, dst, ignore=shutil.ignore_patterns("tests", "samples", "*.db", "*.lock"))
    if not includes_learned(src):
        doc = yaml.safe_load((dst / src.name).read_text(encoding="utf-8"))
        inc = doc.get("include") or []
        doc["include"] = ([inc] if isinstance(inc, str) else list(inc)) + [LEARNED]
        doc.pop("tests", None)
        (dst / src.name).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    write_rules(dst, read_rules(src.parent) + extra_rules)
    return tmp, dst / src.name


def rule_dict(rule_id: str, expression: str, action: str | None, reason: str | None, *, name: str | None = None,
              status: str = "shadow", provenance: dict | None = None, severity: int | None = None) -> dict:
    rule: dict[str, Any] = {"id": rule_id, "name": name or f"Learned from review cases ({rule_id})", "when": expression}
    if action:
        rule["action"] = action
    if reason:
        rule["reason"] = reason
    if severity is not None:
        rule["severity"] = severity
    rule["status"] = status
    rule["tags"] = ["learned"]
    if provenance:
        rule["provenance"] = flat_provenance(to_jsonable(provenance))
    return rule


def flat_provenance(values: dict, prefix: str = "") -> dict:
    """The language allows plain values and lists in ``provenance:``; nested mappings
    (a backtest's figures) become prefixed keys: ``backtest_hits``."""
    out: dict = {}
    for key, value in values.items():
        if isinstance(value, dict):
            out.update(flat_provenance(value, f"{prefix}{key}_"))
        else:
            out[f"{prefix}{key}"] = value
    return out


@dataclass
class Saved:
    rule_id: str
    learned_file: Path
    test_file: Path
    shadow_fired: list[str]


def save_learned_rule(ruleset_dir: str | Path, expression: str, id: str, action: str | None, reason: str | None,
                      provenance: dict, case_input: dict, *, name: str | None = None,
                      now: dt.datetime | None = None) -> Saved:
    """Write (or replace) rule ``id`` in learned.yaml as shadow, plus a generated test case.

    Raises :class:`LearnedRuleError` when the ruleset does not include learned.yaml
    (nothing is written), when the rule does not check (the files are restored) or when
    another save or promotion holds the ruleset's lock for too long.
    """
    folder = ruleset_file(ruleset_dir).parent
    with learned_rules_locked(folder):
        return _save_rule(folder, expression, id, action, reason, provenance, case_input, name=name, now=now)


def _save_rule(ruleset_dir: str | Path, expression: str, id: str, action: str | None, reason: str | None,
               provenance: dict, case_input: dict, *, name: str | None = None,
               now: dt.datetime | None = None) -> Saved:
    """:func:`save_learned_rule` for a caller that holds the folder's lock."""
    from .. import Engine, RulesetError

    src = ruleset_file(ruleset_dir)
    if not includes_learned(src):
        raise LearnedRuleError(f"{src} does not include {LEARNED}: add `include: [{LEARNED}]` to it, "
                               "then save the rule again (nothing was written)")
    folder = src.parent
    rules = [r for r in read_rules(folder) if r.get("id") != id]
    _after_read(folder)
    rules.append(rule_dict(id, expression, action, reason, name=name, provenance=provenance))
    learned, tests = folder / LEARNED, folder / TESTS
    try:
        with restored_on_failure(learned, tests):
            write_rules(folder, rules)
            engine = Engine.load(src)
            # as of the case's own decision time (the ruleset's decision_time) unless told otherwise
            decision = engine.decide(case_input, now=now)
            _write_test(folder, id, case_input, decision, decision.evaluated_at)
    except Exception as exc:  # noqa: BLE001 - the files are back as they were; say why in one line
        if isinstance(exc, RulesetError):
            raise LearnedRuleError(f"rule {id} does not check: {'; '.join(error_lines(exc.diagnostics))}") from None
        raise LearnedRuleError(f"rule {id} was not saved: {type(exc).__name__}: {exc}") from exc
    return Saved(id, learned, tests, list(decision.shadow_fired))


def _write_test(folder: Path, rule_id: str, case_input: dict, decision, when: dt.datetime) -> None:
    path = folder / TESTS
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    doc = doc or {"cases": []}
    doc["cases"] = [c for c in doc.get("cases", []) if c.get("rule") != rule_id]
    # the engine's own answer on the case: the rule's shadow hit (or its absence) is pinned
    fires = rule_id in decision.shadow_fired
    expect = {"shadow_fired": sorted(decision.shadow_fired)}
    name = f"{rule_id} {'fires' if fires else 'does not fire'} on the case it was learned from"
    doc["cases"].append({"name": name, "rule": rule_id,
                         "now": when.isoformat(), "input": to_jsonable(case_input), "expect": expect})
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_tests(path, doc)


def propose_learned_rule(store: Store, ruleset_dir: str | Path, ruleset: str, expression: str, reviewer: str, *,
                         action: str | None, reason: str | None, case_input: dict, provenance: dict,
                         rule_provenance: dict | None = None, backtest: dict | None = None,
                         now: dt.datetime | None = None) -> tuple[RuleProposal, Saved]:
    """Save a reviewer's rule all-or-nothing: a store proposal in shadow and rule
    ``LRN-<id>`` with its test in the ruleset's files.

    ``provenance`` goes on the proposal; the rule gets the proposal id followed by
    ``rule_provenance`` (default: ``provenance``). The proposal is committed only once the files are written and the
    ruleset checks; if anything fails (the ruleset does not include learned.yaml, the
    rule does not check, a file cannot be written, the commit fails) there is no
    proposal row, no audit entry, and learned.yaml and its tests are as they were.
    """
    folder = ruleset_file(ruleset_dir).parent
    with committed_with_files(folder, store.creating_proposal(ruleset, expression, reviewer, status="shadow",
                                                              action=action, provenance=provenance,
                                                              backtest=backtest)) as proposal:
        assert proposal.id is not None
        on_rule = {"proposal_id": proposal.id, **(provenance if rule_provenance is None else rule_provenance)}
        saved = _save_rule(folder, expression, rule_id_for(proposal.id), action, reason, on_rule,
                           case_input, now=now)
    return proposal, saved


@dataclass
class Promotion:
    proposal_id: int
    rule_id: str
    promoted_by: str
    shadow_hits: int
    shadow_decisions: int
    test_failures: list[str]

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def promote(store: Store, proposal_id: int, actor: str, ruleset_dir: str | Path) -> Promotion:
    """Make a shadow rule active, all or nothing: the store proposal (maker-checker)
    and the rule in learned.yaml with its generated test.

    The proposal becomes active only once learned.yaml and its test are rewritten and
    the ruleset with the rule active checks; if anything fails (the rule is missing, a
    file cannot be written, the ruleset does not check, the commit fails) the proposal
    and the audit log are unchanged, both files are as they were, and
    :class:`LearnedRuleError` (or the store's error) says why in one line.
    :class:`MakerCheckerViolation` refuses the proposer before anything is written.

    Reports the rule's shadow-period hits from the decision log: the decisions whose
    ``shadow_fired`` names the rule, out of those made by the ruleset versions
    (digests) that carried it in shadow. Decision time is not used, because backfilled
    decisions carry their application's time, not the time they were logged.

    >>> promote(store, 7, "bob", "rulesets/origination").shadow_hits   # doctest: +SKIP
    12
    """
    proposal = store.get_proposal(proposal_id)
    rule_id = (proposal.provenance or {}).get("rule_id") or rule_id_for(proposal_id)
    src = ruleset_file(ruleset_dir)
    if not includes_learned(src):
        raise LearnedRuleError(f"{src} does not include {LEARNED}, so rule {rule_id} would never run: add "
                               f"`include: [{LEARNED}]` to it, then promote again (nothing was changed)")
    log, _ = decision_frame(store, proposal.ruleset)  # read before the write transaction opens
    hit = log["shadow_fired"].list.contains(rule_id) if log.height else None
    hits = int(hit.sum()) if hit is not None else 0
    digests = set(log.filter(hit)["digest"]) if hits else set()
    period = int(log["digest"].is_in(list(digests)).sum()) if digests else 0
    with committed_with_files(src.parent, store.moving_proposal(proposal_id, "active", actor)):
        engine = _activate(src, rule_id, proposal_id, actor, hits)
    return Promotion(proposal_id, rule_id, actor, hits, period, _failing_tests(engine, src))


def _activate(src: Path, rule_id: str, proposal_id: int, actor: str, hits: int) -> Any:
    """Rewrite learned.yaml and its test with ``rule_id`` active; the ruleset's engine
    if it still checks. Any failure is a :class:`LearnedRuleError` in one line."""
    from .. import Engine, RulesetError

    folder = src.parent
    try:
        rules = read_rules(folder)
        rule = next((r for r in rules if r.get("id") == rule_id), None)
        if rule is None:
            raise LearnedRuleError(f"rule {rule_id} of proposal {proposal_id} is not in {folder / LEARNED} "
                                   "(nothing was changed)")
        _after_read(folder)
        rule["status"] = "active"
        rule.setdefault("provenance", {})["promoted_by"] = actor
        rule["provenance"]["promoted_at"] = dt.datetime.now(dt.timezone.utc).isoformat()
        rule["provenance"]["shadow_hits"] = hits
        write_rules(folder, rules)
        _activate_test(folder, rule_id)
        return Engine.load(src)
    except LearnedRuleError:
        raise
    except RulesetError as exc:
        msgs = "; ".join(error_lines(exc.diagnostics))
        raise LearnedRuleError(f"rule {rule_id} was not promoted (nothing was changed): "
                               f"the ruleset does not check with it active: {msgs}") from None
    except Exception as exc:  # noqa: BLE001 - a file unreadable or unwritable; the caller puts the files back
        raise LearnedRuleError(f"rule {rule_id} was not promoted (nothing was changed): "
                               f"{type(exc).__name__}: {exc}") from exc


def _failing_tests(engine: Any, src: Path) -> list[str]:
    """Ruleset tests the now-active rule breaks (e.g. ``fired_exactly`` lists that lack it)."""
    from ..engine.testing import run_tests

    tests = src.parent / "tests"
    if not tests.is_dir():
        return []
    report = run_tests(engine, tests)
    return [f"{Path(r.file).name}:{r.line}: {r.name}: {'; '.join(r.problems)}" for r in report.results if not r.passed]


def _activate_test(folder: Path, rule_id: str) -> None:
    path = folder / TESTS
    if not path.exists():  # a rule saved by hand, without a generated test
        return
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for case in doc.get("cases", []):
        if case.get("rule") == rule_id:
            expect = case.setdefault("expect", {})
            shadow = expect.get("shadow_fired", [])
            key = "fired" if rule_id in shadow else "not_fired"
            expect["shadow_fired"] = [r for r in shadow if r != rule_id]
            expect[key] = sorted(set(expect.get(key, [])) | {rule_id})
    _write_tests(path, doc)


def _write_tests(path: Path, doc: dict) -> None:
    write_atomic(path, "# Generated by the review loop: one case per learned rule.\n"
                 + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100))


def _after_read(folder: Path) -> None:
    if after_read_hook is not None:
        after_read_hook(folder)


def rule_id_for(proposal_id: int) -> str:
    return f"LRN-{proposal_id:03d}"
