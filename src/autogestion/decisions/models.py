"""Proposals, their numbered rounds and positions, star debates, comments, the policy
of each body, and the register of decisions (DOMAIN.md R1, R5, R15)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autogestion.assemblies.models import AgendaItem
from autogestion.cooperatives.models import Body, College
from autogestion.core.history import StatusEvent

from .rules import DecisionClass, Method, Outcome, ProposalStatus, Stance


class MethodChoice(models.TextChoices):
    CONSENT = Method.CONSENT, _("consent")
    CONSENSUS = Method.CONSENSUS, _("consensus")
    MAJORITY = Method.MAJORITY, _("majority vote")


class ClassChoice(models.TextChoices):
    STATUTES = DecisionClass.STATUTES, _("statutes")
    ORIENTATION = DecisionClass.ORIENTATION, _("political orientation")
    EXCLUSION = DecisionClass.EXCLUSION, _("exclusion of a person")
    EXECUTIVE = DecisionClass.EXECUTIVE, _("executive decision")
    LEGAL_ACT = DecisionClass.LEGAL_ACT, _("legal act of the general meeting")


class StanceChoice(models.TextChoices):
    AGREE = Stance.AGREE, _("agree")
    RESERVATIONS = Stance.RESERVATIONS, _("agree with reservations")
    STAND_ASIDE = Stance.STAND_ASIDE, _("stand aside")
    VETO = Stance.VETO, _("veto")
    FULLY_AGREE = Stance.FULLY_AGREE, _("fully agree")
    SLIGHT_DISAGREEMENT = Stance.SLIGHT_DISAGREEMENT, _("slight disagreement, not opposed")
    OBJECTION = Stance.OBJECTION, _("total disagreement (objection)")
    YES = Stance.YES, _("yes")
    NO = Stance.NO, _("no")
    ABSTAIN = Stance.ABSTAIN, _("abstain")


class OutcomeChoice(models.TextChoices):
    ADOPTED = Outcome.ADOPTED, _("adopted")
    REJECTED = Outcome.REJECTED, _("not adopted")
    POSTPONED = Outcome.POSTPONED, _("postponed (veto)")
    NO_QUORUM = Outcome.NO_QUORUM, _("no quorum")
    LOW_PARTICIPATION = Outcome.LOW_PARTICIPATION, _("not decided: participation too low")


class StatusChoice(models.TextChoices):
    OPEN = ProposalStatus.OPEN, _("round open")
    POSTPONED = ProposalStatus.POSTPONED, _("postponed: star debate")
    AMENDABLE = ProposalStatus.AMENDABLE, _("not adopted: may be amended")
    ADOPTED = ProposalStatus.ADOPTED, _("adopted")
    WITHDRAWN = ProposalStatus.WITHDRAWN, _("withdrawn")


class DecisionPolicy(models.Model):
    """Which method a class of decision takes in a body (the default is DOMAIN.md's)."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.CASCADE,
                             related_name="decision_policies")
    decision_class = models.CharField(_("class of decision"), max_length=20,
                                      choices=ClassChoice.choices)
    method = models.CharField(_("method"), max_length=20, choices=MethodChoice.choices)

    class Meta:
        verbose_name = _("decision policy")
        verbose_name_plural = _("decision policies")
        constraints = [
            models.UniqueConstraint(fields=["body", "decision_class"],
                                    name="policy_one_method_per_class"),
            models.CheckConstraint(
                condition=(Q(decision_class=DecisionClass.LEGAL_ACT) & Q(method=Method.MAJORITY))
                | (~Q(decision_class=DecisionClass.LEGAL_ACT) & ~Q(method=Method.MAJORITY)),
                name="policy_majority_only_for_legal_acts"),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.decision_class} → {self.method}"


