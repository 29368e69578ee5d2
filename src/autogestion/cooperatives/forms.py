from django import forms
from django.utils.translation import gettext_lazy as _

from .models import College


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
