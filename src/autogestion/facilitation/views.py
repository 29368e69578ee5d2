"""The meeting room page and its actions. Every action also works without JavaScript
(a form posting here, then the page again); with JavaScript the page listens on the
room's websocket and updates itself."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from autogestion.assemblies import queries as assembly_queries
from autogestion.core import clock
from autogestion.core.confirm import needs_confirmation
from autogestion.core.errors import DomainError

from . import access, forms, permissions, queries, services
from .models import GestureKind, HandKindChoice, RoleKind


def room_page(request, series_id, day):
    occurrence, room = access.get_occurrence_room_for(request.user, series_id, day)
    if room is None:
        return render(request, "facilitation/room_closed.html", {
            "occurrence": occurrence,
            "can_open": permissions.can_open_room(request.user, occurrence.series.body)})
    return render(request, "facilitation/room.html", _context(request, room, occurrence))


def _texts() -> dict:
    """What room.js needs to write live what the page wrote: the labels of the kinds of
    hands and the forms of "n turns" (it picks one with the language's plural rules)."""
    return {
        "kinds": {value: str(label) for value, label in HandKindChoice.choices},
        "turns": {"one": ngettext("%(n)s turn", "%(n)s turns", 1),
                  "other": ngettext("%(n)s turn", "%(n)s turns", 2)},
        "notOnList": _("You are not on the list."), "nobodyWaiting": _("Nobody is waiting."),
        "nobodySpeaks": _("Nobody"), "noItem": _("None yet"),
        "raise": _("Raise my hand"), "lower": _("Lower my hand"),
    }


def _context(request, room, occurrence) -> dict:
    now = clock.now()
    snapshot = queries.snapshot(room, now)
    me = f"p:{request.user.pk}" if request.user.is_authenticated else None
    can_facilitate = permissions.can_facilitate(request.user, room)
    labels = dict(HandKindChoice.choices)
    gesture_people = queries.gesture_people(room, now) if can_facilitate else []
    screen = queries.screen(snapshot, me, now)
    if can_facilitate:
        screen["gesture_people"] = gesture_people
    return {
        "room": room, "occurrence": occurrence, "body": occurrence.series.body,
        "snapshot": snapshot, "me": me, "place": screen["place"],
        "place_text": queries.place_text(screen["place"]),
        "screen": screen, "texts": _texts(),
        "speaker_label": labels.get(snapshot["speaker"]["kind"], "")
        if snapshot["speaker"] else "",
        "queue": [hand | {"label": labels.get(hand["kind"], hand["kind"])}
                  for hand in snapshot["queue"]],
        "my_hands": {h["kind"] for h in snapshot["queue"] if h["who"] == me},
        "my_held": queries.held_gestures(room, request.user),
        "can_facilitate": can_facilitate,
        "can_keep_time": permissions.can_keep_time(request.user, room),
        "can_take_part": permissions.can_take_part(request.user, room),
        "process_kinds": [(value, label) for value, label in HandKindChoice.choices
                          if value != HandKindChoice.SPEAK],
        "hand_kinds": HandKindChoice.choices,
        "gesture_rows": [(value, label, snapshot["gestures"].get(value, 0))
                         for value, label in GestureKind.choices],
        "gesture_people": gesture_people,
        "roles": queries.roles_held(room),
        "role_kinds": RoleKind.choices,
        "role_choices": queries.role_choices(room, occurrence) if can_facilitate else {},
        "agenda": assembly_queries.agenda(occurrence),
        "proposals": queries.proposals_of_current_item(room),
    }


@login_required
@require_POST
def open_room(request, series_id, day):
    occurrence = access.get_occurrence_at(request.user, series_id, day)
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
    room = access.get_room_for(request.user, room_id)
    if request.POST.get("action") == "reset_turns" and (page := _confirm(
            request, room, _("Reset the turn counts?"),
            _("Everyone starts again from zero turns: the double list no longer remembers "
              "who has spoken."))):
        return page
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
    room = access.get_room_for(request.user, room_id)
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


# Questions asked before what cannot be undone (core/confirm.py).
CONFIRM = {
    "close": (gettext_lazy("Close the room?"),
              gettext_lazy("The speaking list and the gestures stop for everyone.")),
    "close_round": (gettext_lazy("Close the round and decide?"),
                    gettext_lazy("The positions taken so far give the outcome; the round "
                                 "cannot be reopened.")),
}


def _confirm(request, room, question, detail=""):
    """None once confirmed; else the page asking (only to those who may act: the others
    get their refusal from the service, as before)."""
    if not permissions.can_facilitate(request.user, room):
        return None
    occurrence = assembly_queries.occurrence_of_meeting(room.meeting)
    return needs_confirmation(request, str(question), detail=str(detail),
                              cancel=reverse("room", args=[occurrence.series.pk,
                                                           occurrence.key]))


@login_required
@require_POST
def manage(request, room_id):
    """Roles, the current item, timers, closing the room, decision rounds."""
    action = request.POST.get("action", "")
    user = request.user
    room = access.get_room_for(user, room_id)
    if action in CONFIRM and (page := _confirm(request, room, *CONFIRM[action])):
        return page
    try:
        if action == "role":
            access.get_room_to_assign_roles(user, room_id)
            data = forms.RoleForm(request.POST).parsed()
            services.set_role(actor=user, room_id=room.pk, role=data["role"],
                              person=access.person_to_assign(data["person"]))
        elif action == "item":
            services.set_current_item(actor=user, room_id=room.pk,
                                      item_id=forms.ItemForm(request.POST).parsed()["item"])
        elif action == "settings":
            data = forms.SettingsForm(request.POST).parsed()
            services.update_room_settings(
                actor=user, room_id=room.pk,
                speaker_limit_seconds=data["speaker_limit_seconds"],
                reset_turns_per_item=data["reset_turns_per_item"])
        elif action == "close":
            services.close_room(actor=user, room_id=room.pk)
        elif action in {"open_round", "close_round"}:
            services.decide_in_room(actor=user, room_id=room.pk, action=action,
                                    proposal_id=forms.RoundForm(request.POST).parsed()["proposal"])
        else:
            raise DomainError(_("Unknown action."), field="action")
    except DomainError as exc:
        return _done(request, room, exc)
    messages.success(request, _("Done."))
    return _done(request, room)


def state_json(request, room_id):
    """What the websocket sends a screen, for screens without websockets (polling); the
    facilitator's also says who makes which gesture (never sent to everyone)."""
    room = access.get_room_for(request.user, room_id)
    now = clock.now()
    me = f"p:{request.user.pk}" if request.user.is_authenticated else None
    screen = queries.screen(queries.snapshot(room, now), me, now)
    if permissions.can_facilitate(request.user, room):
        screen["gesture_people"] = queries.gesture_people(room, now)
    return JsonResponse(screen)
