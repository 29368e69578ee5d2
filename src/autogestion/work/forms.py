"""Forms of the work pages: they parse what people type; the services check the rest
(who may, which days, which people) and their refusals are shown next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from autogestion.core.widgets import DateInput, TimeInput

from .models import AssignmentRole, KnowledgeKind, SkillLevel
from .queries import WEEKDAY_NAMES
from .services import MAX_CAPABLE_NEEDED, MAX_HOLDERS, MAX_STREAK

NO_SKILL = ""
WEEKDAY_CHOICES = [(d, name) for d, name in WEEKDAY_NAMES.items()]


class PostForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    holders = forms.IntegerField(label=_("People holding it at a time"), min_value=1,
                                 max_value=MAX_HOLDERS, initial=1)
    capable_needed = forms.IntegerField(
        label=_("Capable people needed"), min_value=1, max_value=MAX_CAPABLE_NEEDED,
        initial=2, help_text=_("Fewer people able to hold it, and the post is at risk."))
    weekdays = forms.MultipleChoiceField(
        label=_("Days it is held"), choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple,
        initial=[d for d, _name in WEEKDAY_CHOICES],
        error_messages={"required": _("Tick at least one day.")})


class EditPostForm(PostForm):
    active = forms.BooleanField(label=_("Active (planned and declared)"), required=False)


class SkillsForm(forms.Form):
    """One choice per post of the body: none, capable, learning, can teach."""

    def __init__(self, *args, posts, mine: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(NO_SKILL, _("no")), *SkillLevel.choices]
        for post in posts:
            self.fields[f"post_{post.pk}"] = forms.ChoiceField(
                label=post.name, choices=choices, required=False,
                initial=mine.get(post.pk, NO_SKILL), widget=forms.RadioSelect)
            self.fields[f"post_{post.pk}"].post = post
        self.posts = posts

    def levels(self) -> dict[int, str]:
        return {post.pk: self.cleaned_data.get(f"post_{post.pk}") or NO_SKILL
                for post in self.posts}


class UnavailabilityForm(forms.Form):
    first_day = forms.DateField(label=_("From"), widget=DateInput())
    last_day = forms.DateField(label=_("To (included)"), widget=DateInput())
    note = forms.CharField(label=_("Note (only you see it)"), required=False, max_length=200)


class ProposeForm(forms.Form):
    first_day = forms.DateField(label=_("First day"), widget=DateInput())
    period = forms.ChoiceField(label=_("Period"), choices=[
        ("week", _("a week")), ("month", _("a month")), ("days", _("until the last day below"))],
        initial="week")
    last_day = forms.DateField(label=_("Last day (for a chosen length)"), required=False,
                               widget=DateInput())
    max_streak = forms.IntegerField(label=_("Most days in a row on one post"), min_value=1,
                                    max_value=MAX_STREAK, initial=2)

    def clean(self):
        data = super().clean()
        if data.get("period") == "days" and not data.get("last_day"):
            self.add_error("last_day", _("Give the last day, or choose a week or a month."))
        return data


class AssignForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput())
    post = forms.TypedChoiceField(label=_("Post"), coerce=int)
    person = forms.TypedChoiceField(label=_("Person"), coerce=int)
    role = forms.ChoiceField(label=_("Role"), choices=AssignmentRole.choices,
                             initial=AssignmentRole.HOLDER)

    def __init__(self, *args, posts, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [(p.pk, p.name) for p in posts]
        self.fields["person"].choices = [(m.pk, m.public_name) for m in members]


class ReassignForm(forms.Form):
    person = forms.TypedChoiceField(label=_("In their place"), coerce=int)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(m.pk, m.public_name) for m in members]


class KnowledgeForm(forms.Form):
    kind = forms.ChoiceField(label=_("List"), choices=KnowledgeKind.choices)
    post = forms.TypedChoiceField(label=_("A post"), coerce=int, required=False,
                                  empty_value=None)
    topic = forms.CharField(label=_("or a topic"), required=False, max_length=120,
                            help_text=_("For example: boulangerie, réparation de vélos."))

    def __init__(self, *args, posts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [("", "—"), *[(p.pk, f"{p.name} ({p.body.name})")
                                                    for p in posts]]


class TrainingForm(forms.Form):
    pair = forms.ChoiceField(label=_("Pair"))
    day = forms.DateField(label=_("Day"), widget=DateInput())
    starts = forms.TimeField(label=_("From"), widget=TimeInput())
    ends = forms.TimeField(label=_("To"), widget=TimeInput())
    place = forms.CharField(label=_("Place"), required=False, max_length=200)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pair"].choices = choices

    def chosen_pair(self) -> tuple[int, int, str]:
        teacher, learner, subject = self.cleaned_data["pair"].split("|", 2)
        return int(teacher), int(learner), subject
