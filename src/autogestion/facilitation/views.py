"""The meeting room page and its actions. Every action also works without JavaScript
(a form posting here, then the page again); with JavaScript the page listens on the
room's websocket and updates itself."""


from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies import services as assembly_services
from autogestion.assemblies.models import MeetingSeries
from autogestion.assemblies.permissions import can_view_meetings
from autogestion.cooperatives.models import Membership
from autogestion.core.errors import DomainError
from autogestion.decisions import services as decision_services
from autogestion.decisions.models import Proposal

from . import permissions, queries, services
from .models import GestureKind, HandKindChoice, RoleKind, Room, RoomRole


def _occurrence(request, series_id, day):
    """The occurrence, if the person may see its body's meetings: else 404, as for the
    meeting page (a refusal must not show a closed body's meeting title)."""
    series = get_object_or_404(MeetingSeries.objects.select_related("body"), pk=series_id)
    if not can_view_meetings(request.user, series.body):
        raise Http404
    occurrence = assembly_queries.occurrence_on(series, day)
    if occurrence is None:
        raise Http404
    return occurrence


def _room(request, room_id) -> Room:
    room = get_object_or_404(Room.objects.select_related("meeting__series__body",
                                                         "current_item"), pk=room_id)
    if not permissions.can_view_room(request.user, room):
        raise Http404
    return room


def room_page(request, series_id, day):
    occurrence = _occurrence(request, series_id, day)
    body = occurrence.series.body
    if not can_view_meetings(request.user, body):
        raise Http404
    room = Room.objects.filter(meeting__series=occurrence.series,
                               meeting__original_start=occurrence.original_start) \
        .select_related("meeting__series__body", "current_item").first()
    if room is None:
        return render(request, "facilitation/room_closed.html", {
            "occurrence": occurrence,
            "can_open": permissions.can_open_room(request.user, body)})
    return render(request, "facilitation/room.html", _context(request, room, occurrence))


def _context(request, room, occurrence) -> dict:
    snapshot = queries.snapshot(room)
    me = f"p:{request.user.pk}" if request.user.is_authenticated else None
    can_facilitate = permissions.can_facilitate(request.user, room)
    agenda = assembly_queries.agenda(occurrence)
    proposals = []
    if room.current_item is not None:
        proposals = list(Proposal.objects.filter(agenda_item=room.current_item)
                         .prefetch_related("rounds"))
    return {
        "room": room, "occurrence": occurrence, "body": occurrence.series.body,
        "snapshot": snapshot, "me": me,
        "place": queries.place_from_snapshot(snapshot, me) if me else None,
        "my_hands": {h["kind"] for h in snapshot["queue"] if h["who"] == me},
        "can_facilitate": can_facilitate,
        "can_keep_time": permissions.can_keep_time(request.user, room),
        "can_take_part": permissions.can_take_part(request.user, room),
        "hand_kinds": HandKindChoice.choices,
        "gesture_rows": [(value, label, snapshot["gestures"].get(value, 0))
                         for value, label in GestureKind.choices],
        "gesture_people": queries.gesture_people(room) if can_facilitate else {},
        "roles": {r.role: r.person for r in room.roles.select_related("person")},
        "role_kinds": RoleKind.choices,
        "suggestions": role_suggestions(room) if can_facilitate else {},
        "agenda": agenda, "proposals": proposals,
    }


def role_suggestions(room: Room, count: int = 3) -> dict[str, list]:
    """For each role, members of the body who have not held it recently (never first),
    so roles rotate."""
    body = room.meeting.series.body
    members = list(Membership.objects.filter(body=body, status="active")
                   .select_related("person").order_by("person__display_name"))
    last = {}
    for row in (RoomRole.objects.filter(room__meeting__series__body=body)
                .values("role", "person_id").annotate(at=Max("assigned_at"))):
        last[(row["role"], row["person_id"])] = row["at"]
    suggestions = {}
    for role, _label in RoleKind.choices:
        ranked = sorted(members, key=lambda m: (last.get((role, m.person_id)) is not None,
                                                last.get((role, m.person_id)) or 0,
                                                m.person.public_name))
        suggestions[role] = [m.person for m in ranked[:count]]
    return suggestions


@login_required
@require_POST
def open_room(request, series_id, day):
    occurrence = _occurrence(request, series_id, day)
    try:
        services.open_room(actor=request.user, occurrence=occurrence)
    except DomainError as exc:
        return render(request, "facilitation/room_closed.html",
                      {"occurrence": occurrence, "error": exc.message}, status=exc.status)
    return redirect("room", series_id=series_id, day=day)


