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