class DecisionSettings(models.Model):
    """A body's own settings for deciding."""

    body = models.OneToOneField(Body, on_delete=models.CASCADE, related_name="decision_settings")
    # "La personne concernée peut s'exprimer mais son veto ne bloque pas son exclusion."
    concerned_veto_blocks = models.BooleanField(
        _("the concerned person's veto blocks their exclusion"), default=False)
    anonymous_ballots = models.BooleanField(_("secret ballots for majority votes"),
                                            default=False)
    star_group_size = models.PositiveSmallIntegerField(_("star debate group size"), default=6)
    quorum_percent = models.PositiveSmallIntegerField(_("quorum of majority votes (%)"),
                                                      default=50)
    threshold_percent = models.PositiveSmallIntegerField(
        _("majority threshold (%)"), default=50,
        help_text=_("50: more than half of the expressed votes. 67 or 80: a qualified "
                    "majority, reached at that share."))
    min_seniority_days = models.PositiveSmallIntegerField(
        _("days of membership before voting"), default=0)
    # R16: below these shares of the members entitled, a consent or consensus round
    # decides nothing (0: no minimum, as in an assembly). Majority votes have their quorum.
    min_participation_consent = models.PositiveSmallIntegerField(
        _("minimum participation in consent rounds (%)"), default=0)
    min_participation_consensus = models.PositiveSmallIntegerField(
        _("minimum participation in consensus rounds (%)"), default=0)
    # R16: how many proxies one member may hold in a legal vote (the statutes' limit).
    max_proxies = models.PositiveSmallIntegerField(
        _("proxies one member may hold in a legal vote"), default=1)

    class Meta:
        verbose_name = _("decision settings")
        verbose_name_plural = _("decision settings")
        constraints = [
            models.CheckConstraint(condition=Q(star_group_size__gte=4, star_group_size__lte=8),
                                   name="settings_star_group_4_to_8"),
            models.CheckConstraint(condition=Q(quorum_percent__lte=100),
                                   name="settings_quorum_percent"),
            models.CheckConstraint(condition=Q(threshold_percent__gte=50,
                                               threshold_percent__lte=99),
                                   name="settings_threshold_50_to_99"),
            models.CheckConstraint(condition=Q(min_participation_consent__lte=100,
                                               min_participation_consensus__lte=100),
                                   name="settings_min_participation_percent"),
            models.CheckConstraint(condition=Q(max_proxies__lte=5),
                                   name="settings_max_proxies_0_to_5"),
        ]

    def __str__(self) -> str:
        return f"decision settings of {self.body}"


