"""Finding what the pages and the API ask for, with the access rule every edge follows
(core.access, R2): a closed body's proposals, rounds and star groups answer 404 to
whoever may not see them, exactly as if they did not exist; someone who sees them but
may not act gets 403 saying who may.

`may` is a predicate on (user, body deciding) from permissions.py, for the actions
reserved to some; `may=None` only reads.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.assemblies.models import AgendaItem
from autogestion.cooperatives import access as bodies
from autogestion.cooperatives.models import Body
from autogestion.core.access import get_for
from autogestion.core.errors import Conflict, DomainError, PermissionDenied

from . import permissions
from .models import MeetingProxy, Proposal, Proxy, Round, StarGroup, StatusChoice

# Who may do what, as each refusal says it (403).
PROPOSE = gettext_lazy("Only members of %(body)s put proposals to it.")
SET_POLICY = gettext_lazy("Only coordinators of %(body)s set its decision policy.")
MEETING_PROXIES = gettext_lazy("Only members of %(body)s give or hold proxies for its "
                               "meetings.")


def _may(user, body: Body, may, refusal) -> None:
    if may is not None and not may(user, body):
        raise PermissionDenied((refusal or _("You are not allowed to do this."))
                               % {"body": body.name})


def _sees(user, proposal: Proposal) -> bool:
    return bool(permissions.can_view_proposals(user, proposal.body))


def get_body_for(user, slug: str, *, may=None, refusal=None) -> Body:
    """A body whose proposals `user` may see. Which bodies exist is public (their list
    is), so an unknown short name and a closed body are told apart in the message."""
    return bodies.get_body_for(
        user, slug, may_see=permissions.can_view_proposals, may=may,
        refusal=(refusal or _("You are not allowed to do this.")) if may is not None else None,
        hidden=_("The proposals of %(body)s are visible to its members only."))


def get_proposal_for(user, proposal_id, *, may=None, refusal=None) -> Proposal:
    """A proposal whose body `user` may see (404 for others, whether it exists or not)."""
    proposal = get_for(
        user, Proposal.objects.select_related("body", "author", "concerned_person",
                                              "referred_from"),
        pk=proposal_id, may_see=_sees, hidden=_("There is no proposal with this number."))
    _may(user, proposal.body, may, refusal)
    return proposal


def get_star_group_for(user, group_id) -> StarGroup:
    """A star debate group of a proposal `user` may see."""
    return get_for(
        user, StarGroup.objects.select_related("debate__round__proposal__body"), pk=group_id,
        may_see=lambda who, group: _sees(who, group.debate.round.proposal),
        hidden=_("There is no such group."))


def get_proxy_for(user, proxy_id) -> Proxy:
    """A proxy of a proposal `user` may see (404 for others)."""
    return get_for(
        user, Proxy.objects.select_related("round__proposal__body"), pk=proxy_id,
        may_see=lambda who, proxy: _sees(who, proxy.round.proposal),
        hidden=_("There is no such proxy."))


def get_meeting_proxy_for(user, meeting_proxy_id) -> MeetingProxy:
    """A proxy for a meeting of a body `user` may see (404 for others)."""
    return get_for(
        user, MeetingProxy.objects.select_related("meeting__series__body", "giver", "holder"),
        pk=meeting_proxy_id,
        may_see=lambda who, found: permissions.can_view_proposals(who,
                                                                  found.meeting.series.body),
        hidden=_("There is no such proxy."))


def find_occurrence_for(body: Body, series_id, day: str):
    """One meeting of the body's, by its series and its local day (as its address
    says); None when the body has no such meeting (the service says so)."""
    from autogestion.assemblies.models import MeetingSeries
    from autogestion.assemblies.queries import occurrence_on

    if series_id is None:
        return None
    series = MeetingSeries.objects.select_related("body").filter(pk=series_id,
                                                                 body=body).first()
    return occurrence_on(series, day or "") if series is not None else None


def find_person(person_id):
    """An active account by number, or None (the service says what is missing)."""
    if person_id is None:
        return None
    return get_user_model().objects.filter(pk=person_id, is_active=True).first()


def get_voter(proposal: Proposal, person_id):
    """The person a proxy is given to, by number: an active account (whether they vote
    here is the service's question)."""
    person = get_user_model().objects.filter(pk=person_id, is_active=True).first() \
        if person_id is not None else None
    if person is None:
        raise DomainError(_("There is no person with this number."), field="holder")
    return person


def open_round(proposal: Proposal) -> Round:
    """The proposal's open round; 409 when none is (closed, withdrawn, adopted...)."""
    current = proposal.rounds.filter(closed_at__isnull=True).first()
    if current is None:
        raise Conflict(_("No round is open on this proposal (status: “%(status)s”).")
                       % {"status": StatusChoice(proposal.status).label})
    return current


@dataclass
class References:
    """What a new proposal points to, found in the body it is put to."""

    agenda_item: AgendaItem | None = None
    concerned_person: object | None = None
    amends: list[Proposal] = field(default_factory=list)


def get_references_for(body: Body, *, agenda_item_id=None, concerned_person_id=None,
                       amends=()) -> References:
    """The agenda item (of one of the body's meetings), the person concerned (an active
    account) and the proposals amended (of the same body) a new proposal names by
    number: an unknown number is a refusal (400) on the argument naming it."""
    found = References()
    if agenda_item_id is not None:
        found.agenda_item = (AgendaItem.objects.select_related("meeting__series")
                             .filter(pk=agenda_item_id, meeting__series__body=body).first())
        if found.agenda_item is None:
            raise DomainError(_("%(body)s has no agenda item with this number.")
                              % {"body": body.name}, field="agenda_item")
    if concerned_person_id is not None:
        found.concerned_person = get_user_model().objects.filter(
            pk=concerned_person_id, is_active=True).first()
        if found.concerned_person is None:
            raise DomainError(_("There is no person with this number."),
                              field="concerned_person")
    wanted = set(amends)
    found.amends = list(Proposal.objects.filter(pk__in=wanted, body=body))
    if len(found.amends) != len(wanted):
        raise DomainError(_("A proposal amends adopted decisions of the same body."),
                          field="amends")
    return found
