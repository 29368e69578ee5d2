"""Addresses of the work pages: posts, skills, unavailability, rotations, teach/learn.
(The daily plan's are in daily/urls.py.)"""

from django.urls import path

from . import views

urlpatterns = [
    path("work/", views.index, name="work_index"),
    path("bodies/<slug:slug>/work/", views.work_home, name="work_home"),
    path("bodies/<slug:slug>/work/posts/", views.create_post, name="work_post_create"),
    path("work/posts/<int:post_id>/", views.edit_post, name="work_post_edit"),
    path("bodies/<slug:slug>/work/skills/", views.my_skills, name="work_skills"),
    path("bodies/<slug:slug>/work/skills/confirm/", views.confirm_list, name="work_confirm"),
    path("work/skills/<int:skill_id>/confirm/", views.confirm_skill,
         name="work_skill_confirm"),
    path("bodies/<slug:slug>/work/unavailability/", views.unavailability,
         name="work_unavailability"),
    path("work/unavailability/<int:unavailability_id>/withdraw/",
         views.withdraw_unavailability, name="work_unavailability_withdraw"),
    path("bodies/<slug:slug>/work/rotations/", views.rotations, name="work_rotations"),
    path("work/rotations/<int:rotation_id>/", views.rotation, name="work_rotation"),
    path("work/rotations/<int:rotation_id>/assign/", views.assign, name="work_assign"),
    path("work/rotations/<int:rotation_id>/assignments/<int:assignment_id>/reassign/",
         views.reassign, name="work_reassign"),
    path("work/rotations/<int:rotation_id>/assignments/<int:assignment_id>/remove/",
         views.remove_assignment, name="work_unassign"),
    path("work/rotations/<int:rotation_id>/publish/", views.publish, name="work_publish"),
    path("work/rotations/<int:rotation_id>/discard/", views.discard, name="work_discard"),
    path("bodies/<slug:slug>/learning/", views.learning, name="work_learning"),
    path("bodies/<slug:slug>/learning/sessions/", views.schedule_training,
         name="work_training_schedule"),
    path("work/knowledge/<int:knowledge_id>/remove/", views.remove_knowledge,
         name="work_knowledge_remove"),
    path("work/training/<int:session_id>/cancel/", views.cancel_training,
         name="work_training_cancel"),
]
