from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from autogestion.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import ApiToken, Invitation, InvitationUse, User


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ("email", "display_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "display_name", "first_name", "last_name")
    ordering = ("email",)
    fieldsets = (*UserAdmin.fieldsets,
                 ("Autogestion", {"fields": ("display_name", "phone", "bio", "language")}))


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "owner", "hint", "created_at", "last_used_at", "revoked_at")


class InvitationUseInline(ReadOnlyInline):
    model = InvitationUse
    fields = ("person", "accepted_at", "membership")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("body", "kind", "email", "invited_by", "uses", "max_uses", "created_at",
                    "expires_at", "revoked_at")
    list_filter = ("kind",)
    exclude = ("token_hash",)
    inlines = [InvitationUseInline]
