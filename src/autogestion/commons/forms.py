"""Forms of the pooled resources pages. They read what a person types; the services
check everything else (and say what to change)."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from autogestion.core import clock
from autogestion.core.errors import DomainError
from autogestion.core.inputs import check_year
from autogestion.core.widgets import DateInput, TimeInput
from autogestion.economy.forms import parse_amount
from autogestion.economy.models import Currency
from autogestion.economy.queries import field_amount

from . import rules, services
from .models import Audience, FeePerChoice, ResourceKind
from .texts import refusal_message

WEEKDAYS = [(1, _("Monday")), (2, _("Tuesday")), (3, _("Wednesday")), (4, _("Thursday")),
            (5, _("Friday")), (6, _("Saturday")), (7, _("Sunday"))]


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    description = forms.CharField(label=_("Description (Markdown)"), required=False,
                                  max_length=services.MAX_TEXT,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    usage_rules = forms.CharField(label=_("Usage rules (Markdown)"), required=False,
                                  max_length=services.MAX_TEXT,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    audience = forms.ChoiceField(label=_("Who may book"), choices=Audience.choices)
    requires_approval = forms.BooleanField(label=_("Bookings wait for a steward's approval"),
                                           required=False)
    open_days = forms.TypedMultipleChoiceField(label=_("Open days"), choices=WEEKDAYS,
                                               coerce=int, widget=forms.CheckboxSelectMultiple)
    opens_at = forms.TimeField(label=_("Opens at"), widget=TimeInput())
    closes_at = forms.TimeField(label=_("Closes at (00:00: midnight)"), widget=TimeInput())
    overnight = forms.BooleanField(label=_("May be kept over several days (taken and "
                                           "brought back within opening hours)"),
                                   required=False)
    longest_hours = forms.IntegerField(label=_("Longest booking (hours, empty: no limit)"),
                                       required=False, min_value=1, max_value=366 * 24)
    notice_hours = forms.IntegerField(label=_("Minimum notice (hours)"), required=False,
                                      min_value=0, max_value=365 * 24)
    horizon_days = forms.IntegerField(label=_("Bookable this many days ahead"), min_value=1,
                                      max_value=rules.LONGEST_HORIZON_DAYS)
    fee = forms.CharField(label=_("Fee (empty: free)"), max_length=30, required=False,
                          widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    fee_currency = forms.ChoiceField(label=_("Fee currency"), required=False)
    fee_per = forms.ChoiceField(label=_("The fee is"), choices=FeePerChoice.choices)
    is_active = forms.BooleanField(label=_("Can be booked now"), required=False)

    def __init__(self, *args, steward, **kwargs):
        super().__init__(*args, **kwargs)
        cooperative = steward.enclosing_cooperative()
        self.currencies = {c.pk: c for c in Currency.objects.filter(
            cooperative=cooperative).order_by("code")} if cooperative else {}
        self.fields["fee_currency"].choices = [("", "—")] + [
            (str(c.pk), str(c)) for c in self.currencies.values()]

    @classmethod
    def initial_for(cls, resource=None) -> dict:
        if resource is None:
            return {"kind": ResourceKind.PREMISES, "audience": Audience.COOPERATIVE,
                    "open_days": list(range(1, 8)), "opens_at": time(8), "closes_at": time(22),
                    "horizon_days": 180, "fee_per": FeePerChoice.BOOKING, "is_active": True}
        fee = ""
        if resource.fee_amount and resource.fee_currency:
            fee = field_amount(resource.fee_amount, resource.fee_currency.decimals)
        return {
            "kind": resource.kind, "name": resource.name, "place": resource.place,
            "description": resource.description, "usage_rules": resource.usage_rules,
            "audience": resource.audience, "requires_approval": resource.requires_approval,
            "open_days": sorted(rules.mask_to_days(resource.open_days)),
            "opens_at": resource.opens_at, "closes_at": resource.closes_at,
            "overnight": resource.overnight,
            "longest_hours": resource.longest_minutes // 60 if resource.longest_minutes else None,
            "notice_hours": resource.notice_minutes // 60,
            "horizon_days": resource.horizon_days, "fee": fee,
            "fee_currency": str(resource.fee_currency_id or ""), "fee_per": resource.fee_per,
            "is_active": resource.is_active}

    def clean(self):
        data = super().clean()
        currency = None
        if data.get("fee_currency"):
            currency = self.currencies.get(int(data["fee_currency"]))
            if currency is None:
                self.add_error("fee_currency", _("Choose a currency of the cooperative."))
        data["fee_amount"] = None
        if (data.get("fee") or "").strip():
            if currency is None:
                self.add_error("fee_currency", _("Choose the currency of the fee."))
            else:
                try:
                    data["fee_amount"] = parse_amount(data["fee"], currency.decimals)
                except ValidationError as error:
                    self.add_error("fee", error)
        data["fee_currency_obj"] = currency if data["fee_amount"] else None
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        longest = data.get("longest_hours")
        return {
            "kind": data["kind"], "name": data["name"], "place": data["place"],
            "description": data["description"], "usage_rules": data["usage_rules"],
            "audience": data["audience"], "requires_approval": data["requires_approval"],
            "open_days": data["open_days"], "opens_at": data["opens_at"],
            "closes_at": data["closes_at"], "overnight": data["overnight"],
            "longest_minutes": longest * 60 if longest else None,
            "notice_minutes": (data.get("notice_hours") or 0) * 60,
            "horizon_days": data["horizon_days"], "fee_amount": data["fee_amount"],
            "fee_currency": data["fee_currency_obj"], "fee_per": data["fee_per"],
            "is_active": data["is_active"]}


class BookingForm(forms.Form):
    start_day = forms.DateField(label=_("Start day"), widget=DateInput())
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput())
    end_day = forms.DateField(label=_("End day (empty: the same day)"), required=False,
                              widget=DateInput())
    end_time = forms.TimeField(label=_("End time"), widget=TimeInput())
    purpose = forms.CharField(label=_("What for"), max_length=255, required=False)
    for_body = forms.ChoiceField(label=_("On behalf of (optional)"), required=False)

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bodies = {b.pk: b for b in bodies}
        self.fields["for_body"].choices = [("", _("myself"))] + [
            (str(b.pk), b.name) for b in bodies]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        tz = clock.zone()
        start_day: date = data["start_day"]
        end_day: date = data.get("end_day") or start_day
        end_time: time = data["end_time"]
        # Checked before any date arithmetic: 9999-12-31 plus a day overflows.
        for field, day in (("start_day", start_day), ("end_day", end_day)):
            try:
                check_year(day, field)
            except DomainError as error:
                raise ValidationError(str(error)) from None
        # "until 00:00" on the same day means until midnight, the end of that day.
        if end_time == rules.MIDNIGHT and end_day == start_day:
            end_day = start_day + timedelta(days=1)
        try:
            data["starts_at"] = rules.localize(start_day, data["start_time"], tz)
            data["ends_at"] = rules.localize(end_day, end_time, tz)
        except rules.Refusal as refusal:
            raise ValidationError(str(refusal_message(refusal).message)) from None
        for_body = data.get("for_body")
        data["for_body_obj"] = self.bodies.get(int(for_body)) if for_body else None
        if for_body and data["for_body_obj"] is None:
            self.add_error("for_body", _("Choose one of your groups."))
        return data

    @staticmethod
    def initial_for(day: date, opens: time) -> dict:
        """The day shown, from the opening time (or 09:00 round the clock), one hour."""
        begin = datetime.combine(day, opens if opens != rules.MIDNIGHT else time(9))
        return {"start_day": day, "start_time": begin.time(),
                "end_time": (begin + timedelta(hours=1)).time()}


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo (JPEG, PNG, WebP or GIF)"),
                            widget=forms.FileInput(attrs={"accept": "image/*"}))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=255, required=False)
