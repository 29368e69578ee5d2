"""What the cooperatives app holds about a person (GDPR art. 15 and 20): their stints
in bodies, the history of those stints and the events they caused in others' (as the
coordinator who accepted, declined or changed a role), the progress they posted and
the bodies they founded."""

from autogestion.core.personal_data import rows_of

from .models import BodyEvent, Membership, MembershipEvent, ProgressUpdate


def export(person) -> dict:
    memberships = rows_of(Membership.objects.all(), person, "person")
    slugs = dict(Membership.objects.filter(person=person)
                 .values_list("body_id", "body__slug").distinct())
    for row in memberships:
        row["body"] = slugs.get(row["body_id"])
    return {
        "membership": memberships,
        "membershipevent": rows_of(MembershipEvent.objects.all(), person,
                                   "membership__person", "actor"),
        "progressupdate": rows_of(ProgressUpdate.objects.all(), person, "author"),
        "bodyevent": rows_of(BodyEvent.objects.all(), person, "actor"),
    }
