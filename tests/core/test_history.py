"""Every stateful model keeps its history: a model with a status has an event model
pointing to it, written by its one transition function (core/history.py). The apps'
tests check each history; this one fails when a new stateful model comes without one."""

from django.apps import apps
from django.db import models

from autogestion.core.history import StatusEvent

# A membership's history predates core.history: kind, actor, note, at (cooperatives).
OWN_HISTORY = {"cooperatives.membership": "cooperatives.membershipevent"}


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def stateful_models():
    for model in apps.get_models():
        if model.__module__.startswith("autogestion.") and not issubclass(model, StatusEvent):
            field = next((f for f in model._meta.concrete_fields if f.name == "status"), None)
            if isinstance(field, models.CharField):
                yield model


def histories_of(model) -> set[str]:
    return {_label(related.related_model) for related in model._meta.related_objects
            if issubclass(related.related_model, StatusEvent)
            and isinstance(related.remote_field, models.ForeignKey)}


def test_every_stateful_model_has_a_history():
    found = {_label(m): histories_of(m) for m in stateful_models()}
    assert len(found) >= 11
    missing = [label for label, events in found.items()
               if not events and label not in OWN_HISTORY]
    assert missing == []
    for label, events in OWN_HISTORY.items():
        assert events in {_label(r.related_model)
                          for r in apps.get_model(label)._meta.related_objects}


def test_events_are_related_as_events():
    """`obj.events` is how pages, the API and the export read a history."""
    for model in stateful_models():
        for related in model._meta.related_objects:
            if issubclass(related.related_model, StatusEvent):
                assert related.get_accessor_name() == "events", _label(related.related_model)
