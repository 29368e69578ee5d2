"""API tokens die with the password they were made under."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib import messages
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import ngettext

from . import services
from .models import User


@receiver(post_save, sender=User)
def revoke_tokens_of_a_new_password(sender, instance: User, created: bool, **kwargs):
    """Every way of setting a password (change, reset, the admin, the command line)
    ends in a save while Django still holds the new raw password in `_password`;
    a re-hash at log-in clears it before saving, so it revokes nothing."""
    if created or instance._password is None:
        return
    instance.revoked_api_tokens = services.revoke_all_api_tokens(person=instance)


@receiver([password_changed, password_set, password_reset])
def tell_the_tokens_were_revoked(sender, request, user, **kwargs):
    count = getattr(user, "revoked_api_tokens", 0)
    if count:
        messages.info(request, ngettext(
            "Your API token was revoked with your old password. Create a new one on your "
            "profile page if you still need it.",
            "Your %(count)s API tokens were revoked with your old password. Create new ones "
            "on your profile page if you still need them.", count) % {"count": count})
