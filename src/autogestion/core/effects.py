"""Changes a body makes only by its own decision (meta-governance, DOMAIN.md R1, R5).

Some changes are not anybody's to make in one click: a body's decision policy, moving
or dissolving a body, ratifying a group, a social currency's value. Each is an
`Effect`: a proposal carries its kind and parameters, the round is decided by the
method the body's policy gives the effect's class of decision, and when the proposal
is adopted the decisions app applies the effect in the same transaction that writes
the decision. Nothing else applies it.

Each app declares its effects in its AppConfig (`decision_effects = ["module.EFFECTS"]`,
a list of `Effect`), read through `core.registry.decision_effects()`, so the kernel and
the decisions app need not import the app that owns the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Params = dict[str, Any]


@dataclass(frozen=True)
class Effect:
    # "decisions.policy", "cooperatives.move_group", "economy.currency_value", ...
    kind: str
    # The class of decision the change needs (rules.DecisionClass value, e.g. "statutes").
    decision_class: str
    # (actor, body, params) -> params, cleaned (JSON-serialisable). Raises DomainError
    # (field named) when the change cannot be proposed; called again before applying,
    # with actor=None, because the world may have moved while the round was open.
    check: Callable[[Any, Any, Params], Params]
    # (body, params, decision) -> None: makes the change; runs inside the transaction
    # that records the decision, so a failure leaves the proposal open and nothing half
    # written.
    apply: Callable[[Any, Params, Any], None]
    # (body, params) -> str: what changes, in words, shown on the proposal and the
    # register ("Executive decisions: consensus instead of consent").
    describe: Callable[[Any, Params], str]
    # (body, params) -> str: the proposal's default title.
    title: Callable[[Any, Params], str]
    # Dotted path of the Django form that asks for the params on a page, or "".
    # The form takes `body=` as keyword and its cleaned_data are the params.
    form: str = ""
