"""Every write about proposals and decisions. The outcome of a round is computed by
`rules.decide` when the round closes, and written with the round; nobody types it."""

from datetime import datetime, timedelta
from fractions import Fraction

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from autogestion.assemblies import services as assemblies
from autogestion.assemblies.models import Meeting
from autogestion.cooperatives import selectors
from autogestion.cooperatives.models import Body
from autogestion.cooperatives.rules import Kind
from autogestion.core import clock, history, registry
from autogestion.core.email import queue_email
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.notifications.models import Kind as NotificationKind
from autogestion.notifications.services import notify

from . import permissions, queries, rules, words
from .models import (
    ClassChoice,
    Comment,
    Decision,
    DecisionPolicy,
    DecisionSettings,
    MeetingProxy,
    MethodChoice,
    Notice,
    Position,
    PositionLog,
    Proposal,
    ProposalEvent,
    Proxy,
    Round,
    StanceChoice,
    StarDebate,
    StarGroup,
    StarGroupMember,
)
from .queries import eligible_memberships, policy_of, settings_of
from .rules import DecisionClass, Method, Outcome, ProposalStatus, Refusal

MAX_ROUND_DAYS = rules.MAX_ROUND_DAYS
# A proposal is read by every member before taking a position: longer texts belong in
# a linked document (and a megabyte of Markdown makes its page crawl).
MAX_PROPOSAL_TEXT = 20_000


def _message(refusal: Refusal) -> DomainError:
    code, details = refusal.code, refusal.details
    if code == "weaker_method":
        decision_class = details.get("required_class")
        return DomainError(_("In this body, “%(class)s” is decided by %(required)s at least: "
                             "choose %(allowed)s.") % {
            "class": ClassChoice(decision_class).label if decision_class else "",
            "required": MethodChoice(details["required"]).label,
            "allowed": _(" or ").join(str(MethodChoice(m).label)
                                      for m in rules.allowed_methods(details["required"]))},
            field="method")
    if code == "policy_against_law":
        return DomainError(_("Legal acts of a general meeting take a majority vote, as the "
                             "law requires, and only they do."), field="method")
    if code == "unknown_stance":
        return DomainError(_("The positions of a %(method)s are: %(stances)s.") % {
            "method": MethodChoice(details["method"]).label,
            "stances": ", ".join(str(StanceChoice(s).label)
                                 for s in rules.STANCES[details["method"]])}, field="stance")
    if code == "veto_needs_counter_proposal":
        return DomainError(_("A veto must come with a better proposal: write your "
                             "counter-proposal."), field="counter_proposal")
    if code == "veto_needs_reason":
        return DomainError(_("Say why you cannot live with this decision: a veto needs its "
                             "reason."), field="reason")
    if code == "objection_needs_reason":
        return DomainError(_("An objection needs its reason, so the proposal can be "
                             "amended."), field="reason")
    if code == "reservations_need_note":
        return DomainError(_("Write your reservations."), field="note")
    if code == "setting_out_of_bounds":
        return DomainError(_("“%(field)s” goes from %(low)s to %(high)s.")
                           % {"field": DecisionSettings._meta.get_field(details["name"])
                              .verbose_name, "low": details["low"], "high": details["high"]},
                           field=details["name"])
    if code == "setting_not_yes_or_no":
        return DomainError(_("Answer yes or no."), field=details["name"])
    if code == "unknown_setting":
        return DomainError(_("Unknown setting: %(name)s") % details, field=details["name"])
    if code == "majority_outside_general_meeting":
        return DomainError(_("Majority votes are for the general meeting of a cooperative."),
                           field="method")
    if code == "proxy_not_personal_method":
        return DomainError(_("Consensus and consent are personal: nobody takes a position "
                             "for another, so there is no proxy. Proxies are for the legal "
                             "votes of a general meeting."), field="holder")
    if code == "proxy_to_oneself":
        return DomainError(_("Give your proxy to another member."), field="holder")
    if code == "proxy_after_voting":
        return Conflict(_("You have voted in this round: your own vote counts, there is no "
                          "proxy to give."))
    if code == "proxy_chain":
        return DomainError(_("A proxy is not passed on: a member who gave their proxy holds "
                             "none, and a member who holds proxies votes in person."),
                           field="holder")
    if code == "meeting_proxy_no_legal_votes":
        return DomainError(_("Proxies for a meeting are for the legal votes of a "
                             "cooperative's general meeting (a SCOP, a SCIC...): this body "
                             "holds none, and consensus and consent are personal."),
                           field="meeting")
    if code == "proxy_limit":
        return DomainError(ngettext(
            "This member already holds %(limit)s proxy, the most the statutes allow: give "
            "yours to someone else.",
            "This member already holds %(limit)s proxies, the most the statutes allow: give "
            "yours to someone else.", details["limit"]) % details, field="holder")
    if code == "deadline_past":
        return DomainError(_("The deadline must be in the future."), field="deadline")
    if code == "deadline_too_far":
        return DomainError(_("A round lasts at most %(days)s days.") % details,
                           field="deadline")
    if code == "bad_transition":
        return Conflict(_("Not possible now: the proposal's status is “%(current)s”.")
                        % {"current": _status_label(details["current"])})
    if code == "bad_group_size":
        return DomainError(_("Star debate groups have 4 to 8 people."), field="group_size")
    if code in {"bad_threshold", "bad_quorum"}:
        return DomainError(_("The majority threshold is 50 to 99 % and the quorum 0 to 100 %."))
    if code == "college_weight_bounds":
        return DomainError(_("Each college weighs between 10 % and 50 % of the votes."),
                           field="colleges")
    if code == "college_weights_sum":
        return DomainError(_("The colleges' weights add up to %(total)s %%: they must make "
                             "100 %%.") % details, field="colleges")
    return DomainError(code)


def _status_label(status) -> str:
    from .models import StatusChoice

    return str(StatusChoice(status).label)


def _body_name(body) -> dict:
    return {"body": body.name}


# Policy and settings ----------------------------------------------------------------

