from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ClassChoice, MethodChoice
from .services import MAX_PROPOSAL_TEXT


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


class RevisionForm(forms.Form):
    text = forms.CharField(label=_("Revised proposal"), max_length=MAX_PROPOSAL_TEXT,
                           widget=forms.Textarea(attrs={"rows": 8}))
    deadline = forms.DateTimeField(label=_("Round closes at (optional)"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
