"""Writes about a person: profile, language, API tokens; and their personal data."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.core import personal_data
from autogestion.core.errors import DomainError, NotFound, PermissionDenied

from .models import ApiToken, User, hash_token

PROFILE_FIELDS = ("display_name", "first_name", "last_name", "phone", "bio", "language",
                  "email_reminders")
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
