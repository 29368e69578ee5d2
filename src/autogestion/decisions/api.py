"""Proposals, rounds, positions, star debates and the register of decisions through the
API (DOMAIN.md R1, R5, R15).

Each endpoint parses its input, checks that the caller may see the body deciding the
proposal (a closed body's proposals answer 404 to others, as if they did not exist),
calls one service of `services.py` and shapes the answer. Refusals come from the
services as DomainError subclasses, which core/api.py turns into 400/403/404/409 with
the message and the field.

Datetimes are answered in the platform's time zone (settings.TIME_ZONE) with their
offset; a datetime sent without an offset is read in that zone.

Secret ballots (a majority vote in a body with `anonymous_ballots`) never name anyone:
no named positions, and who has not voted yet is only counted, because the list of
names changing between two readings of the live counts would tell who voted what.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ninja import Field, Query, Router, Schema, Status

from autogestion.assemblies.rules import localize
from autogestion.cooperatives.models import Body
from autogestion.core import clock, history, markdown
from autogestion.core.api import public
from autogestion.core.api_schemas import (
    CalendarDay,
    Input,
    Integer,
    Moment,
    StatusEventOut,
    refusals,
)
from autogestion.core.api_types import Id, Text
from autogestion.core.errors import DomainError
from autogestion.core.inputs import check_year

from . import access, permissions, queries, rules, services
from .models import (
    Comment,
    Decision,
    MethodChoice,
    Position,
    Proposal,
    Round,
    StarGroup,
    StatusChoice,
)

router = Router(tags=["decisions"])

MAX_PAGE = 200
DEFAULT_PAGE = 50
# Numbers the database cannot hold are refused as input (422) instead of reaching it.
MAX_OFFSET = 10**9





# Schemas -----------------------------------------------------------------------------

class ProposalSummary(Schema):
    id: int
    title: str
    status: str
    decision_class: str
    method: str
    author: str | None
    referred_from: str | None = Field(description="Slug of the group that referred it here.")
    round_count: int
    created_at: datetime
    decided_at: datetime | None


class ProposalIn(Input):
    title: Text = Field(max_length=200)
    text: Text = Field(max_length=services.MAX_PROPOSAL_TEXT, description="Markdown.")
    decision_class: Text = Field(description="statutes, orientation, exclusion, executive or "
                                            "legal_act.")
    method: Text | None = Field(None, description="consent, consensus or majority; by default "
                                                 "the body's policy for the class. Never "
                                                 "weaker than the policy.")
    deadline: Moment | None = Field(None, description="When round 1 closes by itself. "
                                                        "Without an offset, read in the "
                                                        "platform's time zone.")
    agenda_item_id: Id | None = None
    amends: list[Id] = Field(default_factory=list, max_length=100,
                              description="Adopted proposals of the same body it amends.")
    concerned_person_id: Id | None = Field(None, description="For an exclusion: the person "
                                                              "it is about.")


class PolicyOut(Schema):
    policy: dict[str, str] = Field(description="Class of decision → method.")
    allowed: dict[str, list[str]] = Field(description="Class → the methods a proposer may "
                                                      "choose (the policy's or stronger).")
    concerned_veto_blocks: bool
    anonymous_ballots: bool
    star_group_size: int
    quorum_percent: int
    threshold_percent: int
    min_seniority_days: int
    min_participation_consent: int = Field(description="Percent of the members entitled "
                                                       "who must take a position in a "
                                                       "consent round (0: none).")
    min_participation_consensus: int
    max_proxies: int = Field(description="Proxies one member may hold in a legal vote.")
    groups_need_ratification: bool | None = Field(description="Groups founded inside wait "
                                                              "for the body's ratification "
                                                              "(None for networks).")
    decided_by: dict[str, int] = Field(description="For each rule last changed by a "
                                                   "decision (\"policy.executive\", "
                                                   "\"star_group_size\"...), the proposal "
                                                   "that changed it.")
    can_change: bool = Field(description="Whether the caller may propose a change (a "
                                         "member): nobody changes the policy directly.")


class ProposalChangeMeta(Input):
    """What a proposal carrying a change says beside it (all optional)."""

    title: Text = Field("", max_length=200, description="By default, the change's title.")
    text: Text = Field("", max_length=services.MAX_PROPOSAL_TEXT,
                       description="Markdown; by default the change in words.")
    agenda_item_id: Id | None = None
    deadline: Moment | None = None


class PolicyIn(ProposalChangeMeta):
    """A proposal to change the policy (R16): only the values given and different from
    today's are carried; it applies when the body adopts it."""

    policy: dict[Text, Text] | None = Field(None, description="Class of decision → method; "
                                                            "classes left out keep theirs.")
    concerned_veto_blocks: bool | None = Field(None, strict=True)
    anonymous_ballots: bool | None = Field(None, strict=True)
    groups_need_ratification: bool | None = Field(None, strict=True)
    # Strict: JSON `true` is not one person, nor "6" a number.
    star_group_size: Integer | None = None
    quorum_percent: Integer | None = None
    threshold_percent: Integer | None = None
    min_seniority_days: Integer | None = None
    min_participation_consent: Integer | None = None
    min_participation_consensus: Integer | None = None
    max_proxies: Integer | None = None


