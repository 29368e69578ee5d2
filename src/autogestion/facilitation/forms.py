"""What the room's and the statistics' plain forms send, read once: a refusal is a
DomainError on the field (400), as the API's are."""

from django import forms
from django.utils.translation import gettext_lazy as _

from autogestion.core.api_types import MAX_ID
from autogestion.core.errors import DomainError

NUMBER = {"invalid": _("Expected a number.")}

MONTHS_DEFAULT = 12
MONTHS_MIN, MONTHS_MAX = 1, 24


class _Form(forms.Form):
    def parsed(self) -> dict:
        """The cleaned values, or the first refusal as a DomainError on its field."""
        if not self.is_valid():
            field, errors = next(iter(self.errors.items()))
            raise DomainError(errors[0], field=field)
        return self.cleaned_data


def _id(*, optional=True, **messages) -> forms.IntegerField:
    return forms.IntegerField(required=not optional, min_value=1, max_value=MAX_ID,
                              error_messages=NUMBER | messages)


class RoleForm(_Form):
    role = forms.CharField(required=False)
    person = _id(optional=False, required=_("Choose a member."))


class ItemForm(_Form):
    item = _id()


class SettingsForm(_Form):
    speaker_limit_seconds = forms.IntegerField(required=False, error_messages=NUMBER)
    reset_turns_per_item = forms.BooleanField(required=False)


class RoundForm(_Form):
    proposal = _id()


class MonthsForm(_Form):
    """A body's statistics over the last N months (1 to 24, 12 when not given)."""

    months = forms.CharField(required=False, strip=True)

    def clean_months(self) -> int:
        raw = self.cleaned_data["months"]
        if raw == "":
            return MONTHS_DEFAULT
        months = int(raw) if raw.isascii() and raw.isdigit() else None
        if months is None or not MONTHS_MIN <= months <= MONTHS_MAX:
            raise forms.ValidationError(
                _("The period is a whole number of months from %(min)d to %(max)d.")
                % {"min": MONTHS_MIN, "max": MONTHS_MAX})
        return months
