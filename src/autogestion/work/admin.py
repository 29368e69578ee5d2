"""Operators read posts, skills, rotations and teach/learn lists here, read-only: writes
go through the pages and the API, whose services check the rules (core/admin.py)."""

from django.contrib import admin

from autogestion.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Assignment, Gap, Knowledge, Post, Rotation, Skill, TrainingSession


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ("name", "body", "holders", "capable_needed", "weekdays", "active")
    list_filter = ("active",)
    search_fields = ("name", "body__name")
    list_select_related = ("body",)


@admin.register(Skill)
class SkillAdmin(ReadOnlyAdmin):
    list_display = ("person", "post", "level", "declared_at", "confirmed_at")
    list_filter = ("level",)
    search_fields = ("person__display_name", "post__name")
    list_select_related = ("person", "post")


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ("day", "post", "person", "role", "reason", "set_by")


class GapInline(ReadOnlyInline):
    model = Gap
    fields = ("day", "post", "reason", "missing")


@admin.register(Rotation)
class RotationAdmin(ReadOnlyAdmin):
    list_display = ("body", "first_day", "last_day", "status", "published_at")
    list_filter = ("status",)
    list_select_related = ("body",)
    inlines = (AssignmentInline, GapInline)


@admin.register(Knowledge)
class KnowledgeAdmin(ReadOnlyAdmin):
    list_display = ("person", "cooperative", "kind", "post", "topic")
    list_filter = ("kind",)
    search_fields = ("topic", "person__display_name")
    list_select_related = ("person", "cooperative", "post")


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnlyAdmin):
    list_display = ("starts_at", "teacher", "learner", "topic", "place")
    list_select_related = ("teacher", "learner")