class ProposalChangeIn(ProposalChangeMeta):
    params: dict[str, Any] = Field(description="The change's parameters (see its kind).")


class ProposalChangeOut(Schema):
    kind: str
    params: dict[str, Any]
    description: str = Field(description="What it changes, in words, as proposed.")
    applied_at: datetime | None
    not_applied_because: str | None = Field(description="Adopted but not applied: why.")


class ProxyOut(Schema):
    id: int
    round: int
    giver: str
    holder: str
    given_at: datetime
    revoked_at: datetime | None
    revoked_reason: str


class ProxyIn(Input):
    holder_id: Id = Field(description="The member who votes for you.")


class MeetingRefOut(Schema):
    series_id: int
    day: date = Field(description="The meeting's local day, as its address says.")
    title: str
    starts_at: datetime


class MeetingProxyOut(Schema):
    id: int
    meeting: MeetingRefOut
    giver: str
    holder: str
    given_at: datetime
    revoked_at: datetime | None
    revoked_reason: str = Field(description="Why it ended: revoked (by the giver) or "
                                            "declined (by the holder); empty while it "
                                            "holds.")
    open_votes: int = Field(description="The open legal votes of the meeting where it "
                                        "counts now (a proxy for each).")


class MeetingProxyIn(Input):
    series_id: Id = Field(description="The meeting's series (one of the body's).")
    day: CalendarDay = Field(description="The meeting's local day, YYYY-MM-DD.")
    holder_id: Id = Field(description="The member who votes for you at that meeting.")


class RoundOut(Schema):
    number: int
    text: str
    opened_at: datetime
    deadline: datetime | None
    closed_at: datetime | None
    outcome: str | None
    eligible: int | None = Field(description="Members entitled to take part, counted when "
                                             "the round closed.")
    result: dict[str, Any] | None = Field(description="The arithmetic of the closed round, "
                                                      "as stored.")


class MyPositionOut(Schema):
    round: int
    stance: str
    note: str
    reason: str
    counter_proposal: str
    updated_at: datetime


class NamedPositionOut(Schema):
    person: str
    stance: str
    note: str
    reason: str
    counter_proposal: str
    updated_at: datetime


class StarGroupOut(Schema):
    id: int
    round: int
    number: int
    spokesperson: str | None
    members: list[str]
    summary: str
    summary_at: datetime | None


class CommentOut(Schema):
    id: int
    author: str | None
    text: str
    created_at: datetime


