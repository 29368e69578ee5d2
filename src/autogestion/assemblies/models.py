"""Meeting series (the Agora, weekly and daily meetings), their occurrences, agendas,
programs, minutes and attendance (DOMAIN.md R3, R4)."""

import re
import secrets
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from autogestion.cooperatives.models import Body
from autogestion.core.history import StatusEvent

from .rules import ItemStatus, MeetingState, ReminderKind, SignupStatus


class SeriesKind(models.TextChoices):
    AGORA = "agora", _("Agora")
    REGULAR = "regular", _("Regular meeting")
    DAILY_PLANNING = "daily_planning", _("Daily planning meeting")


class MeetingSeries(models.Model):
    """A body's recurring meeting, as an RFC 5545 rule in local time."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.CASCADE,
                             related_name="meeting_series")
    kind = models.CharField(_("kind"), max_length=20, choices=SeriesKind.choices,
                            default=SeriesKind.REGULAR)
    title = models.CharField(_("title"), max_length=150)
    rrule = models.CharField(_("recurrence rule (RFC 5545)"), max_length=255)
    first_day = models.DateField(_("first day"))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    place = models.CharField(_("place"), max_length=255, blank=True)
    # The preparation meeting and the agenda deadline, in days before each occurrence;
    # empty for meetings without an agenda deadline.
    preparation_offset_days = models.PositiveSmallIntegerField(
        _("preparation meeting, days before"), null=True, blank=True)
    preparation_time = models.TimeField(_("preparation meeting starts at"), null=True,
                                        blank=True)
    preparation_minutes = models.PositiveSmallIntegerField(_("preparation meeting length "
                                                             "(minutes)"), default=120)
    agenda_opens_days = models.PositiveSmallIntegerField(
        _("agenda opens, days before"), default=28)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        ordering = ["body__path", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")),
                                   name="series_ends_after_start"),
            models.CheckConstraint(
                condition=Q(preparation_offset_days__isnull=True)
                | Q(preparation_offset_days__gte=1, preparation_offset_days__lte=60),
                name="series_preparation_offset_1_to_60"),
            models.CheckConstraint(condition=Q(preparation_minutes__gte=1),
                                   name="series_preparation_has_length"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.body})"

    @property
    def has_agenda_deadline(self) -> bool:
        return self.preparation_offset_days is not None


class MeetingStatus(models.TextChoices):
    SCHEDULED = MeetingState.SCHEDULED, _("scheduled")
    CANCELLED = MeetingState.CANCELLED, _("cancelled")


class Meeting(models.Model):
    """One occurrence of a series, stored once something hangs on it: an agenda item, a
    program, minutes, or a change (moved, cancelled). Untouched occurrences exist only
    as the rule's expansion."""

    series = models.ForeignKey(MeetingSeries, verbose_name=_("series"), on_delete=models.CASCADE,
                               related_name="meetings")
    # The start the rule gives; stays the occurrence's identity when it is moved
    # (RECURRENCE-ID in iCalendar).
    original_start = models.DateTimeField(_("planned start"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=MeetingStatus.choices,
                              default=MeetingStatus.SCHEDULED)
    note = models.CharField(_("note"), max_length=255, blank=True)
    agenda_published_at = models.DateTimeField(_("agenda published at"), null=True, blank=True)
    minutes_published_at = models.DateTimeField(_("minutes published at"), null=True,
                                                blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["series", "original_start"],
                                    name="meeting_one_per_occurrence"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="meeting_ends_after_start"),
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values),
                                   name="meeting_status_known"),
        ]

    def __str__(self) -> str:
        local = self.original_start.astimezone(ZoneInfo(self.series.timezone))
        return f"{self.series.title} {local:%Y-%m-%d}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED


