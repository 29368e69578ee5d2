"""Who may see, book and steward pooled resources (R11, with R1 and R2).

- Stewards of a resource are the coordinators and stewards of its steward body (and
  operators): they set its rules and fee and decide on requests.
- Who may book is the resource's audience: the active members of the steward body,
  of its cooperative, or of its network (members of the network itself or of any body
  in it). A resource that is not active takes no booking.
- A resource is visible to whoever sees its steward body (open bodies are public, R2)
  and to its audience; who booked and why is for the audience and the stewards: the
  public sees only which slots are taken.
- A booking is seen by its booker and by those who see its resource: the confirmed ones
  (the slots taken) by all of them, the requests and past decisions by the audience and
  the stewards. Its booker or a steward cancels it.
"""

import rules

from autogestion.cooperatives.permissions import active_body_ids, can_view_body_details
from autogestion.economy.permissions import can_steward

from .models import Audience
from .rules import BookingStatus

_PATHS_ATTR = "_autogestion_active_paths"


def active_paths(user) -> list[str]:
    """Tree paths of the bodies the person is an active member of (cached on the user
    object for the request, as memberships are)."""
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, _PATHS_ATTR, None)
    if cached is None:
        from autogestion.cooperatives.models import Body

        ids = active_body_ids(user)
        cached = list(Body.objects.filter(pk__in=ids).values_list("path", flat=True)) \
            if ids else []
        setattr(user, _PATHS_ATTR, cached)
    return cached


def forget(user) -> None:
    if user is not None and hasattr(user, _PATHS_ATTR):
        delattr(user, _PATHS_ATTR)


def in_audience(user, resource) -> bool:
    if not user or not user.is_authenticated:
        return False
    if resource.audience == Audience.NETWORK:
        prefix = resource.audience_body.path
        return any(path.startswith(prefix) for path in active_paths(user))
    return resource.audience_body_id in active_body_ids(user)


@rules.predicate
def can_steward_resource(user, resource) -> bool:
    return bool(resource is not None and can_steward(user, resource.steward))


@rules.predicate
def may_book(user, resource) -> bool:
    return bool(resource is not None and resource.is_active and in_audience(user, resource))


@rules.predicate
def can_view_resource(user, resource) -> bool:
    if resource is None:
        return False
    return bool(can_view_body_details(user, resource.steward) or in_audience(user, resource)
                or can_steward(user, resource.steward))


@rules.predicate
def can_see_bookers(user, resource) -> bool:
    """Names and purposes of the bookings: the audience and the stewards."""
    return bool(resource is not None and (in_audience(user, resource)
                                          or can_steward(user, resource.steward)))


@rules.predicate
def can_create_resource(user, body) -> bool:
    return bool(can_steward(user, body))


@rules.predicate
def can_see_booking(user, booking) -> bool:
    if booking is None:
        return False
    if getattr(user, "is_authenticated", False) and booking.booker_id == user.pk:
        return True
    resource = booking.resource
    if not can_view_resource(user, resource):
        return False
    return booking.status == BookingStatus.CONFIRMED or bool(can_see_bookers(user, resource))


@rules.predicate
def can_cancel_booking(user, booking) -> bool:
    if booking is None or not getattr(user, "is_authenticated", False):
        return False
    return booking.booker_id == user.pk or bool(can_steward(user, booking.resource.steward))