class ProposalDetail(Schema):
    id: int
    title: str
    text: str
    text_html: str
    status: str
    decision_class: str
    method: str
    required_method: str = Field(description="What the body's policy requires for the class.")
    body: str
    body_name: str
    referred_from: str | None
    author: str | None
    concerned_person: str | None
    agenda_item_id: int | None
    amends: list[int]
    created_at: datetime
    decided_at: datetime | None
    secret_ballot: bool
    rounds: list[RoundOut]
    current_round: int | None = Field(description="Number of the open round, if any.")
    counts_round: int | None = Field(description="The round `counts` are about: the open "
                                                 "one, or else the last.")
    counts: dict[str, int] = Field(description="Positions per stance.")
    positions_taken: int
    eligible_count: int = Field(description="Active members of the body (open round).")
    my_position: MyPositionOut | None
    positions: list[NamedPositionOut] = Field(description="Named positions of that round "
                                                          "(never for secret ballots; at "
                                                          "most 200).")
    not_positioned: list[str] = Field(description="Members who have not taken a position in "
                                                  "the open round (R15; at most 200 names, "
                                                  "none for secret ballots).")
    not_positioned_count: int
    star_groups: list[StarGroupOut]
    comments: list[CommentOut]
    events: list[StatusEventOut] = Field(description="The proposal's history, oldest first.")
    can_take_position: bool
    can_facilitate: bool
    can_revise: bool
    can_comment: bool
    change: ProposalChangeOut | None = Field(description="The change of the body's rules "
                                                         "it carries.")
    proxies_count: int = Field(description="Active proxies in the round shown (legal votes).")
    my_proxy: ProxyOut | None = Field(description="The proxy the caller gave in it.")
    proxies_held: list[ProxyOut]


class PositionIn(Input):
    stance: Text
    note: Text = ""
    reason: Text = ""
    counter_proposal: Text = ""


class DeadlineIn(Input):
    deadline: Moment = Field(description="Without an offset, read in the platform's time "
                                           "zone.")


class RevisionIn(Input):
    text: Text = Field(max_length=services.MAX_PROPOSAL_TEXT, description="Markdown.")
    deadline: Moment | None = None


class CommentIn(Input):
    text: Text


class SummaryIn(Input):
    summary: Text


class DecisionOut(Schema):
    id: int
    proposal_id: int
    body: str
    body_name: str
    title: str
    decision_class: str
    method: str
    outcome: str
    decided_at: datetime
    round: int
    participants: int | None
    eligible: int | None


class DecisionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DecisionOut]


class RegisterQuery(Schema):
    q: Text = Field("", max_length=200, description="Words in the title or the text.")
    body: Text = Field("", max_length=80, description="Short name of the body.")
    method: Text = ""
    outcome: Text = ""
    date_from: Text = Field("", alias="from", description="YYYY-MM-DD, included.")
    date_to: Text = Field("", alias="to", description="YYYY-MM-DD, included.")
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ListQuery(Schema):
    status: Text = ""
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


# Reading the path and the input ------------------------------------------------------

def _aware(moment: datetime | None, field: str) -> datetime | None:
    """A datetime without offset is wall-clock time in the platform's zone."""
    if moment is None:
        return None
    check_year(moment, field)
    if moment.tzinfo is None or moment.utcoffset() is None:
        return localize(moment, clock.zone())
    return moment


_local = clock.local


def _renamed(exc: DomainError, fields: dict[str, str]) -> DomainError:
    """The service names its own arguments; the answer names the request's fields."""
    if exc.field in fields:
        exc.field = fields[exc.field]
    return exc


# Shaping the answers -----------------------------------------------------------------

def _name(person) -> str | None:
    return person.public_name if person is not None else None


def _summary_out(p: Proposal) -> dict:
    return {"id": p.pk, "title": p.title, "status": p.status,
            "decision_class": p.decision_class, "method": p.method, "author": _name(p.author),
            "referred_from": p.referred_from.slug if p.referred_from_id else None,
            "round_count": p.round_count, "created_at": _local(p.created_at),
            "decided_at": _local(p.decided_at)}