def _checked_policy(policy: dict) -> dict[DecisionClass, Method]:
    checked = {}
    for decision_class, method in policy.items():
        field = f"policy.{decision_class}"
        try:
            chosen_class, chosen = DecisionClass(decision_class), Method(method)
        except ValueError:
            raise DomainError(_("Unknown class of decision or method."), field=field) from None
        try:
            rules.check_policy(chosen_class, chosen)
        except Refusal as refusal:
            error = _message(refusal)
            error.field = field
            raise error from None
        checked[chosen_class] = chosen
    return checked


def _check_settings(fields: dict) -> None:
    try:
        rules.check_settings(fields)
    except Refusal as refusal:
        raise _message(refusal) from None


def _apply_policy(body: Body, methods: dict[DecisionClass, Method], fields: dict) -> None:
    """Write checked methods and settings (the one writer of both: the founding and the
    `decisions.policy` effect)."""
    for decision_class, method in methods.items():
        DecisionPolicy.objects.update_or_create(
            body=body, decision_class=decision_class, defaults={"method": method})
    if fields:
        current = settings_of(body)
        for name, value in fields.items():
            setattr(current, name, value)
        current.save()


@transaction.atomic
def set_initial_policy(*, body: Body, policy: dict | None = None,
                       settings: dict | None = None) -> DecisionSettings:
    """A body's first rules, at its founding (the instance's shell, the demo): which
    method each class of decision takes (`policy`: class → method) and its settings.
    NOT PUBLIC: no page nor API endpoint reaches it, and it refuses once the body has a
    proposal. After that the rules change only by the body's own decisions (R16): a
    proposal carrying the `decisions.policy` change (see effects.py, propose_change).
    Everything is checked before anything is written."""
    if Proposal.objects.filter(body=body).exists():
        raise Conflict(_("%(body)s has started deciding: its rules now change only by its "
                         "own decisions (a proposal of class “statutes”).")
                       % _body_name(body))
    methods = _checked_policy(policy or {})
    fields = dict(settings or {})
    _check_settings(fields)
    _apply_policy(body, methods, fields)
    return settings_of(body)


# Proposals --------------------------------------------------------------------------

def _check_deadline(deadline: datetime | None, now: datetime) -> None:
    try:
        rules.check_deadline(deadline, now)
    except Refusal as refusal:
        raise _message(refusal) from None


def _check_majority_body(method: Method, body: Body) -> None:
    try:
        rules.check_majority_body(method, general_meeting=body.kind == Kind.COOPERATIVE)
    except Refusal as refusal:
        raise _message(refusal) from None


def _transition(proposal: Proposal, target: ProposalStatus, actor, reason: str = "",
                update_fields=()) -> ProposalEvent:
    """The one way a proposal changes status: checked against rules.PROPOSAL_TRANSITIONS,
    saved and written to its history (core.history) in one transaction."""
    return history.transition(
        proposal, target, allowed=rules.PROPOSAL_TRANSITIONS, event_model=ProposalEvent,
        subject="proposal", actor=actor, reason=reason, update_fields=update_fields,
        refusal=_("Not possible now: the proposal's status is “%(current)s”.")
        % {"current": _status_label(proposal.status)})


def _check_proposal_text(text: str) -> None:
    if len(text) > MAX_PROPOSAL_TEXT:
        raise DomainError(_("A proposal's text has at most %(max)s characters: shorten it, "
                            "or link to a longer document.")
                          % {"max": formats.number_format(MAX_PROPOSAL_TEXT, force_grouping=True)},
                          field="text")


@transaction.atomic
def create_proposal(*, actor, body: Body, title: str, text: str, decision_class: str,
                    method: str | None = None, deadline: datetime | None = None,
                    agenda_item=None, amends=(), concerned_person=None) -> Proposal:
    """A member puts a proposal to the body it belongs to (subsidiarity: the smallest
    body able to decide it). Round 1 opens at once."""
    if not permissions.can_propose(actor, body):
        raise PermissionDenied(_("Only members of %(body)s put proposals to it.")
                               % _body_name(body))
    if not body.accepts_activity:
        raise Conflict(_("%(body)s is dissolved: it takes no new proposals.")
                       % _body_name(body))
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise DomainError(_("Give the proposal a title."), field="title")
    if len(title) > 200:
        raise DomainError(_("Keep the title under 200 characters."), field="title")
    if not text:
        raise DomainError(_("Write the proposal's text."), field="text")
    _check_proposal_text(text)
    try:
        decision_class = DecisionClass(decision_class)
    except ValueError:
        raise DomainError(_("Choose the class of decision: %(classes)s.") % {
            "classes": ", ".join(str(c.label) for c in ClassChoice)},
            field="decision_class") from None
    required = policy_of(body)[decision_class]
    try:
        chosen = Method(method) if method else required
        rules.check_method(required, chosen)
    except ValueError:
        raise DomainError(_("Unknown method: choose consent, consensus or majority."),
                          field="method") from None
    except Refusal as refusal:
        refusal.details["required_class"] = decision_class
        raise _message(refusal) from None
    _check_majority_body(chosen, body)
    if decision_class == DecisionClass.EXCLUSION:
        if concerned_person is None:
            raise DomainError(_("Name the person whose exclusion is proposed."),
                              field="concerned_person")
        if not selectors.is_active_member(concerned_person, body):
            raise DomainError(_("%(person)s is not a member of %(body)s.")
                              % {"person": concerned_person.public_name, "body": body.name},
                              field="concerned_person")
    elif concerned_person is not None:
        concerned_person = None
    if agenda_item is not None and agenda_item.meeting.series.body_id != body.pk:
        raise DomainError(_("This agenda item belongs to another body's meeting."),
                          field="agenda_item")
    amended = list(amends)
    if any(p.body_id != body.pk or p.status != ProposalStatus.ADOPTED for p in amended):
        raise DomainError(_("A proposal can only amend adopted decisions of the same body."),
                          field="amends")
    now = clock.now()
    _check_deadline(deadline, now)
    proposal = Proposal.objects.create(
        body=body, title=title, text=text, decision_class=decision_class, method=chosen,
        author=actor, agenda_item=agenda_item, concerned_person=concerned_person)
    proposal.amends.set(amended)
    history.record(proposal, event_model=ProposalEvent, subject="proposal", actor=actor,
                   reason="round 1 opened")
    round_ = Round.objects.create(proposal=proposal, number=1, text=text, opened_at=now,
                                  deadline=deadline)
    _apply_meeting_proxies(round_, now)
    _notify_later(round_.pk, "round_open")
    return proposal


