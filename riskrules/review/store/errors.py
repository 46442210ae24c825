"""Typed errors of the review store.

Every failure that leaves the public API is a :class:`StoreError`; SQLAlchemy and
driver exceptions are translated at the boundary (see ``connect.translate_errors``)
and kept as ``__cause__`` for debugging, so callers never have to import them.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error the review store raises."""


class InvalidURL(StoreError):
    """The database URL cannot be parsed or names an unsupported database."""


class DatabaseUnavailable(StoreError):
    """The database cannot be reached or opened."""


class StoreBusy(StoreError):
    """The database stayed locked by another writer longer than the busy timeout."""


class MigrationError(StoreError):
    """The schema could not be brought up to date."""


class InvalidData(StoreError):
    """An argument is not acceptable (unknown verdict, non-JSON evidence, ...)."""


class IntegrityViolation(StoreError):
    """The database refused a write because it breaks a constraint."""


class NotFound(StoreError):
    """Base class of 'no such row' errors."""


class DecisionNotFound(NotFound):
    pass


class CaseNotFound(NotFound):
    pass


class ProposalNotFound(NotFound):
    pass


class DuplicateCase(StoreError):
    """A case already exists for this decision."""


class AlreadyClaimed(StoreError):
    """Another reviewer holds the case (or it is no longer claimable)."""


class ClaimRequired(StoreError):
    """The reviewer does not hold the claim the operation needs."""


class ClaimExpired(ClaimRequired):
    """The reviewer's claim expired and another reviewer took the case over."""


class InvalidTransition(StoreError):
    """The requested status change is not allowed from the current status."""


class MakerCheckerViolation(StoreError):
    """The author of a rule proposal tried to activate it themselves."""


class AuditLogImmutable(StoreError):
    """Something tried to change or delete an audit entry."""
