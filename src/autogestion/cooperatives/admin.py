from django.contrib import admin

from .models import Body, College, Membership, MembershipEvent, ProgressUpdate


class CollegeInline(admin.TabularInline):
    model = College
    extra = 0


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "legal_form", "parent", "is_open", "slug")
    list_filter = ("kind", "legal_form", "is_open")
    search_fields = ("name", "slug", "description")
    readonly_fields = ("path", "depth", "created_at")
    inlines = [CollegeInline]


class MembershipEventInline(admin.TabularInline):
    model = MembershipEvent
    extra = 0
    readonly_fields = ("kind", "actor", "note", "at")
    can_delete = False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("person", "body", "role", "status", "college", "joined_at", "left_at")
    list_filter = ("status", "role", "body__kind")
    search_fields = ("person__email", "person__display_name", "body__name")
    raw_id_fields = ("person", "body", "college")
    inlines = [MembershipEventInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ("body", "author", "created_at")
    search_fields = ("text",)
