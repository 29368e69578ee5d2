"""Operators read posts, skills, rotations and teach/learn lists here. Writes go through
the pages and the API (services check the rules), so rotations and their assignments
are read-only in the admin."""

from django.contrib import admin

from .models import Assignment, Gap, Knowledge, Post, Rotation, Skill, TrainingSession


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("name", "body", "holders", "capable_needed", "weekdays", "active")
    list_filter = ("active",)
    search_fields = ("name", "body__name")
    list_select_related = ("body",)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("person", "post", "level", "declared_at", "confirmed_at")
    list_filter = ("level",)
    search_fields = ("person__display_name", "post__name")
    list_select_related = ("person", "post")
    readonly_fields = ("person", "post", "level", "declared_at", "confirmed_by",
                       "confirmed_at")


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fields = ("day", "post", "person", "role", "reason", "set_by")
    readonly_fields = fields
    extra = 0
    can_delete = False


class GapInline(admin.TabularInline):
    model = Gap
    fields = ("day", "post", "reason", "missing")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Rotation)
class RotationAdmin(admin.ModelAdmin):
    list_display = ("body", "first_day", "last_day", "status", "published_at")
    list_filter = ("status",)
    list_select_related = ("body",)
    readonly_fields = ("body", "first_day", "last_day", "max_streak", "status",
                       "created_by", "created_at", "published_by", "published_at")
    inlines = (AssignmentInline, GapInline)

    def has_add_permission(self, request):
        return False


@admin.register(Knowledge)
class KnowledgeAdmin(admin.ModelAdmin):
    list_display = ("person", "cooperative", "kind", "post", "topic")
    list_filter = ("kind",)
    search_fields = ("topic", "person__display_name")
    list_select_related = ("person", "cooperative", "post")


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "teacher", "learner", "topic", "place")
    list_select_related = ("teacher", "learner")
