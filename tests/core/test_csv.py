"""Every CSV the platform writes is safe to open in a spreadsheet: a text cell that
begins with = + - @, a tab or a carriage return is prefixed with a single quote, while
numbers, and text that is a plain decimal number such as "-12.50", are left alone.
Each file is read back with Python's csv module, as a spreadsheet would split it."""

import csv
import io

import pytest

from autogestion.cooperatives import services as bodies
from autogestion.core.csv_export import SafeWriter, safe_cell
from autogestion.decisions import services as decisions
from autogestion.economy import services as economy
from tests.support.http import client_for

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+2", "-2+3", "@SUM(A1:A2)",
           "\t=1+1", "\r=1+1"]


def read_back(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


class TestSafeCell:
    @pytest.mark.parametrize("text", HOSTILE)
    def test_formulas_become_text(self, text):
        assert safe_cell(text) == "'" + text

    @pytest.mark.parametrize("value", ["-12.50", "-3", "12.50", "0", -1250, 12.5, None,
                                       "Pain = 3 €", "a-b", "Légumes", ""])
    def test_numbers_and_plain_text_are_left_alone(self, value):
        assert safe_cell(value) == value

    def test_text_of_any_type_is_checked(self):
        class Lazy:
            def __str__(self):
                return "=1+1"

        assert safe_cell(Lazy()) == "'=1+1"

    def test_a_written_file_reads_back_as_safe_cells(self):
        out = io.StringIO()
        SafeWriter(out).writerows([HOSTILE, ["-12.50", 7, "ok"]])
        assert read_back(out.getvalue()) == [["'" + t for t in HOSTILE],
                                             ["-12.50", "7", "ok"]]




@pytest.mark.django_db
def test_the_account_statement(world, make_person):
    coop = world["coop"]
    currency = economy.create_currency(actor=world["coordinator"], cooperative=coop,
                                       code="oseille", name="Oseille", symbol="Os",
                                       default_debit_limit=10_000)
    hostile = make_person("@SUM(1+1)")
    bodies.join_body(person=hostile, body=coop)
    mine = economy.account_of(world["member"], currency)
    theirs = economy.account_of(hostile, currency)
    economy.pay(actor=world["member"], payer_id=mine.pk, payee_id=theirs.pk, amount=1250,
                description=HOSTILE[0])
    response = client_for(world["member"]).get(f"/accounts/{mine.pk}/statement/",
                                               {"format": "csv"})
    assert response.status_code == 200
    header, row = read_back(response.content.decode())
    cells = dict(zip(header, row, strict=True))
    assert [cells["description"], cells["counterpart"]] == ["'" + HOSTILE[0], "'@SUM(1+1)"]
    # The machine-readable amounts stay plain numbers, signed: no formula in a sheet.
    assert [cells["amount"], cells["balance_after"]] == ["-12.50", "-12.50"]


@pytest.mark.django_db
def test_the_register_of_decisions(world):
    proposal = decisions.create_proposal(actor=world["member"], body=world["coop"],
                                         title="=HYPERLINK(\"http://evil.example\")",
                                         text="-1+1 buy it", decision_class="executive")
    decisions.take_position(person=world["member"], round_id=proposal.rounds.get().pk,
                            stance="fully_agree")
    decisions.close_round(actor=world["coordinator"], round_id=proposal.rounds.get().pk)
    response = client_for(None).get("/decisions/?format=csv")
    assert response.status_code == 200
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert row["title"] == "'=HYPERLINK(\"http://evil.example\")"
    assert row["text"] == "'-1+1 buy it"
    assert (row["outcome"], row["participants"]) == ("adopted", "1")
