"""One person's data in the assemblies (GDPR art. 15 and 20): every row of a model with
a foreign key to them, under the model's name. The calendar feed's secret address is
not exported (core.personal_data leaves out fields named `token`): only that it exists
and since when."""

from autogestion.core.personal_data import rows_of

from .models import (
    AgendaItem,
    AgendaItemEvent,
    Attendance,
    CalendarFeedToken,
    GroupNews,
    MeetingEvent,
    MinutesEntry,
    ProgramSession,
    ReminderSent,
    SessionSignup,
    SessionSignupEvent,
)


def export(person) -> dict:
    return {
        "agendaitem": rows_of(AgendaItem.objects.all(), person, "author", "presenter"),
        "agendaitemevent": rows_of(AgendaItemEvent.objects.all(), person, "actor"),
        "meetingevent": rows_of(MeetingEvent.objects.all(), person, "actor"),
        "programsession": rows_of(ProgramSession.objects.all(), person, "facilitator"),
        "sessionsignup": rows_of(SessionSignup.objects.all(), person, "person"),
        "sessionsignupevent": rows_of(SessionSignupEvent.objects.all(), person, "actor"),
        "minutesentry": rows_of(MinutesEntry.objects.all(), person, "written_by"),
        "attendance": rows_of(Attendance.objects.all(), person, "person", "recorded_by"),
        "calendarfeedtoken": rows_of(CalendarFeedToken.objects.all(), person, "person"),
        "remindersent": rows_of(ReminderSent.objects.all(), person, "person"),
        "groupnews": rows_of(GroupNews.objects.all(), person, "founder"),
    }