def _done(request, room, exc: DomainError | None = None):
    """No JavaScript: back to the room page. JavaScript (fetch): a short JSON answer."""
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    if exc is not None:
        if wants_json:
            return JsonResponse({"detail": str(exc.message)}, status=exc.status)
        occurrence = assembly_queries.occurrence_of_meeting(room.meeting)
        context = _context(request, room, occurrence) | {"error": exc.message}
        return render(request, "facilitation/room.html", context, status=exc.status)
    if wants_json:
        return JsonResponse({"ok": True})
    occurrence = assembly_queries.occurrence_of_meeting(room.meeting)
    return redirect("room", series_id=occurrence.series.pk, day=occurrence.key)


@login_required
@require_POST
def act(request, room_id):
    room = _room(request, room_id)
    try:
        services.act(actor=request.user, room_id=room.pk, action=request.POST.get("action", ""),
                     who=request.POST.get("who", ""), kind=request.POST.get("kind", "speak"),
                     name=request.POST.get("name", ""))
    except DomainError as exc:
        return _done(request, room, exc)
    return _done(request, room)


@login_required
@require_POST
def gesture(request, room_id):
    room = _room(request, room_id)
    try:
        if request.POST.get("release"):
            services.release_gesture(person=request.user, room_id=room.pk,
                                     kind=request.POST.get("kind", ""))
        else:
            services.make_gesture(person=request.user, room_id=room.pk,
                                  kind=request.POST.get("kind", ""),
                                  hold=bool(request.POST.get("hold")))
    except DomainError as exc:
        return _done(request, room, exc)
    return _done(request, room)


@login_required
@require_POST
def manage(request, room_id):
    """Roles, the current item, timers, closing the room, decision rounds."""
    room = _room(request, room_id)
    action = request.POST.get("action", "")
    user = request.user
    try:
        if action == "role":
            person = get_user_model().objects.filter(pk=_int(request.POST.get("person"))).first()
            if person is None:
                raise DomainError(_("Choose a member."), field="person")
            services.set_role(actor=user, room_id=room.pk, role=request.POST.get("role", ""),
                              person=person)
        elif action == "item":
            services.set_current_item(actor=user, room_id=room.pk,
                                      item_id=_int(request.POST.get("item")))
        elif action == "settings":
            services.update_room_settings(
                actor=user, room_id=room.pk,
                speaker_limit_seconds=_int(request.POST.get("speaker_limit_seconds")),
                reset_turns_per_item=bool(request.POST.get("reset_turns_per_item")))
        elif action == "close":
            services.close_room(actor=user, room_id=room.pk)
        elif action in {"open_round", "close_round"}:
            _decision_round(room, user, action, _int(request.POST.get("proposal")))
        else:
            raise DomainError(_("Unknown action."), field="action")
    except DomainError as exc:
        return _done(request, room, exc)
    messages.success(request, _("Done."))
    return _done(request, room)


def _int(raw) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        raise DomainError(_("Expected a number."), field="number") from None


def _decision_round(room, user, action, proposal_id):
    """Open or close the decision round of the current item in the room; positions taken
    in the room go to the same round as online ones, and the outcome goes to the minutes."""
    if not permissions.can_facilitate(user, room):
        raise DomainError(_("Only the facilitator opens and closes rounds in the room."))
    proposal = Proposal.objects.filter(pk=proposal_id, agenda_item=room.current_item).first() \
        if room.current_item else None
    if proposal is None:
        raise DomainError(_("Choose a proposal of the current agenda item."), field="proposal")
    if action == "open_round":
        decision_services.open_next_round(actor=user, proposal_id=proposal.pk,
                                          text=proposal.text)
        return
    current = proposal.rounds.filter(closed_at__isnull=True).first()
    if current is None:
        raise DomainError(_("No round is open on this proposal."))
    closed = decision_services.close_round(actor=user, round_id=current.pk,
                                           meeting=room.meeting)
    occurrence = assembly_queries.occurrence_of_meeting(room.meeting)
    entry = room.meeting.minutes.filter(agenda_item=room.current_item).first()
    line = _("%(title)s — round %(n)s: %(outcome)s") % {
        "title": proposal.title, "n": closed.number, "outcome": closed.get_outcome_display()}
    assembly_services.write_minutes(
        actor=user, occurrence=occurrence, item_id=room.current_item.pk,
        notes=entry.notes if entry else "", presented_by=entry.presented_by if entry else "",
        decisions="\n".join(filter(None, [entry.decisions if entry else "", line])),
        links=entry.links if entry else "")


def state_json(request, room_id):
    """The snapshot for screens without websockets (polling)."""
    room = _room(request, room_id)
    data = queries.snapshot(room)
    me = f"p:{request.user.pk}" if request.user.is_authenticated else None
    return JsonResponse({"state": data, "me": me,
                         "place": queries.place_from_snapshot(data, me) if me else None})
