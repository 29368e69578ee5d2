"""Pages of proposals: the body's proposals, a proposal with its rounds, positions, star
debate and discussion; coordinators' actions. Thin: find, check, call one service."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from autogestion.assemblies.rules import localize
from autogestion.core import clock, markdown
from autogestion.core.confirm import needs_confirmation
from autogestion.core.errors import DomainError
from autogestion.core.formats import percent_text

from . import access, permissions, queries, rules, services
from .forms import (
    ChangeProposalForm,
    CommentForm,
    MeetingProxyForm,
    PositionForm,
    ProposalForm,
    ProxyForm,
    RevisionForm,
)
from .models import ClassChoice, DecisionSettings, MethodChoice, OutcomeChoice, StanceChoice
from .words import explain


def body_proposals(request, slug):
    body = access.get_body_for(request.user, slug)
    return render(request, "decisions/body_proposals.html", {
        "body": body, "proposals": queries.proposals_of(body),
        "can_propose": permissions.can_propose(request.user, body),
        "can_facilitate": permissions.can_facilitate(request.user, body),
        "policy": [(ClassChoice(c).label, MethodChoice(m).label)
                   for c, m in queries.policy_of(body).items()]})


def _college_rows(body, result: dict | None) -> list[dict]:
    if not result or not result.get("by_college"):
        return []
    names = dict(body.colleges.values_list("pk", "name"))
    return [{**row, "name": names.get(row["college_id"], row["college_id"])}
            for row in result["by_college"]]


def _stance_choices(method) -> list[tuple[str, str]]:
    return [(s.value, StanceChoice(s).label) for s in rules.STANCES[rules.Method(method)]]


@login_required
def new_proposal(request, slug):
    body = access.get_body_for(request.user, slug, may=permissions.can_propose,
                               refusal=access.PROPOSE)
    items = _agenda_items(body, request.GET.get("agenda_item", ""))
    form = ProposalForm(request.POST or None, agenda_items=items,
                        initial={"agenda_item": request.GET.get("agenda_item", "")})
    members = queries.members_for_form(body)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        deadline = _in_zone(data["deadline"])
        try:
            found = access.get_references_for(
                body, concerned_person_id=data["concerned_person"] or None,
                agenda_item_id=data["agenda_item"])
            proposal = services.create_proposal(
                actor=request.user, body=body, title=data["title"], text=data["text"],
                decision_class=data["decision_class"], method=data["method"] or None,
                deadline=deadline, concerned_person=found.concerned_person,
                agenda_item=found.agenda_item)
        except DomainError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            return render(request, "decisions/proposal_form.html",
                          {"body": body, "form": form, "members": members,
                           "error": exc.message}, status=exc.status)
        messages.success(request, _("Proposal published: round 1 is open."))
        return redirect(proposal)
    status = 400 if request.method == "POST" else 200
    return render(request, "decisions/proposal_form.html",
                  {"body": body, "form": form, "members": members,
                   "policy": queries.policy_of(body)}, status=status)


def _agenda_items(body, wanted: str = "") -> list:
    """The upcoming agenda items a proposal may be tied to; with the one asked for in the
    address (?agenda_item=) when it is one of the body's, even if not upcoming."""
    items = list(queries.upcoming_agenda_items(body))
    if wanted.isdigit() and all(str(item.pk) != wanted for item in items):
        try:
            found = access.get_references_for(body, agenda_item_id=int(wanted)).agenda_item
        except DomainError:
            found = None
        if found is not None:
            items.insert(0, found)
    return items


def _scop_warnings(proposal) -> list[str]:
    """The employee-share warnings of a SCOP's legal vote (the cooperatives app)."""
    body = proposal.body
    if proposal.decision_class != rules.DecisionClass.LEGAL_ACT or body.legal_form != "scop":
        return []
    from autogestion.cooperatives.queries import scop_share_warnings

    return list(scop_share_warnings(body))


def _close_question(proposal, current) -> str:
    found = queries.participation(proposal, current)
    question = ngettext("Close the round and decide? %(positions)s of %(eligible)s members "
                        "has taken a position.",
                        "Close the round and decide? %(positions)s of %(eligible)s members "
                        "have taken a position.", found["positions"]) % found
    if found["below"]:
        question += " " + _("That is below the minimum of %(minimum)s: the round will "
                            "decide nothing.") % {"minimum": percent_text(found["minimum"])}
    return question


WITHDRAW_QUESTION = gettext_lazy("Withdraw the proposal? It will not be decided; to "
                                 "decide it later, it must be proposed again.")


