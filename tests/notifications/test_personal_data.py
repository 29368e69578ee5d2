"""A person's export holds what the notifications app keeps about them: their
notifications, their choices, and their devices by push service and dates — not the
browser's address at its push service nor its keys."""

from django.utils.translation import gettext_noop

from autogestion.core import personal_data
from autogestion.notifications import services
from autogestion.notifications.models import Kind

FCM = "https://fcm.googleapis.com/fcm/send/c2VjcmV0LWJyb3dzZXItYWRkcmVzcw"


def test_the_export_holds_notifications_choices_and_devices(db, make_person, browser_keys):
    ines, paul = make_person("Inès"), make_person("Paul")
    [notification] = services.notify([ines], Kind.MEETING, title=gettext_noop("Notifications"))
    services.set_push_preferences(person=ines, changes={Kind.MEETING: True})
    services.set_push_preferences(person=paul, changes={Kind.ROUND_OPEN: True})
    keys = browser_keys()
    device, _new = services.add_push_subscription(person=ines, endpoint=FCM,
                                                  p256dh=keys.p256dh, auth=keys.auth)

    mine = personal_data.export(ines)["notifications"]
    assert [row["id"] for row in mine["notification"]] == [notification.pk]
    assert [(row["kind"], row["push"]) for row in mine["pushpreference"]] == [("meeting", True)]
    [exported] = mine["pushsubscription"]
    assert exported["id"] == device.pk
    assert exported["push_service"] == "https://fcm.googleapis.com"
    assert exported["created_at"].startswith("2026-11-26")
    text = repr(mine)
    assert "c2VjcmV0" not in text and keys.p256dh not in text and keys.auth not in text

    assert personal_data.export(paul)["notifications"]["pushsubscription"] == []
