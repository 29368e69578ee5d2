"""The personal-data export holds all of one's data (GDPR art. 15 and 20): every row of
every model that points to a person, whatever the foreign key's name.

The walk is generic: a model added tomorrow with a foreign key to the user fails here
until its app exports it (core/personal_data.py says how).
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.test import override_settings

from autogestion.core import personal_data

# Models outside the apps, and where their rows are exported.
THIRD_PARTY = {("account", "emailaddress"): ("accounts", "emailaddress"),
               ("mfa", "authenticator"): ("accounts", "authenticator")}
# Django's admin log: what operators did in the (read-only) admin, kept for them.
NOT_PERSONAL = {("admin", "logentry")}


def person_foreign_keys():
    """(model, [its foreign keys to the user]) for every concrete model."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for model in apps.get_models():
        if model._meta.auto_created or (model._meta.app_label, model._meta.model_name) \
                in NOT_PERSONAL:
            continue
        keys = [f for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is user_model]
        if keys:
            yield model, keys


def where_exported(model) -> tuple[str, str]:
    key = (model._meta.app_label, model._meta.model_name)
    return THIRD_PARTY.get(key, key)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import transaction

    from autogestion.core.demo import load_demo
    from tests.support.clock import travel

    storages = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path_factory.mktemp("media")}}}
    with django_db_blocker.unblock(), travel(), override_settings(STORAGES=storages):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_demo()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_the_walk_finds_the_models_that_point_to_people():
    labels = {f"{m._meta.app_label}.{m._meta.model_name}" for m, _k in person_foreign_keys()}
    assert {"cooperatives.membership", "economy.account", "decisions.position",
            "commons.booking", "account.emailaddress"} <= labels


def test_every_model_pointing_to_a_person_has_its_place_in_the_export(db, make_person):
    person = make_person("Alone")
    export = personal_data.export(person)
    missing = []
    for model, _keys in person_foreign_keys():
        app, name = where_exported(model)
        if name not in export.get(app, {}):
            missing.append(f"{app}.{name}")
    assert missing == [], f"models pointing to a person that no app exports: {missing}"


@pytest.mark.django_db
def test_each_row_is_in_the_export_of_the_person_it_points_to(demo):
    """The demo has a row of nearly every kind; each must be in the export of each
    person it points to, by its id."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    exports = {}
    missing, seen = [], 0
    for model, keys in person_foreign_keys():
        app, name = where_exported(model)
        for field in keys:
            pairs = model._default_manager.exclude(**{f"{field.attname}__isnull": True}) \
                .values_list("pk", field.attname)
            for pk, person_id in pairs:
                seen += 1
                if person_id not in exports:
                    exports[person_id] = personal_data.export(
                        user_model.objects.get(pk=person_id))
                ids = {row["id"] for row in exports[person_id].get(app, {}).get(name, [])}
                if pk not in ids:
                    missing.append(f"{app}.{name} #{pk} ({field.name})")
    assert seen > 500
    assert missing[:20] == [], missing[:20]
