"""Who may see and change a person's own data."""

import rules


@rules.predicate
def is_self(user, person) -> bool:
    return bool(user and user.is_authenticated and person is not None and user.pk == person.pk)


can_edit_profile = is_self