# Changes of the body's rules, made by its decisions (core.effects, R16) ----------------

def effect_of(kind: str):
    """The registered change of this kind (core.registry), or NotFound."""
    effect = registry.decision_effects().get(kind or "")
    if effect is None:
        raise NotFound(_("There is no such change: %(kind)s.") % {"kind": kind or "—"})
    return effect


@transaction.atomic
def propose_change(*, actor, body: Body, kind: str, params: dict, title: str = "",
                   text: str = "", agenda_item=None,
                   deadline: datetime | None = None) -> Proposal:
    """A member proposes a change of the body's rules: a proposal of the class the change
    needs, decided by the method the body's policy gives that class (never chosen by the
    proposer), carrying the change's kind and checked parameters. Round 1 opens at once
    (create_proposal). The change applies only when a round adopts it (close_round).

    A revision of the proposal (open_next_round) changes its text, never the change it
    carries: another change is another proposal (withdraw this one)."""
    if not permissions.can_propose(actor, body):
        raise PermissionDenied(_("Only members of %(body)s put proposals to it.")
                               % _body_name(body))
    effect = effect_of(kind)
    if not isinstance(params, dict):
        raise DomainError(_("Give the change's parameters."), field="params")
    cleaned = effect.check(actor, body, params)
    description = str(effect.describe(body, cleaned))
    proposal = create_proposal(
        actor=actor, body=body, title=(title or "").strip() or str(effect.title(body, cleaned)),
        text=(text or "").strip() or description, decision_class=effect.decision_class,
        method=None, deadline=deadline, agenda_item=agenda_item)
    proposal.change_kind, proposal.change_params = kind, cleaned
    proposal.change_description = description
    proposal.save(update_fields=["change_kind", "change_params", "change_description"])
    return proposal


def _apply_change(proposal: Proposal, decision: Decision, now: datetime) -> None:
    """Inside the transaction that adopts the proposal: check the change again (the world
    may have moved while the round was open) and apply it. When it cannot be applied the
    proposal stays adopted, the change is not made (its savepoint rolled back: nothing
    half written) and the reason is kept on the proposal and in its history."""
    try:
        with transaction.atomic():
            effect = effect_of(proposal.change_kind)
            cleaned = effect.check(None, proposal.body, proposal.change_params)
            effect.apply(proposal.body, cleaned, decision)
    except DomainError as exc:
        proposal.change_error = str(exc.message)[:2000] or "—"
        proposal.save(update_fields=["change_error"])
        reason = f"change not applied: {proposal.change_error}"
    else:
        proposal.change_applied_at = now
        proposal.save(update_fields=["change_applied_at"])
        reason = "change applied"
    ProposalEvent.objects.create(proposal=proposal, from_status=proposal.status,
                                 to_status=proposal.status, actor=None, at=now,
                                 reason=reason)


@transaction.atomic
def refer_to_parent(*, actor, proposal: Proposal) -> Proposal:
    """A group refers a question up to its parent body when it affects others (R1)."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("body__parent").get(
        pk=proposal.pk)
    body = proposal.body
    if not (permissions.can_facilitate(actor, body) or proposal.author_id == actor.pk):
        raise PermissionDenied(_("The author or a coordinator refers a proposal."))
    if body.kind != Kind.GROUP or body.parent is None:
        raise DomainError(_("Only a group refers a question to the body it belongs to."))
    current = proposal.rounds.filter(closed_at__isnull=True).first()
    if current is None or current.positions.exists() or proposal.rounds.count() > 1:
        raise Conflict(_("Refer a proposal before anyone takes a position on it."))
    # The parent decides by its own policy: never by a weaker method than it requires.
    required = policy_of(body.parent)[DecisionClass(proposal.decision_class)]
    if Method(proposal.method) not in rules.allowed_methods(required):
        proposal.method = required
    _check_majority_body(Method(proposal.method), body.parent)
    proposal.referred_from = body
    proposal.body = body.parent
    proposal.save(update_fields=["referred_from", "body", "method"])
    # Its status stays: the event says where it came from.
    ProposalEvent.objects.create(proposal=proposal, from_status=proposal.status,
                                 to_status=proposal.status, actor=actor, at=clock.now(),
                                 reason=f"referred from {body.slug}")
    _notify_later(current.pk, "round_open")
    return proposal


# Positions --------------------------------------------------------------------------

def _open_round(round_id: int) -> Round:
    round_ = (Round.objects.select_for_update().select_related("proposal__body")
              .filter(pk=round_id).first())
    if round_ is None:
        raise NotFound(_("There is no such round."))
    return round_


@transaction.atomic
def take_position(*, person, round_id: int, stance: str, note: str = "", reason: str = "",
                  counter_proposal: str = "") -> Position:
    """Take or change one's position until the round closes; every change is kept."""
    round_ = _open_round(round_id)
    proposal, body = round_.proposal, round_.proposal.body
    if not permissions.can_take_position(person, body):
        raise PermissionDenied(_("Only members of %(body)s take positions on its proposals.")
                               % _body_name(body))
    now = clock.now()
    if round_.closed_at is not None or (round_.deadline and now >= round_.deadline):
        raise Conflict(_("This round is closed: positions are no longer taken."))
    method = Method(proposal.method)
    membership = eligible_memberships(body, method, now).filter(person=person).first()
    if membership is None:
        if method == Method.MAJORITY and body.colleges.exists() \
                and not queries.is_in_a_college(person, body):
            raise PermissionDenied(_("Legal votes here are counted by college: you belong to "
                                     "none. Ask a coordinator to set your college."))
        raise PermissionDenied(_("You do not have voting rights yet: %(days)s days of "
                                 "membership are needed.")
                               % {"days": settings_of(body).min_seniority_days})
    entry = rules.PositionInput(stance=stance or "", note=note or "", reason=reason or "",
                                counter_proposal=counter_proposal or "")
    try:
        valid = rules.check_position(method, entry)
    except Refusal as refusal:
        raise _message(refusal) from None
    values = {"stance": valid, "note": entry.note.strip(), "reason": entry.reason.strip(),
              "counter_proposal": entry.counter_proposal.strip(),
              "college_id": membership.college_id, "updated_at": now, "proxy_holder": None}
    if method == Method.MAJORITY:
        # Voting in person ends the proxy one gave: one's own vote counts.
        _end_proxies(Proxy.objects.filter(round=round_, giver=person, revoked_at__isnull=True),
                     now, "voted in person")
    position, _created = Position.objects.update_or_create(round=round_, person=person,
                                                           defaults=values)
    PositionLog.objects.create(round=round_, person=person, stance=valid, note=values["note"],
                               reason=values["reason"],
                               counter_proposal=values["counter_proposal"], at=now)
    if method == Method.MAJORITY:
        _vote_for_givers(round_, person, valid, now)
    return position