def _policy_out(request, body: Body) -> dict:
    policy = queries.policy_of(body)
    current = queries.settings_of(body)
    return {
        "policy": {c.value: m.value for c, m in policy.items()},
        "allowed": {c.value: [m.value for m in rules.allowed_methods(m)]
                    for c, m in policy.items()},
        "concerned_veto_blocks": current.concerned_veto_blocks,
        "anonymous_ballots": current.anonymous_ballots,
        "star_group_size": current.star_group_size,
        "quorum_percent": current.quorum_percent,
        "threshold_percent": current.threshold_percent,
        "min_seniority_days": current.min_seniority_days,
        "min_participation_consent": current.min_participation_consent,
        "min_participation_consensus": current.min_participation_consensus,
        "max_proxies": current.max_proxies,
        "groups_need_ratification": None if body.kind == "network"
        else bool(getattr(body, "groups_need_ratification", False)),
        "decided_by": {key: p.pk for key, p in queries.policy_decisions(body).items()},
        "can_change": bool(permissions.can_propose(request.user, body)),
    }


def _proxy_out(p) -> dict:
    return {"id": p.pk, "round": p.round.number, "giver": p.giver.public_name,
            "holder": p.holder.public_name, "given_at": _local(p.given_at),
            "revoked_at": _local(p.revoked_at), "revoked_reason": p.revoked_reason}


def _meeting_proxy_out(p) -> dict:
    meeting = p.meeting
    tz = ZoneInfo(meeting.series.timezone)
    return {"id": p.pk, "meeting": {
                "series_id": meeting.series_id,
                "day": meeting.original_start.astimezone(tz).date(),
                "title": meeting.series.title, "starts_at": _local(meeting.starts_at)},
            "giver": p.giver.public_name, "holder": p.holder.public_name,
            "given_at": _local(p.given_at), "revoked_at": _local(p.revoked_at),
            "revoked_reason": p.revoked_reason, "open_votes": p.open_votes}


def _change_out(p: Proposal) -> dict | None:
    if not p.change_kind:
        return None
    return {"kind": p.change_kind, "params": p.change_params,
            "description": p.change_description, "applied_at": _local(p.change_applied_at),
            "not_applied_because": p.change_error or None}


def _round_out(r: Round) -> dict:
    closed = r.closed_at is not None
    return {"number": r.number, "text": r.text, "opened_at": _local(r.opened_at),
            "deadline": _local(r.deadline), "closed_at": _local(r.closed_at),
            "outcome": r.outcome or None, "eligible": r.eligible if closed else None,
            "result": r.result if closed else None}


def _star_group_out(g: StarGroup) -> dict:
    return {"id": g.pk, "round": g.debate.round.number, "number": g.number,
            "spokesperson": _name(g.spokesperson),
            "members": sorted(m.person.public_name for m in g.members.all()),
            "summary": g.summary, "summary_at": _local(g.summary_at)}


def _comment_out(c: Comment) -> dict:
    return {"id": c.pk, "author": _name(c.author), "text": c.text,
            "created_at": _local(c.created_at)}


def _position_out(p: Position) -> dict:
    return {"person": p.person.public_name, "stance": p.stance, "note": p.note,
            "reason": p.reason, "counter_proposal": p.counter_proposal,
            "updated_at": _local(p.updated_at)}


