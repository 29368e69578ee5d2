from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AgendaItemKind, SeriesKind, SessionKind


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What is it about?"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItemKind.choices,
                             initial=AgendaItemKind.DISCUSSION)
    duration_minutes = forms.IntegerField(label=_("Time needed (minutes)"), min_value=1,
                                          max_value=480, initial=15)


class SeriesForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=SeriesKind.choices)
    rrule = forms.CharField(
        label=_("Recurrence (RFC 5545 rule)"), initial="FREQ=MONTHLY;BYDAY=-1SA",
        help_text=_("FREQ=MONTHLY;BYDAY=-1SA: the last Saturday of each month. "
                    "FREQ=WEEKLY;BYDAY=MO: every Monday. FREQ=DAILY: every day."))
    first_day = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Starts at"),
                                 widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=_("Place"), required=False, max_length=255)
    timezone = forms.CharField(label=_("Time zone"), initial="Europe/Paris", max_length=64)
    preparation_offset_days = forms.IntegerField(
        label=_("Preparation meeting and agenda deadline, days before"), required=False,
        min_value=1, max_value=60,
        help_text=_("Leave empty for meetings without an agenda deadline; the Agora takes 7."))


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    starts_at = forms.TimeField(label=_("Starts at"),
                                widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label=_("Ends at"), required=False,
                              widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=_("Place"), required=False, max_length=255)
    capacity = forms.IntegerField(label=_("Places (workshops)"), required=False, min_value=1)


class MoveForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("New start"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("New end"),
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("Place"), required=False, max_length=255)


class MinutesForm(forms.Form):
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    presented_by = forms.CharField(label=_("Presented by"), required=False, max_length=200)
    decisions = forms.CharField(label=_("Decisions taken"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    links = forms.CharField(label=_("Links"), required=False,
                            widget=forms.Textarea(attrs={"rows": 1}))
