"""A person's notifications (core/personal_data.py): what the platform told them."""

from autogestion.core.personal_data import rows_of

from .models import Notification


def export(person) -> dict:
    return {"notification": rows_of(Notification.objects, person, "person")}
