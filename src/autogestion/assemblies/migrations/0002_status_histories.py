"""Status histories on core.history.StatusEvent: the agenda item's events become
from/to rows (their kind and note turn into the statuses and the reason), and meetings
and sign-ups get their own histories, each starting with one event for the rows that
already exist."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# What each former kind of agenda item event did to the item's status.
KIND_TO_STATUS = {"accepted": "accepted", "discarded": "discarded", "delayed": "delayed",
                  "reopened": "new", "carried": "new"}


def events_to_statuses(apps, schema_editor):
    AgendaItemEvent = apps.get_model("assemblies", "AgendaItemEvent")
    previous: dict[int, str] = {}
    for event in AgendaItemEvent.objects.select_related("item").order_by("item_id", "at", "pk"):
        if event.kind == "moved":  # reordering is not a change of status
            event.delete()
            continue
        if event.kind == "added":
            to = "accepted" if event.item.is_permanent else "new"
        else:
            to = KIND_TO_STATUS.get(event.kind, event.item.status)
        event.from_status = previous.get(event.item_id, "")
        event.to_status = to
        event.reason = event.note
        event.save(update_fields=["from_status", "to_status", "reason"])
        previous[event.item_id] = to


def first_events(apps, schema_editor):
    Meeting = apps.get_model("assemblies", "Meeting")
    MeetingEvent = apps.get_model("assemblies", "MeetingEvent")
    SessionSignup = apps.get_model("assemblies", "SessionSignup")
    SessionSignupEvent = apps.get_model("assemblies", "SessionSignupEvent")
    MeetingEvent.objects.bulk_create(
        [MeetingEvent(meeting=m, from_status="", to_status=m.status, at=m.created_at,
                      reason=m.note) for m in Meeting.objects.all()], batch_size=1000)
    SessionSignupEvent.objects.bulk_create(
        [SessionSignupEvent(signup=s, from_status="", to_status=s.status, actor_id=s.person_id,
                            at=s.created_at) for s in SessionSignup.objects.all()],
        batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("assemblies", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="agendaitemevent",
            name="from_status",
            field=models.CharField(blank=True, max_length=32, verbose_name="status before"),
        ),
        migrations.AddField(
            model_name="agendaitemevent",
            name="to_status",
            field=models.CharField(default="", max_length=32, verbose_name="status after"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="agendaitemevent",
            name="reason",
            field=models.TextField(blank=True, verbose_name="reason"),
        ),
        migrations.RunPython(events_to_statuses, migrations.RunPython.noop),
        migrations.RemoveField(model_name="agendaitemevent", name="kind"),
        migrations.RemoveField(model_name="agendaitemevent", name="note"),
        migrations.AlterField(
            model_name="agendaitemevent",
            name="at",
            field=models.DateTimeField(verbose_name="at"),
        ),
        migrations.AlterField(
            model_name="agendaitemevent",
            name="actor",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL,
                                    verbose_name="by"),
        ),
        migrations.CreateModel(
            name="MeetingEvent",
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
                ("meeting", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="events", to="assemblies.meeting",
                                              verbose_name="meeting")),
            ],
            options={
                "verbose_name": "meeting event",
                "verbose_name_plural": "meeting events",
                "ordering": ["at", "pk"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="SessionSignupEvent",
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
                ("signup", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                             related_name="events",
                                             to="assemblies.sessionsignup",
                                             verbose_name="sign-up")),
            ],
            options={
                "verbose_name": "sign-up event",
                "verbose_name_plural": "sign-up events",
                "ordering": ["at", "pk"],
                "abstract": False,
            },
        ),
        migrations.RunPython(first_events, migrations.RunPython.noop),
    ]
