"""Blocks other pages show: a body's open proposals, the latest decisions."""

from django import template

from autogestion.cooperatives.models import Body

from .. import permissions
from ..models import Decision, Proposal
from ..rules import ProposalStatus

register = template.Library()


@register.inclusion_tag("decisions/_body_proposals.html", takes_context=True)
def body_proposals_block(context, body):
    user = context["request"].user
    visible = permissions.can_view_proposals(user, body)
    open_ones = list(Proposal.objects.filter(
        body=body, status__in=[ProposalStatus.OPEN, ProposalStatus.POSTPONED])
        .order_by("-created_at")[:5]) if visible else []
    return {"body": body, "visible": visible, "open_ones": open_ones,
            "can_propose": permissions.can_propose(user, body)}


@register.inclusion_tag("decisions/_recent_decisions.html", takes_context=True)
def recent_decisions_block(context, cooperative, count=5):
    user = context["request"].user
    bodies = [b for b in Body.objects.filter(path__startswith=cooperative.path)
              if permissions.can_view_proposals(user, b)]
    decisions = Decision.objects.filter(body__in=bodies).select_related("body")[:count]
    return {"decisions": list(decisions)}
