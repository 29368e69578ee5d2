from django.urls import path

from . import views

urlpatterns = [
    path("meetings/<int:series_id>/<isodate:day>/room/", views.room_page, name="room"),
    path("meetings/<int:series_id>/<isodate:day>/room/open/", views.open_room,
         name="room_open"),
    path("rooms/<int:room_id>/act/", views.act, name="room_act"),
    path("rooms/<int:room_id>/gesture/", views.gesture, name="room_gesture"),
    path("rooms/<int:room_id>/manage/", views.manage, name="room_manage"),
    path("rooms/<int:room_id>/state.json", views.state_json, name="room_state"),
]

from . import stats_views  # noqa: E402  (speech statistics, R14)

urlpatterns += [
    path("meetings/<int:series_id>/<isodate:day>/room/stats/", stats_views.room_stats,
         name="room_stats"),
    path("bodies/<slug:slug>/speech/", stats_views.body_stats, name="body_speech"),
    path("profile/self-description/", stats_views.self_description, name="self_description"),
]
