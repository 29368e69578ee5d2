from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind


class PushPreferencesForm(forms.Form):
    """The kinds pushed to the person's devices: the boxes ticked; the others are off."""

    push = forms.MultipleChoiceField(
        choices=Kind.choices, required=False,
        error_messages={"invalid_choice": _("%(value)s is not a kind of notification: tick "
                                            "the boxes of the list.")})
