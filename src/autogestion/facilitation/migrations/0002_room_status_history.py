"""Rooms get a status (open, closed) and its history on core.history.StatusEvent.

The former `RoomEvent` (every action on the speaking list) becomes `RoomAction`, its rows
copied over; `RoomEvent` is now the status history: each existing room starts with its
opening (by whoever opened it, when), and a closed one with its closing too (by whoever
last closed it, from the action log)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BATCH = 2000


def copy_actions(apps, schema_editor):
    OldEvent = apps.get_model("facilitation", "RoomEvent")
    RoomAction = apps.get_model("facilitation", "RoomAction")
    batch = []
    for old in OldEvent.objects.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(RoomAction(room_id=old.room_id, actor_id=old.actor_id, action=old.action,
                                who=old.who, at=old.at))
        if len(batch) >= BATCH:
            RoomAction.objects.bulk_create(batch)
            batch = []
    RoomAction.objects.bulk_create(batch)


def statuses_and_first_events(apps, schema_editor):
    Room = apps.get_model("facilitation", "Room")
    RoomAction = apps.get_model("facilitation", "RoomAction")
    RoomEvent = apps.get_model("facilitation", "RoomEvent")
    Room.objects.filter(closed_at__isnull=False).update(status="closed")
    events = []
    for room in Room.objects.order_by("pk").iterator(chunk_size=BATCH):
        events.append(RoomEvent(room_id=room.pk, from_status="", to_status="open",
                                actor_id=room.opened_by_id, at=room.opened_at))
        if room.closed_at is not None:
            closing = (RoomAction.objects.filter(room_id=room.pk, action="close")
                       .order_by("-at", "-pk").first())
            events.append(RoomEvent(room_id=room.pk, from_status="open", to_status="closed",
                                    actor_id=closing.actor_id if closing else None,
                                    at=room.closed_at))
    RoomEvent.objects.bulk_create(events, batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("facilitation", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RoomAction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("action", models.CharField(max_length=32)),
                ("who", models.CharField(blank=True, max_length=120)),
                ("at", models.DateTimeField()),
                ("actor", models.ForeignKey(null=True,
                                            on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="+", to=settings.AUTH_USER_MODEL)),
                ("room", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="actions",
                                           to="facilitation.room")),
            ],
            options={"ordering": ["at", "pk"]},
        ),
        migrations.RunPython(copy_actions, migrations.RunPython.noop),
        migrations.DeleteModel(name="RoomEvent"),
        migrations.AddField(
            model_name="room",
            name="status",
            field=models.CharField(choices=[("open", "open"), ("closed", "closed")],
                                   default="open", max_length=10, verbose_name="status"),
        ),
        migrations.CreateModel(
            name="RoomEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("from_status", models.CharField(blank=True, max_length=32,
                                                 verbose_name="status before")),
                ("to_status", models.CharField(max_length=32, verbose_name="status after")),
                ("at", models.DateTimeField(verbose_name="at")),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                ("actor", models.ForeignKey(blank=True, null=True,
                                            on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="+", to=settings.AUTH_USER_MODEL,
                                            verbose_name="by")),
                ("room", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="events", to="facilitation.room",
                                           verbose_name="meeting room")),
            ],
            options={
                "verbose_name": "meeting room event",
                "verbose_name_plural": "meeting room events",
                "ordering": ["at", "pk"],
                "abstract": False,
            },
        ),
        migrations.RunPython(statuses_and_first_events, migrations.RunPython.noop),
    ]
