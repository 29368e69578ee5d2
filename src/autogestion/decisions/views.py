"""Pages of proposals: the body's proposals, a proposal with its rounds, positions, star
debate and discussion; coordinators' actions. Thin: find, check, call one service."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autogestion.assemblies.rules import localize
from autogestion.core import clock, markdown
from autogestion.core.errors import DomainError

from . import access, permissions, queries, rules, services
from .forms import CommentForm, PositionForm, ProposalForm, RevisionForm
from .models import ClassChoice, MethodChoice, OutcomeChoice, StanceChoice


def body_proposals(request, slug):
    body = access.get_body_for(request.user, slug)
    return render(request, "decisions/body_proposals.html", {
        "body": body, "proposals": queries.proposals_of(body),
        "can_propose": permissions.can_propose(request.user, body),
        "can_facilitate": permissions.can_facilitate(request.user, body),
        "policy": [(ClassChoice(c).label, MethodChoice(m).label)
                   for c, m in queries.policy_of(body).items()]})


def explain(result: dict | None) -> list[str]:
    """The arithmetic of a closed round, in words."""
    if not result or "lines" not in result:
        return []
    words = {
        "nobody_took_part": _("Nobody took a position."),
        "vetoes": _("Blocking vetoes: %(n)s."),
        "concerned_veto_ignored": _("The veto of the person concerned by the exclusion "
                                    "does not block it (the body's rule)."),
        "objections": _("Objections: %(n)s."),
        "turnout": _("Turnout: %(voters)s of %(eligible)s entitled members, %(percent)s %% "
                     "(quorum %(quorum)s %%)."),
        "yes_share": _("Yes: %(yes)s of %(expressed)s expressed votes, %(percent)s %%."),
        "weighted_share": _("Yes, weighted by college: %(percent)s %% (weights counted: "
                            "%(weights_used)s %%)."),
        "threshold_passed": _("Threshold: yes must be %(how)s %(percent)s %% — reached."),
        "threshold_failed": _("Threshold: yes must be %(how)s %(percent)s %% — not reached."),
    }
    lines = []
    for code, values in result["lines"]:
        if code == "threshold":
            values = {**values, "how": _("at least") if values["qualified"]
                      else _("more than")}
            code = "threshold_passed" if values["passed"] else "threshold_failed"
        lines.append(words.get(code, code) % values if values else words.get(code, code))
    return lines


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
    form = ProposalForm(request.POST or None)
    members = queries.members_for_form(body)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        deadline = _in_zone(data["deadline"])
        try:
            found = access.get_references_for(
                body, concerned_person_id=data["concerned_person"] or None)
            proposal = services.create_proposal(
                actor=request.user, body=body, title=data["title"], text=data["text"],
                decision_class=data["decision_class"], method=data["method"] or None,
                deadline=deadline, concerned_person=found.concerned_person)
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


def _context(request, proposal, **extra) -> dict:
    page = queries.proposal_page(proposal, request.user)
    body = proposal.body
    can_position = (page.current is not None
                    and permissions.can_take_position(request.user, body))
    initial = {}
    if page.my_position is not None and page.current is not None \
            and page.my_position.round_id == page.current.pk:
        mine = page.my_position
        initial = {"stance": mine.stance, "note": mine.note, "reason": mine.reason,
                   "counter_proposal": mine.counter_proposal}
    last = page.rounds[-1] if page.rounds else None
    context = {
        "proposal": proposal, "body": body, "page": page,
        "text_html": markdown.render(proposal.text),
        "last_round": last,
        "result": last.result if last and last.closed_at else None,
        "explanation": explain(last.result) if last and last.closed_at else [],
        "counts": [(StanceChoice(stance).label, n) for stance, n in page.counts.items()],
        "college_rows": _college_rows(body, last.result if last and last.closed_at else None),
        "can_position": can_position,
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


@login_required
@require_POST
def manage(request, proposal_id):
    proposal = access.get_proposal_for(request.user, proposal_id)
    action = request.POST.get("action", "")
    user = request.user
    try:
        if action in {"close", "extend"}:
            current = access.open_round(proposal)
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


SETTING_FIELDS = ("star_group_size", "quorum_percent", "threshold_percent",
                  "min_seniority_days")


def _policy_input(post) -> tuple[dict, dict]:
    """The policy form as the service takes it: class → method, and the settings."""
    policy = {c.value: post[f"method_{c.value}"] for c in rules.DecisionClass
              if post.get(f"method_{c.value}")}
    settings_fields = {}
    for name in SETTING_FIELDS:
        raw = post.get(name, "")
        if raw:
            if not raw.isdigit():
                raise DomainError(_("Give a whole number."), field=name)
            settings_fields[name] = int(raw)
    settings_fields["concerned_veto_blocks"] = bool(post.get("concerned_veto_blocks"))
    settings_fields["anonymous_ballots"] = bool(post.get("anonymous_ballots"))
    return policy, settings_fields


@login_required
def policy(request, slug):
    body = access.get_body_for(request.user, slug, may=permissions.can_facilitate,
                               refusal=access.SET_POLICY)
    error, status = None, 200
    if request.method == "POST":
        try:
            chosen, settings_fields = _policy_input(request.POST)
            services.change_decision_policy(actor=request.user, body=body, policy=chosen,
                                            settings=settings_fields)
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("Decision policy saved."))
            return redirect("body_policy", slug=body.slug)
    return render(request, "decisions/policy.html", {
        "body": body, "policy": queries.policy_of(body), "settings": queries.settings_of(body),
        "classes": ClassChoice.choices, "methods": MethodChoice.choices, "error": error},
        status=status)


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
    from autogestion.core.csv_export import csv_response

    response, writer = csv_response("decisions.csv")
    writer.writerow(["date", "body", "title", "class", "method", "outcome", "round",
                     "participants", "eligible", "text"])
    for d in decisions.iterator():
        result = d.round.result or {}
        writer.writerow([d.decided_at.isoformat(), d.body.slug, d.title, d.decision_class,
                         d.method, d.outcome, d.round.number, result.get("participants", ""),
                         result.get("eligible", ""), d.text])
    return response
