"""Who may do what with notifications: everything here is one's own. A person reads and
marks their own notifications, chooses their own preferences and adds or removes their
own devices; nobody else sees them, operators included (they are personal data, R2)."""

import rules


@rules.predicate
def is_own(user, thing) -> bool:
    """The notification or device belongs to the signed-in person."""
    return bool(user and user.is_authenticated and thing is not None
                and thing.person_id == user.pk)


can_read_notification = is_own
can_remove_device = is_own
