from django.db import migrations, models


class Migration(migrations.Migration):
    """API tokens get a scope. Those made before could write, so they become "full"."""

    dependencies = [
        ("accounts", "0002_user_email_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(choices=[("read", "read only"), ("full", "read and write")],
                                   default="full", max_length=8, verbose_name="scope"),
        ),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(condition=models.Q(scope__in=["read", "full"]),
                                              name="api_token_scope_known"),
        ),
    ]
