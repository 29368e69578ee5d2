from django.core.management.base import BaseCommand, CommandError

from autogestion.core import scheduler


class Command(BaseCommand):
    help = ("Run every periodic job once (reminders, closing due decision rounds, accepting "
            "due payment requests...: each app names its own). `autogestion worker` runs "
            "them every few minutes; run this from cron if you run the worker elsewhere. "
            "Each job keeps its own log, so running it too often sends nothing twice.")

    def handle(self, *args, **options):
        failed = scheduler.run_once()
        if failed:
            raise CommandError(f"these jobs failed (see the log): {', '.join(failed)}")
        self.stdout.write("periodic jobs done.")
