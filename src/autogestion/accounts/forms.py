from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import ApiToken


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Name shown to others"), max_length=150,
                                   required=False)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    bio = forms.CharField(label=_("About me"), required=False,
                          widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    email_reminders = forms.BooleanField(
        label=_("E-mail me reminders about the meetings of my bodies"), required=False)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80)
    # Read-only is offered first: most scripts only read, and a leaked one then changes
    # nothing.
    scope = forms.ChoiceField(label=_("What it may do"), choices=ApiToken.Scope.choices,
                              initial=ApiToken.Scope.READ, widget=forms.RadioSelect)


class SignupForm(forms.Form):
    """What sign-up asks beside the e-mail and the password (allauth's
    ACCOUNT_SIGNUP_FORM_CLASS): the name the others will see, so that nobody appears as
    "Member #24" and the e-mail address, which is personal, is never shown instead."""

    display_name = forms.CharField(
        label=_("Your name, as others will see it"), max_length=150,
        help_text=_("A first name, a nickname: what the members of your groups will call "
                    "you. You can change it later in your profile."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}))

    field_order = ["display_name"]

    def clean_display_name(self) -> str:
        # Blank is refused as missing (the field strips); runs of spaces become one.
        return " ".join(self.cleaned_data["display_name"].split())

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