def _primary_label(proposal, positioned: bool) -> str:
    if proposal.method == rules.Method.MAJORITY:
        return _("Change my vote") if positioned else _("Vote")
    return _("Change my position") if positioned else _("Take a position")


def _context(request, proposal, **extra) -> dict:
    page = queries.proposal_page(proposal, request.user)
    body = proposal.body
    can_position = (page.current is not None
                    and permissions.can_take_position(request.user, body))
    initial = {}
    positioned = page.my_position is not None and page.current is not None \
        and page.my_position.round_id == page.current.pk
    if positioned:
        mine = page.my_position
        initial = {"stance": mine.stance, "note": mine.note, "reason": mine.reason,
                   "counter_proposal": mine.counter_proposal}
    last = page.rounds[-1] if page.rounds else None
    given, held = queries.proxies_of(page.current, request.user) \
        if proposal.method == rules.Method.MAJORITY else (None, [])
    can_facilitate = permissions.can_facilitate(request.user, body)
    context = {
        "proposal": proposal, "body": body, "page": page,
        "text_html": markdown.render(proposal.text),
        "last_round": last,
        "result": last.result if last and last.closed_at else None,
        "explanation": explain(last.result) if last and last.closed_at else [],
        "counts": [(StanceChoice(stance).label, n) for stance, n in page.counts.items()],
        "college_rows": _college_rows(body, last.result if last and last.closed_at else None),
        "can_position": can_position,
        # The page's primary action (on a phone's first screen): to the position form.
        "primary_label": _primary_label(proposal, positioned),
        "can_facilitate": permissions.can_facilitate(request.user, body),
        "can_revise": permissions.can_facilitate(request.user, body)
        or (request.user.is_authenticated and proposal.author_id == request.user.pk),
        "can_comment": permissions.can_comment(request.user, body),
        "position_form": PositionForm(initial=initial,
                                      stances=_stance_choices(proposal.method)),
        "comment_form": CommentForm(), "revision_form": RevisionForm(
            initial={"text": proposal.text}),
        "method_label": MethodChoice(proposal.method).label,
        "class_label": ClassChoice(proposal.decision_class).label,
        "required_method": MethodChoice(queries.policy_of(body)[
            rules.DecisionClass(proposal.decision_class)]).label,
        "secret": queries.is_secret(proposal),
        "earlier": [(r, explain(r.round.result) if r.round.closed_at else [],
                     [(StanceChoice(s).label, n) for s, n in r.counts.items()])
                    for r in page.earlier],
        "proxy_given": given, "proxies_held": held,
        "proxy_form": ProxyForm(members=queries.voters_for_proxy(proposal, request.user))
        if can_position and proposal.method == rules.Method.MAJORITY and given is None
        and not held else None,
        "close_question": _close_question(proposal, page.current)
        if page.current is not None and can_facilitate else "",
        "withdraw_question": WITHDRAW_QUESTION,
        "scop_warnings": _scop_warnings(proposal),
    }
    context.update(extra)
    return context


def proposal_detail(request, proposal_id):
    proposal = access.get_proposal_for(request.user, proposal_id)
    return render(request, "decisions/proposal_detail.html", _context(request, proposal))


def not_positioned(request, proposal_id):
    """The live list of who has not taken a position yet (R15), refreshed by htmx."""
    proposal = access.get_proposal_for(request.user, proposal_id)
    secret = queries.is_secret(proposal)
    return render(request, "decisions/_not_positioned.html",
                  {"page": queries.proposal_page(proposal, request.user), "secret": secret})


def _refused(request, proposal, exc: DomainError, **extra):
    return render(request, "decisions/proposal_detail.html",
                  _context(request, proposal, error=exc.message, **extra), status=exc.status)


@login_required
@require_POST
def take_position(request, proposal_id):
    proposal = access.get_proposal_for(request.user, proposal_id)
    form = PositionForm(request.POST, stances=_stance_choices(proposal.method))
    try:
        current = access.open_round(proposal)
    except DomainError as exc:
        return _refused(request, proposal, exc)
    if not form.is_valid():
        return render(request, "decisions/proposal_detail.html",
                      _context(request, proposal, position_form=form), status=400)
    try:
        services.take_position(person=request.user, round_id=current.pk, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, proposal, exc, position_form=form)
    messages.success(request, _("Your position is recorded; you may change it until the "
                                "round closes."))
    return redirect(proposal.get_absolute_url() + "#round")


