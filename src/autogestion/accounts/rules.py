"""The rules of invitations (R17: "people come in by sign-up and by invitation, a link
or an e-mail, with an expiry"), as pure Python: no Django import.

An invitation is for one body. By e-mail it names one address and serves once; by link
it serves up to `max_uses` times. Both end at `expires_at`. It is *open* until it is
revoked, used up or expired, in that order of precedence (a revoked invitation says so
even after its expiry, which is what its inviter did last).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from autogestion.core.refusal import Refusal

DEFAULT_DAYS = 14
MAX_DAYS = 90
DEFAULT_USES = 1
MAX_USES = 100


class InvitationKind(StrEnum):
    EMAIL = "email"
    LINK = "link"


class InvitationState(StrEnum):
    OPEN = "open"
    USED_UP = "used_up"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class InvitationTerms:
    """What the inviter asks for: checked by `check_terms` before anything is made."""

    kind: str
    email: str = ""
    max_uses: int | None = None
    valid_days: int | None = None


def check_terms(terms: InvitationTerms) -> tuple[int, int]:
    """(max_uses, valid_days) with the defaults filled in, or a Refusal naming what to
    change: an e-mail invitation needs an address and serves once; a link serves 1 to
    MAX_USES times and has no address; both last 1 to MAX_DAYS days."""
    if terms.kind not in set(InvitationKind):
        raise Refusal("unknown_kind")
    days = DEFAULT_DAYS if terms.valid_days is None else terms.valid_days
    if not 1 <= days <= MAX_DAYS:
        raise Refusal("bad_days", max=MAX_DAYS)
    if terms.kind == InvitationKind.EMAIL:
        if not terms.email.strip():
            raise Refusal("email_required")
        if terms.max_uses not in (None, 1):
            raise Refusal("email_is_one_use")
        return 1, days
    if terms.email.strip():
        raise Refusal("link_has_no_email")
    uses = DEFAULT_USES if terms.max_uses is None else terms.max_uses
    if not 1 <= uses <= MAX_USES:
        raise Refusal("bad_uses", max=MAX_USES)
    return uses, days


def expiry(created_at: datetime, valid_days: int) -> datetime:
    return created_at + timedelta(days=valid_days)


def state(*, now: datetime, expires_at: datetime, uses: int, max_uses: int,
          revoked: bool) -> InvitationState:
    if revoked:
        return InvitationState.REVOKED
    if uses >= max_uses:
        return InvitationState.USED_UP
    if now >= expires_at:
        return InvitationState.EXPIRED
    return InvitationState.OPEN


def check_acceptable(*, now: datetime, expires_at: datetime, uses: int, max_uses: int,
                     revoked: bool, invited_email: str, person_emails: frozenset[str],
                     inviter_may_still_invite: bool) -> None:
    """Refuses an acceptance: the invitation is no longer open (its state is the code),
    its inviter may no longer invite ("inviter_gone"), or it was sent to an address the
    person has not verified ("wrong_email"). `person_emails` are lower-cased."""
    current = state(now=now, expires_at=expires_at, uses=uses, max_uses=max_uses,
                    revoked=revoked)
    if current != InvitationState.OPEN:
        raise Refusal(str(current))
    if not inviter_may_still_invite:
        raise Refusal("inviter_gone")
    if invited_email and invited_email.strip().lower() not in person_emails:
        raise Refusal("wrong_email")


def check_revocable(*, now: datetime, expires_at: datetime, uses: int, max_uses: int,
                    revoked: bool) -> None:
    """Only an open invitation is revoked: a finished one already serves nobody."""
    current = state(now=now, expires_at=expires_at, uses=uses, max_uses=max_uses,
                    revoked=revoked)
    if current != InvitationState.OPEN:
        raise Refusal("not_open", state=str(current))