def _detail(request, proposal: Proposal) -> dict:
    """The proposal page as data: a fixed number of queries whatever the number of
    members and positions."""
    user, body = request.user, proposal.body
    page = queries.proposal_page(proposal, user)
    secret = queries.is_secret(proposal)
    shown = page.current or (page.rounds[-1] if page.rounds else None)
    numbers = {r.pk: r.number for r in page.rounds}
    mine = page.my_position
    is_author = user.is_authenticated and proposal.author_id == user.pk
    can_facilitate = bool(permissions.can_facilitate(user, body))
    given, held = queries.proxies_of(page.current or shown, user) \
        if proposal.method == rules.Method.MAJORITY else (None, [])
    return {
        "id": proposal.pk, "title": proposal.title, "text": proposal.text,
        "text_html": str(markdown.render(proposal.text)), "status": proposal.status,
        "decision_class": proposal.decision_class, "method": proposal.method,
        "required_method": queries.policy_of(body)[
            rules.DecisionClass(proposal.decision_class)].value,
        "body": body.slug, "body_name": body.name,
        "referred_from": proposal.referred_from.slug if proposal.referred_from_id else None,
        "author": _name(proposal.author), "concerned_person": _name(proposal.concerned_person),
        "agenda_item_id": proposal.agenda_item_id,
        "amends": sorted(proposal.amends.values_list("pk", flat=True)),
        "created_at": _local(proposal.created_at), "decided_at": _local(proposal.decided_at),
        "secret_ballot": secret,
        "rounds": [_round_out(r) for r in page.rounds],
        "current_round": page.current.number if page.current else None,
        "counts_round": shown.number if shown else None,
        "counts": page.counts, "positions_taken": sum(page.counts.values()),
        "eligible_count": page.eligible_count,
        "my_position": None if mine is None else {
            "round": numbers.get(mine.round_id), "stance": mine.stance, "note": mine.note,
            "reason": mine.reason, "counter_proposal": mine.counter_proposal,
            "updated_at": _local(mine.updated_at)},
        "positions": [] if secret else [_position_out(p) for p in page.positions],
        "not_positioned": [] if secret else [p.public_name for p in page.not_positioned],
        "not_positioned_count": page.not_positioned_count,
        "star_groups": [_star_group_out(g) for g in page.all_star_groups],
        "comments": [_comment_out(c) for c in page.comments],
        "events": [history.event_out(e) for e in page.events],
        "can_take_position": page.current is not None
        and bool(permissions.can_take_position(user, body)),
        "can_facilitate": can_facilitate,
        "can_revise": can_facilitate or is_author,
        "can_comment": bool(permissions.can_comment(user, body)),
        "change": _change_out(proposal), "proxies_count": len(page.proxies),
        "my_proxy": _proxy_out(given) if given else None,
        "proxies_held": [_proxy_out(p) for p in held],
    }


def _after_change(request, proposal_id: int) -> dict:
    return _detail(request, access.get_proposal_for(request.user, proposal_id))


def _decision_out(d: Decision) -> dict:
    result = d.round.result or {}
    return {"id": d.pk, "proposal_id": d.proposal_id, "body": d.body.slug,
            "body_name": d.body.name, "title": d.title, "decision_class": d.decision_class,
            "method": d.method, "outcome": d.outcome, "decided_at": _local(d.decided_at),
            "round": d.round.number, "participants": result.get("participants"),
            "eligible": result.get("eligible")}


# A body's proposals and policy -------------------------------------------------------

@router.get("/bodies/{slug}/proposals", response={200: list[ProposalSummary], **refusals(400, 404)},
            auth=public)
def list_proposals(request, slug: str, filters: Query[ListQuery]):
    """The body's proposals, newest first; `status` filters (open, postponed, amendable,
    adopted, withdrawn)."""
    body = access.get_body_for(request.user, slug)
    status = queries.check_choice(filters.status, StatusChoice, "status")
    # Explicit order: Meta.ordering does not apply to the annotated (GROUP BY) query.
    found = (queries.proposals_of(body, status or None).select_related("referred_from")
             .order_by("-created_at", "-pk"))
    return [_summary_out(p) for p in found[filters.offset:filters.offset + filters.limit]]


@router.post("/bodies/{slug}/proposals",
             response={201: ProposalDetail, **refusals(400, 403, 404, 409)})
