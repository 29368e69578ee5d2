"""Addresses of the daily plan pages; config/urls.py includes them at the root."""

from django.urls import path

from . import views

# <isodate:day> (YYYY-MM-DD) is registered by assemblies/urls.py, included before this.
urlpatterns = [
    path("bodies/<slug:slug>/daily/", views.daily_home, name="daily_plans"),
    path("bodies/<slug:slug>/daily/week/", views.daily_week, name="daily_week"),
    path("bodies/<slug:slug>/daily/prepare/", views.prepare_plan, name="daily_plan_prepare"),
    path("bodies/<slug:slug>/daily/<isodate:day>/", views.daily_plan, name="daily_plan"),
    path("bodies/<slug:slug>/daily/<isodate:day>/edit/", views.daily_plan_edit,
         name="daily_plan_edit"),
    path("bodies/<slug:slug>/daily/<isodate:day>/publish/", views.publish_plan,
         name="daily_plan_publish"),
    path("bodies/<slug:slug>/daily/<isodate:day>/note/", views.set_note,
         name="daily_plan_note"),
    path("bodies/<slug:slug>/daily/<isodate:day>/tasks/", views.add_task,
         name="daily_task_add"),
    path("bodies/<slug:slug>/daily/tasks/<int:task_id>/", views.update_task,
         name="daily_task_update"),
    path("bodies/<slug:slug>/daily/tasks/<int:task_id>/remove/", views.remove_task,
         name="daily_task_remove"),
    path("bodies/<slug:slug>/daily/tasks/<int:task_id>/move/", views.move_task,
         name="daily_task_move"),
]
