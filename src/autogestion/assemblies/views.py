"""Pages of the assembly calendar: a body's meetings, one meeting with its preparation,
agenda, program and minutes. Thin: find through access.py (404 for what the person may
not see, 403 for what they see but may not do, as the API answers), call one service,
show what queries.py reads."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from autogestion.core import clock
from autogestion.core.confirm import needs_confirmation
from autogestion.core.errors import DomainError

from . import access, permissions, queries, rules, services, texts
from .forms import AgendaItemForm, MinutesForm, MoveForm, SeriesForm, SessionForm
from .models import SeriesKind


def body_meetings(request, slug):
    body = access.get_body_for(request.user, slug)
    series_list = list(body.meeting_series.filter(is_active=True))
    upcoming = queries.upcoming_for_bodies([body], days=120, limit=30)
    past = queries.past_occurrences(body, limit=12)
    return render(request, "assemblies/body_meetings.html", {
        "body": body, "series_list": series_list, "upcoming": upcoming, "past": past,
        "next_one": next((o for o in upcoming if not o.cancelled), None),
        "can_manage": permissions.can_manage_meetings(request.user, body)})


@login_required
def create_series(request, slug):
    body = access.get_body_for(request.user, slug, may=permissions.can_manage_meetings)
    form = SeriesForm(request.POST or None, initial={"place": body.place})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = services.create_series(
                actor=request.user, body=body, title=data["title"],
                recurrence=form.recurrence(),
                first_day=data["first_day"], start_time=data["start_time"],
                end_time=data["end_time"], kind=data["kind"], timezone_name=data["timezone"],
                place=data["place"], preparation_offset_days=data["preparation_offset_days"])
        except DomainError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            return render(request, "assemblies/series_form.html",
                          {"body": body, "form": form, "error": exc.message},
                          status=exc.status)
        messages.success(request, _("Meeting series “%(title)s” created: %(rule)s.")
                         % {"title": series.title,
                            "rule": services.rule_in_words(series.rrule)})
        return redirect("body_meetings", slug=body.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "assemblies/series_form.html", {"body": body, "form": form},
                  status=status)


def _detail_context(request, occurrence: queries.Occurrence, **extra) -> dict:
    body = occurrence.series.body
    user = request.user
    can_manage = permissions.can_manage_meetings(user, body)
    agenda = queries.agenda(occurrence, with_history=True)
    sessions = queries.program(occurrence)
    for session in sessions:  # confirmed, or waiting with the rank: on the person's card
        session.my_place = queries.place_in(session, user)
    minutes = queries.published_minutes_for(user, occurrence)
    attendance = queries.attendance_of(occurrence) if minutes is not None else []
    following = queries.next_occurrences(occurrence.series, 6, after=occurrence.ends_at)
    members, present_ids = [], set()
    if can_manage:
        members = queries.members_to_mark(body)
        present_ids = {a.person_id for a in attendance}
    can_add = permissions.can_add_agenda_item(user, body) and occurrence.is_open_for_items
    planned_day = (occurrence.starts_at.astimezone(occurrence.tz).date() + timedelta(days=1)
                   if occurrence.series.kind == SeriesKind.DAILY_PLANNING else None)
    context = {
        "occurrence": occurrence, "series": occurrence.series, "body": body,
        "agenda": agenda, "slots": queries.slots(sessions),
        "minutes": minutes or [], "attendance": attendance, "following": following,
        "can_manage": can_manage, "members": members, "present_ids": present_ids,
        "can_reorder": can_manage and not occurrence.agenda_published
        and not occurrence.cancelled and len(agenda.items) > 1,
        "rule_text": services.rule_in_words(occurrence.series.rrule),
        "can_add": can_add,
        "is_member": permissions.can_add_agenda_item(user, body),
        "item_form": AgendaItemForm(), "session_form": SessionForm(), "move_form": MoveForm(),
        "now": clock.now(),
        # The evening meeting plans the next day (R3): link to that day's plan.
        "planned_day": planned_day,
        "primary": _primary_action(occurrence, can_add, planned_day),
    }
    context.update(extra)
    return context


# From how long before its start the meeting room is what a meeting's page leads to.
ROOM_OPENS_BEFORE = timedelta(hours=1)


def _primary_action(occurrence, can_add: bool, planned_day) -> str | None:
    """The one thing a person comes to this page to do, shown first on a phone: the room
    while the meeting is on, adding an item while the agenda takes them, the plan the
    evening meeting makes."""
    now = clock.now()
    if (not occurrence.cancelled
            and occurrence.starts_at - ROOM_OPENS_BEFORE <= now < occurrence.ends_at):
        return "room"
    if can_add:
        return "add"
    if planned_day is not None:
        return "plan"
    return None


def occurrence_detail(request, series_id, day):
    occurrence = access.get_occurrence_at(request.user, series_id, day)
    return render(request, "assemblies/occurrence_detail.html",
                  _detail_context(request, occurrence))


def _refused(request, occurrence, exc: DomainError, **extra):
    context = _detail_context(request, occurrence, error=exc.message, **extra)
    context["next_for_item"] = getattr(exc, "next_occurrence", None)
    return render(request, "assemblies/occurrence_detail.html", context, status=exc.status)


@login_required
@require_POST
def add_item(request, series_id, day):
    occurrence = access.get_occurrence_at(request.user, series_id, day)
    form = AgendaItemForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, occurrence, item_form=form)
        return render(request, "assemblies/occurrence_detail.html", context, status=400)
    try:
        services.add_agenda_item(actor=request.user, occurrence=occurrence,
                                 **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, occurrence, exc, item_form=form)
    messages.success(request, _("Your item is on the agenda, waiting for the preparation "
                                "meeting."))
    return redirect(occurrence.get_absolute_url())


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _order_json(request, occurrence):
    """Drag and drop (agenda.js) sends the whole new order; a short JSON answer."""
    raw = request.POST.getlist("item")
    try:
        if not all(i.isdigit() for i in raw):
            raise DomainError(_("Give every item of this agenda exactly once, in the new "
                                "order (the agenda may have changed meanwhile: reload the "
                                "page)."), field="item_ids")
        services.reorder_agenda(actor=request.user, occurrence=occurrence,
                                item_ids=[int(i) for i in raw])
    except DomainError as exc:
        return JsonResponse({"detail": str(exc.message), "field": exc.field},
                            status=exc.status)
    return JsonResponse({"ok": True, "message": str(_("Order saved."))})


# What a coordinator is asked before an action that cannot be undone (core/confirm.py).
CONFIRM_MANAGE = {
    "cancel": (gettext_lazy("Cancel this meeting?"),
               gettext_lazy("Members will see it as cancelled; its agenda no longer takes "
                            "items.")),
    "fix": (gettext_lazy("Fix and publish the agenda?"),
            gettext_lazy("Members are told by e-mail, and the agenda no longer changes.")),
}


def _confirm_manage(request, occurrence, action):
    # Those who may not act get their refusal (403) from the service, not a question.
    if action not in CONFIRM_MANAGE or not permissions.can_manage_meetings(
            request.user, occurrence.series.body):
        return None
    question, detail = CONFIRM_MANAGE[action]
    return needs_confirmation(request, str(question), detail=str(detail),
                              cancel=occurrence.get_absolute_url())


def _local(occurrence, clock_time):
    return rules.at_time(occurrence.starts_at.astimezone(occurrence.tz), clock_time)


@login_required
@require_POST
def manage_occurrence(request, series_id, day):
    """The coordinators' actions on one meeting, named by the `action` field."""
    occurrence = access.get_occurrence_at(request.user, series_id, day)
    action = request.POST.get("action", "")
    user = request.user
    if action == "order" and _wants_json(request):
        return _order_json(request, occurrence)
    if page := _confirm_manage(request, occurrence, action):
        return page
    try:
        if action == "cancel":
            services.cancel_occurrence(actor=user, occurrence=occurrence,
                                       reason=request.POST.get("reason", ""))
            done = _("Meeting cancelled.")
        elif action == "restore":
            services.restore_occurrence(actor=user, occurrence=occurrence)
            done = _("Meeting restored.")
        elif action == "move":
            form = MoveForm(request.POST)
            if not form.is_valid():
                return render(request, "assemblies/occurrence_detail.html",
                              _detail_context(request, occurrence, move_form=form), status=400)
            tz = occurrence.tz
            services.move_occurrence(
                actor=user, occurrence=occurrence,
                starts_at=rules.localize(form.cleaned_data["starts_at"].replace(tzinfo=None), tz),
                ends_at=rules.localize(form.cleaned_data["ends_at"].replace(tzinfo=None), tz),
                place=form.cleaned_data["place"] or None)
            done = _("Meeting moved.")
        elif action == "fix":
            services.fix_agenda(actor=user, occurrence=occurrence)
            done = _("The agenda is fixed and published; members are told by e-mail.")
        elif action == "order":
            ids = [int(i) for i in request.POST.getlist("item") if i.isdigit()]
            services.reorder_agenda(actor=user, occurrence=occurrence, item_ids=ids)
            done = _("Order saved.")
        elif action == "session":
            form = SessionForm(request.POST)
            if not form.is_valid():
                return render(request, "assemblies/occurrence_detail.html",
                              _detail_context(request, occurrence, session_form=form),
                              status=400)
            data = form.cleaned_data
            services.add_session(
                actor=user, occurrence=occurrence, title=data["title"], kind=data["kind"],
                starts_at=_local(occurrence, data["starts_at"]),
                ends_at=_local(occurrence, data["ends_at"]) if data["ends_at"] else None,
                place=data["place"], capacity=data["capacity"])
            done = _("Session added to the program.")
        elif action == "attendance":
            ids = [int(i) for i in request.POST.getlist("present") if i.isdigit()]
            # Not filtered here: the service refuses anyone who is not an active member.
            people = queries.active_people(ids)
            count = services.record_attendance(actor=user, occurrence=occurrence, people=people)
            done = ngettext("%(n)s person marked present.", "%(n)s people marked present.",
                            count) % {"n": count}
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as exc:
        return _refused(request, occurrence, exc)
    messages.success(request, done)
    return redirect(occurrence.get_absolute_url())


