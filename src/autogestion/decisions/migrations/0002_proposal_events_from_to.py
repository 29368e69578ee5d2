"""ProposalEvent becomes a core.history.StatusEvent: `status` is the status moved to,
`note` its reason, and each event now says the status it left (filled in for the
events already written from the one before them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_from_status(apps, schema_editor):
    ProposalEvent = apps.get_model("decisions", "ProposalEvent")
    previous: dict[int, str] = {}
    changed = []
    for event in ProposalEvent.objects.order_by("proposal_id", "at", "pk").iterator():
        event.from_status = previous.get(event.proposal_id, "")
        previous[event.proposal_id] = event.to_status
        changed.append(event)
    ProposalEvent.objects.bulk_update(changed, ["from_status"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("decisions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("proposalevent", "status", "to_status"),
        migrations.AlterField(
            model_name="proposalevent", name="to_status",
            field=models.CharField(max_length=32, verbose_name="status after")),
        migrations.RenameField("proposalevent", "note", "reason"),
        migrations.AlterField(
            model_name="proposalevent", name="reason",
            field=models.TextField(blank=True, verbose_name="reason")),
        migrations.AddField(
            model_name="proposalevent", name="from_status",
            field=models.CharField(blank=True, default="", max_length=32, verbose_name="status before"),
            preserve_default=False),
        migrations.AlterField(
            model_name="proposalevent", name="at",
            field=models.DateTimeField(verbose_name="at")),
        migrations.AlterField(
            model_name="proposalevent", name="actor",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL,
                                    verbose_name="by")),
        migrations.AlterModelOptions(
            name="proposalevent",
            options={"ordering": ["at", "pk"], "verbose_name": "proposal event",
                     "verbose_name_plural": "proposal events"}),
        migrations.RunPython(fill_from_status, migrations.RunPython.noop),
    ]
