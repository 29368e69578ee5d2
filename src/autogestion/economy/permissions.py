"""Who may see and move money (R8, R9): a person pays from their own account; a
body's accounts are run by its coordinators and stewards; the ledger and the fund are
visible to the members of the body; balances are never public."""

import rules

from autogestion.cooperatives.permissions import (
    can_manage_body,
    is_member,
    is_operator,
    memberships_of,
)
from autogestion.cooperatives.rules import Role, Status


def _stewards(user, body) -> bool:
    return memberships_of(user).get(body.pk) == (Status.ACTIVE, Role.STEWARD)


@rules.predicate
def can_see_economy(user, cooperative) -> bool:
    return is_member(user, cooperative) or is_operator(user)


@rules.predicate
def can_steward(user, body) -> bool:
    """Set currencies, limits and fund movements: coordinators and stewards of the body."""
    return bool(body is not None and (can_manage_body(user, body) or _stewards(user, body)))


@rules.predicate
def can_pay_from(user, account) -> bool:
    if account is None or not user or not user.is_authenticated:
        return False
    if account.person_id is not None:
        return account.person_id == user.pk
    return account.body_id is not None and can_steward(user, account.body)


@rules.predicate
def can_see_account(user, account) -> bool:
    """A statement: the holder, and the stewards of the currency's cooperative."""
    return can_pay_from(user, account) or can_steward(user, account.currency.cooperative)


@rules.predicate
def can_withdraw_offer(user, offer) -> bool:
    """Its author, or a coordinator or steward of its cooperative."""
    return bool(user and user.is_authenticated and (
        offer.author_id == user.pk or can_steward(user, offer.cooperative)))


def stewarded_body_ids(user) -> set[int]:
    """Bodies whose accounts the person runs by their role (coordinator or steward),
    not by an operator's reach."""
    return {body_id for body_id, (status, role) in memberships_of(user).items()
            if status == Status.ACTIVE and role in (Role.COORDINATOR, Role.STEWARD)}
