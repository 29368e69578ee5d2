"""Domain errors raised by services and turned into 4xx answers by views and the API.

A service raises one of these with a message already in the user's language (lazy
translation); nothing has been written when it is raised, because every service runs
in a transaction.

`NotFound` and `PermissionDenied` are also Django's `Http404` and `PermissionDenied`: a
page that lets one escape gets Django's 404 or 403 page (with the message), the API gets
its JSON answer, without either edge catching them.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404


class DomainError(Exception):
    """Bad input or a refused action: the message says what to change."""

    status = 400

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(DomainError, DjangoPermissionDenied):
    status = 403


class NotFound(DomainError, Http404):
    status = 404


class Conflict(DomainError):
    """The action clashes with the current state (already a member, already decided)."""

    status = 409
