"""Membership reads for every other app. The cooperatives app owns its tables: the
other apps ask these functions (or the `Membership.objects.active()` queryset they
return) and never filter `Membership` themselves, so what "an active member" means is
written once."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .models import Body, Membership
from .rules import Role, Status


def active_memberships(*, body=None, person=None) -> QuerySet[Membership]:
    """Current active stints, of a body and/or a person (objects or ids)."""
    found = Membership.objects.active()
    if body is not None:
        found = found.filter(body=body)
    if person is not None:
        found = found.filter(person=person)
    return found


def is_active_member(person, body) -> bool:
    if person is None or body is None:
        return False
    return active_memberships(body=body, person=person).exists()


def active_members(body) -> QuerySet:
    """The people who are active members of `body` (a User queryset, refinable)."""
    return get_user_model().objects.filter(
        pk__in=active_memberships(body=body).values("person_id"))


def active_member_ids(body) -> set[int]:
    return set(active_memberships(body=body).values_list("person_id", flat=True))


def active_members_among(body, person_ids) -> set[int]:
    """Which of `person_ids` are active members of `body`."""
    return set(active_memberships(body=body).filter(person_id__in=person_ids)
               .values_list("person_id", flat=True))


def active_body_ids(person) -> QuerySet:
    """The ids of the bodies `person` is an active member of (usable as a subquery)."""
    return active_memberships(person=person).values("body_id")


def active_bodies(person) -> QuerySet[Body]:
    return Body.objects.filter(pk__in=active_body_ids(person))


def has_ever_been_member(person, body) -> bool:
    """Any stint, current or past: a former member's history stays theirs."""
    return Membership.objects.filter(body=body, person=person).exists()


def stewards_and_coordinators(body) -> QuerySet[Membership]:
    return active_memberships(body=body).filter(role__in=[Role.COORDINATOR, Role.STEWARD])


def active_membership_sql(body: str, person: str) -> str:
    """`active_memberships()` as an SQL condition, for a statement that must check it in
    the same round trip (the ledger's one-statement payment). `body` and `person` are SQL
    expressions (a column, a parameter placeholder), never values."""
    table, active = Membership._meta.db_table, Status.ACTIVE.value  # constants, not input
    return (f"EXISTS (SELECT 1 FROM {table} m WHERE m.body_id = {body} "  # noqa: S608
            f"AND m.person_id = {person} AND m.status = '{active}')")