class Proposal(models.Model):
    body = models.ForeignKey(Body, verbose_name=_("deciding body"), on_delete=models.PROTECT,
                             related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text (Markdown)"))
    decision_class = models.CharField(_("class of decision"), max_length=20,
                                      choices=ClassChoice.choices)
    method = models.CharField(_("method"), max_length=20, choices=MethodChoice.choices)
    status = models.CharField(_("status"), max_length=20, choices=StatusChoice.choices,
                              default=ProposalStatus.OPEN)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True,
                               on_delete=models.SET_NULL, related_name="proposals")
    agenda_item = models.ForeignKey(AgendaItem, verbose_name=_("agenda item"), null=True,
                                    blank=True, on_delete=models.SET_NULL,
                                    related_name="proposals")
    amends = models.ManyToManyField("self", verbose_name=_("amends"), symmetrical=False,
                                    blank=True, related_name="amended_by")
    # A group may refer a question up to its parent when it affects others (R1).
    referred_from = models.ForeignKey(Body, verbose_name=_("referred by"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    concerned_person = models.ForeignKey(settings.AUTH_USER_MODEL,
                                         verbose_name=_("person concerned"), null=True,
                                         blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The change of the body's rules the proposal carries (core.effects, R16): its kind,
    # its checked parameters, and what it changes in words as it was proposed. Applied by
    # the closing of the round that adopts it, or not, and then why not.
    change_kind = models.CharField(_("change"), max_length=80, blank=True)
    change_params = models.JSONField(_("change's parameters"), default=dict, blank=True)
    change_description = models.TextField(_("what it changes"), blank=True)
    change_applied_at = models.DateTimeField(_("change applied at"), null=True, blank=True)
    change_error = models.TextField(_("why the change could not be applied"), blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=StatusChoice.values),
                                   name="proposal_status_known"),
            models.CheckConstraint(condition=Q(method__in=MethodChoice.values),
                                   name="proposal_method_known"),
            models.CheckConstraint(condition=~Q(title=""), name="proposal_has_title"),
            models.CheckConstraint(
                condition=~Q(decision_class=DecisionClass.EXCLUSION)
                | Q(concerned_person__isnull=False),
                name="proposal_exclusion_names_the_person"),
            # A change is applied only when its proposal is adopted, once, or not at all
            # with the reason; a proposal without a change has none of this.
            models.CheckConstraint(
                condition=Q(change_applied_at__isnull=True)
                | (~Q(change_kind="") & Q(status=ProposalStatus.ADOPTED)),
                name="proposal_change_applied_when_adopted"),
            models.CheckConstraint(
                condition=Q(change_error="") | (~Q(change_kind="")
                                               & Q(status=ProposalStatus.ADOPTED)
                                               & Q(change_applied_at__isnull=True)),
                name="proposal_change_error_when_not_applied"),
            models.CheckConstraint(condition=~Q(change_kind="") | Q(change_params={}),
                                   name="proposal_change_params_need_kind"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("proposal_detail", args=[self.pk])


class ProposalEvent(StatusEvent):
    """Append-only history of a proposal's states (core.history): each change of status,
    from what to what, by whom and when. Rounds have no status of their own: a round
    opens and closes with a change of its proposal's status, whose `reason` names it
    ("round 2 opened", "round 1: adopted"); a referral keeps the status and says so."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_status} → {self.to_status}"


class Round(models.Model):
    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE,
                                 related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    text = models.TextField(_("text put to the round"))
    opened_at = models.DateTimeField(_("opened at"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=OutcomeChoice.choices,
                               blank=True)
    eligible = models.PositiveIntegerField(_("members entitled"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    meeting = models.ForeignKey("assemblies.Meeting", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="round_numbered"),
            models.UniqueConstraint(fields=["proposal"], condition=Q(closed_at__isnull=True),
                                    name="round_one_open_per_proposal"),
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | ~Q(outcome=""),
                                   name="round_closed_has_outcome"),
            models.CheckConstraint(condition=Q(number__gte=1), name="round_number_positive"),
            models.CheckConstraint(condition=Q(outcome__in=["", *OutcomeChoice.values]),
                                   name="round_outcome_known"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Position(models.Model):
    """A member's current position in a round: one per member per round. Every change
    is also appended to PositionLog."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="positions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="positions")
    stance = models.CharField(_("position"), max_length=24, choices=StanceChoice.choices)
    note = models.TextField(_("reservations"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    counter_proposal = models.TextField(_("counter-proposal"), blank=True)
    college = models.ForeignKey(College, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    updated_at = models.DateTimeField(_("taken at"))
    # A legal vote cast by the holder of this member's proxy (R16): it follows the
    # holder's vote until the proxy is revoked or the member votes in person.
    proxy_holder = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by proxy"),
                                     null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [
            models.UniqueConstraint(fields=["round", "person"],
                                    name="position_one_per_member_per_round"),
            models.CheckConstraint(condition=~Q(stance=Stance.VETO)
                                   | (~Q(counter_proposal="") & ~Q(reason="")),
                                   name="position_veto_has_counter_proposal"),
            models.CheckConstraint(condition=~Q(stance=Stance.OBJECTION) | ~Q(reason=""),
                                   name="position_objection_has_reason"),
            models.CheckConstraint(condition=~Q(proxy_holder=F("person")),
                                   name="position_proxy_not_oneself"),
            models.CheckConstraint(condition=Q(proxy_holder__isnull=True)
                                   | Q(stance__in=[Stance.YES, Stance.NO, Stance.ABSTAIN]),
                                   name="position_proxy_only_in_votes"),
        ]
        indexes = [models.Index(fields=["round", "stance"])]

    def __str__(self) -> str:
        return f"{self.person} {self.stance}"


class MeetingProxy(models.Model):
    """A member gives another member their vote in every legal vote of one general
    meeting (R16): each majority round of a legal act tied to that meeting (by its
    agenda item, or by the round's meeting), open now or opened later, gets a Proxy of
    its own made from this one (`Proxy.meeting_proxy`), so counting, limits and results
    stay those of a proxy for one vote. Revocable: revoking it ends the proxies of the
    votes still open; closed votes stay as counted. Kept when revoked, with the reason."""

    meeting = models.ForeignKey("assemblies.Meeting", verbose_name=_("meeting"),
                                on_delete=models.CASCADE, related_name="+")
    giver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("given by"),
                              on_delete=models.CASCADE, related_name="meeting_proxies_given")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("held by"),
                               on_delete=models.CASCADE, related_name="meeting_proxies_held")
    given_at = models.DateTimeField(_("given at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("why it ended"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("proxy for a meeting")
        verbose_name_plural = _("proxies for a meeting")
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "giver"],
                                    condition=Q(revoked_at__isnull=True),
                                    name="meeting_proxy_one_per_giver_per_meeting"),
            models.CheckConstraint(condition=~Q(giver=F("holder")),
                                   name="meeting_proxy_not_to_oneself"),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True)
                                   | ~Q(revoked_reason=""),
                                   name="meeting_proxy_revoked_says_why"),
        ]
        indexes = [models.Index(fields=["meeting", "holder"])]

    def __str__(self) -> str:
        return f"{self.giver_id} → {self.holder_id} (meeting {self.meeting_id})"


