"""`autogestion export_ledger --format beancount <cooperative-slug>`: the whole ledger of a
cooperative (its currencies' accounts and payments, its common funds) on standard output,
as a Beancount file that `bean-check` accepts."""

from django.core.management.base import BaseCommand, CommandError

from autogestion.cooperatives.models import Body
from autogestion.cooperatives.rules import Kind
from autogestion.economy import exports

FORMATS = {"beancount": exports.beancount_lines}


class Command(BaseCommand):
    help = "Write the whole ledger of a cooperative to standard output (Beancount)."

    def add_arguments(self, parser):
        parser.add_argument("cooperative", help="the short name (slug) of the cooperative")
        parser.add_argument("--format", choices=sorted(FORMATS), default="beancount",
                            help="the file format (default: beancount)")

    def handle(self, *args, cooperative: str, format: str, **options):
        body = Body.objects.filter(slug=cooperative).first()
        if body is None:
            raise CommandError(f"There is no cooperative with the short name {cooperative!r}.")
        if body.kind != Kind.COOPERATIVE:
            raise CommandError(f"{body.name} is not a cooperative: ledgers belong to "
                               "cooperatives.")
        for chunk in FORMATS[format](body):
            self.stdout.write(chunk, ending="")
