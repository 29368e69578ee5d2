"""Pages of the assembly calendar: a body's meetings, one meeting with its preparation,
agenda, program and minutes. Thin: find, check, call one service, show."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from autogestion.cooperatives.models import Body, Membership
from autogestion.core import clock
from autogestion.core.errors import DomainError

from . import permissions, queries, rules, services
from .forms import AgendaItemForm, MinutesForm, MoveForm, SeriesForm, SessionForm
from .models import (
    AgendaItem,
    Meeting,
    MeetingSeries,
    ProgramSession,
    SeriesKind,
    SessionSignup,
)


def _visible_body(request, slug) -> Body:
    body = get_object_or_404(Body, slug=slug)
    if not permissions.can_view_meetings(request.user, body):
        raise Http404
    return body


def _occurrence(request, series_id: int, day: str) -> queries.Occurrence:
    """The occurrence at /meetings/<series>/<YYYY-MM-DD>/, if the person may see it."""
    series = get_object_or_404(MeetingSeries.objects.select_related("body"), pk=series_id)
    if not permissions.can_view_meetings(request.user, series.body):
        raise Http404
    occurrence = queries.occurrence_on(series, day)
    if occurrence is None:
        raise Http404
    return occurrence


def body_meetings(request, slug):
    body = _visible_body(request, slug)
    now = clock.now()
    series_list = list(body.meeting_series.filter(is_active=True))
    upcoming = queries.upcoming_for_bodies([body], days=120, limit=30)
    past = [queries.occurrence_of_meeting(m) for m in
            Meeting.objects.filter(series__body=body, starts_at__lt=now)
            .select_related("series__body").order_by("-starts_at")[:12]]
    return render(request, "assemblies/body_meetings.html", {
        "body": body, "series_list": series_list, "upcoming": upcoming, "past": past,
        "can_manage": permissions.can_manage_meetings(request.user, body)})


@login_required
def create_series(request, slug):
    body = _visible_body(request, slug)
    if not permissions.can_manage_meetings(request.user, body):
        raise DjangoPermissionDenied(_("Only coordinators of %(body)s plan its meetings.")
                                     % {"body": body.name})
    form = SeriesForm(request.POST or None, initial={"place": body.place})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = services.create_series(
                actor=request.user, body=body, title=data["title"], rrule=data["rrule"],
                first_day=data["first_day"], start_time=data["start_time"],
                end_time=data["end_time"], kind=data["kind"], timezone_name=data["timezone"],
                place=data["place"], preparation_offset_days=data["preparation_offset_days"])
        except DomainError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            return render(request, "assemblies/series_form.html",
                          {"body": body, "form": form, "error": exc.message},
                          status=exc.status)
        messages.success(request, _("Meeting series “%(title)s” created.")
                         % {"title": series.title})
        return redirect("body_meetings", slug=body.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "assemblies/series_form.html", {"body": body, "form": form},
                  status=status)


def _detail_context(request, occurrence: queries.Occurrence, **extra) -> dict:
    body = occurrence.series.body
    user = request.user
    can_manage = permissions.can_manage_meetings(user, body)
    agenda = queries.agenda(occurrence)
    sessions = queries.program(occurrence)
    my_sessions = set()
    if user.is_authenticated and sessions:
        my_sessions = set(SessionSignup.objects.filter(person=user, session__in=sessions)
                          .values_list("session_id", flat=True))
    minutes = []
    attendance = []
    if occurrence.meeting is not None and (occurrence.minutes_published or can_manage):
        minutes = list(occurrence.meeting.minutes.select_related("agenda_item"))
        attendance = list(occurrence.meeting.attendance.select_related("person"))
    following = queries.next_occurrences(occurrence.series, 6, after=occurrence.ends_at)
    members, present_ids = [], set()
    if can_manage:
        members = list(Membership.objects.filter(body=body, status="active")
                       .select_related("person").order_by("person__display_name"))
        present_ids = {a.person_id for a in attendance}
    context = {
        "occurrence": occurrence, "series": occurrence.series, "body": body,
        "agenda": agenda, "slots": queries.slots(sessions), "my_sessions": my_sessions,
        "minutes": minutes, "attendance": attendance, "following": following,
        "can_manage": can_manage, "members": members, "present_ids": present_ids,
        "can_add": permissions.can_add_agenda_item(user, body) and occurrence.is_open_for_items,
        "is_member": permissions.can_add_agenda_item(user, body),
        "item_form": AgendaItemForm(), "session_form": SessionForm(), "move_form": MoveForm(),
        "now": clock.now(),
        # The evening meeting plans the next day (R3): link to that day's plan.
        "planned_day": (occurrence.starts_at.astimezone(occurrence.tz).date() + timedelta(days=1)
                        if occurrence.series.kind == SeriesKind.DAILY_PLANNING else None),
    }
    context.update(extra)
    return context


def occurrence_detail(request, series_id, day):
    occurrence = _occurrence(request, series_id, day)
    return render(request, "assemblies/occurrence_detail.html",
                  _detail_context(request, occurrence))


def _refused(request, occurrence, exc: DomainError, **extra):
    context = _detail_context(request, occurrence, error=exc.message, **extra)
    context["next_for_item"] = getattr(exc, "next_occurrence", None)
    return render(request, "assemblies/occurrence_detail.html", context, status=exc.status)


@login_required
@require_POST
def add_item(request, series_id, day):
    occurrence = _occurrence(request, series_id, day)
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


def _local(occurrence, clock_time):
    return rules.at_time(occurrence.starts_at.astimezone(occurrence.tz), clock_time)


@login_required
@require_POST
def manage_occurrence(request, series_id, day):
    """The coordinators' actions on one meeting, named by the `action` field."""
    occurrence = _occurrence(request, series_id, day)
    action = request.POST.get("action", "")
    user = request.user
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
            people = get_user_model().objects.filter(pk__in=ids, is_active=True)
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
    item = get_object_or_404(AgendaItem.objects.select_related("meeting__series__body"),
                             pk=item_id)
    occurrence = queries.occurrence_of_meeting(item.meeting)
    if not permissions.can_view_meetings(request.user, occurrence.series.body):
        raise Http404
    try:
        if action == "accept":
            services.accept_agenda_item(actor=request.user, item_id=item.pk)
        elif action == "discard":
            services.discard_agenda_item(actor=request.user, item_id=item.pk,
                                         reason=request.POST.get("reason", ""))
        elif action == "reopen":
            services.reopen_agenda_item(actor=request.user, item_id=item.pk)
        elif action == "delay":
            try:
                target_day = date.fromisoformat(request.POST.get("to", ""))
            except ValueError:
                raise DomainError(_("Choose the later meeting to delay the item to."),
                                  field="to") from None
            target = queries.find_occurrence(occurrence.series, target_day)
            if target is None:
                raise DomainError(_("There is no meeting of this series on that day."),
                                  field="to")
            services.delay_agenda_item(actor=request.user, item_id=item.pk, to=target)
        else:
            raise Http404
    except DomainError as exc:
        return _refused(request, occurrence, exc)
    return redirect(occurrence.get_absolute_url() + "#agenda")


