"""One way to get an object for a caller, for pages, the API and websocket consumers.

The rule every edge follows (R2, and the access matrix in tests/security):
- not found, or found but hidden from the caller: `NotFound` (404), the same answer
  whether the object exists or not, so a stranger learns nothing of a closed body;
- seen but not allowed (a member asking for a coordinator's action): `PermissionDenied`
  (403) with a message saying who may.

Each app builds its `get_<thing>_for(user, id)` in its own `access.py` on `get_for`;
views and API call those and never write their own lookup-and-check.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from .errors import NotFound, PermissionDenied

Predicate = Callable[[Any, Any], bool]


def get_for(user, source: type[Model] | QuerySet, *, may_see: Predicate,
            may: Predicate | None = None, refusal=None, hidden=None, **lookup):
    """The object of `source` matching `lookup` that `user` may see; if `may` is given,
    also that they may act on it.

    `hidden` is the message of the 404 (default "Not found."), `refusal` the message of
    the 403. `may_see` and `may` take (user, object): `rules` predicates fit as they are.
    """
    queryset = source._default_manager.all() if isinstance(source, type) else source
    try:
        found = queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(hidden or _("Not found.")) from None
    return check(user, found, may_see=may_see, may=may, refusal=refusal, hidden=hidden)


def check(user, found, *, may_see: Predicate, may: Predicate | None = None,
          refusal=None, hidden=None):
    """The same checks on an object already in hand (found through another one)."""
    if found is None or not may_see(user, found):
        raise NotFound(hidden or _("Not found."))
    if may is not None and not may(user, found):
        raise PermissionDenied(refusal or _("You are not allowed to do this."))
    return found
