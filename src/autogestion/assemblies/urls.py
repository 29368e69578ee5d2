from django.urls import path, register_converter

from . import feeds, views


class IsoDate:
    """YYYY-MM-DD only: one address per meeting (Python also parses 20261128)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IsoDate, "isodate")

urlpatterns = [
    path("bodies/<slug:slug>/meetings/", views.body_meetings, name="body_meetings"),
    path("bodies/<slug:slug>/meetings/new/", views.create_series, name="series_create"),
    path("bodies/<slug:slug>/calendar.ics", feeds.body_calendar, name="body_calendar"),
    path("meetings/<int:series_id>/<isodate:day>/", views.occurrence_detail,
         name="occurrence_detail"),
    path("meetings/<int:series_id>/<isodate:day>/calendar.ics", feeds.occurrence_calendar,
         name="occurrence_calendar"),
    path("meetings/<int:series_id>/<isodate:day>/items/", views.add_item, name="agenda_add"),
    path("meetings/<int:series_id>/<isodate:day>/manage/", views.manage_occurrence,
         name="occurrence_manage"),
    path("meetings/<int:series_id>/<isodate:day>/program/", views.program_page,
         name="occurrence_program"),
    path("meetings/<int:series_id>/<isodate:day>/minutes/", views.minutes_edit,
         name="occurrence_minutes"),
    path("agenda-items/<int:item_id>/<str:action>/", views.item_action, name="agenda_item_action"),
    path("sessions/<int:session_id>/signup/", views.session_signup, name="session_signup"),
    path("sessions/<int:session_id>/leave/", views.session_leave, name="session_leave"),
    path("calendar/<str:token>.ics", feeds.member_calendar, name="member_calendar"),
    path("profile/calendar/reset/", views.reset_calendar, name="calendar_reset"),
]
