"""Status changes with their history: one transition function per stateful model.

A stateful model (proposal, agenda item, payment request, booking, rotation, room...)
changes status only through `transition()`, which checks the move is allowed, saves
the new status and writes an event row, in one transaction. Each app declares its
event model on `StatusEvent` (abstract) with a foreign key to its object.
"""

from collections.abc import Mapping

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from . import clock
from .errors import Conflict


class StatusEvent(models.Model):
    """One change of status: from what, to what, by whom, when, why."""

    from_status = models.CharField(_("status before"), max_length=32, blank=True)
    to_status = models.CharField(_("status after"), max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                              blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


def transition(obj, to: str, *, allowed: Mapping[str, set[str] | frozenset[str]],
               event_model: type[StatusEvent], subject: str, actor=None, reason: str = "",
               refusal=None, status_field: str = "status", update_fields=(), **event_fields):
    """Move `obj` to status `to` if `allowed[current]` contains it, save it (with
    `update_fields` too) and write an `event_model` row pointing to it by `subject`.

    Raises `Conflict` (409) with `refusal` (or a generic message) when the move is not
    allowed from the current status: nothing is written then.
    """
    current = getattr(obj, status_field)
    if to not in allowed.get(current, ()):
        raise Conflict(refusal or _("This cannot be done any more: it is %(status)s.")
                       % {"status": _display(obj, status_field)})
    with transaction.atomic():
        setattr(obj, status_field, to)
        obj.save(update_fields=[status_field, *update_fields])
        return event_model.objects.create(
            **{subject: obj}, from_status=current, to_status=to, actor=actor,
            at=clock.now(), reason=reason, **event_fields)


def record(obj, *, event_model: type[StatusEvent], subject: str, actor=None,
           reason: str = "", status_field: str = "status", **event_fields):
    """The first event of an object just created in its initial status."""
    return event_model.objects.create(
        **{subject: obj}, from_status="", to_status=getattr(obj, status_field),
        actor=actor, at=clock.now(), reason=reason, **event_fields)


def _display(obj, status_field: str) -> str:
    display = getattr(obj, f"get_{status_field}_display", None)
    return str(display()).lower() if display else getattr(obj, status_field)


def event_out(event: StatusEvent) -> dict:
    """One event as the API shows it (core.api_schemas.StatusEventOut), in local time."""
    return {"from_status": event.from_status, "to_status": event.to_status,
            "actor": event.actor.public_name if event.actor_id and event.actor else None,
            "actor_id": event.actor_id, "at": clock.local(event.at), "reason": event.reason}


def history_out(obj) -> list[dict]:
    """`obj.events`, oldest first, as the API shows them."""
    return [event_out(e) for e in obj.events.select_related("actor").order_by("at", "pk")]
