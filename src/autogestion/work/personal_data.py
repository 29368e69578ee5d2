"""A person's work data (core/personal_data.py): their skills (and those they confirmed),
unavailability, the rotations they proposed or published and their history, their
places in rotations (and those they set by hand), the daily plans they prepared, the
tasks they are on, the plans they were told of and the plans' history, their teach/learn
lists and the training sessions they teach, follow or scheduled."""

from autogestion.core.personal_data import rows_of

from .models import (
    Assignment,
    DailyPlan,
    DailyPlanEvent,
    DailyPlanNotice,
    Knowledge,
    Rotation,
    RotationEvent,
    Skill,
    Task,
    TrainingSession,
    Unavailability,
)


def export(person) -> dict:
    return {
        "skill": rows_of(Skill.objects, person, "person", "confirmed_by"),
        "unavailability": rows_of(Unavailability.objects, person, "person"),
        "rotation": rows_of(Rotation.objects, person, "created_by", "published_by"),
        "rotationevent": rows_of(RotationEvent.objects, person, "actor"),
        "assignment": rows_of(Assignment.objects, person, "person", "set_by"),
        "dailyplan": rows_of(DailyPlan.objects, person, "created_by"),
        "dailyplanevent": rows_of(DailyPlanEvent.objects, person, "actor"),
        # The tasks the person is on (Task.people).
        "task": rows_of(Task.objects, person, "people"),
        "dailyplannotice": rows_of(DailyPlanNotice.objects, person, "person"),
        "knowledge": rows_of(Knowledge.objects, person, "person"),
        "trainingsession": rows_of(TrainingSession.objects, person, "teacher", "learner",
                                   "created_by"),
    }
