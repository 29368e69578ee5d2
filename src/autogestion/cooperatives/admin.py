"""Bodies and memberships, read-only: the tree's path, the colleges' weights and the
membership history are kept by the services (core/admin.py says why)."""

from django.contrib import admin

from autogestion.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Body, College, Membership, MembershipEvent, ProgressUpdate


class CollegeInline(ReadOnlyInline):
    model = College


@admin.register(Body)
class BodyAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "legal_form", "parent", "is_open", "slug")
    list_filter = ("kind", "legal_form", "is_open")
    search_fields = ("name", "slug", "description")
    inlines = [CollegeInline]


class MembershipEventInline(ReadOnlyInline):
    model = MembershipEvent


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("person", "body", "role", "status", "college", "joined_at", "left_at")
    list_filter = ("status", "role", "body__kind")
    search_fields = ("person__email", "person__display_name", "body__name")
    raw_id_fields = ("person", "body", "college")
    inlines = [MembershipEventInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdmin):
    list_display = ("body", "author", "created_at")
    search_fields = ("text",)
