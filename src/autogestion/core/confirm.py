"""A confirmation before a destructive or irreversible action (leave a body, withdraw a
proposal, close a room, cancel a meeting, reset speaking counters, close a round).

The form that triggers such an action carries `data-confirm="<question>"`: with
JavaScript, site.js asks the question in the browser's own dialog and, on yes, sends the
form with `confirmed=yes`. Without JavaScript (or when the request comes from anything
else), the view asks `needs_confirmation()` first: it answers a page that asks the same
question and sends the same fields again with `confirmed=yes`; nothing is changed until
then. The API does not ask: calling an endpoint is the confirmation.

    def close_room(request, room_id):
        room = access.get_room_for(request.user, room_id)
        if page := needs_confirmation(request, _("Close the room?"), cancel=room):
            return page
        services.close_room(...)
"""

from django.shortcuts import render, resolve_url

CONFIRMED = "confirmed"


def is_confirmed(request) -> bool:
    return request.POST.get(CONFIRMED) == "yes"


def needs_confirmation(request, question: str, *, detail: str = "", cancel="home",
                       action: str = ""):
    """None when the person has confirmed; otherwise the page that asks them to."""
    if is_confirmed(request):
        return None
    fields = [(key, value) for key in request.POST if key not in ("csrfmiddlewaretoken",
                                                                  CONFIRMED)
              for value in request.POST.getlist(key)]
    return render(request, "core/confirm.html", {
        "question": question, "detail": detail, "fields": fields,
        "action": action or request.get_full_path(), "cancel_url": resolve_url(cancel),
    })
