"""The change of a body's own rules of deciding, made only by its decision (R16).

`decisions.policy` changes, in one proposal of class "statutes" (decided by the method
the body's current policy gives that class): which method each class of decision takes,
the star debate's group size, whether the excluded person's veto counts, the quorum,
threshold and seniority of legal votes, secret ballots, the minimum participation of
consent and consensus rounds, how many proxies a member may hold, and whether groups
founded inside the body wait for its ratification.

Params (JSON), every key optional, only what changes is kept:
    {"policy": {"executive": "consensus"}, "star_group_size": 5,
     "concerned_veto_blocks": true, "min_participation_consent": 25, "max_proxies": 2,
     "groups_need_ratification": true, ...}
"""

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from autogestion.core.effects import Effect
from autogestion.core.errors import DomainError

from . import queries, rules
from .models import ClassChoice, DecisionSettings, MethodChoice

KIND = "decisions.policy"
SETTINGS = (*rules.SETTING_BOUNDS, *rules.SETTING_SWITCHES)
RATIFICATION = "groups_need_ratification"


def _current(body) -> dict:
    """The body's rules now, in the params' shape."""
    current = queries.settings_of(body)
    found = {"policy": {c.value: m.value for c, m in queries.policy_of(body).items()}}
    found.update({name: getattr(current, name) for name in SETTINGS})
    found[RATIFICATION] = bool(getattr(body, RATIFICATION, False))
    return found


def check(actor, body, params: dict) -> dict:
    """The params checked as the founding checks them (services._checked_policy and
    _check_settings), reduced to what differs from the body's rules now."""
    from . import services

    if not isinstance(params, dict):
        raise DomainError(_("Give the change's parameters."), field="params")
    for name in params:
        if name not in ("policy", RATIFICATION, *SETTINGS):
            raise DomainError(_("Unknown setting: %(name)s") % {"name": name}, field=name)
    policy = params.get("policy") or {}
    if not isinstance(policy, dict):
        raise DomainError(_("Give the method of each class of decision."), field="policy")
    methods = services._checked_policy(policy)
    fields = {name: params[name] for name in SETTINGS if name in params}
    services._check_settings(fields)
    if RATIFICATION in params:
        if not isinstance(params[RATIFICATION], bool):
            raise DomainError(_("Answer yes or no."), field=RATIFICATION)
        if body.kind == "network":
            raise DomainError(_("Groups are founded inside cooperatives and groups, not "
                                "networks."), field=RATIFICATION)
    now = _current(body)
    cleaned: dict = {}
    changed_policy = {c.value: m.value for c, m in methods.items()
                      if now["policy"][c.value] != m.value}
    if changed_policy:
        cleaned["policy"] = changed_policy
    for name, value in fields.items():
        if now[name] != value:
            cleaned[name] = value
    if RATIFICATION in params and now[RATIFICATION] != params[RATIFICATION]:
        cleaned[RATIFICATION] = params[RATIFICATION]
    if not cleaned:
        raise DomainError(_("This changes nothing: %(body)s already decides this way.")
                          % {"body": body.name}, field="policy")
    return cleaned


def apply(body, params: dict, decision) -> None:
    from autogestion.cooperatives.services import set_group_ratification

    from . import services

    methods = services._checked_policy(params.get("policy") or {})
    services._apply_policy(body, methods, {name: params[name] for name in SETTINGS
                                           if name in params})
    if RATIFICATION in params:
        set_group_ratification(body=body, value=params[RATIFICATION])


def _word(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def changes(body, params: dict) -> list[str]:
    """Each difference in words: "Executive decision: consensus instead of consent"."""
    now = _current(body)
    lines = []
    for decision_class, method in (params.get("policy") or {}).items():
        lines.append(_("%(what)s: %(new)s instead of %(old)s") % {
            "what": capfirst(ClassChoice(decision_class).label),
            "new": MethodChoice(method).label, "old": MethodChoice(now["policy"][
                decision_class]).label})
    for name in SETTINGS:
        if name in params:
            lines.append(_("%(what)s: %(new)s instead of %(old)s") % {
                "what": capfirst(DecisionSettings._meta.get_field(name).verbose_name),
                "new": _word(params[name]), "old": _word(now[name])})
    if RATIFICATION in params:
        lines.append(_("New groups founded inside %(body)s wait for its ratification.")
                     % {"body": body.name} if params[RATIFICATION] else
                     _("New groups founded inside %(body)s no longer wait for its "
                       "ratification.") % {"body": body.name})
    return lines


def describe(body, params: dict) -> str:
    return "; ".join(changes(body, params))


def title(body, params: dict) -> str:
    return _("Change how %(body)s decides") % {"body": body.name}


EFFECTS = [
    Effect(kind=KIND, decision_class=rules.DecisionClass.STATUTES.value, check=check,
           apply=apply, describe=describe, title=title,
           form="autogestion.decisions.forms.PolicyChangeForm"),
]
