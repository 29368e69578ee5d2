"""Words for people built from values: a place on a waiting list, a meeting's moment as
its reader reads it (in their own time zone, "today" / "tomorrow" from their calendar).
Pages, e-mails and notifications share them, so one thing is said one way."""

from datetime import datetime

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import ordinal
from django.utils import formats
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from autogestion.core import clock

from . import rules

# A moment in running text: the day and month in words, lower case in French.
RUNNING_MOMENT = "l j F Y, H:i"


def waiting_rank(rank: int, *, html: bool = False) -> str:
    """ "at the head of the waiting list", "2nd on the waiting list" ("2ᵉ sur la liste
    d'attente"): the ordinal in the reader's language, as superscript in a page."""
    if rank == 1:
        return _("at the head of the waiting list")
    number = ordinal(rank)  # "2nd", "2<sup>e</sup>": safe HTML in some languages
    if html:
        return format_html(_("{rank} on the waiting list"), rank=SafeString(number))
    return _("{rank} on the waiting list").format(rank=strip_tags(number))


def local_moment(moment: datetime, person) -> datetime:
    """`moment` in `person`'s own zone (the platform's when they gave none)."""
    return clock.local_for(moment, person)


def moment_for(moment: datetime, person) -> str:
    """A moment as `person` reads it in running text: "samedi 28 novembre 2026, 10:30",
    in their zone; the zone is named when it is not the platform's, so that a member
    abroad knows the hour is already theirs."""
    local = local_moment(moment, person)
    text = formats.date_format(local, RUNNING_MOMENT)
    if clock.zone_of(person).key != settings.TIME_ZONE:
        text = _("%(moment)s (%(zone)s time)") % {"moment": text,
                                                   "zone": clock.zone_of(person).key}
    return text


def meeting_day_for(moment: datetime, person, now: datetime | None = None) -> rules.RelativeDay:
    """Whether a meeting starting at `moment` is today or tomorrow for `person` (their
    calendar, now), or another day."""
    now = now or clock.now()
    return rules.relative_day(local_moment(moment, person).date(),
                              local_moment(now, person).date())
