"""Blocks other pages show: a body's open proposals, the latest decisions."""

from django import template

from .. import permissions, queries

register = template.Library()


@register.inclusion_tag("decisions/_body_proposals.html", takes_context=True)
def body_proposals_block(context, body):
    user = context["request"].user
    visible = permissions.can_view_proposals(user, body)
    return {"body": body, "visible": visible,
            "open_ones": list(queries.open_proposals(body)[:5]) if visible else [],
            "can_propose": permissions.can_propose(user, body)}


@register.inclusion_tag("decisions/_recent_decisions.html", takes_context=True)
def recent_decisions_block(context, cooperative, count=5):
    user = context["request"].user
    return {"decisions": list(queries.recent_decisions(user, cooperative)[:count])}
