from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import queries


@login_required
@require_GET
def notification_list(request):
    return render(request, "notifications/list.html",
                  {"notifications": queries.recent_for(request.user)})