# Proxies (R16): legal votes only -------------------------------------------------------

def _end_proxies(proxies, now: datetime, reason: str) -> None:
    """End these proxies; the votes cast through them go with them."""
    for proxy in proxies:
        proxy.revoked_at, proxy.revoked_reason = now, reason
        proxy.save(update_fields=["revoked_at", "revoked_reason"])
        Position.objects.filter(round_id=proxy.round_id, person_id=proxy.giver_id,
                                proxy_holder_id=proxy.holder_id).delete()


def _vote_for_givers(round_: Round, holder, stance: str, now: datetime) -> None:
    """The holder's vote counts for each member whose proxy they hold, in that member's
    college."""
    givers = list(Proxy.objects.filter(round=round_, holder=holder, revoked_at__isnull=True)
                  .values_list("giver_id", flat=True))
    if not givers:
        return
    colleges = dict(selectors.active_memberships(body=round_.proposal.body)
                    .filter(person_id__in=givers).values_list("person_id", "college_id"))
    for giver_id in givers:
        Position.objects.update_or_create(
            round=round_, person_id=giver_id,
            defaults={"stance": stance, "note": "", "reason": "", "counter_proposal": "",
                      "college_id": colleges.get(giver_id), "updated_at": now,
                      "proxy_holder": holder})


def _vote_is_open(round_: Round, now: datetime) -> None:
    if round_.closed_at is not None or (round_.deadline and now >= round_.deadline):
        raise Conflict(_("This vote is closed: proxies are given and revoked until it "
                         "closes."))


def _check_proxy_voters(entitled, giver, holder) -> None:
    """Both ends of a proxy vote in the general meeting (`entitled`: who votes there)."""
    if not entitled.filter(person=giver).exists():
        raise PermissionDenied(_("You do not vote in this general meeting, so you have no "
                                 "vote to give."))
    if holder is None or not entitled.filter(person=holder).exists():
        raise DomainError(_("A proxy goes to another member who votes in this general "
                          "meeting."), field="holder")


@transaction.atomic
def give_proxy(*, giver, round_id: int, holder) -> Proxy:
    """A member gives their vote in one legal vote of the general meeting to another
    member (R16), within the statutes' limit of proxies held by one member (the body's
    `max_proxies`, 1 by default). The holder's vote, cast before or after, counts for
    the giver too, until the giver revokes the proxy or votes in person (which ends
    it). Never for consensus or consent."""
    round_ = _open_round(round_id)  # locked: the proxies of one vote are given in turn
    proposal, body = round_.proposal, round_.proposal.body
    if not permissions.can_take_position(giver, body):
        raise PermissionDenied(_("Only members of %(body)s take positions on its proposals.")
                               % _body_name(body))
    method = Method(proposal.method)
    try:
        rules.check_proxy_method(method)
    except Refusal as refusal:
        raise _message(refusal) from None
    now = clock.now()
    _vote_is_open(round_, now)
    entitled = eligible_memberships(body, method, now)
    _check_proxy_voters(entitled, giver, holder)
    active = Proxy.objects.filter(round=round_, revoked_at__isnull=True)
    already = active.filter(giver=giver).select_related("holder").first()
    if already is not None:
        raise Conflict(_("Your proxy is already held by %(name)s: revoke it first.")
                       % {"name": already.holder.public_name})
    try:
        rules.check_proxy(
            method, giver=giver.pk, holder=holder.pk,
            held_by_holder=active.filter(holder=holder).count(),
            limit=settings_of(body).max_proxies,
            giver_voted=Position.objects.filter(round=round_, person=giver).exists(),
            holder_gave=active.filter(giver=holder).exists(),
            giver_holds=active.filter(holder=giver).exists())
    except Refusal as refusal:
        raise _message(refusal) from None
    proxy = Proxy.objects.create(round=round_, giver=giver, holder=holder, given_at=now)
    cast = Position.objects.filter(round=round_, person=holder).first()
    if cast is not None:
        _vote_for_givers(round_, holder, cast.stance, now)
    return proxy


@transaction.atomic
def revoke_proxy(*, actor, proxy_id: int) -> Proxy:
    """The giver takes their vote back (or the holder declines it) until the vote
    closes; a vote cast through it goes with it."""
    found = Proxy.objects.filter(pk=proxy_id).values_list("round_id", flat=True).first()
    if found is None:
        raise NotFound(_("There is no such proxy."))
    round_ = _open_round(found)
    proxy = Proxy.objects.select_related("giver", "holder").get(pk=proxy_id)
    if getattr(actor, "pk", None) not in (proxy.giver_id, proxy.holder_id):
        raise PermissionDenied(_("Only the member who gave a proxy, or who holds it, ends "
                                 "it."))
    if proxy.revoked_at is not None:
        raise Conflict(_("This proxy has already ended."))
    now = clock.now()
    _vote_is_open(round_, now)
    _end_proxies([proxy], now, "revoked" if actor.pk == proxy.giver_id else "declined")
    return proxy