def create_proposal(request, slug: str, payload: ProposalIn):
    """A member puts a proposal to the body; round 1 opens at once."""
    body = access.get_body_for(request.user, slug)
    method = queries.check_choice(payload.method or "", MethodChoice, "method")
    renamed = {"agenda_item": "agenda_item_id", "concerned_person": "concerned_person_id"}
    try:
        found = access.get_references_for(
            body, agenda_item_id=payload.agenda_item_id,
            concerned_person_id=payload.concerned_person_id, amends=payload.amends)
        proposal = services.create_proposal(
            actor=request.user, body=body, title=payload.title, text=payload.text,
            decision_class=payload.decision_class, method=method or None,
            deadline=_aware(payload.deadline, "deadline"), agenda_item=found.agenda_item,
            amends=found.amends, concerned_person=found.concerned_person)
    except DomainError as exc:
        raise _renamed(exc, renamed) from None
    return Status(201, _after_change(request, proposal.pk))


@router.get("/bodies/{slug}/decision-policy", response={200: PolicyOut, **refusals(404)},
            auth=public)
def get_policy(request, slug: str):
    """Which method each class of decision takes in the body, and how it decides."""
    return _policy_out(request, access.get_body_for(request.user, slug))


def _propose(request, body: Body, kind: str, params: dict, meta: ProposalChangeMeta):
    renamed = {"agenda_item": "agenda_item_id"}
    try:
        found = access.get_references_for(body, agenda_item_id=meta.agenda_item_id)
        proposal = services.propose_change(
            actor=request.user, body=body, kind=kind, params=params, title=meta.title,
            text=meta.text, agenda_item=found.agenda_item,
            deadline=_aware(meta.deadline, "deadline"))
    except DomainError as exc:
        raise _renamed(exc, renamed) from None
    return Status(201, _after_change(request, proposal.pk))


@router.post("/bodies/{slug}/decision-policy",
             response={201: ProposalDetail, **refusals(400, 403, 404, 409)})
def propose_policy(request, slug: str, payload: PolicyIn):
    """A member proposes to change the policy and settings (R16): a proposal of class
    "statutes" carrying the change (kind `decisions.policy`), decided by the method the
    policy gives that class; the change applies when it is adopted. Nobody changes the
    policy directly (there is no PUT). Fields left out, or equal to today's, are not
    part of the change; nothing different is refused (400)."""
    body = access.get_body_for(request.user, slug)
    params = payload.dict(exclude=set(ProposalChangeMeta.model_fields), exclude_none=True)
    return _propose(request, body, "decisions.policy", params, payload)


@router.post("/bodies/{slug}/changes/{kind}",
             response={201: ProposalDetail, **refusals(400, 403, 404, 409)})
def propose_change(request, slug: str, kind: str, payload: ProposalChangeIn):
    """A member proposes a change the body makes only by decision (core.effects: e.g.
    `decisions.policy`); 404 for a kind nobody registered. The proposal's class is the
    change's, its method the body's policy for that class; the change applies when the
    proposal is adopted."""
    body = access.get_body_for(request.user, slug)
    services.effect_of(kind)
    return _propose(request, body, kind, payload.params, payload)


@router.post("/proposals/{proposal_id}/proxies",
             response={201: ProxyOut, **refusals(400, 403, 404, 409)})
def give_proxy(request, proposal_id: int, payload: ProxyIn):
    """In a legal vote of a general meeting (never consensus nor consent), give one's vote
    in the open round to another member who votes (R16), within the statutes' limit of
    proxies one member holds; revocable until the vote closes; voting oneself ends it."""
    proposal = access.get_proposal_for(request.user, proposal_id)
    current = access.open_round(proposal)
    try:
        holder = access.get_voter(proposal, payload.holder_id)
        proxy = services.give_proxy(giver=request.user, round_id=current.pk, holder=holder)
    except DomainError as exc:
        raise _renamed(exc, {"holder": "holder_id"}) from None
    return Status(201, _proxy_out(proxy))


@router.post("/proxies/{proxy_id}/revoke",
             response={200: ProxyOut, **refusals(403, 404, 409)})
