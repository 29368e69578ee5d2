"""Blocks other pages show: a body's coming meetings, the next Agora."""

from django import template

from .. import permissions, queries, services, texts

register = template.Library()


@register.filter
def rule_in_words(rule: str) -> str:
    """A recurrence rule as members read it ("le dernier samedi de chaque mois")."""
    return services.rule_in_words(rule or "")


@register.filter
def waiting_rank(rank) -> str:
    """A place on a waiting list in words: "2nd on the waiting list" ("2ᵉ sur la liste
    d'attente"), "at the head of the waiting list"."""
    return texts.waiting_rank(rank, html=True) if rank else ""


@register.inclusion_tag("assemblies/_body_meetings.html", takes_context=True)
def body_meetings_block(context, body):
    user = context["request"].user
    visible = permissions.can_view_meetings(user, body)
    return {"body": body, "visible": visible,
            "upcoming": queries.upcoming_for_bodies([body], days=90, limit=5) if visible else [],
            "can_manage": permissions.can_manage_meetings(user, body)}


@register.inclusion_tag("assemblies/_next_agora.html", takes_context=True)
def next_agora_block(context, cooperative):
    upcoming = queries.next_agoras(cooperative, 3)
    occurrence = upcoming[0] if upcoming else None
    # When the next Agora's agenda is closed, point to the first one still taking items.
    open_one = None
    if occurrence is not None and not occurrence.is_open_for_items:
        open_one = next((o for o in upcoming[1:] if o.is_open_for_items), None)
    return {"occurrence": occurrence, "open_one": open_one, "cooperative": cooperative,
            "agenda": queries.agenda(occurrence) if occurrence else None,
            "request": context["request"]}
