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