def revoke_proxy(request, proxy_id: int):
    """The giver revokes a proxy (or the holder declines it) until the vote closes."""
    access.get_proxy_for(request.user, proxy_id)
    proxy = services.revoke_proxy(actor=request.user, proxy_id=proxy_id)
    return _proxy_out(proxy)


def _one_meeting_proxy(meeting_proxy_id: int) -> dict:
    return _meeting_proxy_out(queries.meeting_proxies().get(pk=meeting_proxy_id))


@router.get("/bodies/{slug}/meeting-proxies",
            response={200: list[MeetingProxyOut], **refusals(403, 404)})
def list_meeting_proxies(request, slug: str):
    """The caller's proxies for the body's general meetings, given or held, newest first
    (at most 100); members only."""
    body = access.get_body_for(request.user, slug, may=permissions.can_take_position,
                               refusal=access.MEETING_PROXIES)
    return [_meeting_proxy_out(p) for p in queries.meeting_proxies_of(body, request.user)]


@router.post("/bodies/{slug}/meeting-proxies",
             response={201: MeetingProxyOut, **refusals(400, 403, 404, 409)})
def give_meeting_proxy(request, slug: str, payload: MeetingProxyIn):
    """Give one's vote in every legal vote of one general meeting of the body (a
    cooperative: a SCOP, a SCIC...) to another member who votes there (R16): the votes
    tied to that meeting (by their agenda item) open now, and those opened for it later.
    Consensus and consent are never covered. Refusals: 403 for non-members; 400 for a
    body without legal votes, a day the series does not meet ("series_id"/"day"), a
    holder who does not vote there, a chain of proxies, or a holder at the statutes'
    limit (`max_proxies`) at this meeting or in one of its open votes ("holder_id");
    409 when the meeting is over or cancelled, or the caller's proxy for it is already
    held."""
    body = access.get_body_for(request.user, slug)
    occurrence = access.find_occurrence_for(body, payload.series_id, payload.day.isoformat())
    try:
        given = services.give_meeting_proxy(giver=request.user, body=body,
                                            occurrence=occurrence,
                                            holder=access.find_person(payload.holder_id))
    except DomainError as exc:
        raise _renamed(exc, {"holder": "holder_id", "meeting": "day"}) from None
    return Status(201, _one_meeting_proxy(given.pk))


@router.post("/meeting-proxies/{meeting_proxy_id}/revoke",
             response={200: MeetingProxyOut, **refusals(403, 404, 409)})
def revoke_meeting_proxy(request, meeting_proxy_id: int):
    """The giver revokes a proxy for a meeting (or the holder declines it): it ends in
    the meeting's votes still open; closed votes stay as they were counted."""
    found = access.get_meeting_proxy_for(request.user, meeting_proxy_id)
    services.revoke_meeting_proxy(actor=request.user, meeting_proxy_id=found.pk)
    return _one_meeting_proxy(found.pk)


# One proposal ------------------------------------------------------------------------

@router.get("/proposals/{proposal_id}", response={200: ProposalDetail, **refusals(404)},
            auth=public)
def get_proposal(request, proposal_id: int):
    """The proposal with its rounds and their results, the open round's counts, who has
    not taken a position yet, the star debate and the discussion."""
    return _detail(request, access.get_proposal_for(request.user, proposal_id))


@router.post("/proposals/{proposal_id}/position",
             response={200: MyPositionOut, **refusals(400, 403, 404, 409)})
def take_position(request, proposal_id: int, payload: PositionIn):
    """Take or change one's position on the open round (members of the body only)."""
    proposal = access.get_proposal_for(request.user, proposal_id)
    current = access.open_round(proposal)
    position = services.take_position(
        person=request.user, round_id=current.pk, stance=payload.stance, note=payload.note,
        reason=payload.reason, counter_proposal=payload.counter_proposal)
    return {"round": current.number, "stance": position.stance, "note": position.note,
            "reason": position.reason, "counter_proposal": position.counter_proposal,
            "updated_at": _local(position.updated_at)}


