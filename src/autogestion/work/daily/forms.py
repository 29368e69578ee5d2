"""Forms of the daily plan pages. They read what was typed; the services (work/daily/services.py)
check the rest: the day, the times, who may be on a task."""

from django import forms
from django.utils.translation import gettext_lazy as _

from autogestion.core.widgets import DateInput, TimeInput

from .services import PLAN_NOTE_MAX, TASK_NOTE_MAX, TITLE_MAX


class PrepareForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput, input_formats=["%Y-%m-%d"])


class PlanNoteForm(forms.Form):
    note = forms.CharField(label=_("Note for the day"), required=False, max_length=PLAN_NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))


class TaskForm(forms.Form):
    """A task and the people on it. `members` are the body's active members (the only
    choices); `posts`, when given, lets a new task be drawn from a post."""

    title = forms.CharField(label=_("Task"), max_length=TITLE_MAX, required=False)
    post = forms.TypedChoiceField(label=_("From the post"), required=False, coerce=int,
                                  empty_value=None)
    starts_at = forms.TimeField(label=_("Starts at"), required=False, widget=TimeInput,
                                input_formats=["%H:%M", "%H:%M:%S"])
    ends_at = forms.TimeField(label=_("Ends at"), required=False, widget=TimeInput,
                              input_formats=["%H:%M", "%H:%M:%S"])
    note = forms.CharField(label=_("Note"), max_length=TASK_NOTE_MAX, required=False)
    people = forms.TypedMultipleChoiceField(label=_("People"), required=False, coerce=int,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, members, posts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(p.pk, p.public_name) for p in members]
        if posts is None:
            del self.fields["post"]
        else:
            self.fields["post"].choices = [("", "—"), *[(p.pk, p.name) for p in posts]]

    def clean(self):
        data = super().clean()
        if not data.get("title") and not data.get("post"):
            self.add_error("title", _("Give the task a title, or choose a post."))
        return data


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("up")), ("down", _("down"))])

    @property
    def step(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1