# Proxies for a whole general meeting (R16) ---------------------------------------------

def _tied_meeting_id(round_: Round) -> int | None:
    """The meeting a round's vote is held at: the round's own, or its agenda item's."""
    if round_.meeting_id:
        return round_.meeting_id
    item = round_.proposal.agenda_item
    return item.meeting_id if item is not None else None


def _is_legal_vote(proposal: Proposal) -> bool:
    return (proposal.method == Method.MAJORITY
            and proposal.decision_class == DecisionClass.LEGAL_ACT)


def _meeting_rounds(meeting: Meeting, now: datetime) -> list[Round]:
    """The legal votes of the meeting's body tied to this meeting and still open,
    locked: their proxies are given in turn."""
    found = (Round.objects.select_for_update(of=("self",))
             .select_related("proposal__body", "proposal__agenda_item")
             .filter(closed_at__isnull=True, proposal__method=Method.MAJORITY,
                     proposal__decision_class=DecisionClass.LEGAL_ACT,
                     proposal__body_id=meeting.series.body_id)
             .filter(Q(meeting=meeting) | Q(proposal__agenda_item__meeting=meeting))
             .order_by("pk"))
    return [r for r in found if r.deadline is None or now < r.deadline]


def _covers(meeting_proxy: MeetingProxy, round_: Round, limit: int, entitled) -> bool:
    """Whether the proxy for the meeting becomes a proxy in this vote. Not when the giver
    has voted in person or given a proxy for this vote (their choice stands), nor when
    one of them no longer votes; a Refusal when it would break the rules of proxies
    (the holder's limit, a chain)."""
    giver, holder = meeting_proxy.giver_id, meeting_proxy.holder_id
    if entitled.filter(person_id__in=[giver, holder]).count() < 2:
        return False
    active = Proxy.objects.filter(round=round_, revoked_at__isnull=True)
    if active.filter(giver_id=giver).exists() \
            or Position.objects.filter(round=round_, person_id=giver).exists():
        return False
    rules.check_proxy(Method.MAJORITY, giver=giver, holder=holder,
                      held_by_holder=active.filter(holder_id=holder).count(), limit=limit,
                      giver_voted=False, holder_gave=active.filter(giver_id=holder).exists(),
                      giver_holds=active.filter(holder_id=giver).exists())
    return True


def _materialise(meeting_proxy: MeetingProxy, round_: Round, now: datetime) -> Proxy:
    """The proxy for this vote, made from the proxy for the meeting: it counts and ends
    like any other (voting in person ends it, for this vote only)."""
    proxy = Proxy.objects.create(round=round_, giver_id=meeting_proxy.giver_id,
                                 holder_id=meeting_proxy.holder_id, given_at=now,
                                 meeting_proxy=meeting_proxy)
    cast = Position.objects.filter(round=round_, person_id=meeting_proxy.holder_id).first()
    if cast is not None:
        _vote_for_givers(round_, meeting_proxy.holder, cast.stance, now)
    return proxy


def _apply_meeting_proxies(round_: Round, now: datetime) -> None:
    """A round opens: when it is a legal vote held at a meeting, the proxies given for
    that meeting become proxies in it. One that cannot (the holder at the statutes'
    limit, a member who no longer votes) does not apply to this vote: the giver votes,
    or gives a proxy for it."""
    proposal = round_.proposal
    if not _is_legal_vote(proposal):
        return
    meeting_id = _tied_meeting_id(round_)
    if meeting_id is None:
        return
    given = list(MeetingProxy.objects.filter(meeting_id=meeting_id, revoked_at__isnull=True,
                                             meeting__series__body_id=proposal.body_id)
                 .select_related("holder").order_by("given_at", "pk"))
    if not given:
        return
    limit = settings_of(proposal.body).max_proxies
    entitled = eligible_memberships(proposal.body, Method.MAJORITY, now)
    for meeting_proxy in given:
        try:
            if _covers(meeting_proxy, round_, limit, entitled):
                _materialise(meeting_proxy, round_, now)
        except Refusal:
            continue


@transaction.atomic
def give_meeting_proxy(*, giver, body: Body, occurrence, holder) -> MeetingProxy:
    """A member gives their vote in every legal vote of one general meeting of their
    cooperative (`occurrence`, an assemblies occurrence of `body`) to another member who
    votes there (R16): the votes tied to that meeting open now, and those opened for it
    later. Refused when it would put the holder above the statutes' limit (`max_proxies`)
    at this meeting or in any of its open votes; never for consensus or consent (they are
    not covered), and refused for a body that holds no legal votes."""
    if not permissions.can_take_position(giver, body):
        raise PermissionDenied(_("Only members of %(body)s give or hold proxies for its "
                                 "meetings.") % _body_name(body))
    try:
        rules.check_meeting_proxy_body(general_meeting=body.kind == Kind.COOPERATIVE)
    except Refusal as refusal:
        raise _message(refusal) from None
    if occurrence is None or occurrence.series.body_id != body.pk:
        raise DomainError(_("Choose one of the coming meetings of %(body)s.")
                          % _body_name(body), field="meeting")
    now = clock.now()
    if occurrence.cancelled:
        raise Conflict(_("This meeting is cancelled: there is no vote to give a proxy "
                         "for."))
    if occurrence.ends_at <= now:
        raise Conflict(_("This meeting is over: a proxy for it is given before it ends."))
    entitled = eligible_memberships(body, Method.MAJORITY, now)
    _check_proxy_voters(entitled, giver, holder)
    meeting = assemblies.ensure_meeting(occurrence, actor=giver)
    meeting = Meeting.objects.select_for_update().select_related("series").get(pk=meeting.pk)
    active = MeetingProxy.objects.filter(meeting=meeting, revoked_at__isnull=True)
    already = active.filter(giver=giver).select_related("holder").first()
    if already is not None:
        raise Conflict(_("Your proxy for this meeting is already held by %(name)s: revoke "
                         "it first.") % {"name": already.holder.public_name})
    limit = settings_of(body).max_proxies
    try:
        rules.check_proxy(
            Method.MAJORITY, giver=giver.pk, holder=holder.pk,
            held_by_holder=active.filter(holder=holder).count(), limit=limit,
            giver_voted=False, holder_gave=active.filter(giver=holder).exists(),
            giver_holds=active.filter(holder=giver).exists())
    except Refusal as refusal:
        raise _message(refusal) from None
    meeting_proxy = MeetingProxy.objects.create(meeting=meeting, giver=giver, holder=holder,
                                                given_at=now)
    for round_ in _meeting_rounds(meeting, now):
        try:
            if _covers(meeting_proxy, round_, limit, entitled):
                _materialise(meeting_proxy, round_, now)
        except Refusal as refusal:
            error = _message(refusal)
            raise type(error)(_("In the vote on “%(title)s”: %(reason)s")
                              % {"title": round_.proposal.title, "reason": error.message},
                              field=error.field) from None
    return meeting_proxy


