"""Finding what pages, the API and the feeds ask for, with the access rule every edge
follows (core.access, R2): a closed body's meetings, occurrences, agenda items and
sessions answer 404 to whoever may not see them, exactly as if they did not exist;
someone who sees them but may not act gets 403 saying who may.

Each function takes `may` (a predicate on the user and the body holding the meeting
series, from permissions.py) for the actions reserved to some: `may=None` only reads.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from autogestion.cooperatives import access as bodies
from autogestion.cooperatives.models import Body
from autogestion.core.access import get_for
from autogestion.core.errors import DomainError, NotFound, PermissionDenied
from autogestion.core.inputs import parse_day

from . import permissions, queries
from .models import AgendaItem, MeetingSeries, ProgramSession
from .queries import Occurrence

# Who may do what, as each refusal says it (403).
MANAGE = gettext_lazy("Only coordinators of %(body)s plan its meetings.")
ADD_ITEMS = gettext_lazy("Only members of %(body)s add items to its agenda.")
MINUTES = gettext_lazy("Only coordinators of %(body)s write its minutes.")


def _may(user, body, may, refusal) -> None:
    if may is not None and not may(user, body):
        raise PermissionDenied((refusal or MANAGE) % {"body": body.name})


def _sees(user, thing) -> bool:
    """Whether `user` sees the meetings of the body holding `thing` (a series, an item,
    a session: anything with `body_of`)."""
    return bool(permissions.can_view_meetings(user, _body_of(thing)))


def _body_of(thing) -> Body:
    if isinstance(thing, MeetingSeries):
        return thing.body
    return thing.meeting.series.body


def get_body_for(user, slug: str, *, may=None, refusal=None) -> Body:
    """A body whose meetings `user` may see. Which bodies exist is public (their list
    is), so an unknown short name and a closed body are told apart in the message."""
    return bodies.get_body_for(
        user, slug, may_see=permissions.can_view_meetings, may=may,
        refusal=(refusal or MANAGE) if may is not None else None,
        hidden=_("The meetings of %(body)s are visible to its members only."))


def get_series_for(user, series_id, *, may=None, refusal=None) -> MeetingSeries:
    series = get_for(user, MeetingSeries.objects.select_related("body"), pk=series_id,
                     may_see=_sees, hidden=_("There is no meeting series with this number."))
    _may(user, series.body, may, refusal)
    return series


def get_occurrence_for(user, series_id, day: str | date, *, may=None, refusal=None,
                       field: str = "day") -> Occurrence:
    """The occurrence the series' rule places on a local day (`YYYY-MM-DD`, the API's
    address): a day that is no date is a 400 on `field`, a day without a meeting 404."""
    series = get_series_for(user, series_id)
    wanted = day if isinstance(day, date) else parse_day(day, field)
    occurrence = queries.find_occurrence(series, wanted)
    if occurrence is None:
        raise NotFound(_("%(series)s does not meet on %(day)s.")
                       % {"series": series.title, "day": wanted.isoformat()})
    _may(user, series.body, may, refusal)
    return occurrence


def get_occurrence_at(user, series_id, day: str, *, may=None, refusal=None) -> Occurrence:
    """The same for a page address (/meetings/<series>/<YYYY-MM-DD>/): an address whose
    day is no date does not exist (404)."""
    series = get_series_for(user, series_id)
    try:
        wanted = parse_day(day, "day")
    except DomainError:
        raise NotFound(_("%(series)s does not meet on %(day)s.")
                       % {"series": series.title, "day": day[:10]}) from None
    return get_occurrence_for(user, series.pk, wanted, may=may, refusal=refusal)


def get_occurrence_to_manage(user, series_id, day: str | date) -> Occurrence:
    """An occurrence the user coordinates (403 for those who only see it)."""
    return get_occurrence_for(user, series_id, day, may=permissions.can_manage_meetings)


def get_item_for(user, item_id, *, may=None, refusal=None) -> AgendaItem:
    item = get_for(user, AgendaItem.objects.select_related("meeting__series__body"),
                   pk=item_id, may_see=_sees, hidden=_("There is no such agenda item."))
    _may(user, _body_of(item), may, refusal)
    return item


def get_item_to_manage(user, item_id) -> AgendaItem:
    """An agenda item the user coordinates (403 for those who only see it)."""
    return get_item_for(user, item_id, may=permissions.can_manage_meetings)


def get_session_for(user, session_id, *, may=None, refusal=None) -> ProgramSession:
    session = get_for(user, ProgramSession.objects.select_related("meeting__series__body"),
                      pk=session_id, may_see=_sees, hidden=_("There is no such session."))
    _may(user, _body_of(session), may, refusal)
    return session


def get_later_occurrence(series: MeetingSeries, day: str, field: str = "to") -> Occurrence:
    """The occurrence an agenda item is delayed to, named by its day: 400 on `field`
    when the day is no date or the series does not meet then."""
    wanted = parse_day(day, field)
    occurrence = queries.find_occurrence(series, wanted)
    if occurrence is None:
        raise DomainError(_("%(series)s does not meet on %(day)s.")
                          % {"series": series.title, "day": wanted.isoformat()}, field=field)
    return occurrence


def get_people(person_ids, field: str = "person_ids") -> list:
    """The active accounts with these numbers; 400 on `field` naming those that are not."""
    wanted = set(person_ids)
    people = list(get_user_model().objects.filter(pk__in=wanted, is_active=True))
    missing = sorted(wanted - {p.pk for p in people})
    if missing:
        raise DomainError(ngettext("There is no person with the number %(ids)s.",
                                   "There are no people with the numbers %(ids)s.",
                                   len(missing))
                          % {"ids": ", ".join(str(i) for i in missing[:20])}, field=field)
    return people
