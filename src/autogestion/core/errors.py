"""Domain errors raised by services and turned into 4xx answers by views and the API.

A service raises one of these with a message already in the user's language (lazy
translation); nothing has been written when it is raised, because every service runs
in a transaction.
"""


class DomainError(Exception):
    """Bad input or a refused action: the message says what to change."""

    status = 400

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The action clashes with the current state (already a member, already decided)."""

    status = 409
