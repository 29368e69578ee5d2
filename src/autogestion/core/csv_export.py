"""Every CSV file the platform writes goes through this writer, so that no cell a person
typed (a payment's description, a decision's title) becomes a formula when the file is
opened in a spreadsheet ("CSV injection": `=HYPERLINK(...)`, `@SUM(...)`).

The rule: a text cell that begins with = + - @, a tab or a carriage return gets a
single quote in front, which spreadsheets show as text. Numbers are left as they are,
and so is text that is a plain decimal number ("-12.50", an amount in an export):
a spreadsheet reads it as that number and nothing else, and prefixing it would turn
every negative amount into text.
"""

import csv
import re
from decimal import Decimal

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_cell(value):
    """The value as a spreadsheet should read it: never as a formula."""
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """`csv.writer` whose rows are made safe cell by cell."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_response(filename: str) -> tuple[HttpResponse, SafeWriter]:
    """A CSV download named `filename`, and the writer to fill it with."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, SafeWriter(response)
