"""The demo's last Agora was held in the meeting room: its speaking turns feed the
speech statistics, so the collective sees who held the floor. The room of the next Agora
is open, as on the morning of the meeting: its facilitator (the CIT's coordinator,
Camille) runs a list with someone speaking, hands up (one of them a process point) and a
held gesture, so that each demo account sees the room live."""

import contextlib
import random
from datetime import timedelta

from autogestion.assemblies import queries as assembly_queries
from autogestion.assemblies.models import MeetingSeries
from autogestion.core import clock
from autogestion.core.errors import Conflict

from . import services


def load(bodies: dict, people: list) -> None:
    series = MeetingSeries.objects.get(body=bodies["cit"], kind="agora")
    now = clock.now()
    past = assembly_queries.occurrences_of(series, now - timedelta(days=40), now)[-1]
    facilitator = people[0]
    moment = past.starts_at + timedelta(hours=7, minutes=30)  # the decision assembly
    chance = random.Random(2015)  # the same demo every time  # noqa: S311
    try:
        clock.freeze(moment)
        room = services.open_room(actor=facilitator, occurrence=past)
        talkative = people[1:4]
        for step in range(24):
            # A few people talk more: what the statistics are there to show.
            speaker = chance.choice(talkative) if step % 3 else chance.choice(people[4:14])
            # Already on the list? Then the next one in it speaks instead.
            with contextlib.suppress(Conflict):
                services.act(actor=speaker, room_id=room.pk, action="raise")
            services.act(actor=facilitator, room_id=room.pk, action="next")
            moment += timedelta(seconds=chance.randint(40, 240))
            clock.freeze(moment)
        services.close_room(actor=facilitator, room_id=room.pk)
    finally:
        clock.freeze(None)
    _open_room(series, facilitator, people, now)


def _open_room(series, facilitator, people, now) -> None:
    coming = assembly_queries.next_occurrences(series, 1, after=now)[0]
    room = services.open_room(actor=facilitator, occurrence=coming)
    occurrence = assembly_queries.occurrence_of_meeting(room.meeting)
    accepted = [item for item in assembly_queries.agenda(occurrence).items
                if item.status == "accepted"]
    if accepted:
        services.set_current_item(actor=facilitator, room_id=room.pk, item_id=accepted[0].pk)
    # Hugo (a demo account) waits with his hand up; Louise (another) has not raised hers.
    for person in (people[5], people[2], people[6]):
        services.act(actor=person, room_id=room.pk, action="raise")
    services.act(actor=facilitator, room_id=room.pk, action="next")  # Léa speaks
    services.act(actor=people[3], room_id=room.pk, action="raise", kind="clarifying")
    services.make_gesture(person=people[7], room_id=room.pk, kind="louder", hold=True)
