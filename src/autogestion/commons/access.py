"""Pooled resources, their photos and their bookings for a caller: pages, the API and
the feed get them here, with one answer each (core.access, R2 and the access matrix).

- A resource is seen by whoever sees its steward body (open bodies are public) and by
  those who may book it; to anyone else it does not exist (404).
- A booking is seen by its booker, and by whoever sees its resource: a confirmed one
  (a slot taken) by all of them, a request or a past decision by the audience and the
  stewards only (404 to the others, as if there were none).
- Seen but not allowed (a member changing a resource, an outsider cancelling someone
  else's booking): 403 saying who may.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.cooperatives import access as bodies
from autogestion.cooperatives.models import Body
from autogestion.core import access

from . import permissions, queries
from .models import Booking, ResourcePhoto, SharedResource

NO_RESOURCE = gettext_lazy("There is no such resource.")
NO_BOOKING = gettext_lazy("There is no such booking.")
NO_PHOTO = gettext_lazy("There is no such photo.")


def get_body_for(user, slug: str, *, may=None, refusal: str | None = None) -> Body:
    """The body whose resources are listed (or put in common): 404 when hidden."""
    return bodies.get_body_for(user, slug, may=may, refusal=refusal)


def get_body_to_steward(user, slug: str) -> Body:
    """The body a resource is put in common for: its coordinators and stewards."""
    return get_body_for(user, slug, may=permissions.can_create_resource,
                        refusal=_("Only coordinators or stewards of %(body)s put resources "
                                  "in common for it."))


def get_resource_for(user, resource_id, *, photos: bool = False) -> SharedResource:
    """A resource `user` may see, else 404; `photos` fetches its photos along."""
    found = queries.visible_resources(user)
    if photos:
        found = found.prefetch_related("photos")
    return access.get_for(user, found, may_see=permissions.can_view_resource,
                          hidden=NO_RESOURCE, pk=resource_id)


def check_steward(user, resource: SharedResource, refusal: str | None = None):
    return access.check(
        user, resource, may_see=permissions.can_view_resource,
        may=permissions.can_steward_resource, hidden=NO_RESOURCE,
        refusal=(refusal or _("Only the stewards of %(resource)s change it."))
        % {"resource": resource.name})


def get_stewarded_resource_for(user, resource_id, *, photos: bool = False) -> SharedResource:
    """A resource `user` changes (its rules, fee, photos): 404 hidden, 403 not a steward."""
    return check_steward(user, get_resource_for(user, resource_id, photos=photos))


def _photo_visible(user, photo: ResourcePhoto) -> bool:
    return permissions.can_view_resource(user, photo.resource)


def get_photo_for(user, photo_id) -> ResourcePhoto:
    """A photo, for those who see its resource (a closed body's photos stay inside)."""
    return access.get_for(
        user, ResourcePhoto.objects.filter(resource__in=queries.visible_resources(user))
        .select_related("resource__steward", "resource__audience_body"),
        may_see=_photo_visible, hidden=NO_PHOTO, pk=photo_id)


def get_stewarded_photo_for(user, photo_id) -> ResourcePhoto:
    """A photo its resource's stewards remove."""
    photo = get_photo_for(user, photo_id)
    check_steward(user, photo.resource,
                  _("Only the stewards of %(resource)s remove its photos."))
    return photo


def _bookings():
    return Booking.objects.select_related("resource__steward", "resource__audience_body",
                                          "resource__fee_currency", "booker", "for_body",
                                          "fee_payment__currency")


def get_booking_for(user, booking_id, *, events: bool = False) -> Booking:
    """A booking `user` may see (see the module), else 404; `events`: with its history."""
    found = _bookings()
    if events:
        found = found.prefetch_related(queries.with_events())
    return access.get_for(user, found, may_see=permissions.can_see_booking,
                          hidden=NO_BOOKING, pk=booking_id)


def get_booking_to_decide(user, booking_id) -> Booking:
    """A request its resource's stewards confirm or decline."""
    booking = get_booking_for(user, booking_id)
    return access.check(
        user, booking, may_see=permissions.can_see_booking,
        may=lambda u, b: permissions.can_steward_resource(u, b.resource), hidden=NO_BOOKING,
        refusal=_("Only the stewards of %(resource)s decide on its bookings.")
        % {"resource": booking.resource.name})


def get_booking_to_cancel(user, booking_id) -> Booking:
    """A booking its booker, or a steward of its resource, cancels."""
    booking = get_booking_for(user, booking_id)
    return access.check(
        user, booking, may_see=permissions.can_see_booking,
        may=permissions.can_cancel_booking, hidden=NO_BOOKING,
        refusal=_("Only the person who booked, or a steward of %(resource)s, cancels a "
                  "booking.") % {"resource": booking.resource.name})
