"""Bodies (networks, cooperatives, groups) in one tree, colleges and membership."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autogestion.core.history import StatusEvent

from .rules import BodyStatus, Kind, Role, Status, ancestor_ids


class LegalForm(models.TextChoices):
    INTEGRAL = "integral", _("Integral cooperative")
    SCOP = "scop", _("SCOP (worker cooperative)")
    SCIC = "scic", _("SCIC (multi-stakeholder cooperative)")
    GIE = "gie", _("GIE (economic interest group)")
    ASSOCIATION = "association", _("Association")
    CONSUMER = "consumer", _("Consumer cooperative")
    HOUSING = "housing", _("Housing cooperative")
    CREDIT_UNION = "credit_union", _("Credit union (caisse populaire)")
    INFORMAL = "informal", _("Informal collective")


class BodyKind(models.TextChoices):
    NETWORK = Kind.NETWORK, _("Network")
    COOPERATIVE = Kind.COOPERATIVE, _("Cooperative")
    GROUP = Kind.GROUP, _("Group")


class BodyStatusChoice(models.TextChoices):
    PROPOSED = BodyStatus.PROPOSED, _("proposed, waiting for ratification")
    ACTIVE = BodyStatus.ACTIVE, _("active")
    DISSOLVED = BodyStatus.DISSOLVED, _("dissolved")


class BodyQuerySet(models.QuerySet):
    def networks(self):
        return self.filter(kind=Kind.NETWORK)

    def cooperatives(self):
        return self.filter(kind=Kind.COOPERATIVE)

    def groups(self):
        return self.filter(kind=Kind.GROUP)

    def descendants_of(self, body):
        return self.filter(path__startswith=body.path).exclude(pk=body.pk)

    def not_dissolved(self):
        return self.exclude(status=BodyStatus.DISSOLVED)

    def with_member_count(self):
        return self.annotate(
            member_count=models.Count(
                "memberships", filter=Q(memberships__status=Status.ACTIVE), distinct=True
            )
        )


class Body(models.Model):
    """A network, a cooperative or a group: anything that holds an assembly, has
    members and owns its decisions (subsidiarity, R1)."""

    kind = models.CharField(_("kind"), max_length=16, choices=BodyKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # '/1/4/9/': ids from the root to this body, so ancestors and descendants cost one query.
    path = models.CharField(_("path in the tree"), max_length=255, db_index=True,
                            editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("meeting place"), max_length=255, blank=True)
    rhythm = models.CharField(_("usual meeting rhythm"), max_length=255, blank=True)
    is_open = models.BooleanField(
        _("open"), default=True,
        help_text=_("Open bodies publish their meetings and progress to everyone; closed "
                    "ones show only that they exist."),
    )
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices,
                                  blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # R17: changed by the body's own decision only (status by cooperatives' effects,
    # the ratification setting by the decisions app's policy effect).
    status = models.CharField(_("status"), max_length=16, choices=BodyStatusChoice.choices,
                              default=BodyStatus.ACTIVE)
    groups_need_ratification = models.BooleanField(
        _("new groups need ratification"), default=False,
        help_text=_("Groups founded inside this body are proposed until its decision "
                    "ratifies them."),
    )

    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in Kind]), name="body_kind_known"
            ),
            models.CheckConstraint(
                condition=(Q(kind=Kind.COOPERATIVE) & ~Q(legal_form=""))
                | (~Q(kind=Kind.COOPERATIVE) & Q(legal_form="")),
                name="body_legal_form_only_for_cooperatives",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.GROUP) | Q(parent__isnull=False),
                name="body_group_has_parent",
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="body_unique_name_in_parent"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in BodyStatus]), name="body_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=BodyStatus.PROPOSED) | Q(kind=Kind.GROUP),
                name="body_only_groups_are_proposed",
            ),
            models.CheckConstraint(condition=Q(path__startswith="/") & Q(path__endswith="/"),
                                   name="body_path_framed"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("body_detail", args=[self.slug])

    @property
    def is_dissolved(self) -> bool:
        return self.status == BodyStatus.DISSOLVED

    @property
    def is_proposed(self) -> bool:
        return self.status == BodyStatus.PROPOSED

    @property
    def accepts_activity(self) -> bool:
        """False once dissolved: no new member, group, proposal or progress (R17)."""
        return self.status != BodyStatus.DISSOLVED

    @property
    def ancestor_ids(self) -> list[int]:
        return ancestor_ids(self.path)

    def ancestors(self):
        """Root first."""
        by_id = {b.pk: b for b in Body.objects.filter(pk__in=self.ancestor_ids)}
        return [by_id[i] for i in self.ancestor_ids if i in by_id]

    def enclosing_cooperative(self):
        if self.kind == Kind.COOPERATIVE:
            return self
        if self.kind == Kind.NETWORK:
            return None
        return (Body.objects.filter(pk__in=self.ancestor_ids, kind=Kind.COOPERATIVE)
                .order_by("-depth").first())


class BodyEvent(StatusEvent):
    """A body's history: founded (proposed or active), ratified, moved, dissolved."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.CASCADE,
                             related_name="events")
    # The decision that made the change (ratified, moved, dissolved), when one did.
    decision_id = models.PositiveBigIntegerField(_("decision"), null=True, blank=True)

    class Meta(StatusEvent.Meta):
        verbose_name = _("body event")
        verbose_name_plural = _("body events")

    def __str__(self) -> str:
        return f"{self.body} {self.from_status} → {self.to_status}"


