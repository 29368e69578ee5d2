from django import forms
from django.utils.translation import gettext_lazy as _

from . import queries, rules
from .models import ClassChoice, DecisionSettings, MethodChoice
from .services import MAX_PROPOSAL_TEXT


def agenda_item_choices(items) -> list[tuple[str, str]]:
    """The upcoming agenda items of the body's meetings, by meeting date."""
    from autogestion.core import clock

    return [("", _("none")), *[
        (str(item.pk), f"{clock.local(item.meeting.starts_at):%d/%m/%Y} — {item.title}")
        for item in items]]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Proposal (Markdown)"), max_length=MAX_PROPOSAL_TEXT,
                           widget=forms.Textarea(attrs={"rows": 8}))
    decision_class = forms.ChoiceField(label=_("Class of decision"), choices=ClassChoice.choices,
                                       initial="executive")
    method = forms.ChoiceField(label=_("Method"), required=False,
                               choices=[("", _("as the policy says")), *MethodChoice.choices])
    deadline = forms.DateTimeField(label=_("Round closes at (optional)"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    concerned_person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    agenda_item = forms.TypedChoiceField(label=_("On the agenda of"), required=False,
                                         coerce=int, empty_value=None, choices=[])

    def __init__(self, *args, agenda_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = agenda_item_choices(agenda_items)


class PositionForm(forms.Form):
    stance = forms.ChoiceField(label=_("My position"), choices=[])
    note = forms.CharField(label=_("Reservations"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Reason"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    counter_proposal = forms.CharField(label=_("Counter-proposal"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, stances, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stance"].choices = stances
        self.fields["stance"].widget = forms.RadioSelect(choices=stances)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        # Its own ids: the revision form on the same page has a `text` too.
        kwargs.setdefault("auto_id", "comment_%s")
        super().__init__(*args, **kwargs)


class RevisionForm(forms.Form):
    text = forms.CharField(label=_("Revised proposal"), max_length=MAX_PROPOSAL_TEXT,
                           widget=forms.Textarea(attrs={"rows": 8}))
    deadline = forms.DateTimeField(label=_("Round closes at (optional)"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "revision_%s")
        super().__init__(*args, **kwargs)


class ChangeProposalForm(forms.Form):
    """What a proposal carrying a change says beside the change itself: all optional
    (the title and text default to the change in words)."""

    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    text = forms.CharField(label=_("Why (optional, Markdown)"), max_length=MAX_PROPOSAL_TEXT,
                           required=False, widget=forms.Textarea(attrs={"rows": 4}))
    agenda_item = forms.TypedChoiceField(label=_("On the agenda of"), required=False,
                                         coerce=int, empty_value=None, choices=[])
    deadline = forms.DateTimeField(label=_("Round closes at (optional)"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, agenda_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = agenda_item_choices(agenda_items)


SETTING_NUMBERS = ("star_group_size", "quorum_percent", "threshold_percent",
                   "min_seniority_days", "min_participation_consent",
                   "min_participation_consensus", "max_proxies")


class PolicyChangeForm(forms.Form):
    """The `decisions.policy` change on a page: the body's rules as they are, to change;
    its cleaned data are the change's params (the effect keeps what differs)."""

    def __init__(self, data=None, *, body, **kwargs):
        super().__init__(data, **kwargs)
        self.body = body
        policy = queries.policy_of(body)
        current = queries.settings_of(body)
        for decision_class in rules.DecisionClass:
            allowed = [(m.value, MethodChoice(m).label) for m in rules.Method
                       if (decision_class == rules.DecisionClass.LEGAL_ACT)
                       == (m == rules.Method.MAJORITY)]
            self.fields[f"method_{decision_class.value}"] = forms.ChoiceField(
                label=ClassChoice(decision_class).label, choices=allowed,
                initial=policy[decision_class].value)
        for name in SETTING_NUMBERS:
            low, high = rules.SETTING_BOUNDS[name]
            model_field = DecisionSettings._meta.get_field(name)
            self.fields[name] = forms.IntegerField(
                label=model_field.verbose_name, min_value=low, max_value=high,
                initial=getattr(current, name), help_text=model_field.help_text)
        for name in rules.SETTING_SWITCHES:
            self.fields[name] = forms.BooleanField(
                label=DecisionSettings._meta.get_field(name).verbose_name, required=False,
                initial=getattr(current, name))
        if body.kind != "network":
            self.fields["groups_need_ratification"] = forms.BooleanField(
                label=_("groups founded inside this body wait for its ratification"),
                required=False, initial=bool(getattr(body, "groups_need_ratification", False)))

    @property
    def fieldsets(self) -> list[tuple[str, list]]:
        """The fields in the page's groups: the method of each class, then the settings."""
        methods = [self[name] for name in self.fields if name.startswith("method_")]
        others = [self[name] for name in self.fields if not name.startswith("method_")]
        return [(_("Method of each class of decision"), methods), (_("Settings"), others)]

    def clean(self):
        data = super().clean()
        params = {"policy": {c.value: data[f"method_{c.value}"] for c in rules.DecisionClass
                             if data.get(f"method_{c.value}")}}
        params.update({name: data[name] for name in (*SETTING_NUMBERS,
                                                     *rules.SETTING_SWITCHES,
                                                     "groups_need_ratification")
                       if data.get(name) is not None and name in self.fields})
        return params


class ProxyForm(forms.Form):
    holder = forms.TypedChoiceField(label=_("Give my vote to"), coerce=int, choices=[])

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].choices = [(m.person_id, m.person.public_name) for m in members]


class MeetingProxyForm(forms.Form):
    """A proxy for every legal vote of one coming general meeting."""

    meeting = forms.ChoiceField(label=_("For the meeting"), choices=[])
    holder = forms.TypedChoiceField(label=_("Give my vote to"), coerce=int, choices=[])

    def __init__(self, *args, meetings=(), members=(), **kwargs):
        from autogestion.core import clock

        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [
            (f"{o.series.pk}/{o.key}", f"{clock.local(o.starts_at):%d/%m/%Y %H:%M} — "
                                       f"{o.series.title}")
            for o in meetings]
        self.fields["holder"].choices = [(m.person_id, m.person.public_name) for m in members]

    def meeting_address(self) -> tuple[int | None, str]:
        """The series and the day of the meeting chosen."""
        series, _slash, day = self.cleaned_data.get("meeting", "").partition("/")
        return (int(series) if series.isdigit() else None), day