@transaction.atomic
def revoke_meeting_proxy(*, actor, meeting_proxy_id: int) -> MeetingProxy:
    """The giver takes their vote back for the meeting (or the holder declines it): the
    proxies it made in votes still open end, with the votes cast through them; closed
    votes stay as they were counted."""
    meeting_proxy = (MeetingProxy.objects.select_for_update(of=("self",))
                     .select_related("giver", "holder", "meeting__series")
                     .filter(pk=meeting_proxy_id).first())
    if meeting_proxy is None:
        raise NotFound(_("There is no such proxy."))
    if getattr(actor, "pk", None) not in (meeting_proxy.giver_id, meeting_proxy.holder_id):
        raise PermissionDenied(_("Only the member who gave a proxy, or who holds it, ends "
                                 "it."))
    if meeting_proxy.revoked_at is not None:
        raise Conflict(_("This proxy has already ended."))
    now = clock.now()
    reason = "revoked" if actor.pk == meeting_proxy.giver_id else "declined"
    still_open = [p for p in Proxy.objects.select_for_update(of=("self",))
                  .select_related("round")
                  .filter(meeting_proxy=meeting_proxy, revoked_at__isnull=True,
                          round__closed_at__isnull=True).order_by("pk")
                  if p.round.deadline is None or now < p.round.deadline]
    _end_proxies(still_open, now, reason)
    meeting_proxy.revoked_at, meeting_proxy.revoked_reason = now, reason
    meeting_proxy.save(update_fields=["revoked_at", "revoked_reason"])
    return meeting_proxy


@transaction.atomic
def extend_round(*, actor, round_id: int, deadline: datetime) -> Round:
    """R15: consensus is built; the facilitator gives the round more time."""
    round_ = _open_round(round_id)
    body = round_.proposal.body
    if not permissions.can_facilitate(actor, body):
        raise PermissionDenied(_("Only coordinators of %(body)s extend a round.")
                               % _body_name(body))
    if round_.closed_at is not None:
        raise Conflict(_("This round is closed."))
    now = clock.now()
    _check_deadline(deadline, now)
    if round_.deadline and deadline <= round_.deadline:
        raise DomainError(_("Extending moves the deadline later than %(deadline)s.")
                          % {"deadline": formats.date_format(round_.deadline,
                                                             "DATETIME_FORMAT")},
                          field="deadline")
    round_.deadline = deadline
    round_.save(update_fields=["deadline"])
    return round_


def _context(round_: Round, now: datetime) -> rules.Context:
    proposal, body = round_.proposal, round_.proposal.body
    method = Method(proposal.method)
    body_settings = settings_of(body)
    weights = {}
    if method == Method.MAJORITY and body.kind == Kind.COOPERATIVE:
        weights = dict(body.colleges.values_list("pk", "weight_percent"))
    eligible = eligible_memberships(body, method, now, body_settings=body_settings,
                                    has_colleges=bool(weights))
    # One pass over the members gives both the total and the count per college.
    per_college = queries.count_by_college(eligible)
    try:
        rules.check_college_weights(weights)
        majority = rules.MajorityRule(
            threshold=Fraction(body_settings.threshold_percent, 100),
            qualified=body_settings.threshold_percent > 50,
            quorum=Fraction(body_settings.quorum_percent, 100))
    except Refusal as refusal:
        raise _message(refusal) from None
    minimum = {Method.CONSENT: body_settings.min_participation_consent,
               Method.CONSENSUS: body_settings.min_participation_consensus}.get(method, 0)
    return rules.Context(
        method=method, eligible=sum(per_college.values()),
        min_participation=Fraction(minimum, 100),
        concerned_person_id=proposal.concerned_person_id,
        concerned_veto_blocks=body_settings.concerned_veto_blocks, majority=majority,
        college_weights=weights,
        college_eligible={c: n for c, n in per_college.items() if c is not None})


def _result_json(result: rules.Result, by_proxy: int = 0) -> dict:
    return {
        "counts": result.counts, "participants": result.participants,
        "eligible": result.eligible, "blocking_vetoes": result.blocking_vetoes,
        "objections": result.objections,
        "yes_share": str(result.yes_share) if result.yes_share is not None else None,
        "by_college": [{**row, "share": str(row["share"]) if row["share"] is not None
                        else None} for row in result.by_college],
        "lines": [[code, values] for code, values in result.lines],
        "by_proxy": by_proxy,
    }


