"""One person's data in meeting rooms (GDPR art. 15 and 20): every row of this app that
points to them.

- rooms they opened (without the speaking list itself, which holds everyone's hands);
- the room events (openings, closings) and the actions on speaking lists they took;
- their places on speaking lists (participants) and the speaking turns they had (the
  material of the speech statistics);
- their gestures, the roles they held, their self-described category.
"""

from autogestion.core.personal_data import rows_of

from .models import (
    Gesture,
    Participant,
    Room,
    RoomAction,
    RoomEvent,
    RoomRole,
    SelfDescription,
    SpeakingTurn,
)


def export(person) -> dict[str, list[dict]]:
    return {
        "room": rows_of(Room.objects.all(), person, "opened_by", exclude=("state",)),
        "roomevent": rows_of(RoomEvent.objects.all(), person, "actor"),
        "roomaction": rows_of(RoomAction.objects.all(), person, "actor"),
        "participant": rows_of(Participant.objects.all(), person, "person"),
        "speakingturn": rows_of(SpeakingTurn.objects.all(), person, "participant__person"),
        "gesture": rows_of(Gesture.objects.all(), person, "person"),
        "roomrole": rows_of(RoomRole.objects.all(), person, "person"),
        "selfdescription": rows_of(SelfDescription.objects.all(), person, "person"),
    }
