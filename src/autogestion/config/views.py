"""The pages that show several capabilities at once: the home page and the newcomers'
page. They live in the composition root, beside the URLs, so that the kernel (core/)
imports no app."""

from django.conf import settings
from django.shortcuts import render

from autogestion.assemblies import queries as assembly_queries
from autogestion.cooperatives import queries
from autogestion.cooperatives.models import Body


def home(request):
    cooperative = queries.home_cooperative(settings.AUTOGESTION_HOME_COOPERATIVE)
    context = {"cooperative": cooperative}
    if cooperative is not None:
        page = queries.body_page(cooperative, request.user, progress_limit=5,
                                 with_children=False, with_history=False)
        groups = list(Body.objects.descendants_of(cooperative).groups()
                      .with_member_count().order_by("path"))
        context.update(
            page=page,
            groups=groups,
            networks=page.ancestors,
            other_cooperatives=Body.objects.cooperatives().exclude(pk=cooperative.pk)
            .order_by("name"),
        )
    return render(request, "core/home.html", context)


def newcomers(request):
    """How to take part: what the cooperative is, the open groups, how to join."""
    cooperative = queries.home_cooperative(settings.AUTOGESTION_HOME_COOPERATIVE)
    open_groups, upcoming = [], []
    if cooperative is not None:
        open_groups = list(Body.objects.descendants_of(cooperative).groups()
                           .filter(is_open=True).with_member_count().order_by("path"))
        upcoming = assembly_queries.upcoming_for_bodies([cooperative, *open_groups], days=45,
                                                        limit=20)
    return render(request, "core/newcomers.html",
                  {"cooperative": cooperative, "open_groups": open_groups,
                   "upcoming": upcoming})
