"""Posts and skills (polyvalence, R12), the published rotation of posts, the daily plan
made at the evening meeting (R3, R13) and self-training (R13).

A shift is one day: a body's posts are held day by day (milking every day, the market
stall on Saturdays). Invariants are database constraints as well as rules: one skill
per member and post, one place per member per day of a rotation, one daily plan per
body and day, a training session ends after it starts.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from autogestion.cooperatives.models import Body
from autogestion.core.history import StatusEvent

from . import rules

ALL_WEEKDAYS = "1234567"  # ISO weekdays, Monday = 1


class Post(models.Model):
    """A task a body needs done regularly, e.g. milking, bookkeeping, the market stall."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.CASCADE,
                             related_name="posts")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # How many people hold it on a day it is needed.
    holders = models.PositiveSmallIntegerField(_("people per shift"), default=1)
    # R12: at least this many members able to hold it, or the post is at risk.
    capable_needed = models.PositiveSmallIntegerField(_("capable people needed"), default=2)
    # The ISO weekdays (1 = Monday) on which the post is held, e.g. "6" for Saturdays.
    weekdays = models.CharField(_("days of the week"), max_length=7, default=ALL_WEEKDAYS)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["body", "name"]
        constraints = [
            models.UniqueConstraint(fields=["body", "name"], name="post_name_unique_in_body"),
            models.CheckConstraint(condition=Q(holders__gte=1), name="post_holders_positive"),
            models.CheckConstraint(condition=Q(capable_needed__gte=1),
                                   name="post_capable_needed_positive"),
            models.CheckConstraint(condition=~Q(weekdays=""), name="post_weekdays_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class SkillLevel(models.TextChoices):
    CAPABLE = "capable", _("capable")
    LEARNING = "learning", _("learning")
    TEACHING = "teaching", _("can teach")


assert set(SkillLevel.values) == set(rules.LEVELS)


class Skill(models.Model):
    """What a member declares about a post; a coordinator of the body may confirm it."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="skills")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="skills")
    level = models.CharField(_("level"), max_length=10, choices=SkillLevel.choices)
    declared_at = models.DateTimeField(_("declared at"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [
            models.UniqueConstraint(fields=["person", "post"], name="skill_one_per_post"),
            models.CheckConstraint(condition=Q(level__in=SkillLevel.values),
                                   name="skill_level_known"),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | Q(confirmed_at__isnull=False),
                name="skill_confirmation_complete"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.post}: {self.get_level_display()}"


class Unavailability(models.Model):
    """Days a member cannot hold any post of a body (holidays, care, another project)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="unavailabilities")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+")
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailabilities")
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")),
                                   name="unavailability_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.first_day} – {self.last_day}"


class RotationStatus(models.TextChoices):
    DRAFT = "draft", _("proposal")
    PUBLISHED = "published", _("published")
    DISCARDED = "discarded", _("discarded")


class Rotation(models.Model):
    """Who holds each post on each day of a period: proposed by the planner, adjusted by
    hand while it is a proposal, then published for the members, or discarded (by hand,
    or replaced by a new proposal over the same days). Its status changes only through
    services.move_rotation, which writes a RotationEvent."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="rotations")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    max_streak = models.PositiveSmallIntegerField(_("most days in a row on one post"),
                                                  default=2)
    status = models.CharField(_("status"), max_length=10, choices=RotationStatus.choices,
                              default=RotationStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")
        ordering = ["body", "-first_day"]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")),
                                   name="rotation_ends_after_start"),
            models.CheckConstraint(condition=Q(max_streak__gte=1),
                                   name="rotation_max_streak_positive"),
            models.CheckConstraint(condition=Q(status__in=RotationStatus.values),
                                   name="rotation_status_known"),
            models.CheckConstraint(
                condition=Q(status__in=(RotationStatus.DRAFT, RotationStatus.DISCARDED),
                            published_at__isnull=True)
                | Q(status=RotationStatus.PUBLISHED, published_at__isnull=False),
                name="rotation_published_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.first_day} – {self.last_day} ({self.get_status_display()})"


class RotationEvent(StatusEvent):
    """A rotation proposed, published or discarded: by whom, when, why."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("rotation event")
        verbose_name_plural = _("rotation events")


class AssignmentRole(models.TextChoices):
    HOLDER = rules.HOLDER, _("holds the post")
    LEARNER = rules.LEARNER, _("learns beside the holder")


class Assignment(models.Model):
    """One member on one post for one day of a rotation, with why the planner chose them
    (`reason`, `details`), or who set it by hand (`set_by`)."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE,
                                 related_name="assignments")
    day = models.DateField(_("day"))
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="assignments")
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    details = models.JSONField(default=dict, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["day", "post", "role", "person"]
        constraints = [
            # Nobody holds two places on one day.
            models.UniqueConstraint(fields=["rotation", "day", "person"],
                                    name="assignment_one_place_per_day"),
            models.CheckConstraint(condition=Q(role__in=AssignmentRole.values),
                                   name="assignment_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.post}: {self.person} ({self.get_role_display()})"


class Gap(models.Model):
    """A post the planner could not fill on a day, and why (rules.Gap)."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="gaps")
    day = models.DateField(_("day"))
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=40)
    missing = models.PositiveSmallIntegerField(_("people missing"))
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rotation", "day", "post"], name="gap_once"),
            models.CheckConstraint(condition=Q(missing__gte=1), name="gap_missing_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.post}: {self.missing} missing ({self.reason})"


class DailyPlanStatus(models.TextChoices):
    DRAFT = "draft", _("being prepared")
    PUBLISHED = "published", _("published")


class DailyPlan(models.Model):
    """Tomorrow's tasks, made at a body's evening meeting and read in the morning. Its
    status changes only through daily/services.move_plan, which writes a DailyPlanEvent."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="daily_plans")
    day = models.DateField(_("day"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DailyPlanStatus.choices,
                              default=DailyPlanStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("daily plan")
        verbose_name_plural = _("daily plans")
        ordering = ["body", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["body", "day"], name="daily_plan_once_a_day"),
            models.CheckConstraint(condition=Q(status__in=DailyPlanStatus.values),
                                   name="daily_plan_status_known"),
            models.CheckConstraint(
                condition=Q(status=DailyPlanStatus.DRAFT, published_at__isnull=True)
                | Q(status=DailyPlanStatus.PUBLISHED, published_at__isnull=False),
                name="daily_plan_published_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.day}"


class DailyPlanEvent(StatusEvent):
    """A daily plan prepared or published: by whom, when."""

    plan = models.ForeignKey(DailyPlan, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("daily plan event")
        verbose_name_plural = _("daily plan events")


class Task(models.Model):
    """One task of a daily plan and the people on it; drawn from the rotation (`post`)
    or added in the meeting."""

    plan = models.ForeignKey(DailyPlan, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=160)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                    related_name="daily_tasks")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="task_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class DailyPlanNotice(models.Model):
    """A person told of their tasks in a published plan (in the app, and by push to those
    who opted in): once per person and plan, however often the plan is published again."""

    plan = models.ForeignKey(DailyPlan, on_delete=models.CASCADE, related_name="notices")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("daily plan notice")
        verbose_name_plural = _("daily plan notices")
        constraints = [models.UniqueConstraint(fields=["plan", "person"],
                                               name="daily_plan_notice_once")]

    def __str__(self) -> str:
        return f"{self.plan} → {self.person}"


class KnowledgeKind(models.TextChoices):
    TEACH = "teach", _("can teach")
    LEARN = "learn", _("wants to learn")


class Knowledge(models.Model):
    """A line of a member's teach/learn list in a cooperative: a post of one of its
    bodies, or a free topic ("bread making", "bookkeeping with Beancount")."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="knowledge")
    cooperative = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=5, choices=KnowledgeKind.choices)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    topic = models.CharField(_("topic"), max_length=120, blank=True)
    # Lower-cased, accents and spaces folded: how topics are matched.
    topic_key = models.CharField(max_length=120, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("teach or learn")
        verbose_name_plural = _("teach and learn lists")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=KnowledgeKind.values),
                                   name="knowledge_kind_known"),
            models.CheckConstraint(
                condition=(Q(post__isnull=False) & Q(topic_key=""))
                | (Q(post__isnull=True) & ~Q(topic_key="")),
                name="knowledge_post_or_topic"),
            models.UniqueConstraint(fields=["person", "kind", "post"],
                                    condition=Q(post__isnull=False),
                                    name="knowledge_post_once"),
            models.UniqueConstraint(fields=["person", "cooperative", "kind", "topic_key"],
                                    condition=~Q(topic_key=""),
                                    name="knowledge_topic_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_kind_display()} {self.topic or self.post}"


class TrainingSession(models.Model):
    """A learning pair put on the calendar: who teaches whom, what, when and where."""

    cooperative = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="sessions_taught")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="sessions_learned")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    topic = models.CharField(_("topic"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="training_ends_after_start"),
            models.CheckConstraint(condition=~Q(teacher=F("learner")),
                                   name="training_two_people"),
            models.CheckConstraint(condition=Q(post__isnull=False) | ~Q(topic=""),
                                   name="training_post_or_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} → {self.learner}: {self.topic or self.post} ({self.starts_at})"
