"""The changes to the tree a body makes only by its own decision (R1, R16, R17), as
core.effects.Effect: the decisions app proposes them, decides them by the method the
body's policy gives their class, and applies them when the proposal is adopted.

- `cooperatives.ratify_group` (class "executive", consent by default): the parent
  adopts a group founded inside it while its rules ask for a ratification. A proposal
  that is not adopted leaves the group proposed: its members may propose again, or the
  parent may dissolve it by decision.
- `cooperatives.move_group` (class "statutes"): the group's cooperative moves a group,
  with all its own groups, under itself or another of its groups.
- `cooperatives.dissolve` (class "statutes"): a body dissolves itself, or its parent
  dissolves it. It stays readable with its history.

Each `check` raises DomainError (field named) and returns JSON-serialisable params; it
runs again before `apply`, with actor=None, because the tree may have changed while the
round was open.
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autogestion.core.effects import Effect
from autogestion.core.errors import DomainError

from . import services
from .models import Body
from .rules import BodyStatus, Kind


def _body_param(params, key: str, *, field: str | None = None) -> Body:
    field = field or key
    try:
        body_id = int(params.get(key))
    except (TypeError, ValueError):
        raise DomainError(_("Choose a body."), field=field) from None
    body = Body.objects.filter(pk=body_id).select_related("parent").first()
    if body is None:
        raise DomainError(_("There is no such body."), field=field)
    return body


class _BodyChoiceForm(forms.Form):
    """A form whose choices are bodies, cleaned to their ids (the params are JSON)."""

    def _choices(self, name: str, bodies) -> None:
        self.fields[name].choices = [(b.pk, b.name) for b in bodies]

    def _clean_id(self, name: str) -> int:
        return int(self.cleaned_data[name])


# Ratify a group ----------------------------------------------------------------------

def check_ratify(actor, body, params):
    group = _body_param(params, "group")
    if group.parent_id != body.pk:
        raise DomainError(_("“%(group)s” is not a group of %(body)s.")
                          % {"group": group.name, "body": body.name}, field="group")
    if group.status != BodyStatus.PROPOSED:
        raise DomainError(_("“%(group)s” is not waiting for a ratification.")
                          % {"group": group.name}, field="group")
    return {"group": group.pk}


def apply_ratify(body, params, decision):
    services.ratify_group(group=_body_param(params, "group"), decision=decision)


def _name_of(params, key) -> str:
    found = Body.objects.filter(pk=params.get(key)).values_list("name", flat=True).first()
    return found or "?"


def describe_ratify(body, params):
    return _("“%(group)s” becomes one of the groups of %(body)s.") % {
        "group": _name_of(params, "group"), "body": body.name}


def title_ratify(body, params):
    return _("Ratify the group “%(group)s”") % {"group": _name_of(params, "group")}


class RatifyGroupForm(_BodyChoiceForm):
    group = forms.ChoiceField(label=gettext_lazy("Group to ratify"))

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self._choices("group", Body.objects.filter(parent=body, status=BodyStatus.PROPOSED)
                      .order_by("name"))

    def clean_group(self):
        return self._clean_id("group")


# Move a group ------------------------------------------------------------------------

def check_move(actor, body, params):
    if body.kind != Kind.COOPERATIVE:
        raise DomainError(_("A group is moved by a decision of its cooperative."),
                          field="group")
    group = _body_param(params, "group")
    new_parent = _body_param(params, "parent")
    if group.enclosing_cooperative() != body or group.kind != Kind.GROUP:
        raise DomainError(_("“%(group)s” is not a group of %(body)s.")
                          % {"group": group.name, "body": body.name}, field="group")
    services.check_move_group(group, new_parent)
    return {"group": group.pk, "parent": new_parent.pk}


def apply_move(body, params, decision):
    services.move_group(group=_body_param(params, "group"),
                        new_parent=_body_param(params, "parent"), decision=decision)


def describe_move(body, params):
    return _("“%(group)s” moves, with its own groups, inside “%(parent)s”.") % {
        "group": _name_of(params, "group"), "parent": _name_of(params, "parent")}


def title_move(body, params):
    return _("Move the group “%(group)s” inside “%(parent)s”") % {
        "group": _name_of(params, "group"), "parent": _name_of(params, "parent")}


class MoveGroupForm(_BodyChoiceForm):
    group = forms.ChoiceField(label=gettext_lazy("Group to move"))
    parent = forms.ChoiceField(label=gettext_lazy("New place: inside"))

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        groups = list(Body.objects.descendants_of(body).filter(kind=Kind.GROUP)
                      .not_dissolved().order_by("path"))
        self._choices("group", groups)
        self._choices("parent", [body, *groups])

    def clean_group(self):
        return self._clean_id("group")

    def clean_parent(self):
        return self._clean_id("parent")


# Dissolve a body ---------------------------------------------------------------------

def check_dissolve(actor, body, params):
    target = _body_param(params, "body") if params.get("body") else body
    if target.pk != body.pk and target.parent_id != body.pk:
        raise DomainError(_("A body is dissolved by its own decision or its parent's."),
                          field="body")
    services.check_dissolve(target)
    return {"body": target.pk}


def apply_dissolve(body, params, decision):
    services.dissolve_body(body=_body_param(params, "body"), decision=decision)


def describe_dissolve(body, params):
    return _("“%(target)s” is dissolved: its history stays readable, it takes no new "
             "members, groups or proposals.") % {"target": _name_of(params, "body")}


def title_dissolve(body, params):
    return _("Dissolve “%(target)s”") % {"target": _name_of(params, "body")}


class DissolveForm(_BodyChoiceForm):
    body = forms.ChoiceField(label=gettext_lazy("Body to dissolve"))

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        children = Body.objects.filter(parent=body).not_dissolved().order_by("name")
        self._choices("body", [body, *children])
        self.fields["body"].initial = body.pk

    def clean_body(self):
        return self._clean_id("body")


EFFECTS = [
    Effect(kind="cooperatives.ratify_group", decision_class="executive",
           check=check_ratify, apply=apply_ratify, describe=describe_ratify,
           title=title_ratify, form="autogestion.cooperatives.effects.RatifyGroupForm"),
    Effect(kind="cooperatives.move_group", decision_class="statutes",
           check=check_move, apply=apply_move, describe=describe_move,
           title=title_move, form="autogestion.cooperatives.effects.MoveGroupForm"),
    Effect(kind="cooperatives.dissolve", decision_class="statutes",
           check=check_dissolve, apply=apply_dissolve, describe=describe_dissolve,
           title=title_dissolve, form="autogestion.cooperatives.effects.DissolveForm"),
]