class Network(Body):
    class Meta:
        proxy = True
        verbose_name = _("network")


class Cooperative(Body):
    class Meta:
        proxy = True
        verbose_name = _("cooperative")


class Group(Body):
    class Meta:
        proxy = True
        verbose_name = _("group")


class College(models.Model):
    """A member category of a SCIC, with its weight in legal votes (10 % to 50 %)."""

    cooperative = models.ForeignKey(Body, verbose_name=_("cooperative"),
                                    on_delete=models.CASCADE, related_name="colleges")
    name = models.CharField(_("name"), max_length=100)
    weight_percent = models.PositiveSmallIntegerField(_("weight (%)"))

    class Meta:
        verbose_name = _("college")
        verbose_name_plural = _("colleges")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "name"], name="college_unique_name"),
            models.CheckConstraint(
                condition=Q(weight_percent__gte=10) & Q(weight_percent__lte=50),
                name="college_weight_10_to_50",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight_percent} %)"


class MembershipRole(models.TextChoices):
    MEMBER = Role.MEMBER, _("member")
    COORDINATOR = Role.COORDINATOR, _("coordinator")
    STEWARD = Role.STEWARD, _("steward")


class MembershipStatus(models.TextChoices):
    PENDING = Status.PENDING, _("request pending")
    ACTIVE = Status.ACTIVE, _("member")
    DECLINED = Status.DECLINED, _("request declined")
    LEFT = Status.LEFT, _("left")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Status.ACTIVE)


class Membership(models.Model):
    """One stint of a person in a body, from request to leaving. A person who comes
    back gets a new row: the old one stays, because voting rights may depend on
    seniority."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"),
                               on_delete=models.CASCADE, related_name="memberships")
    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.CASCADE,
                             related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices,
                            default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=16, choices=MembershipStatus.choices)
    college = models.ForeignKey(College, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="memberships", verbose_name=_("college"))
    message = models.TextField(_("message to the coordinators"), blank=True)
    # A SCOP's partners: the capital each holds (euro cents) and whether they work in it
    # (associé salarié), for the employee shares of R5.
    capital_cents = models.BigIntegerField(_("capital held (cents)"), default=0)
    is_employee = models.BooleanField(_("employee (associé salarié)"), default=False)
    requested_at = models.DateTimeField(_("asked on"), auto_now_add=True)
    joined_at = models.DateTimeField(_("joined on"), null=True, blank=True)
    left_at = models.DateTimeField(_("left on"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["body__path", "requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "body"],
                condition=Q(status__in=[Status.PENDING, Status.ACTIVE]),
                name="membership_one_current_per_person_and_body",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="membership_status_known"
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="membership_role_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.ACTIVE)
                | Q(joined_at__isnull=False, left_at__isnull=True),
                name="membership_active_has_joined_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.LEFT)
                | Q(joined_at__isnull=False, left_at__isnull=False),
                name="membership_left_has_dates",
            ),
            models.CheckConstraint(condition=Q(capital_cents__gte=0),
                                   name="membership_capital_not_negative"),
        ]
        indexes = [
            models.Index(fields=["body", "status"]),
            # Counting who may vote, per college, without reading the rows (tallies).
            models.Index(fields=["body", "status", "college", "joined_at"],
                         name="membership_voting_rights"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.body} ({self.status})"

    @property
    def capital_euros(self) -> str:
        """'500.00': the capital held, in euros, as a form shows it."""
        return f"{self.capital_cents // 100}.{self.capital_cents % 100:02d}"


class MembershipEvent(models.Model):
    """Append-only history of a membership: requested, joined, accepted, declined,
    role changed, left. Who did it and when."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("requested to join")
        JOINED = "joined", _("joined")
        ACCEPTED = "accepted", _("request accepted")
        DECLINED = "declined", _("request declined")
        ROLE_CHANGED = "role_changed", _("role changed")
        COLLEGE_CHANGED = "college_changed", _("college changed")
        CAPITAL_CHANGED = "capital_changed", _("capital or employee status changed")
        LEFT = "left", _("left")

    membership = models.ForeignKey(Membership, verbose_name=_("membership"),
                                   on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=255, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class ProgressUpdate(models.Model):
    """"L'avancement de leurs travaux": what a body has been doing, public for open bodies."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.CASCADE,
                             related_name="progress_updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("published on"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="progress_update_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.created_at:%Y-%m-%d}"