@login_required
@require_POST
def item_action(request, item_id, action):
    item = access.get_item_for(request.user, item_id)
    occurrence = queries.occurrence_of_meeting(item.meeting)
    anchor = "#agenda"
    if action == "delay" and permissions.can_manage_meetings(
            request.user, occurrence.series.body) and (page := needs_confirmation(
            request, _("Delay “%(title)s” to a later meeting?") % {"title": item.title},
            detail=_("It moves to that agenda and cannot come back to this one."),
            cancel=occurrence.get_absolute_url())):
        return page
    try:
        if action in ("up", "down"):
            services.move_agenda_item(actor=request.user, item_id=item.pk, direction=action)
            anchor = f"#item-{item.pk}"
        elif action == "accept":
            services.accept_agenda_item(actor=request.user, item_id=item.pk)
        elif action == "discard":
            services.discard_agenda_item(actor=request.user, item_id=item.pk,
                                         reason=request.POST.get("reason", ""))
        elif action == "reopen":
            services.reopen_agenda_item(actor=request.user, item_id=item.pk)
        elif action == "delay":
            target = access.get_later_occurrence(occurrence.series,
                                                 request.POST.get("to", ""), "to")
            services.delay_agenda_item(actor=request.user, item_id=item.pk, to=target)
        else:
            raise Http404
    except DomainError as exc:
        return _refused(request, occurrence, exc)
    return redirect(occurrence.get_absolute_url() + anchor)


