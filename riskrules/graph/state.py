"""The relationship graph: applicants linked by what they share, kept incrementally.

Applicants and identifiers (a device, a phone, an emergency contact, a bank card, an
employer, an address, an IP: ``(kind, value)``) form a bipartite graph; two applicants
are linked when they share an identifier. A union-find over both kinds of node gives
components (their size counted in applicants, with their known-bad and delinquent
members kept up to date), and adjacency both ways gives neighbourhoods.

An identifier shared by more than ``hub_limit`` applicants (a public Wi-Fi address, a
large employer) still joins components but is not walked for neighbourhoods: it would
make every feature of its members cost as much as the hub is large, and it says little
about any one of them. Each result says when a hub was skipped.

Features of an applicant (:class:`GraphFeatures`):

* ``component_size`` - applicants in its component (itself included);
* ``max_sharing`` and ``sharing[kind]`` - the most applicants sharing one of its identifiers;
* ``bad_2hop`` / ``delinquent_2hop`` / ``neighbours_2hop`` and ``bad_ratio_2hop`` - known-bad
  and delinquent applicants among those within two links (sharing an identifier with
  it, or with one who does);
* ``shared_with_bad`` - how many of its identifiers a known-bad applicant also has;
* ``bad_in_component`` - known-bad members of its component;
* ``joins_bad_component`` - this application's identifiers connected it to a component
  with a known-bad member it was not connected to before (set by :meth:`add`).

>>> g = RelationshipGraph()
>>> _ = g.add("a1", [("device", "D1"), ("phone", "P1")])
>>> g.mark("a1", "bad")
>>> f = g.add("a2", [("device", "D1")])
>>> f.component_size, f.bad_2hop, f.joins_bad_component
(2, 1, True)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

KINDS = ("device", "phone", "emergency_contact", "bank_card", "employer", "address", "ip")
STATUSES = ("bad", "delinquent")
#: identifiers shared by more applicants than this are not walked for neighbourhoods
HUB_LIMIT = 25
#: at most this many applicants are visited for a two-link neighbourhood
MAX_VISITED = 2000
_MAX_VALUE = 512


class GraphError(ValueError):
    """An identifier or status the graph cannot take; the message names it."""


@dataclass(frozen=True, slots=True)
class GraphFeatures:
    component_size: int
    max_sharing: int
    sharing: dict = field(default_factory=dict)
    neighbours_2hop: int = 0
    bad_2hop: int = 0
    delinquent_2hop: int = 0
    shared_with_bad: int = 0
    bad_in_component: int = 0
    joins_bad_component: bool = False
    truncated: bool = False  # a hub was skipped or the visit limit reached

    @property
    def bad_ratio_2hop(self) -> float:
        return self.bad_2hop / self.neighbours_2hop if self.neighbours_2hop else 0.0

    def to_dict(self) -> dict:
        return {"component_size": self.component_size, "max_sharing": self.max_sharing, "sharing": dict(self.sharing),
                "neighbours_2hop": self.neighbours_2hop, "bad_2hop": self.bad_2hop,
                "delinquent_2hop": self.delinquent_2hop, "bad_ratio_2hop": self.bad_ratio_2hop,
                "shared_with_bad": self.shared_with_bad, "bad_in_component": self.bad_in_component,
                "joins_bad_component": self.joins_bad_component, "truncated": self.truncated}


class RelationshipGraph:
    """Incremental union-find plus adjacency. Not thread-safe: one writer (a service
    decides applications one at a time per graph, or guards it with a lock)."""

    def __init__(self, kinds: Iterable[str] = KINDS, *, hub_limit: int = HUB_LIMIT) -> None:
        self.kinds = frozenset(kinds)
        self.hub_limit = hub_limit
        self._index: dict = {}  # ("applicant", id) or (kind, value) -> node number
        self._key_of: list = []  # node number -> its key
        self._parent: list[int] = []
        self._size: list[int] = []  # applicants under a root
        self._bad: list[int] = []  # known-bad applicants under a root
        self._is_applicant: list[bool] = []
        self._links: list[set[int]] = []  # applicant -> identifiers, identifier -> applicants
        self._status: dict[int, str] = {}

    # -- nodes and components ------------------------------------------------------------
    def __len__(self) -> int:
        """Number of applicants."""
        return sum(self._is_applicant)

    def _node(self, key, applicant: bool) -> int:
        n = self._index.get(key)
        if n is None:
            n = len(self._parent)
            self._index[key] = n
            self._key_of.append(key)
            self._parent.append(n)
            self._size.append(1 if applicant else 0)
            self._bad.append(0)
            self._is_applicant.append(applicant)
            self._links.append(set())
        return n

    def _find(self, n: int) -> int:
        parent = self._parent
        root = n
        while parent[root] != root:
            root = parent[root]
        while parent[n] != root:  # path compression
            parent[n], n = root, parent[n]
        return root

    def _union(self, a: int, b: int) -> int:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return ra
        if self._size[ra] < self._size[rb] or (self._size[ra] == self._size[rb] and ra > rb):
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size[rb]
        self._bad[ra] += self._bad[rb]
        return ra

    def identifier(self, kind: str, value) -> tuple[str, str]:
        """``(kind, value)`` checked: a declared kind and a non-empty value."""
        if kind not in self.kinds:
            raise GraphError(f"unknown identifier kind {str(kind)[:40]!r}; declared: {', '.join(sorted(self.kinds))}")
        if value is None or isinstance(value, bool):
            raise GraphError(f"{kind}: an identifier needs a value, got {value!r}")
        text = str(value).strip()
        if not text:
            raise GraphError(f"{kind}: an empty identifier links nothing")
        if len(text) > _MAX_VALUE:
            raise GraphError(f"{kind}: identifier of {len(text)} characters (at most {_MAX_VALUE})")
        return kind, text

    # -- changes ---------------------------------------------------------------------------
    def add(self, applicant, identifiers: Iterable[tuple[str, object]]) -> GraphFeatures:
        """Link ``applicant`` to its identifiers and return its features after the change
        (``joins_bad_component`` says whether the change connected it to known-bad members
        it was not connected to before). Repeating an application changes nothing."""
        return self.features(applicant, joins_bad=self.link(applicant, identifiers))

    def link(self, applicant, identifiers: Iterable[tuple[str, object]]) -> bool:
        """Link without reading features (rebuilding from a table); returns whether the
        change connected ``applicant`` to known-bad members it was not connected to."""
        ids = {self.identifier(k, v) for k, v in identifiers}
        if applicant is None or str(applicant) == "":
            raise GraphError("an application needs an applicant id")
        a = self._node(("applicant", applicant), True)
        own = self._find(a)
        others = set()
        links = self._links
        for key in ids:
            i = self._node(key, False)
            if i not in links[a]:
                links[a].add(i)
                links[i].add(a)
            r = self._find(i)
            if r != own:
                others.add(r)
        newly_bad = sum(self._bad[r] for r in others)
        for key in ids:
            self._union(a, self._index[key])
        return newly_bad > 0

    def mark(self, applicant, status: str | None) -> None:
        """Set an applicant's status: ``bad`` (confirmed fraud or default), ``delinquent``, or None."""
        if status is not None and status not in STATUSES:
            raise GraphError(f"unknown status {status!r}; use one of {', '.join(STATUSES)} or None")
        a = self._node(("applicant", applicant), True)
        old = self._status.get(a)
        if old == status:
            return
        root = self._find(a)
        self._bad[root] += (status == "bad") - (old == "bad")
        if status is None:
            self._status.pop(a, None)
        else:
            self._status[a] = status

    # -- reading ---------------------------------------------------------------------------
    def features(self, applicant, *, joins_bad: bool = False) -> GraphFeatures:
        """Features of a known applicant (an unknown one is alone: component of 1)."""
        a = self._index.get(("applicant", applicant))
        if a is None:
            return GraphFeatures(1, 1)
        root = self._find(a)
        sharing: dict[str, int] = {}
        links = self._links
        keys = self._key_of
        truncated = False
        shared_with_bad = 0
        first: set[int] = set()
        for i in links[a]:
            members = links[i]
            kind = keys[i][0]
            sharing[kind] = max(sharing.get(kind, 0), len(members))
            if len(members) > self.hub_limit:
                truncated = True
                continue
            if any(self._status.get(m) == "bad" for m in members if m != a):
                shared_with_bad += 1
            first.update(members)
        first.discard(a)
        second: set[int] = set(first)
        for b in first:
            if len(second) >= MAX_VISITED:
                truncated = True
                break
            for i in links[b]:
                members = links[i]
                if len(members) > self.hub_limit:
                    truncated = True
                    continue
                second.update(members)
        second.discard(a)
        status = self._status
        bad = sum(1 for n in second if status.get(n) == "bad")
        delinquent = sum(1 for n in second if status.get(n) == "delinquent")
        return GraphFeatures(self._size[root], max(sharing.values(), default=1), sharing, len(second), bad,
                             delinquent, shared_with_bad, self._bad[root] - (status.get(a) == "bad"), joins_bad,
                             truncated)

    def linked(self, applicant, limit: int = 50) -> list[tuple[object, str, str, str | None]]:
        """Applicants sharing an identifier with ``applicant``: (applicant, kind, value, status),
        for a reviewer's linked-people panel."""
        a = self._index.get(("applicant", applicant))
        if a is None:
            return []
        keys = self._key_of
        out = []
        for i in sorted(self._links[a], key=lambda n: keys[n]):
            kind, value = keys[i]
            for m in sorted(self._links[i], key=lambda n: str(keys[n][1])):
                if m != a:
                    out.append((keys[m][1], kind, value, self._status.get(m)))
                    if len(out) >= limit:
                        return out
        return out
