from django.core.management.base import BaseCommand, CommandError

from autogestion.cooperatives.demo import DEMO_PASSWORD, demo_accounts, demo_exists
from autogestion.cooperatives.models import Body
from autogestion.core.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo cooperative (the CIT). Refuses to touch existing data unless told."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Load only when the database holds no body; never fail.")
        parser.add_argument("--force", action="store_true",
                            help="Load even when other bodies exist (never when the demo is "
                                 "already loaded).")

    def handle(self, *args, if_empty=False, force=False, **options):
        if demo_exists():
            if not if_empty:
                raise CommandError("The demo is already loaded.")
        elif Body.objects.exists():
            if if_empty:
                self.stdout.write("The database already holds data: demo not loaded.")
                return
            if not force:
                raise CommandError("The database already holds bodies: refusing to add the "
                                   "demo to them. Use --force to add it anyway.")
            load_demo()
            self.stdout.write(self.style.SUCCESS("Demo cooperative loaded."))
        else:
            load_demo()
            self.stdout.write(self.style.SUCCESS("Demo cooperative loaded."))
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for email, what in demo_accounts():
            self.stdout.write(f"  {email:45} {what}")