def program_page(request, series_id, day):
    """The printable program of an assembly day (fits an A4 page)."""
    occurrence = access.get_occurrence_at(request.user, series_id, day)
    return render(request, "assemblies/program_print.html", {
        "occurrence": occurrence, "slots": queries.slots(queries.program(occurrence)),
        "agenda": queries.agenda(occurrence)})


@login_required
def minutes_edit(request, series_id, day):
    occurrence = access.get_occurrence_at(request.user, series_id, day,
                                          may=permissions.can_manage_meetings,
                                          refusal=access.MINUTES)
    if request.method == "POST":
        if request.POST.get("action") == "publish" and (page := needs_confirmation(
                request, _("Publish the minutes?"),
                detail=_("Everyone who sees the meeting will read them; they stay published."),
                cancel=reverse("occurrence_minutes", args=[series_id, day]))):
            return page
        try:
            if request.POST.get("action") == "publish":
                services.publish_minutes(actor=request.user, occurrence=occurrence)
                messages.success(request, _("Minutes published."))
                return redirect(occurrence.get_absolute_url() + "#minutes")
            form = MinutesForm(request.POST)
            if form.is_valid():
                raw_item = request.POST.get("item", "")
                services.write_minutes(actor=request.user, occurrence=occurrence,
                                       item_id=int(raw_item) if raw_item.isdigit() else None,
                                       **form.cleaned_data)
                messages.success(request, _("Minutes saved."))
                return redirect("occurrence_minutes", series_id=series_id, day=day)
        except DomainError as exc:
            return _refused(request, occurrence, exc)
    agenda = queries.agenda(occurrence)
    existing = {m.agenda_item_id: m for m in queries.minutes_of(occurrence)}
    # One small form per agenda item (and one for general notes), each saved alone.
    # (their fields' ids told apart: one label per field on the page)
    rows = [(None, MinutesForm(initial=_initial(existing.get(None)), auto_id="id_general_%s"))]
    rows += [(item, MinutesForm(initial=_initial(existing.get(item.pk)),
                                auto_id=f"id_item{item.pk}_%s"))
             for item in agenda.items if item.status == "accepted"]
    return render(request, "assemblies/minutes_form.html",
                  {"occurrence": occurrence, "rows": rows})