@transaction.atomic
def close_round(*, actor, round_id: int, meeting=None) -> Round:
    """Close a round (the facilitator, or the deadline) and decide it by the rules."""
    round_ = _open_round(round_id)
    proposal = Proposal.objects.select_for_update().get(pk=round_.proposal_id)
    round_.proposal = proposal
    body = proposal.body
    now = clock.now()
    if actor is not None and not permissions.can_facilitate(actor, body):
        raise PermissionDenied(_("Only coordinators of %(body)s close a round.")
                               % _body_name(body))
    if round_.closed_at is not None:
        raise Conflict(_("This round is already closed."))
    context = _context(round_, now)
    result = rules.decide(queries.count_positions(round_), context)
    round_.closed_at, round_.closed_by, round_.outcome = now, actor, result.outcome
    by_proxy = (Position.objects.filter(round=round_, proxy_holder__isnull=False).count()
                if context.method == Method.MAJORITY else 0)
    round_.eligible, round_.result = context.eligible, _result_json(result, by_proxy)
    round_.meeting = meeting
    round_.save()
    target = rules.status_after(Outcome(result.outcome))
    if target == ProposalStatus.ADOPTED:
        proposal.decided_at = now
    _transition(proposal, target, actor, reason=f"round {round_.number}: {result.outcome}",
                update_fields=("decided_at",))
    if result.outcome in (Outcome.ADOPTED, Outcome.REJECTED):
        decision = Decision.objects.create(
            proposal=proposal, round=round_, body=body, title=proposal.title,
            text=round_.text, decision_class=proposal.decision_class, method=proposal.method,
            outcome=result.outcome, decided_at=now, agenda_item=proposal.agenda_item,
            meeting=meeting or (proposal.agenda_item.meeting if proposal.agenda_item else None))
        if result.outcome == Outcome.ADOPTED and proposal.change_kind:
            _apply_change(proposal, decision, now)
    if result.outcome == Outcome.POSTPONED:
        _open_star_debate(round_)
    _notify_later(round_.pk, "outcome")
    return round_


def _open_star_debate(round_: Round) -> StarDebate:
    """The participants of the round, split into small groups mixing people of different
    working groups, each with a spokesperson. Written in three bulk inserts, whatever
    the number of participants."""
    body = round_.proposal.body
    size = settings_of(body).star_group_size
    participants = Position.objects.filter(round=round_).values("person_id")
    people = list(participants.values_list("person_id", flat=True))
    working_group = queries.working_groups_of(body, participants)
    try:
        groups = rules.star_groups([(p, working_group.get(p)) for p in people], size)
    except Refusal as refusal:
        raise _message(refusal) from None
    debate = StarDebate.objects.create(round=round_, group_size=size)
    created = StarGroup.objects.bulk_create([
        StarGroup(debate=debate, number=number, spokesperson_id=members[0])
        for number, members in enumerate(groups, start=1)])
    if not all(g.pk for g in created):  # backends that return no ids on bulk insert
        created = list(debate.groups.order_by("number"))
    StarGroupMember.objects.bulk_create([
        StarGroupMember(debate=debate, group=group, person_id=person)
        for group, members in zip(created, groups, strict=True) for person in members],
        batch_size=5000)
    return debate


@transaction.atomic
def write_star_summary(*, person, group_id: int, summary: str) -> StarGroup:
    group = (StarGroup.objects.select_for_update()
             .select_related("debate__round__proposal__body").filter(pk=group_id).first())
    if group is None:
        raise NotFound(_("There is no such group."))
    proposal = group.debate.round.proposal
    if group.spokesperson_id != person.pk and not permissions.can_facilitate(person,
                                                                              proposal.body):
        raise PermissionDenied(_("The group's spokesperson writes its summary."))
    if proposal.status != ProposalStatus.POSTPONED:
        raise Conflict(_("The star debate is over: a new round has opened."))
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(_("Write what the group concluded."), field="summary")
    group.summary, group.summary_at = summary, clock.now()
    group.save(update_fields=["summary", "summary_at"])
    return group


@transaction.atomic
def open_next_round(*, actor, proposal_id: int, text: str,
                    deadline: datetime | None = None) -> Round:
    """The author or a coordinator publishes the revised proposal: round n+1 opens."""
    proposal = (Proposal.objects.select_for_update().select_related("body")
                .filter(pk=proposal_id).first())
    if proposal is None:
        raise NotFound(_("There is no such proposal."))
    if not (proposal.author_id == getattr(actor, "pk", None)
            or permissions.can_facilitate(actor, proposal.body)):
        raise PermissionDenied(_("The author or a coordinator revises a proposal."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the revised proposal."), field="text")
    _check_proposal_text(text)
    now = clock.now()
    _check_deadline(deadline, now)
    last = proposal.rounds.order_by("-number").first()
    number = last.number + 1
    proposal.text = text
    _transition(proposal, ProposalStatus.OPEN, actor, reason=f"round {number} opened",
                update_fields=("text",))
    round_ = Round.objects.create(proposal=proposal, number=number, text=text,
                                  opened_at=now, deadline=deadline)
    _apply_meeting_proxies(round_, now)
    _notify_later(round_.pk, "round_open")
    return round_


@transaction.atomic
def withdraw_proposal(*, actor, proposal_id: int) -> Proposal:
    proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("There is no such proposal."))
    if not (proposal.author_id == getattr(actor, "pk", None)
            or permissions.can_facilitate(actor, proposal.body)):
        raise PermissionDenied(_("The author or a coordinator withdraws a proposal."))
    _transition(proposal, ProposalStatus.WITHDRAWN, actor, reason="withdrawn")
    now = clock.now()
    for round_ in proposal.rounds.filter(closed_at__isnull=True):
        round_.closed_at, round_.closed_by, round_.outcome = now, actor, Outcome.REJECTED
        round_.result = {"withdrawn": True}
        round_.save()
    return proposal


@transaction.atomic
def add_comment(*, person, proposal_id: int, text: str) -> Comment:
    proposal = Proposal.objects.select_related("body").filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("There is no such proposal."))
    if not permissions.can_comment(person, proposal.body):
        raise PermissionDenied(_("Only members of %(body)s discuss its proposals.")
                               % _body_name(proposal.body))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write your comment."), field="text")
    if len(text) > 10_000:
        raise DomainError(_("Keep a comment under 10,000 characters."), field="text")
    return Comment.objects.create(proposal=proposal, author=person, text=text)


# Deadlines and e-mails ----------------------------------------------------------------

def close_due_rounds(now: datetime | None = None) -> int:
    """Close every round whose deadline has passed (the worker runs this)."""
    now = now or clock.now()
    closed = 0
    for round_id in Round.objects.filter(closed_at__isnull=True, deadline__lte=now) \
            .values_list("pk", flat=True):
        try:
            close_round(actor=None, round_id=round_id)
            closed += 1
        except Conflict:
            continue  # closed meanwhile by a facilitator
    return closed