def program_page(request, series_id, day):
    """The printable program of an assembly day (fits an A4 page)."""
    occurrence = _occurrence(request, series_id, day)
    return render(request, "assemblies/program_print.html", {
        "occurrence": occurrence, "slots": queries.slots(queries.program(occurrence)),
        "agenda": queries.agenda(occurrence)})


@login_required
def minutes_edit(request, series_id, day):
    occurrence = _occurrence(request, series_id, day)
    if not permissions.can_manage_meetings(request.user, occurrence.series.body):
        raise DjangoPermissionDenied(_("Only coordinators write the minutes."))
    if request.method == "POST":
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
    existing = {}
    if occurrence.meeting is not None:
        existing = {m.agenda_item_id: m for m in occurrence.meeting.minutes.all()}
    # One small form per agenda item (and one for general notes), each saved alone.
    rows = [(None, MinutesForm(initial=_initial(existing.get(None))))]
    rows += [(item, MinutesForm(initial=_initial(existing.get(item.pk))))
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
    session = get_object_or_404(ProgramSession.objects.select_related("meeting__series__body"),
                                pk=session_id)
    occurrence = queries.occurrence_of_meeting(session.meeting)
    if not permissions.can_view_meetings(request.user, occurrence.series.body):
        raise Http404
    try:
        signup = services.sign_up(person=request.user, session_id=session.pk)
    except DomainError as exc:
        return _refused(request, occurrence, exc)
    if signup.status == "waiting":
        messages.info(request, _("The workshop is full: you are on its waiting list."))
    else:
        messages.success(request, _("You are signed up to “%(title)s”.")
                         % {"title": session.title})
    return redirect(occurrence.get_absolute_url() + "#program")


@login_required
@require_POST
def session_leave(request, session_id):
    session = get_object_or_404(ProgramSession.objects.select_related("meeting__series__body"),
                                pk=session_id)
    # The refusal below shows the meeting page: only to those who may see it.
    if not permissions.can_view_meetings(request.user, session.meeting.series.body):
        raise Http404
    occurrence = queries.occurrence_of_meeting(session.meeting)
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