@router.post("/proposals/{proposal_id}/close",
             response={200: ProposalDetail, **refusals(400, 403, 404, 409)})
def close_round(request, proposal_id: int):
    """A coordinator closes the open round; the rules decide its outcome."""
    proposal = access.get_proposal_for(request.user, proposal_id)
    services.close_round(actor=request.user, round_id=access.open_round(proposal).pk)
    return _after_change(request, proposal_id)


@router.post("/proposals/{proposal_id}/extend",
             response={200: ProposalDetail, **refusals(400, 403, 404, 409)})
def extend_round(request, proposal_id: int, payload: DeadlineIn):
    """A coordinator gives the open round more time (R15)."""
    proposal = access.get_proposal_for(request.user, proposal_id)
    current = access.open_round(proposal)
    services.extend_round(actor=request.user, round_id=current.pk,
                          deadline=_aware(payload.deadline, "deadline"))
    return _after_change(request, proposal_id)


@router.post("/proposals/{proposal_id}/revise",
             response={200: ProposalDetail, **refusals(400, 403, 404, 409)})
def revise(request, proposal_id: int, payload: RevisionIn):
    """The author or a coordinator publishes the revised text: the next round opens."""
    access.get_proposal_for(request.user, proposal_id)
    services.open_next_round(actor=request.user, proposal_id=proposal_id, text=payload.text,
                             deadline=_aware(payload.deadline, "deadline"))
    return _after_change(request, proposal_id)


@router.post("/proposals/{proposal_id}/withdraw",
             response={200: ProposalDetail, **refusals(400, 403, 404, 409)})
def withdraw(request, proposal_id: int):
    access.get_proposal_for(request.user, proposal_id)
    services.withdraw_proposal(actor=request.user, proposal_id=proposal_id)
    return _after_change(request, proposal_id)


@router.post("/proposals/{proposal_id}/refer",
             response={200: ProposalDetail, **refusals(400, 403, 404, 409)})
def refer(request, proposal_id: int):
    """A group refers the question to the body it belongs to, before anyone took a
    position (R1)."""
    proposal = access.get_proposal_for(request.user, proposal_id)
    services.refer_to_parent(actor=request.user, proposal=proposal)
    return _after_change(request, proposal_id)


@router.post("/proposals/{proposal_id}/comments",
             response={201: CommentOut, **refusals(400, 403, 404)})
def add_comment(request, proposal_id: int, payload: CommentIn):
    access.get_proposal_for(request.user, proposal_id)
    comment = services.add_comment(person=request.user, proposal_id=proposal_id,
                                   text=payload.text)
    return Status(201, _comment_out(comment))


@router.post("/star-groups/{group_id}/summary",
             response={200: StarGroupOut, **refusals(400, 403, 404, 409)})
def write_summary(request, group_id: int, payload: SummaryIn):
    """The group's spokesperson (or a coordinator) sends back its summary."""
    access.get_star_group_for(request.user, group_id)
    services.write_star_summary(person=request.user, group_id=group_id,
                                summary=payload.summary)
    group = (StarGroup.objects.select_related("debate__round", "spokesperson")
             .prefetch_related("members__person").get(pk=group_id))
    return _star_group_out(group)


# The register ------------------------------------------------------------------------

@router.get("/decisions", response={200: DecisionPage, **refusals(400)}, auth=public)
def register(request, filters: Query[RegisterQuery]):
    """Decisions of the bodies the caller may see (open bodies' are public), newest
    first, filtered by words, body, method, outcome and dates."""
    found = queries.register(request.user, **queries.register_filters(
        q=filters.q, body=filters.body, method=filters.method, outcome=filters.outcome,
        date_from=filters.date_from, date_to=filters.date_to))
    items = found[filters.offset:filters.offset + filters.limit]
    return {"count": found.count(), "limit": filters.limit, "offset": filters.offset,
            "items": [_decision_out(d) for d in items]}