# What a round's notice says, in the reader's language: the e-mail's subject and the
# in-app notification's title (both translated per person, hence gettext_noop).
NOTICE_SUBJECTS = {
    "round_open": gettext_noop("New round on “%(title)s” (%(body)s)"),
    "closing_soon": gettext_noop("The round on “%(title)s” closes on %(deadline)s: take "
                                 "your position"),
    "outcome": gettext_noop("Outcome of “%(title)s”: %(outcome)s"),
}
NOTICE_TEXTS = {
    "round_open": gettext_noop("%(body)s — round %(number)s is open until %(deadline)s."),
    "round_open_no_deadline": gettext_noop("%(body)s — round %(number)s is open until a "
                                           "facilitator closes it."),
    "closing_soon": gettext_noop("You have not taken a position yet."),
    "outcome": gettext_noop("%(body)s — round %(number)s is closed."),
}
NOTIFICATION_KINDS = {"round_open": NotificationKind.ROUND_OPEN,
                      "closing_soon": NotificationKind.ROUND_CLOSING,
                      "outcome": NotificationKind.ROUND_OUTCOME}


def _notify_later(round_id: int, kind: str) -> None:
    """E-mails to the whole body leave from the task worker, after commit: a facilitator
    closing a round of a thousand members does not wait for a thousand e-mails."""
    from .tasks import notify_round_task

    transaction.on_commit(lambda: notify_round_task.enqueue(round_id, kind))


def _language(person) -> str:
    return person.language or settings.LANGUAGE_CODE


def _notice_params(round_: Round, kind: str, person) -> dict:
    """The words filling a notice, for `person`: in the active language (the caller's
    translation.override), the deadline in their zone."""
    from .models import OutcomeChoice

    proposal = round_.proposal
    return {"title": proposal.title, "body": proposal.body.name, "number": round_.number,
            "outcome": str(OutcomeChoice(round_.outcome).label) if round_.outcome else "",
            "deadline": words.moment_for(round_.deadline, person) if round_.deadline else ""}


def _notice_text(round_: Round, kind: str) -> str:
    if kind == "round_open" and round_.deadline is None:
        return NOTICE_TEXTS["round_open_no_deadline"]
    return NOTICE_TEXTS[kind]


def notify_round(round_id: int, kind: str, people=None) -> int:
    """Tell the members concerned about a round (`kind`: round_open, closing_soon,
    outcome). Everyone concerned gets the in-app notification (pushed to the devices of
    those who opted in, notifications app); those who take e-mail reminders get the
    e-mail too. `people`: those concerned, by default every active member of the body.
    Each person is told once per round and kind (the Notice log); returns how many were
    told now."""
    round_ = Round.objects.select_related("proposal__body").filter(pk=round_id).first()
    if round_ is None:
        return 0
    body = round_.proposal.body
    if people is None:
        people = queries.members_concerned(body)
    with transaction.atomic():
        # Two runs at once (a task and the scheduler, two workers): the second waits for
        # the first's log, so nobody is told twice.
        Round.objects.select_for_update().filter(pk=round_.pk).first()
        already = set(Notice.objects.filter(round=round_, kind=kind)
                      .values_list("person_id", flat=True))
        fresh = [p for p in people if p.pk not in already]
        # The log first (one insert; a concurrent run's rows are skipped), then the
        # notifications and the e-mails (both leave after commit).
        Notice.objects.bulk_create([Notice(round=round_, person=p, kind=kind) for p in fresh],
                                   ignore_conflicts=True, batch_size=2000)
        _notify_in_app(round_, kind, fresh)
        for person in fresh:
            if person.email_reminders:
                queue_email(_notice_email(round_, kind, person))
    return len(fresh)


def _notify_in_app(round_: Round, kind: str, people: list) -> None:
    """One `notify` per language and time zone: the outcome's label and the deadline are
    written for each reader, the message itself is translated by `notify`."""
    readers: dict[tuple[str, str], list] = {}
    for person in people:
        readers.setdefault((_language(person), str(clock.zone_of(person))), []).append(person)
    url = round_.proposal.get_absolute_url()
    for (language, _zone), group in readers.items():
        with translation.override(language):
            params = _notice_params(round_, kind, group[0])
        notify(group, NOTIFICATION_KINDS[kind], title=NOTICE_SUBJECTS[kind],
               body=_notice_text(round_, kind), params=params, url=url)


def _notice_email(round_: Round, kind: str, person) -> EmailMessage:
    proposal = round_.proposal
    with translation.override(_language(person)):
        params = _notice_params(round_, kind, person)
        subject = _(NOTICE_SUBJECTS[kind]) % params
        body = render_to_string("decisions/email/notice.txt", {
            "round": round_, "proposal": proposal, "kind": kind, "person": person,
            "outcome": params["outcome"], "deadline": params["deadline"],
            "explanation": words.explain(round_.result) if kind == "outcome" else [],
            "url": settings.AUTOGESTION_SITE_URL + proposal.get_absolute_url()})
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])


def send_round_reminders(now: datetime | None = None) -> int:
    """The day before a deadline, remind those who have not taken a position (R15)."""
    now = now or clock.now()
    queued = 0
    for round_ in Round.objects.filter(closed_at__isnull=True, deadline__gt=now,
                                       deadline__lte=now + timedelta(days=1)) \
            .select_related("proposal__body"):
        positioned = Position.objects.filter(round=round_).values("person_id")
        people = queries.members_concerned(round_.proposal.body).exclude(pk__in=positioned)
        if round_.proposal.method == Method.MAJORITY:
            # "Take your position" only to those who can: voting rights (seniority,
            # college), and not those whose vote a proxy already carries.
            voters = queries.eligible_memberships(round_.proposal.body, Method.MAJORITY, now)
            people = people.filter(pk__in=voters.values("person_id")).exclude(
                pk__in=Proxy.objects.filter(round=round_, revoked_at__isnull=True)
                .values("giver_id"))
        queued += notify_round(round_.pk, "closing_soon", people)
    return queued


def periodic() -> None:
    close_due_rounds()
    send_round_reminders()