class MeetingEvent(StatusEvent):
    """Append-only history of an occurrence's status: stored (scheduled), cancelled
    (with the reason), restored."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("meeting event")
        verbose_name_plural = _("meeting events")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status} {self.at:%Y-%m-%d}"


class AgendaItemKind(models.TextChoices):
    INFORMATION = "information", _("information")
    DISCUSSION = "discussion", _("discussion")
    DECISION = "decision", _("decision")


class AgendaItemStatus(models.TextChoices):
    NEW = ItemStatus.NEW, _("new")
    ACCEPTED = ItemStatus.ACCEPTED, _("accepted")
    DISCARDED = ItemStatus.DISCARDED, _("discarded")
    DELAYED = ItemStatus.DELAYED, _("delayed")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="agenda_items")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=AgendaItemKind.choices,
                            default=AgendaItemKind.DISCUSSION)
    duration_minutes = models.PositiveSmallIntegerField(_("requested duration (minutes)"))
    presenter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("presenter"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=AgendaItemStatus.choices,
                              default=AgendaItemStatus.NEW)
    discard_reason = models.CharField(_("reason"), max_length=255, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    is_permanent = models.BooleanField(_("permanent item"), default=False)
    # What the platform put there itself: "group_news" for the news of the groups (R17);
    # empty for items people add. One item per purpose on an agenda.
    purpose = models.CharField(_("purpose"), max_length=20, blank=True, default="",
                               choices=[("", ""), ("group_news", _("news of the groups"))])
    # A delayed item is copied to a later meeting; the copy points back to its origin.
    delayed_from = models.OneToOneField("self", verbose_name=_("delayed from"), null=True,
                                        blank=True, on_delete=models.SET_NULL,
                                        related_name="delayed_to")
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=480),
                name="agenda_item_duration_1_to_480"),
            models.CheckConstraint(condition=Q(status__in=AgendaItemStatus.values),
                                   name="agenda_item_status_known"),
            models.CheckConstraint(condition=~Q(status=ItemStatus.DISCARDED)
                                   | ~Q(discard_reason=""),
                                   name="agenda_item_discard_has_reason"),
            models.CheckConstraint(condition=~Q(title=""), name="agenda_item_has_title"),
            # The order of an agenda: one item per place.
            models.UniqueConstraint(fields=["meeting", "position"],
                                    name="agenda_item_one_per_position"),
            models.UniqueConstraint(fields=["meeting", "purpose"], condition=~Q(purpose=""),
                                    name="agenda_item_one_per_purpose"),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItemEvent(StatusEvent):
    """Append-only history of an agenda item's status: added (from nothing to new, or
    accepted for a permanent item), accepted, discarded, delayed, back to new. The
    reason holds the discard reason, or the meeting an item was delayed to or carried
    over from."""

    item = models.ForeignKey(AgendaItem, verbose_name=_("agenda item"),
                             on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("agenda item event")
        verbose_name_plural = _("agenda item events")

    @property
    def from_label(self) -> str:
        return AgendaItemStatus(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return AgendaItemStatus(self.to_status).label

    @property
    def reason_text(self) -> str:
        """The reason as people read it: the marker of a permanent item and the meeting
        an item moved to or came from (stored as codes) in words, else as written."""
        if self.reason == "permanent":
            return str(_("comes back on every agenda"))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.reason):
            try:
                return date_format(date.fromisoformat(self.reason), "j F Y")
            except ValueError:
                pass
        return self.reason

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status} {self.at:%Y-%m-%d}"


class PermanentItem(models.Model):
    """A recurring report that comes back on every agenda of a series."""

    series = models.ForeignKey(MeetingSeries, verbose_name=_("series"),
                               on_delete=models.CASCADE, related_name="permanent_items")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=AgendaItemKind.choices,
                            default=AgendaItemKind.INFORMATION)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=10)
    position = models.PositiveIntegerField(_("order"), default=0)
    purpose = models.CharField(_("purpose"), max_length=20, blank=True, default="",
                               choices=[("", ""), ("group_news", _("news of the groups"))])

    class Meta:
        verbose_name = _("permanent item")
        verbose_name_plural = _("permanent items")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=480),
                name="permanent_item_duration_1_to_480"),
        ]

    def __str__(self) -> str:
        return self.title


class GroupNews(models.Model):
    """A group founded in a cooperative, told on the next open agenda of its Agora under
    the item "News of the groups" (R17). Once per group."""

    item = models.ForeignKey(AgendaItem, verbose_name=_("agenda item"),
                             on_delete=models.CASCADE, related_name="group_news")
    group = models.ForeignKey(Body, verbose_name=_("group"), on_delete=models.CASCADE,
                              related_name="+")
    founder = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("founded by"),
                                null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("news of a group")
        verbose_name_plural = _("news of the groups")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["group"], name="group_news_once")]

    def __str__(self) -> str:
        return f"{self.group} @ {self.item}"


class SessionKind(models.TextChoices):
    PLENARY = "plenary", _("plenary")
    WORKSHOP = "workshop", _("workshop")
    MEAL = "meal", _("shared meal")
    BREAK = "break", _("break")


class ProgramSession(models.Model):
    """A timed part of an assembly day; workshops in the same slot run in parallel."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices,
                            default=SessionKind.PLENARY)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("facilitator"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)

    class Meta:
        verbose_name = _("program session")
        verbose_name_plural = _("program sessions")
        ordering = ["starts_at", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__isnull=True)
                                   | Q(ends_at__gt=F("starts_at")),
                                   name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                                   name="session_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class SessionSignup(models.Model):
    session = models.ForeignKey(ProgramSession, verbose_name=_("session"),
                                on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"),
                               on_delete=models.CASCADE, related_name="session_signups")
    # Copied from the session so the database itself refuses two workshops at once.
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    slot_start = models.DateTimeField()
    status = models.CharField(_("status"), max_length=16,
                              choices=[(s.value, s.value) for s in SignupStatus])
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="signup_once"),
            models.UniqueConstraint(fields=["person", "meeting", "slot_start"],
                                    name="signup_one_workshop_per_slot"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in SignupStatus]),
                                   name="signup_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.session}"


