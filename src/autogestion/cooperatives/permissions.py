"""Who may do what with bodies and memberships (R1, R2), as `rules` predicates.

Predicates read the person's current memberships once per request (cached on the
user object), so a page listing a thousand bodies asks the database once.
"""

import rules

from .rules import Kind, Role, Status

_CACHE_ATTR = "_autogestion_memberships"


def memberships_of(user) -> dict[int, tuple[str, str]]:
    """{body_id: (status, role)} of the person's current (pending or active) stints."""
    if not user or not user.is_authenticated:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from .models import Membership

        cached = {
            body_id: (status, role)
            for body_id, status, role in Membership.objects.filter(
                person=user, status__in=[Status.PENDING, Status.ACTIVE]
            ).values_list("body_id", "status", "role")
        }
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user) -> None:
    """Called by services after a membership changes within the same request."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def active_body_ids(user) -> set[int]:
    return {b for b, (status, _role) in memberships_of(user).items() if status == Status.ACTIVE}


@rules.predicate
def is_operator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


@rules.predicate
def is_member(user, body) -> bool:
    return body is not None and body.pk in active_body_ids(user)


@rules.predicate
def is_coordinator(user, body) -> bool:
    if body is None:
        return False
    return memberships_of(user).get(body.pk) == (Status.ACTIVE, Role.COORDINATOR)


@rules.predicate
def is_member_of_an_ancestor(user, body) -> bool:
    return body is not None and bool(active_body_ids(user) & set(body.ancestor_ids))


@rules.predicate
def is_open_body(user, body) -> bool:
    return body is not None and body.is_open


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


# R2: an open body's page is public; a closed one shows only that it exists.
can_view_body_details = is_open_body | is_member | is_operator
can_manage_body = is_coordinator | is_operator
can_post_progress = is_member | is_operator
# R17: any active member founds a group inside the body (the founder coordinates it).
can_found_group = is_member | is_operator


@rules.predicate
def is_network(user, body) -> bool:
    return body is not None and body.kind == Kind.NETWORK


# Inside a network one founds cooperatives (its coordinators); inside a cooperative or a
# group, groups (its members).
can_found_inside = (is_network & can_manage_body) | (~is_network & can_found_group)

# Invitations (R17, made in accounts). An invitation lets its holder in at once, without
# a coordinator's answer (services.admit_invited). So it is given by those who could let
# the person in anyway:
# - an OPEN body is open to anyone who asks (joining makes an active member at once):
#   any of its active members may invite;
# - a CLOSED body takes a person in only when a coordinator accepts the request: only
#   its coordinators invite (a member who would bring someone asks a coordinator);
# - the instance's operators, as for every coordinator's action (can_manage_body).
can_invite = (is_open_body & is_member) | is_coordinator | is_operator
# The member directory is for members: of the body itself, or of the cooperative (or
# network) around it when the body is open.
can_view_directory = is_member | is_operator | (is_open_body & is_member_of_an_ancestor)


def coordinated_body_ids(user) -> set[int]:
    return {b for b, sr in memberships_of(user).items() if sr == (Status.ACTIVE, Role.COORDINATOR)}