@login_required
@require_POST
def comment(request, proposal_id):
    proposal = access.get_proposal_for(request.user, proposal_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render(request, "decisions/proposal_detail.html",
                      _context(request, proposal, comment_form=form), status=400)
    try:
        services.add_comment(person=request.user, proposal_id=proposal.pk,
                             text=form.cleaned_data["text"])
    except DomainError as exc:
        return _refused(request, proposal, exc)
    return redirect(proposal.get_absolute_url() + "#discussion")


def _deadline(raw: str):
    """An aware datetime from a datetime-local field, None when empty."""
    if not raw:
        return None
    try:
        value = forms.DateTimeField().clean(raw)
    except ValidationError:
        raise DomainError(_("Write the deadline as a date and a time."),
                          field="deadline") from None
    return _in_zone(value)


def _in_zone(moment):
    """A wall-clock time typed in a form is in the platform's zone (as in the API)."""
    if moment is not None and timezone.is_naive(moment):
        return localize(moment, clock.zone())
    return moment


def _confirmation(request, proposal, action: str, current):
    """Closing a round and withdrawing a proposal are asked again (core.confirm), of
    those who may do it: the others get the service's refusal at once."""
    user, body = request.user, proposal.body
    if action == "close" and permissions.can_facilitate(user, body):
        return needs_confirmation(request, _close_question(proposal, current),
                                  cancel=proposal)
    if action == "withdraw" and (proposal.author_id == user.pk
                                 or permissions.can_facilitate(user, body)) \
            and proposal.status not in (rules.ProposalStatus.ADOPTED,
                                        rules.ProposalStatus.WITHDRAWN):
        return needs_confirmation(request, WITHDRAW_QUESTION, cancel=proposal)
    return None


@login_required
@require_POST
def manage(request, proposal_id):
    proposal = access.get_proposal_for(request.user, proposal_id)
    action = request.POST.get("action", "")
    user = request.user
    try:
        if action in {"close", "extend"}:
            current = access.open_round(proposal)
        if page := _confirmation(request, proposal, action,
                                 current if action == "close" else None):
            return page
        if action == "close":
            round_ = services.close_round(actor=user, round_id=current.pk)
            done = _("Round %(n)s closed: %(outcome)s.") % {
                "n": round_.number, "outcome": round_.get_outcome_display()}
        elif action == "extend":
            deadline = _deadline(request.POST.get("deadline", ""))
            if deadline is None:
                raise DomainError(_("Give the new deadline."), field="deadline")
            services.extend_round(actor=user, round_id=current.pk, deadline=deadline)
            done = _("Round extended.")
        elif action == "revise":
            form = RevisionForm(request.POST)
            if not form.is_valid():
                return render(request, "decisions/proposal_detail.html",
                              _context(request, proposal, revision_form=form), status=400)
            deadline = form.cleaned_data["deadline"]
            deadline = _in_zone(deadline)
            round_ = services.open_next_round(actor=user, proposal_id=proposal.pk,
                                              text=form.cleaned_data["text"], deadline=deadline)
            done = _("Round %(n)s is open on the revised proposal.") % {"n": round_.number}
        elif action == "withdraw":
            services.withdraw_proposal(actor=user, proposal_id=proposal.pk)
            done = _("Proposal withdrawn.")
        elif action == "refer":
            services.refer_to_parent(actor=user, proposal=proposal)
            done = _("Proposal referred to the body this group belongs to.")
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as exc:
        return _refused(request, proposal, exc)
    messages.success(request, done)
    return redirect(proposal.get_absolute_url())


@login_required
@require_POST
def star_summary(request, group_id):
    group = access.get_star_group_for(request.user, group_id)
    proposal = group.debate.round.proposal
    try:
        services.write_star_summary(person=request.user, group_id=group.pk,
                                    summary=request.POST.get("summary", ""))
    except DomainError as exc:
        return _refused(request, proposal, exc)
    messages.success(request, _("Summary sent."))
    return redirect(proposal.get_absolute_url() + "#star-debate")


POLICY_KIND = "decisions.policy"
# The proposal's fields share a page with the change's own: their ids must not meet
# (a label tied to the wrong field leaves the other unlabelled).
PROPOSAL_IDS = "proposal_%s"


def _policy_rows(body) -> tuple[list, list]:
    """The body's rules now, each with the decision that last changed it (if any)."""
    by_decision = queries.policy_decisions(body)
    policy = queries.policy_of(body)
    methods = [(ClassChoice(c).label, MethodChoice(m).label, by_decision.get(f"policy.{c}"))
               for c, m in policy.items()]
    current = queries.settings_of(body)
    settings_rows = []
    for name in (*rules.SETTING_BOUNDS, *rules.SETTING_SWITCHES):
        value = getattr(current, name)
        if isinstance(value, bool):
            value = _("yes") if value else _("no")
        settings_rows.append((DecisionSettings._meta.get_field(name).verbose_name, value,
                              by_decision.get(name)))
    if body.kind != "network":
        settings_rows.append((_("groups founded inside this body wait for its ratification"),
                              _("yes") if getattr(body, "groups_need_ratification", False)
                              else _("no"), by_decision.get("groups_need_ratification")))
    return methods, settings_rows


@require_GET
def policy(request, slug):
    """How the body decides, and which decision set each rule. Nobody changes it here:
    the form proposes the change to the body (R16), posted to the changes page."""
    body = access.get_body_for(request.user, slug)
    methods, settings_rows = _policy_rows(body)
    can_propose = permissions.can_propose(request.user, body)
    return render(request, "decisions/policy.html", {
        "body": body, "methods": methods, "settings_rows": settings_rows,
        "statutes_method": MethodChoice(queries.policy_of(body)[
            rules.DecisionClass.STATUTES]).label,
        "can_propose": can_propose, "kind": POLICY_KIND,
        "form": import_string(services.effect_of(POLICY_KIND).form)(body=body)
        if can_propose else None,
        "proposal_form": ChangeProposalForm(agenda_items=queries.upcoming_agenda_items(body),
                                            auto_id=PROPOSAL_IDS)
        if can_propose else None})


def _change_effect(kind: str):
    """The registered change with a page form; 404 otherwise."""
    try:
        effect = services.effect_of(kind)
    except DomainError:
        raise Http404(_("There is no such change.")) from None
    if not effect.form:
        raise Http404(_("This change has no page: propose it through the API."))
    return effect


@login_required
def propose_change(request, slug, kind):
    """Any change a body makes only by decision (core.effects): its form, and on a valid
    POST a proposal carrying it (services.propose_change)."""
    effect = _change_effect(kind)
    body = access.get_body_for(request.user, slug, may=permissions.can_propose,
                               refusal=access.PROPOSE)
    data = request.POST if request.method == "POST" else None
    items = _agenda_items(body, request.GET.get("agenda_item", ""))
    # Links may preset a field of the change ("?currency=oseille" from a currency page).
    form = import_string(effect.form)(data, body=body, initial=request.GET.dict())
    about = ChangeProposalForm(data, agenda_items=items, auto_id=PROPOSAL_IDS,
                               initial={"agenda_item": request.GET.get("agenda_item", "")})
    context = {"body": body, "kind": kind, "form": form, "proposal_form": about,
               "class_label": ClassChoice(effect.decision_class).label,
               "method_label": MethodChoice(queries.policy_of(body)[
                   rules.DecisionClass(effect.decision_class)]).label}
    if data is None:
        return render(request, "decisions/change_form.html", context)
    if not (form.is_valid() and about.is_valid()):
        return render(request, "decisions/change_form.html", context, status=400)
    extra = about.cleaned_data
    try:
        found = access.get_references_for(body, agenda_item_id=extra["agenda_item"])
        proposal = services.propose_change(
            actor=request.user, body=body, kind=kind, params=form.cleaned_data,
            title=extra["title"], text=extra["text"], agenda_item=found.agenda_item,
            deadline=_in_zone(extra["deadline"]))
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        return render(request, "decisions/change_form.html",
                      {**context, "error": exc.message}, status=exc.status)
    messages.success(request, _("Change proposed: round 1 is open. It applies when the "
                                "body adopts it."))
    return redirect(proposal)


@login_required
@require_POST
def give_proxy(request, proposal_id):
    proposal = access.get_proposal_for(request.user, proposal_id)
    try:
        current = access.open_round(proposal)
        form = ProxyForm(request.POST,
                         members=queries.voters_for_proxy(proposal, request.user))
        if not form.is_valid():
            raise DomainError(_("Choose a member who votes in this general meeting."),
                              field="holder")
        holder = access.get_voter(proposal, form.cleaned_data["holder"])
        services.give_proxy(giver=request.user, round_id=current.pk, holder=holder)
    except DomainError as exc:
        return _refused(request, proposal, exc)
    messages.success(request, _("Your proxy is given: %(name)s's vote counts for you too, "
                                "until you revoke it or vote yourself.")
                     % {"name": holder.public_name})
    return redirect(proposal.get_absolute_url() + "#proxies")


@login_required
@require_POST
def revoke_proxy(request, proxy_id):
    proxy = access.get_proxy_for(request.user, proxy_id)
    proposal = proxy.round.proposal
    try:
        services.revoke_proxy(actor=request.user, proxy_id=proxy.pk)
    except DomainError as exc:
        return _refused(request, proposal, exc)
    messages.success(request, _("The proxy has ended."))
    return redirect(proposal.get_absolute_url() + "#proxies")


def _meeting_proxies_page(request, body, form=None, *, error=None, status=200):
    is_member = permissions.can_take_position(request.user, body)
    legal = body.kind == "cooperative"
    if form is None and is_member and legal:
        form = MeetingProxyForm(meetings=queries.meetings_for_proxy(body),
                                members=queries.voters_of(body, request.user),
                                initial={"meeting": request.GET.get("meeting", "")})
    return render(request, "decisions/meeting_proxies.html", {
        "body": body, "legal_votes": legal, "form": form if is_member and legal else None,
        "proxies": queries.meeting_proxies_of(body, request.user), "error": error,
        "revoke_question": REVOKE_MEETING_PROXY_QUESTION}, status=status)


REVOKE_MEETING_PROXY_QUESTION = gettext_lazy(
    "End this proxy for the meeting? It ends in the votes still open; closed votes stay "
    "as they were counted.")


@login_required
def meeting_proxies(request, slug):
    """A member's proxies for the body's general meetings, and the form giving one: the
    holder votes for them in every legal vote of that meeting (R16)."""
    body = access.get_body_for(request.user, slug, may=permissions.can_take_position,
                               refusal=access.MEETING_PROXIES)
    if request.method != "POST":
        return _meeting_proxies_page(request, body)
    form = MeetingProxyForm(request.POST, meetings=queries.meetings_for_proxy(body),
                            members=queries.voters_of(body, request.user))
    form.is_valid()  # what is valid is kept; the service says what is missing
    series_id, day = form.meeting_address()
    holder = access.find_person(form.cleaned_data.get("holder"))
    try:
        services.give_meeting_proxy(giver=request.user, body=body, holder=holder,
                                    occurrence=access.find_occurrence_for(body, series_id, day))
    except DomainError as exc:
        return _meeting_proxies_page(request, body, form, error=exc.message,
                                     status=exc.status)
    messages.success(request, _("Your proxy for the meeting is given: %(name)s votes for you "
                                "in its legal votes, until you revoke it or vote yourself.")
                     % {"name": holder.public_name})
    return redirect("body_meeting_proxies", slug=body.slug)


@login_required
@require_POST
def revoke_meeting_proxy(request, meeting_proxy_id):
    found = access.get_meeting_proxy_for(request.user, meeting_proxy_id)
    body = found.meeting.series.body
    back = reverse("body_meeting_proxies", args=[body.slug])
    if request.user.pk in (found.giver_id, found.holder_id) and found.revoked_at is None \
            and (page := needs_confirmation(request, REVOKE_MEETING_PROXY_QUESTION,
                                            cancel=back)):
        return page
    try:
        services.revoke_meeting_proxy(actor=request.user, meeting_proxy_id=found.pk)
    except DomainError as exc:
        return _meeting_proxies_page(request, body, error=exc.message, status=exc.status)
    messages.success(request, _("The proxy has ended."))
    return redirect(back)


def register(request):
    """The register of decisions: searchable, filterable, public for open bodies, CSV."""
    params = request.GET
    try:
        filters = queries.register_filters(
            q=params.get("q", ""), body=params.get("body", ""),
            method=params.get("method", ""), outcome=params.get("outcome", ""),
            date_from=params.get("from", ""), date_to=params.get("to", ""))
    except DomainError as exc:
        return render(request, "decisions/register.html",
                      {"error": exc.message, "decisions": [],
                       "params": params, "methods": MethodChoice.choices,
                       "outcomes": OutcomeChoice.choices}, status=exc.status)
    decisions = queries.register(request.user, **filters)
    if params.get("format") == "csv":
        return _csv(decisions)
    return render(request, "decisions/register.html", {
        "decisions": decisions[:500], "params": params, "methods": MethodChoice.choices,
        "outcomes": OutcomeChoice.choices})


def _csv(decisions):
    """The register as a spreadsheet. Each stored code keeps its column (for programs)
    and has its label beside it, in the reader's language (for people)."""
    from autogestion.core.csv_export import csv_response

    response, writer = csv_response("decisions.csv")
    writer.writerow(["date", "body", "body_name", "title", "class", "class_label", "method",
                     "method_label", "outcome", "outcome_label", "round", "participants",
                     "eligible", "text"])
    for d in decisions.iterator():
        result = d.round.result or {}
        writer.writerow([d.decided_at.isoformat(), d.body.slug, d.body.name, d.title,
                         d.decision_class, d.get_decision_class_display(), d.method,
                         d.get_method_display(), d.outcome, d.get_outcome_display(),
                         d.round.number, result.get("participants", ""),
                         result.get("eligible", ""), d.text])
    return response
