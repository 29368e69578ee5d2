"""What the accounts app holds about a person (GDPR art. 15 and 20): the profile (no
password), their e-mail addresses, their API tokens (without the hash of the key),
which second factors they set up (the kind and dates only: never their secrets), and
the invitations they made, revoked or accepted (never the hash of a token)."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from autogestion.core.personal_data import plain, rows_of

from .models import ApiToken, Invitation, InvitationUse, User


def export(person) -> dict:
    return {
        "user": rows_of(User.objects.all(), person.pk, "pk", exclude=("password",)),
        "emailaddress": rows_of(EmailAddress.objects.all(), person, "user"),
        "apitoken": rows_of(ApiToken.objects.all(), person, "owner", exclude=("key_hash",)),
        "authenticator": [
            {"id": a.pk, "type": a.type, "created_at": plain(a.created_at),
             "last_used_at": plain(a.last_used_at)}
            for a in Authenticator.objects.filter(user=person).order_by("pk")
        ],
        "invitation": rows_of(Invitation.objects.all(), person, "invited_by", "revoked_by",
                              exclude=("token_hash",)),
        "invitationuse": rows_of(InvitationUse.objects.all(), person, "person"),
    }
