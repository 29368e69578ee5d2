"""The admin is no second write path: every domain model shows read-only there, so a
group cannot get an empty tree path nor a SCIC colleges summing to 105 %, nor a
membership change its status without its history (issue #12)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from autogestion.cooperatives.models import Body, College, Membership
from tests.support.http import client_for

# People are accounts, not domain rows: an operator may still deactivate one (and the
# libraries' own models, e-mail addresses or task results, stay theirs to manage).
EDITABLE = {"accounts.user"}


def _domain_admins():
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        if model.__module__.startswith("autogestion.") and label not in EDITABLE:
            yield pytest.param(model, model_admin, id=label)


def test_every_domain_model_is_read_only(rf, operator):
    request = rf.get("/admin/")
    request.user = operator
    models = list(_domain_admins())
    assert len(models) >= 8
    for param in models:
        model, model_admin = param.values
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
        assert model_admin.has_view_permission(request), model


@pytest.mark.django_db
def test_an_operator_reads_but_cannot_add_or_change(world, operator):
    client = client_for(operator)
    group = world["closed_group"]
    coop = world["coop"]
    assert client.get(reverse("admin:cooperatives_body_changelist")).status_code == 200
    change = reverse("admin:cooperatives_body_change", args=[group.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert b'type="submit"' not in page.content.split(b"<footer")[0].split(b'id="content"')[1]

    before = list(Body.objects.order_by("pk").values_list("name", "path", "depth"))
    assert client.get(reverse("admin:cooperatives_body_add")).status_code == 403
    answer = client.post(reverse("admin:cooperatives_body_add"),
                         {"name": "Sneaky", "slug": "sneaky", "kind": "group",
                          "parent": coop.pk})
    assert answer.status_code == 403
    answer = client.post(change, {"name": "Renamed", "slug": group.slug, "kind": "group"})
    assert answer.status_code == 403
    assert list(Body.objects.order_by("pk").values_list("name", "path", "depth")) == before

    membership = Membership.objects.get(body=coop, person=world["member"])
    answer = client.post(reverse("admin:cooperatives_membership_change",
                                 args=[membership.pk]), {"status": "left", "role": "member"})
    assert answer.status_code == 403
    membership.refresh_from_db()
    assert membership.status == "active"

    scic = world["scic"]
    answer = client.post(reverse("admin:cooperatives_body_delete", args=[scic.pk]),
                         {"post": "yes"})
    assert answer.status_code == 403
    assert Body.objects.filter(pk=scic.pk).exists()
    assert College.objects.filter(cooperative=scic).count() == 3