class SessionSignupEvent(StatusEvent):
    """Append-only history of a sign-up: confirmed or waiting when made, confirmed when
    a place frees up."""

    signup = models.ForeignKey(SessionSignup, verbose_name=_("sign-up"),
                               on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("sign-up event")
        verbose_name_plural = _("sign-up events")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status} {self.at:%Y-%m-%d}"


class MinutesEntry(models.Model):
    """The minutes of one agenda item (or general notes when no item)."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="minutes")
    agenda_item = models.ForeignKey(AgendaItem, verbose_name=_("agenda item"), null=True,
                                    blank=True, on_delete=models.CASCADE, related_name="+")
    notes = models.TextField(_("notes"), blank=True)
    presented_by = models.CharField(_("presented by"), max_length=200, blank=True)
    decisions = models.TextField(_("decisions taken"), blank=True)
    links = models.TextField(_("links"), blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"),
                                   null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("minutes entry")
        verbose_name_plural = _("minutes entries")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agenda_item"],
                                    name="minutes_one_entry_per_item"),
            models.UniqueConstraint(fields=["meeting"], condition=Q(agenda_item__isnull=True),
                                    name="minutes_one_general_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} / {self.agenda_item or '-'}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="attendance")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"),
                               on_delete=models.CASCADE, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "person"],
                                               name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.meeting}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeedToken(models.Model):
    """The secret address of a person's own calendar feed; resetting it cuts off every
    calendar program that knew the old one."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar of {self.person}"


class ReminderSent(models.Model):
    """One line per reminder e-mail sent: the log that keeps reminders to one each."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    kind = models.CharField(max_length=20, choices=[(k.value, k.value) for k in ReminderKind])
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "person", "kind"],
                                               name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.person} {self.meeting}"
