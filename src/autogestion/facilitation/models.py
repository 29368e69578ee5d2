"""The live meeting room of a meeting: its speaking list (kept whole in the database, so a
reload or a restart loses nothing), speaking turns, gestures, roles (DOMAIN.md R6, R7,
R14)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from autogestion.assemblies.models import AgendaItem, Meeting
from autogestion.core.history import StatusEvent

from .rules import HandKind


class HandKindChoice(models.TextChoices):
    SPEAK = HandKind.SPEAK, _("to speak")
    TECHNICAL = HandKind.TECHNICAL, _("technical point")
    CLARIFYING = HandKind.CLARIFYING, _("clarifying question")
    DIRECT = HandKind.DIRECT, _("direct response")


class GestureKind(models.TextChoices):
    AGREE = "agree", _("agree")
    DISAGREE = "disagree", _("disagree")
    CLARIFYING = "clarifying", _("clarifying question")
    TECHNICAL = "technical", _("technical point")
    DIRECT = "direct_response", _("direct response")
    LOUDER = "louder", _("louder please")
    SLOWER = "slow_down", _("slow down")
    LOST = "lost", _("I am lost")
    BLOCK = "block", _("block")


class RoleKind(models.TextChoices):
    FACILITATOR = "facilitator", _("facilitator")
    CO_FACILITATOR = "co_facilitator", _("co-facilitator")
    TIMEKEEPER = "timekeeper", _("timekeeper")
    NOTE_TAKER = "note_taker", _("note-taker")
    MOOD_KEEPER = "mood_keeper", _("mood keeper")


class RoomStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


# The only moves of a room's status (services.move_room makes them, with an event row).
ROOM_MOVES = {RoomStatus.OPEN: {RoomStatus.CLOSED}, RoomStatus.CLOSED: {RoomStatus.OPEN}}


class Room(models.Model):
    meeting = models.OneToOneField(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                   related_name="room")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    status = models.CharField(_("status"), max_length=10, choices=RoomStatus.choices,
                              default=RoomStatus.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    state = models.JSONField(_("speaking list"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    reset_turns_per_item = models.BooleanField(
        _("count turns per agenda item"), default=False,
        help_text=_("Otherwise turns count for the whole meeting."))
    speaker_limit_seconds = models.PositiveIntegerField(_("time per speaker (seconds)"),
                                                        null=True, blank=True)
    current_item = models.ForeignKey(AgendaItem, verbose_name=_("current agenda item"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    item_started_at = models.DateTimeField(null=True, blank=True)
    speaker_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("meeting room")
        verbose_name_plural = _("meeting rooms")
        constraints = [
            models.CheckConstraint(condition=Q(speaker_limit_seconds__isnull=True)
                                   | Q(speaker_limit_seconds__gte=10,
                                       speaker_limit_seconds__lte=3600),
                                   name="room_speaker_limit_10s_to_1h"),
        ]

    def __str__(self) -> str:
        return f"room of {self.meeting}"

    @property
    def group_name(self) -> str:
        return f"room-{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status == RoomStatus.CLOSED


class RoomEvent(StatusEvent):
    """Append-only history of the room's status: opened, closed, opened again."""

    room = models.ForeignKey(Room, verbose_name=_("meeting room"), on_delete=models.CASCADE,
                             related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("meeting room event")
        verbose_name_plural = _("meeting room events")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status} {self.at:%Y-%m-%d %H:%M}"


class RoomAction(models.Model):
    """Append-only: every action taken on the speaking list, by whom (raise, next,
    skip, undo...). It is the list's own history: a status event per turn would repeat
    it (and the turns themselves are SpeakingTurn rows with their start and end)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+")
    action = models.CharField(max_length=32)
    who = models.CharField(max_length=120, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.who}"


class Participant(models.Model):
    """Someone on the list: a member, or a person in the room without an account whom the
    facilitator writes down by name."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="participants")
    key = models.CharField(max_length=120)  # "p:<person id>" or "n:<name>"
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "key"],
                                               name="participant_once_per_room")]

    def __str__(self) -> str:
        return self.name


class SpeakingTurn(models.Model):
    """One turn at speaking, with its start and end: the material of the statistics."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="turns")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="turns")
    kind = models.CharField(max_length=20, choices=HandKindChoice.choices)
    agenda_item = models.ForeignKey(AgendaItem, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__isnull=True)
                                   | Q(ended_at__gte=models.F("started_at")),
                                   name="turn_ends_after_start"),
            models.UniqueConstraint(fields=["room"], condition=Q(ended_at__isnull=True),
                                    name="turn_one_speaker_at_a_time"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.started_at:%H:%M}"


class Gesture(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="gestures")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    kind = models.CharField(max_length=20, choices=GestureKind.choices)
    made_at = models.DateTimeField()
    # A gesture fades after a short time unless held; a held one has no end until let go.
    fades_at = models.DateTimeField(null=True, blank=True)
    held = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["room", "fades_at"])]

    def __str__(self) -> str:
        return f"{self.kind} by {self.person_id}"


class RoomRole(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=RoleKind.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="room_roles")
    assigned_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "role"], name="role_once_per_room")]

    def __str__(self) -> str:
        return f"{self.role}: {self.person_id}"


class SelfDescription(models.Model):
    """An optional, self-chosen category (R14), only ever shown aggregated over at least
    five people. The person edits or deletes it at any time."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="self_description")
    category = models.CharField(_("how I describe myself"), max_length=60)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(category=""),
                                              name="self_description_not_empty")]

    def __str__(self) -> str:
        return self.category