class Proxy(models.Model):
    """A member gives another member their vote in one legal vote (R16: SCOP/SCIC general
    meetings; never consensus nor consent), revocable until the vote closes. Kept when
    revoked: `revoked_at` says when, `revoked_reason` why (revoked, voted in person).
    Made from a proxy for the whole meeting when `meeting_proxy` is set."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE,
                              related_name="proxies")
    giver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("given by"),
                              on_delete=models.CASCADE, related_name="proxies_given")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("held by"),
                               on_delete=models.CASCADE, related_name="proxies_held")
    given_at = models.DateTimeField(_("given at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("why it ended"), max_length=40, blank=True)
    meeting_proxy = models.ForeignKey(MeetingProxy, verbose_name=_("from the proxy for the "
                                                                   "meeting"),
                                      null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="proxies")

    class Meta:
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        ordering = ["given_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "giver"],
                                    condition=Q(revoked_at__isnull=True),
                                    name="proxy_one_per_giver_per_round"),
            models.CheckConstraint(condition=~Q(giver=F("holder")),
                                   name="proxy_not_to_oneself"),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True)
                                   | ~Q(revoked_reason=""),
                                   name="proxy_revoked_says_why"),
        ]
        indexes = [models.Index(fields=["round", "holder"])]

    def __str__(self) -> str:
        return f"{self.giver_id} → {self.holder_id} ({self.round_id})"


class PositionLog(models.Model):
    """Append-only: every position ever taken, changes included."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="position_log")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    stance = models.CharField(max_length=24, choices=StanceChoice.choices)
    note = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    counter_proposal = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.stance} {self.at:%Y-%m-%d}"


class Comment(models.Model):
    """The virtual assembly: discussion of a proposal between and during rounds."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="comment_not_empty")]

    def __str__(self) -> str:
        return f"comment {self.pk}"


class StarDebate(models.Model):
    """After a veto: small groups discuss the proposal and the counter-proposals, each
    sends back a summary through a spokesperson."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="star_debate")
    group_size = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(group_size__gte=4, group_size__lte=8),
                                              name="star_group_size_4_to_8")]

    def __str__(self) -> str:
        return f"star debate of {self.round}"


class StarGroup(models.Model):
    debate = models.ForeignKey(StarDebate, on_delete=models.CASCADE, related_name="groups")
    number = models.PositiveSmallIntegerField()
    spokesperson = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    summary = models.TextField(_("summary"), blank=True)
    summary_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["debate", "number"],
                                               name="star_group_numbered")]

    def __str__(self) -> str:
        return f"group {self.number}"


class StarGroupMember(models.Model):
    debate = models.ForeignKey(StarDebate, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(StarGroup, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["debate", "person"],
                                               name="star_one_group_per_person")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.group}"


class Decision(models.Model):
    """The register: one entry per round that closed with a final outcome (adopted, or
    not adopted), written by the closing of the round, never by hand."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="decisions")
    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="decision")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="decisions")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text decided"))
    decision_class = models.CharField(max_length=20, choices=ClassChoice.choices)
    method = models.CharField(max_length=20, choices=MethodChoice.choices)
    outcome = models.CharField(max_length=20, choices=OutcomeChoice.choices)
    decided_at = models.DateTimeField(_("decided at"))
    agenda_item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    meeting = models.ForeignKey("assemblies.Meeting", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["body", "decided_at"])]

    def __str__(self) -> str:
        return self.title


class Notice(models.Model):
    """Who was told about a round, and of what (round_open, closing_soon, outcome): in the
    app, and by e-mail for those who take e-mails. Each is told once per round and kind."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    kind = models.CharField(max_length=20)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "person", "kind"],
                                               name="notice_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id}"
