from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from autogestion.cooperatives.models import College

from . import rules as invitation_rules
from .models import ApiToken, available_time_zones, validate_time_zone

# The regions of the IANA zones a person picks from; the old aliases ("US/Eastern",
# "EST", "Etc/GMT+5"…) are left out of the list (a profile holding one keeps it).
ZONE_REGIONS = {
    "Africa": pgettext_lazy("time zone region", "Africa"),
    "America": pgettext_lazy("time zone region", "America"),
    "Antarctica": pgettext_lazy("time zone region", "Antarctica"),
    "Asia": pgettext_lazy("time zone region", "Asia"),
    "Atlantic": pgettext_lazy("time zone region", "Atlantic"),
    "Australia": pgettext_lazy("time zone region", "Australia"),
    "Europe": pgettext_lazy("time zone region", "Europe"),
    "Indian": pgettext_lazy("time zone region", "Indian Ocean"),
    "Pacific": pgettext_lazy("time zone region", "Pacific"),
}


def time_zone_choices(current: str = "") -> list:
    """The zones grouped by region, as a phone's picker shows them; each by its name
    ("Europe/Paris"), which the closed list shows alone."""
    groups: dict[str, list] = {region: [] for region in ZONE_REGIONS}
    for name in sorted(available_time_zones()):
        region, _slash, place = name.partition("/")
        if region in groups and place:
            groups[region].append((name, name.replace("_", " ")))
    choices = [("UTC", "UTC"), *((label, groups[region])
                                 for region, label in ZONE_REGIONS.items())]
    listed = {"UTC"} | {name for zones in groups.values() for name, _place in zones}
    if current and current not in listed:
        choices.insert(0, (current, current))
    return choices


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Name shown to others"), max_length=150,
                                   required=False)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    bio = forms.CharField(label=_("About me"), required=False,
                          widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64, validators=[validate_time_zone],
        help_text=_("E-mails and notifications give their times, and say “tomorrow”, in "
                    "this zone."),
        widget=forms.Select)
    email_reminders = forms.BooleanField(
        label=_("E-mail me reminders about the meetings of my bodies"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = (self.data.get("time_zone") if self.is_bound
                   else self.initial.get("time_zone")) or ""
        self.fields["time_zone"].widget.choices = time_zone_choices(current)


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


class _InvitationForm(forms.Form):
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=invitation_rules.MAX_DAYS,
        initial=invitation_rules.DEFAULT_DAYS,
        help_text=_("From 1 to 90 days."))
    college = forms.ModelChoiceField(
        label=_("College"), queryset=College.objects.none(), required=False,
        empty_label=_("— the person invited chooses —"))

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        colleges = body.colleges.all() if body.kind == "cooperative" else College.objects.none()
        self.fields["college"].queryset = colleges
        if not colleges.exists():
            del self.fields["college"]


class EmailInvitationForm(_InvitationForm):
    """An invitation sent to one address, that serves once."""

    email = forms.EmailField(label=_("E-mail address of the person you invite"),
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))

    field_order = ["email", "valid_days", "college"]


class LinkInvitationForm(_InvitationForm):
    """A link the inviter copies and gives, that serves a number of times."""

    max_uses = forms.IntegerField(
        label=_("How many people may use it"), min_value=1,
        max_value=invitation_rules.MAX_USES, initial=invitation_rules.DEFAULT_USES,
        help_text=_("From 1 to 100."))

    field_order = ["max_uses", "valid_days", "college"]


class AcceptInvitationForm(forms.Form):
    """Joining through an invitation: the college, when the body has colleges and the
    invitation leaves the choice to the person."""

    college = forms.ModelChoiceField(label=_("Your college"),
                                     queryset=College.objects.none(), required=True)

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        body = invitation.body
        if invitation.college_id is None and body.kind == "cooperative":
            self.fields["college"].queryset = body.colleges.all()
        if invitation.college_id is not None or not self.fields["college"].queryset.exists():
            del self.fields["college"]
