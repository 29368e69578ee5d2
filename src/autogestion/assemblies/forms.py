from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AgendaItemKind, SeriesKind, SessionKind
from .rules import MAX_COUNT, MAX_INTERVAL, Frequency, MonthlyBy, Recurrence


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What is it about?"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItemKind.choices,
                             initial=AgendaItemKind.DISCUSSION)
    duration_minutes = forms.IntegerField(label=_("Time needed (minutes)"), min_value=1,
                                          max_value=480, initial=15)


WEEKDAYS = [("MO", _("Monday")), ("TU", _("Tuesday")), ("WE", _("Wednesday")),
            ("TH", _("Thursday")), ("FR", _("Friday")), ("SA", _("Saturday")),
            ("SU", _("Sunday"))]
ORDINALS = [("1", _("first")), ("2", _("second")), ("3", _("third")), ("4", _("fourth")),
            ("5", _("fifth")), ("-1", _("last")), ("-2", _("second to last"))]


class SeriesForm(forms.Form):
    """A meeting series, its recurrence chosen with the builder (no RFC 5545 to type)."""

    title = forms.CharField(label=_("Title"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=SeriesKind.choices)
    frequency = forms.ChoiceField(
        label=_("Comes back"), widget=forms.RadioSelect, initial=Frequency.MONTHLY,
        choices=[(Frequency.DAILY.value, _("every day")),
                 (Frequency.WEEKLY.value, _("every week, on the days ticked below")),
                 (Frequency.MONTHLY.value, _("every month, as chosen below"))])
    interval = forms.IntegerField(
        label=_("Every how many days, weeks or months"), initial=1, min_value=1,
        max_value=MAX_INTERVAL,
        help_text=_("1: every time; 2: every other day, week or month."))
    weekdays = forms.MultipleChoiceField(label=_("Every week: on"), required=False,
                                         choices=WEEKDAYS,
                                         widget=forms.CheckboxSelectMultiple)
    monthly_by = forms.ChoiceField(
        label=_("Every month: on"), widget=forms.RadioSelect, initial=MonthlyBy.WEEKDAY,
        choices=[(MonthlyBy.WEEKDAY.value, _("a day of the week (the first Tuesday, the last "
                                              "Saturday...)")),
                 (MonthlyBy.DAY.value, _("a day of the month (the 15th...)"))])
    ordinal = forms.TypedChoiceField(label=_("Which one in the month"), choices=ORDINALS,
                                     coerce=int, initial="-1", required=False,
                                     empty_value=None)
    weekday = forms.ChoiceField(label=_("Day of the week"), choices=WEEKDAYS, initial="SA",
                                required=False)
    month_day = forms.IntegerField(
        label=_("Day of the month"), required=False, min_value=-1, max_value=31,
        help_text=_("From 1 to 31 (months without it are skipped); -1 for the last day."))
    ends = forms.ChoiceField(
        label=_("Ends"), widget=forms.RadioSelect, initial="never",
        choices=[("never", _("never")), ("until", _("on a date")),
                 ("count", _("after a number of meetings"))])
    until = forms.DateField(label=_("Last day"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(label=_("Number of meetings"), required=False, min_value=1,
                               max_value=MAX_COUNT)
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

    BUILDER = ("frequency", "interval", "weekdays", "monthly_by", "ordinal", "weekday",
               "month_day", "ends", "until", "count")

    def clean(self):
        data = super().clean()
        ends = data.get("ends")
        if ends == "until" and not data.get("until"):
            self.add_error("until", _("Give the last day, or choose “never”."))
        if ends == "count" and not data.get("count"):
            self.add_error("count", _("Give the number of meetings, or choose “never”."))
        return data

    def recurrence(self) -> Recurrence:
        """The builder's choices (once the form is valid)."""
        data = self.cleaned_data
        monthly = data["frequency"] == Frequency.MONTHLY
        by_weekday = monthly and data["monthly_by"] == MonthlyBy.WEEKDAY
        return Recurrence(
            frequency=data["frequency"], interval=data["interval"],
            weekdays=tuple(data["weekdays"]) if data["frequency"] == Frequency.WEEKLY else (),
            monthly_by=data["monthly_by"],
            ordinal=data["ordinal"] if by_weekday else None,
            weekday=data["weekday"] if by_weekday else "",
            month_day=data["month_day"] if monthly and not by_weekday else None,
            until=data["until"] if data["ends"] == "until" else None,
            count=data["count"] if data["ends"] == "count" else None)


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
