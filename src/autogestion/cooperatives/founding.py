"""Founding a body, as the pages and the API do it: the service creates the body; where
the parent's rules ask for a ratification (R16, R17), the same transaction proposes
`cooperatives.ratify_group` to the parent, so that a proposed group never waits without
its proposal. This lives outside services.py because it asks the decisions app, which
the cooperatives' services do not import (decisions builds on cooperatives)."""

from django.db import transaction

from . import services
from .rules import BodyStatus

RATIFY = "cooperatives.ratify_group"


@transaction.atomic
def found_body(*, actor, parent=None, **fields):
    """(body, proposal or None): the body founded, and the ratification proposed in its
    parent when the parent requires one. A refusal of either writes nothing."""
    body = services.create_body(actor=actor, parent=parent, **fields)
    proposal = None
    if body.status == BodyStatus.PROPOSED:
        from autogestion.decisions.services import propose_change

        proposal = propose_change(actor=actor, body=parent, kind=RATIFY,
                                  params={"group": body.pk})
    return body, proposal
