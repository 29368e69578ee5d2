from django.core.management.base import BaseCommand

from autogestion.assemblies.services import send_due_reminders


class Command(BaseCommand):
    help = ("Queue the reminder e-mails due now (agenda open, deadline in two days, agenda "
            "published, meeting tomorrow). `autogestion worker` runs this every few minutes; "
            "run it from cron if you run the worker elsewhere.")

    def handle(self, *args, **options):
        count = send_due_reminders()
        self.stdout.write(f"{count} reminder e-mail(s) queued.")
