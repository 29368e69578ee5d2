from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BodyKind, College, LegalForm, MembershipRole


class JoinForm(forms.Form):
    college = forms.ModelChoiceField(queryset=College.objects.none(), required=False,
                                     label=_("College"))
    message = forms.CharField(label=_("Message to the coordinators (optional)"),
                              required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        colleges = College.objects.filter(cooperative=body) if body.kind == "cooperative" \
            else College.objects.none()
        self.fields["college"].queryset = colleges
        self.has_colleges = body.kind == "cooperative" and colleges.exists()
        if not self.has_colleges:
            del self.fields["college"]
        if body.is_open:
            del self.fields["message"]


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("What has the body been doing?"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class BodyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    place = forms.CharField(label=_("Meeting place"), required=False, max_length=255)
    rhythm = forms.CharField(label=_("Usual meeting rhythm"), required=False, max_length=255)
    is_open = forms.BooleanField(label=_("Open to everyone"), required=False)

    def __init__(self, data=None, *, instance_values):
        initial = {f: getattr(instance_values, f) for f in
                   ("name", "description", "place", "rhythm", "is_open")}
        super().__init__(data, initial=initial)


class FoundForm(forms.Form):
    """Found a body: a group inside a cooperative or group, a cooperative (or network)
    inside a network, a top-level network or cooperative (operators)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=BodyKind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    legal_form = forms.ChoiceField(label=_("Legal form (cooperatives)"), required=False,
                                   choices=[("", "—"), *LegalForm.choices])
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    place = forms.CharField(label=_("Meeting place"), required=False, max_length=255)
    rhythm = forms.CharField(label=_("Usual meeting rhythm"), required=False, max_length=255)
    is_open = forms.BooleanField(label=_("Open to everyone"), required=False, initial=True)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, BodyKind(k).label) for k in kinds]
        self.fields["kind"].initial = kinds[0]
        if len(kinds) == 1:
            self.fields["kind"].widget = forms.HiddenInput()
        if "cooperative" not in kinds:
            del self.fields["legal_form"]


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason given to the person"), max_length=255,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class RoleForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


class MemberCollegeForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    college = forms.ModelChoiceField(label=_("College"), queryset=College.objects.none())

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["college"].queryset = College.objects.filter(cooperative=body)


class CapitalForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    capital = forms.CharField(label=_("Capital held (€)"), max_length=40)
    is_employee = forms.BooleanField(label=_("Employee (associé salarié)"), required=False)


class CollegeForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("College"), max_length=100, required=False)
    weight_percent = forms.IntegerField(label=_("Weight (%)"), required=False, min_value=0,
                                        max_value=100)


class BaseCollegeFormSet(forms.BaseFormSet):
    # A SCIC has at least three colleges: a page with fewer colleges offers enough empty
    # rows to type a whole first set at once (two rows could never sum to 100 % with
    # valid weights beside a third college).
    MIN_ROWS = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra = max(self.extra, self.MIN_ROWS - len(self.initial or []))

    def entries(self) -> list[dict]:
        """The set as the service takes it: the rows kept (not deleted, not blank)."""
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or self._should_delete_form(form):
                continue
            if not data.get("id") and not (data.get("name") or "").strip() \
                    and data.get("weight_percent") is None:
                continue  # an empty row left for a new college
            rows.append({"id": data.get("id"), "name": data.get("name") or "",
                         "weight_percent": data.get("weight_percent")})
        return rows


CollegeFormSet = forms.formset_factory(CollegeForm, formset=BaseCollegeFormSet, extra=2,
                                       can_delete=True, max_num=20, absolute_max=40)