def _initial(entry) -> dict:
    if entry is None:
        return {}
    return {"notes": entry.notes, "presented_by": entry.presented_by,
            "decisions": entry.decisions, "links": entry.links}


@login_required
@require_POST
def session_signup(request, session_id):
    session = access.get_session_for(request.user, session_id)
    occurrence = queries.occurrence_of_meeting(session.meeting)
    try:
        signup = services.sign_up(person=request.user, session_id=session.pk)
    except DomainError as exc:
        return _refused(request, occurrence, exc)
    if signup.status == "waiting":
        messages.info(request, _("The workshop is full: you are %(rank)s.") % {
            "rank": texts.waiting_rank(queries.place_of_signup(signup).rank)})
    else:
        messages.success(request, _("You are signed up to “%(title)s”.")
                         % {"title": session.title})
    return redirect(occurrence.get_absolute_url() + "#program")


@login_required
@require_POST
def session_leave(request, session_id):
    # The refusal below shows the meeting page: only to those who may see it.
    session = access.get_session_for(request.user, session_id)
    occurrence = queries.occurrence_of_meeting(session.meeting)
    signed_up = session.pk in queries.signed_up_session_ids(request.user, [session])
    if signed_up and (page := needs_confirmation(
            request, _("Leave “%(title)s”?") % {"title": session.title},
            detail=_("Your place goes to the first person on the waiting list, if there is "
                     "one; signing up again may put you on the waiting list."),
            cancel=occurrence.get_absolute_url() + "#program")):
        return page
    try:
        services.leave_session(person=request.user, session_id=session.pk)
    except DomainError as exc:
        return _refused(request, occurrence, exc)
    messages.success(request, _("You left “%(title)s”.") % {"title": session.title})
    return redirect(occurrence.get_absolute_url() + "#program")


@login_required
@require_POST
def reset_calendar(request):
    services.reset_calendar_token(person=request.user)
    messages.success(request, _("Your calendar address changed; the old one no longer works."))
    return redirect("profile")
