"""Writes about a person: profile, language, API tokens, invitations; and their
personal data."""

import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.cooperatives import services as bodies
from autogestion.cooperatives.models import Body, College, Membership
from autogestion.core import clock, personal_data
from autogestion.core.email import queue_email
from autogestion.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from autogestion.core.refusal import Refusal

from . import access, permissions, queries
from . import rules as invitation_rules
from .models import ApiToken, Invitation, InvitationUse, User, hash_token, validate_time_zone

PROFILE_FIELDS = ("display_name", "first_name", "last_name", "phone", "bio", "language",
                  "time_zone", "email_reminders")
BOOLEAN_FIELDS = {"email_reminders"}
READ_ONLY_REFUSAL = gettext_lazy(
    "This API token is read-only: it can read but not change anything. Create a token "
    "with the “read and write” scope on your profile page to do this.")
MAX_LENGTHS = {"display_name": 150, "first_name": 150, "last_name": 150, "phone": 40}


@transaction.atomic
def update_profile(*, person: User, **fields) -> User:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise DomainError(_("These fields are not part of a profile: %(fields)s")
                          % {"fields": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        if name in BOOLEAN_FIELDS:
            setattr(person, name, bool(value))
            continue
        value = (value or "").strip()
        if name in MAX_LENGTHS and len(value) > MAX_LENGTHS[name]:
            label = User._meta.get_field(name).verbose_name
            raise DomainError(_("%(field)s is too long: at most %(n)s characters.")
                              % {"field": label, "n": MAX_LENGTHS[name]}, field=name)
        if name == "language" and value not in dict(settings.LANGUAGES):
            raise DomainError(_("Choose a language among: %(langs)s")
                              % {"langs": ", ".join(dict(settings.LANGUAGES))}, field=name)
        if name == "time_zone":
            try:
                validate_time_zone(value)
            except ValidationError as error:
                raise DomainError(error.messages[0], field=name) from None
        setattr(person, name, value)
    person.save(update_fields=list(fields))
    return person


@transaction.atomic
def create_api_token(*, person: User, name: str,
                     scope: str = ApiToken.Scope.FULL) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the token so you recognise it later (e.g. “my script”)."),
                          field="name")
    if len(name) > 80:
        raise DomainError(_("Keep the token name under 80 characters."), field="name")
    if scope not in ApiToken.Scope.values:
        raise DomainError(_("Choose the token's scope: “read” (read only) or “full” "
                            "(read and write)."), field="scope")
    raw = ApiToken.new_raw_key()
    token = ApiToken.objects.create(owner=person, name=name, scope=scope,
                                    key_hash=hash_token(raw), hint=raw[:8])
    return token, raw


@transaction.atomic
def revoke_api_token(*, person: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, owner=person, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound(_("You have no active token with this number."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def revoke_all_api_tokens(*, person: User) -> int:
    """Revokes every active token of the person; returns how many there were."""
    return (ApiToken.objects.filter(owner=person, revoked_at__isnull=True)
            .update(revoked_at=timezone.now()))


def authenticate_token(raw: str) -> ApiToken | None:
    """The active token of an active person with this secret, or None."""
    token = (ApiToken.objects.select_related("owner")
             .filter(key_hash=hash_token(raw or ""), revoked_at__isnull=True).first())
    if token is None or not token.owner.is_active:
        return None
    # One write per use at most each minute: enough to show "last used" honestly.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def check_token_allows(token: ApiToken, method: str) -> None:
    """A read-only token is refused outright (403) on a change, not treated as absent:
    its owner should learn why, and a session cookie sent beside it must not take over."""
    if not token.allows(method):
        raise PermissionDenied(READ_ONLY_REFUSAL)


def export_personal_data(person: User) -> dict:
    """Everything the platform holds about a person, as JSON-ready data (GDPR art. 15
    and 20): each app exports its own rows ({"<app>": {"<model>": [rows]}})."""
    return personal_data.export(person)


# Invitations (R17) ---------------------------------------------------------------------


class InvitationGone(DomainError):
    """The invitation exists but serves no more (revoked, used up, expired, or its
    inviter may no longer invite): 410, with a message saying to ask for a new one."""

    status = 410


def _invitation_refusal(refusal: Refusal, invitation: Invitation | None = None
                        ) -> DomainError:
    code, details = refusal.code, refusal.details
    if code == "unknown_kind":
        return DomainError(_("Choose how to invite: “email” (one address) or “link” (a "
                             "link you copy)."), field="kind")
    if code == "bad_days":
        return DomainError(_("An invitation lasts from 1 to %(max)s days.")
                           % {"max": details["max"]}, field="valid_days")
    if code == "email_required":
        return DomainError(_("Write the e-mail address of the person you invite."),
                           field="email")
    if code == "email_is_one_use":
        return DomainError(_("An invitation by e-mail serves once: to let several people "
                             "in, make a link."), field="max_uses")
    if code == "link_has_no_email":
        return DomainError(_("A link is for whoever you give it to: leave the e-mail "
                             "empty, or invite by e-mail."), field="email")
    if code == "bad_uses":
        return DomainError(_("A link serves from 1 to %(max)s people.")
                           % {"max": details["max"]}, field="max_uses")
    if code == "not_open":
        return Conflict(_("This invitation is already %(state)s: there is nothing to "
                          "revoke.") % {"state": queries.invitation_state_label(
                              details["state"])})
    if code == "wrong_email":
        return PermissionDenied(_("This invitation was sent to another e-mail address. "
                                  "Sign in with the account of that address, or add and "
                                  "confirm that address on your e-mail page."))
    return InvitationGone(gone_message(code, invitation))


def gone_message(code: str, invitation: Invitation | None) -> str:
    """Why an invitation serves no more, and what to do: ask for a new one."""
    ask = _("Ask the person who invited you for a new invitation.")
    if code == invitation_rules.InvitationState.REVOKED:
        reason = _("This invitation was withdrawn.")
    elif code == invitation_rules.InvitationState.USED_UP:
        reason = _("This invitation has been used as many times as it allowed.")
    elif code == invitation_rules.InvitationState.EXPIRED and invitation is not None:
        reason = _("This invitation expired on %(day)s.") % {
            "day": formats.date_format(clock.local(invitation.expires_at),
                                       "DATETIME_FORMAT")}
    elif code == "inviter_gone" and invitation is not None:
        reason = _("This invitation no longer holds: the person who made it may no longer "
                   "invite into %(body)s.") % {"body": invitation.body.name}
        ask = _("Ask a member of %(body)s for a new invitation.") % {
            "body": invitation.body.name}
    else:
        reason = _("This invitation no longer holds.")
    return f"{reason} {ask}"


def invitation_state(invitation: Invitation, now=None) -> str:
    return invitation_rules.state(
        now=now or clock.now(), expires_at=invitation.expires_at, uses=invitation.uses,
        max_uses=invitation.max_uses, revoked=invitation.revoked_at is not None)


def invitation_url(raw_token: str) -> str:
    """The absolute address of an invitation, as the e-mail and the inviter give it."""
    return settings.AUTOGESTION_SITE_URL + reverse("invitation_detail", args=[raw_token])


def _normal_email(email: str) -> str:
    email = (email or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("“%(email)s” is not an e-mail address: write it as "
                            "name@example.org.") % {"email": email[:80]},
                          field="email") from None
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


@transaction.atomic
def create_invitation(*, actor, body: Body, kind: str, email: str = "",
                      college: College | None = None, max_uses: int | None = None,
                      valid_days: int | None = None) -> tuple[Invitation, str]:
    """An invitation into `body` by `actor`; returns it and its token, which is not
    stored (only its hash): the e-mail carries it, or the inviter copies the link now.
    An e-mail invitation is sent after the transaction commits."""
    access.check_body_to_invite(actor, body)
    email = _normal_email(email) if kind == Invitation.Kind.EMAIL else (email or "").strip()
    try:
        max_uses, valid_days = invitation_rules.check_terms(invitation_rules.InvitationTerms(
            kind=kind, email=email, max_uses=max_uses, valid_days=valid_days))
    except Refusal as refusal:
        raise _invitation_refusal(refusal) from None
    if college is not None and college.cooperative_id != body.pk:
        raise DomainError(_("This college does not belong to %(body)s.")
                          % {"body": body.name}, field="college")
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    invitation = Invitation.objects.create(
        body=body, kind=kind, email=email, college=college, invited_by=actor,
        token_hash=hash_token(raw), max_uses=max_uses, uses=0, created_at=now,
        expires_at=invitation_rules.expiry(now, valid_days))
    if kind == Invitation.Kind.EMAIL:
        queue_email(_invitation_email(invitation, raw))
    return invitation, raw


def _invitation_email(invitation: Invitation, raw_token: str) -> EmailMessage:
    """In the inviter's language (the person invited has none yet here)."""
    inviter = invitation.invited_by
    context = {"invitation": invitation, "body": invitation.body, "inviter": inviter,
               "url": invitation_url(raw_token),
               "expires_at": clock.local(invitation.expires_at)}
    subject = _("%(person)s invites you to join %(body)s") % {
        "person": inviter.public_name, "body": invitation.body.name}
    text = render_to_string("accounts/email/invitation.txt", context)
    return EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [invitation.email])


@transaction.atomic
def revoke_invitation(*, actor, invitation_id: int) -> Invitation:
    """Withdraw an open invitation: its link serves nobody any more (410). Who made it,
    and the body's coordinators, may."""
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound(access.NO_INVITATION_NUMBER)
    access.check_invitation(actor, invitation)
    try:
        invitation_rules.check_revocable(
            now=clock.now(), expires_at=invitation.expires_at, uses=invitation.uses,
            max_uses=invitation.max_uses, revoked=invitation.revoked_at is not None)
    except Refusal as refusal:
        raise _invitation_refusal(refusal, invitation) from None
    invitation.revoked_at = clock.now()
    invitation.revoked_by = actor
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    return invitation


def verified_emails(person) -> frozenset[str]:
    return frozenset(e.lower() for e in EmailAddress.objects.filter(
        user=person, verified=True).values_list("email", flat=True))


@transaction.atomic
def accept_invitation(*, person, token: str, college: College | None = None
                      ) -> Membership:
    """`person` comes into the invitation's body: an active membership at once
    (cooperatives.services.admit_invited), and one use counted, atomically.

    The invitation is locked first: of two people taking its last use at once, one
    gets in and the other is told it is used up (410); nothing is written for them.
    An e-mail invitation is accepted only by an account holding that address,
    verified (allauth's confirmation): the address is what the inviter trusted, and an
    unverified one can be typed by anyone on their e-mail page."""
    if not person or not person.is_authenticated:
        raise PermissionDenied(_("Sign in, or create your account, to accept this "
                                 "invitation."))
    # Locked alone: on PostgreSQL, FOR UPDATE refuses the nullable side of a join.
    invitation = access.find_invitation(token, Invitation.objects.select_for_update())
    body = Body.objects.get(pk=invitation.body_id)
    invitation.body = body
    inviter = (User.objects.filter(pk=invitation.invited_by_id, is_active=True).first()
               if invitation.invited_by_id else None)
    try:
        invitation_rules.check_acceptable(
            now=clock.now(), expires_at=invitation.expires_at, uses=invitation.uses,
            max_uses=invitation.max_uses, revoked=invitation.revoked_at is not None,
            invited_email=invitation.email, person_emails=verified_emails(person),
            inviter_may_still_invite=inviter is not None
            and bool(permissions.can_invite(inviter, body)))
    except Refusal as refusal:
        raise _invitation_refusal(refusal, invitation) from None
    if invitation.college_id is not None:
        if college is not None and college.pk != invitation.college_id:
            raise DomainError(_("This invitation is for the college “%(college)s”.")
                              % {"college": invitation.college.name}, field="college")
        college = invitation.college
    if InvitationUse.objects.filter(invitation=invitation, person=person).exists():
        raise Conflict(_("You already came in through this invitation. To come back, ask "
                         "for a new one or ask to join."))
    membership = bodies.admit_invited(person=person, body=body, invited_by=inviter,
                                      college=college)
    # The lock serialises acceptances; the conditional update (and the database's
    # uses <= max_uses) hold even where locks are not taken (SQLite).
    counted = Invitation.objects.filter(pk=invitation.pk, uses__lt=F("max_uses")).update(
        uses=F("uses") + 1)
    if not counted:
        raise InvitationGone(gone_message(invitation_rules.InvitationState.USED_UP,
                                          invitation))
    InvitationUse.objects.create(invitation=invitation, person=person,
                                 membership=membership, accepted_at=clock.now())
    return membership
