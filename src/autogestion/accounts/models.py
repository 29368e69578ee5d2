import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_time_zone() -> str:
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(_("“%(zone)s” is not a time zone: choose one such as "
                                "Europe/Paris."), params={"zone": value}, code="time_zone")


def available_time_zones() -> set[str]:
    import zoneinfo

    return zoneinfo.available_timezones()


def new_username() -> str:
    """An opaque, unique handle. Log-in is by e-mail; Django's `username` column stays
    unique, so it gets a value nobody types. Not the e-mail: an address someone gave up
    may be taken by another person later, and would then collide with the old handle."""
    return f"person-{uuid.uuid4().hex}"


class PersonManager(UserManager):
    """Log-in is by e-mail; the username is an opaque handle made here."""

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email)
        return super()._create_user(username or new_username(), email, password,
                                    **extra_fields)

    def create_user(self, username=None, email=None, password=None, **extra_fields):
        return super().create_user(username or new_username(), email, password,
                                   **extra_fields)

    def create_superuser(self, username=None, email=None, password=None, **extra_fields):
        return super().create_superuser(username or new_username(), email, password,
                                        **extra_fields)


class User(AbstractUser):
    """A person using the platform. E-mail and phone are personal data (R2)."""

    email = models.EmailField(_("e-mail"), unique=True)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    bio = models.TextField(_("about me"), blank=True)
    email_reminders = models.BooleanField(
        _("e-mail reminders"), default=True,
        help_text=_("Agenda deadlines, published agendas and meetings of your bodies."))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # E-mails and notifications say "tomorrow" and give times in the reader's own zone.
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone,
                                 validators=[validate_time_zone])

    REQUIRED_FIELDS = ["email"]
    objects = PersonManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.public_name

    def save(self, *args, **kwargs):
        # Sign-up (allauth) builds the person without a username: give it its handle.
        if not self.username:
            self.username = new_username()
        super().save(*args, **kwargs)

    @property
    def public_name(self) -> str:
        """The name others see: never the e-mail address, which is personal data."""
        return self.display_name or self.get_full_name() or _("Member #%(id)s") % {"id": self.pk}


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the person sees it once. A
    read-only token reads what its owner may read and changes nothing."""

    PREFIX = "ag_"
    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    class Scope(models.TextChoices):
        READ = "read", _("read only")
        FULL = "full", _("read and write")

    owner = models.ForeignKey(User, verbose_name=_("owner"), on_delete=models.CASCADE,
                              related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    # Tokens made before scopes existed could write: the migration keeps them "full".
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices,
                             default=Scope.FULL)
    key_hash = models.CharField(_("hash of the key"), max_length=64, unique=True)
    hint = models.CharField(_("first characters"), max_length=12)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(scope__in=["read", "full"]),
                                   name="api_token_scope_known"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    def allows(self, method: str) -> bool:
        return self.scope == self.Scope.FULL or method.upper() in self.SAFE_METHODS

    @classmethod
    def new_raw_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An invitation into one body (R17), by e-mail (one address, one use) or by a link
    (a number of uses). Only the hash of its token is kept: the link is shown to the
    inviter once, when made, and sent in the e-mail; a lost link is revoked and made
    again. Its acceptances (`uses`) are its history: who came in, when."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("by e-mail")
        LINK = "link", _("by link")

    body = models.ForeignKey("cooperatives.Body", verbose_name=_("body"),
                             on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    email = models.EmailField(_("invited address"), blank=True)
    college = models.ForeignKey("cooperatives.College", verbose_name=_("college"),
                                null=True, blank=True, on_delete=models.PROTECT,
                                related_name="invitations")
    invited_by = models.ForeignKey(User, verbose_name=_("invited by"), null=True,
                                   on_delete=models.SET_NULL,
                                   related_name="invitations_made")
    token_hash = models.CharField(_("hash of the token"), max_length=64, unique=True)
    max_uses = models.PositiveIntegerField(_("number of uses"), default=1)
    uses = models.PositiveIntegerField(_("uses so far"), default=0)
    created_at = models.DateTimeField(_("made at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, verbose_name=_("revoked by"), null=True,
                                   blank=True, on_delete=models.SET_NULL,
                                   related_name="invitations_revoked")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["email", "link"]),
                                   name="invitation_kind_known"),
            models.CheckConstraint(condition=models.Q(max_uses__gte=1, max_uses__lte=100),
                                   name="invitation_max_uses_1_to_100"),
            models.CheckConstraint(condition=models.Q(uses__lte=models.F("max_uses")),
                                   name="invitation_uses_within_max"),
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("created_at")),
                                   name="invitation_expires_after_made"),
            # By e-mail: one address, one use. By link: no address.
            models.CheckConstraint(
                condition=(models.Q(kind="email", max_uses=1) & ~models.Q(email=""))
                | models.Q(kind="link", email=""),
                name="invitation_email_xor_link"),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | models.Q(revoked_at__isnull=False),
                name="invitation_revoked_by_only_when_revoked"),
        ]
        indexes = [models.Index(fields=["body", "-created_at"],
                                name="invitation_body_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.body_id}"


class InvitationUse(models.Model):
    """One acceptance of an invitation: who came in through it, when, and the
    membership it made."""

    invitation = models.ForeignKey(Invitation, verbose_name=_("invitation"),
                                   on_delete=models.CASCADE, related_name="acceptances")
    person = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="invitations_accepted")
    membership = models.ForeignKey("cooperatives.Membership", verbose_name=_("membership"),
                                   null=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"))

    class Meta:
        verbose_name = _("acceptance of an invitation")
        verbose_name_plural = _("acceptances of invitations")
        ordering = ["accepted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["invitation", "person"],
                                    name="invitation_use_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ← {self.invitation_id}"
