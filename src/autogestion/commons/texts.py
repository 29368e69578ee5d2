"""How pooled resources are said: durations, slots, opening hours and days, and the
words (and 4xx status) of the rules' refusals. Shared by pages, the API, the feed and
the services; pure, no database."""

from datetime import datetime, timedelta

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from autogestion.core import clock
from autogestion.core.errors import Conflict, DomainError

from . import rules
from .models import BookingStatusChoice, SharedResource
from .rules import Refusal


def duration_text(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)s day", "%(n)s days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours})
    if minutes or not parts:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes})
    return " ".join(parts)


def moment_text(moment: datetime) -> str:
    return formats.date_format(clock.local(moment), "l j F Y, H:i")


def slot_text(starts_at: datetime, ends_at: datetime) -> tuple[str, str]:
    """'Saturday 14 March 2026, 10:00' and '12:00' (the whole date when another day)."""
    start, end = clock.local(starts_at), clock.local(ends_at)
    if start.date() == end.date():
        return moment_text(starts_at), formats.time_format(end, "H:i")
    return moment_text(starts_at), moment_text(ends_at)


def hours_text(resource: SharedResource) -> str:
    if resource.opens_at == rules.MIDNIGHT and resource.closes_at == rules.MIDNIGHT:
        return _("round the clock")
    closes = "24:00" if resource.closes_at == rules.MIDNIGHT else resource.closes_at.strftime(
        "%H:%M")
    return _("%(opens)s to %(closes)s") % {"opens": resource.opens_at.strftime("%H:%M"),
                                          "closes": closes}


def days_text(mask: int) -> str:
    days = sorted(rules.mask_to_days(mask))
    if len(days) == 7:
        return _("every day")
    names = [formats.date_format(datetime(2024, 1, day), "l") for day in days]  # 2024-01-01: Monday
    return ", ".join(names)


def refusal_message(refusal: Refusal, resource: SharedResource | None = None) -> DomainError:
    """The words (and 4xx status) of a rule's refusal, shared by pages and the API."""
    code, details = refusal.code, refusal.details
    name = resource.name if resource is not None else ""
    if code == "overlap":
        start, end = slot_text(details["starts_at"], details["ends_at"])
        return Conflict(_("%(resource)s is already booked from %(start)s to %(end)s: choose "
                          "another time.") % {"resource": name, "start": start, "end": end},
                        field="starts_at")
    if code == "bad_transition":
        return Conflict(_("This booking is already %(status)s.") % {
            "status": BookingStatusChoice(details["current"]).label})
    texts = {
        "naive_time": (_("Give the times with their time zone."), "starts_at"),
        "ends_before_start": (_("The end must come after the start."), "ends_at"),
        "in_the_past": (_("This time has passed: choose a start from now on."), "starts_at"),
        "skipped_time": (_("This time does not exist on %(day)s: the clocks change that "
                           "night. Choose another time.")
                         % {"day": formats.date_format(details.get("day"), "j F Y")}
                         if details.get("day") else "", "starts_at"),
        "bad_days": (_("Choose at least one open day."), "open_days"),
        "bad_hours": (_("Opening comes before closing, in whole minutes (closing at 00:00 "
                        "means midnight)."), "closes_at"),
    }
    if resource is not None:
        texts |= {
            "short_notice": (_("%(resource)s is booked at least %(notice)s ahead.") % {
                "resource": name, "notice": duration_text(details.get("notice", timedelta()))},
                "starts_at"),
            "too_far": (ngettext("%(resource)s is booked at most %(days)s day ahead.",
                                 "%(resource)s is booked at most %(days)s days ahead.",
                                 resource.horizon_days) % {
                "resource": name, "days": resource.horizon_days}, "starts_at"),
            "too_long": (_("A booking of %(resource)s lasts at most %(longest)s.") % {
                "resource": name,
                "longest": duration_text(details.get("longest", timedelta()))}, "ends_at"),
            "closed_day": (_("%(resource)s is not open on %(day)s; it is open %(days)s.") % {
                "resource": name,
                "day": formats.date_format(details["day"], "l j F Y")
                if details.get("day") else "",
                "days": days_text(resource.open_days)}, "starts_at"),
            "outside_hours": (_("%(resource)s is open %(hours)s: book within these hours.")
                              % {"resource": name, "hours": hours_text(resource)}, "starts_at"),
            "overnight": (_("%(resource)s is given back the same day: end the booking on the "
                            "day it starts.") % {"resource": name}, "ends_at"),
        }
    text, field = texts.get(code, (code, None))
    return DomainError(text, field=field)
