"""The ledger exported to Beancount: an independent implementation (`bean-check`, the
`beancount` loader) accepts the file, and its balances equal ours."""

import os
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from autogestion.config import cli
from autogestion.core import clock
from autogestion.economy import exports, services
from autogestion.economy.models import Account, Currency, Entry, Fund

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
BEAN_CHECK = Path(sys.executable).with_name("bean-check")
loader = pytest.importorskip("beancount.loader")


@pytest.fixture
def ledger(world, oseille, accounts):
    """Payments on several days, an awkward description, a group account, a reversal,
    a clearing payment towards another cooperative's currency, and the common fund."""
    from autogestion.decisions import services as decisions

    member, coordinator = accounts
    group = services.open_body_account(actor=world["coordinator"], currency=oseille,
                                       body=world["open_group"])
    start = timezone.make_aware(datetime(2026, 3, 1, 23, 30))
    try:
        clock.freeze(start)
        first = services.pay(actor=world["member"], payer_id=member.pk,
                             payee_id=coordinator.pk, amount=2500, description="Légumes")
        clock.freeze(start + timedelta(days=1))
        services.pay(actor=world["coordinator"], payer_id=coordinator.pk, payee_id=member.pk,
                     amount=705, description='Pain "bio" \\ 2 €\nà la ferme ; #tag ^link')
        services.pay(actor=world["coordinator"], payer_id=coordinator.pk, payee_id=group.pk,
                     amount=1)
        clock.freeze(start + timedelta(days=3))
        services.reverse_payment(actor=world["coordinator"], payment_id=first.pk,
                                 reason="erreur")
        services.pay(actor=world["coordinator"], payer_id=group.pk, payee_id=member.pk,
                     amount=9999)
        eco = services.create_currency(actor=world["other_coordinator"],
                                       cooperative=world["other"], code="eco", name="ECO",
                                       symbol="ECO", euro_rate="0.5", decimals=0,
                                       default_debit_limit=100)
        faraway = services.account_of(world["other_coordinator"], eco)
        services.pay_across(actor=world["member"], payer_id=member.pk, payee_id=faraway.pk,
                            amount=1000, description="Échange")
    finally:
        clock.freeze(None)
    coop = world["coop"]
    services.record_fund_movement(actor=world["coordinator"], body=coop, amount=10_000,
                                  category="contribution", description="Cotisations",
                                  happened_on=date(2026, 3, 1))
    services.record_fund_movement(actor=world["coordinator"], body=world["open_group"],
                                  amount=250, category="donation", description="Don",
                                  happened_on=date(2026, 3, 2))
    proposal = decisions.create_proposal(actor=world["member"], body=coop, title="Drill",
                                         text="Buy it", decision_class="executive")
    decisions.take_position(person=world["member"], round_id=proposal.rounds.get().pk,
                            stance="fully_agree")
    decisions.close_round(actor=world["coordinator"], round_id=proposal.rounds.get().pk)
    services.record_fund_movement(actor=world["coordinator"], body=coop, amount=-4_000,
                                  category="purchase", description="Perceuse",
                                  happened_on=date(2026, 3, 4),
                                  decision=proposal.decisions.get())
    return {"coop": coop, "other": world["other"], "eco": eco, "group": group}


def ours(coop) -> dict[tuple[str, int], int]:
    """(kind, id) → balance in minor units, as the database holds it."""
    balances = {("account", a.pk): a.balance
                for a in Account.objects.filter(currency__cooperative=coop)}
    balances.update({("fund", f.pk): f.balance
                     for f in Fund.objects.filter(body__path__startswith=coop.path)})
    return balances


def theirs(path: Path) -> tuple[dict[tuple[str, int], Decimal], list, list]:
    """What the beancount loader makes of the file: (kind, id) → balance, the errors,
    the entries."""
    from beancount.core import data

    entries, errors, _options = loader.load_file(str(path))
    ids = {}
    for entry in entries:
        if isinstance(entry, data.Open):
            kind = "fund" if entry.account.startswith("Assets:Common-Fund:") else "account"
            if "id" in entry.meta:
                ids[entry.account] = (kind, int(entry.meta["id"]))
    sums: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            assert sum(p.units.number for p in entry.postings) == 0
            for posting in entry.postings:
                if posting.account in ids:
                    sums[ids[posting.account]] += posting.units.number
    for key in ids.values():
        sums.setdefault(key, Decimal(0))
    return dict(sums), errors, entries


def minor(balances: dict[tuple[str, int], Decimal], decimals: dict) -> dict:
    return {key: int(value.scaleb(decimals[key])) for key, value in balances.items()}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ledger.beancount"
    path.write_text(text, encoding="utf-8")
    return path


def bean_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True,
                          timeout=120)


class TestBeancount:
    def test_bean_check_accepts_it_and_the_balances_are_ours(self, ledger, tmp_path):
        coop = ledger["coop"]
        text = exports.beancount(coop)
        path = write(tmp_path, text)
        checked = bean_check(path)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.strip() == "" and checked.stderr.strip() == ""

        balances, errors, entries = theirs(path)
        assert errors == []
        decimals = {("account", a.pk): a.currency.decimals
                    for a in Account.objects.filter(currency__cooperative=coop)
                    .select_related("currency")}
        decimals.update({("fund", f.pk): 2 for f in Fund.objects.all()})
        expected = ours(coop)
        assert minor(balances, decimals) == expected
        # Not only zeros: the ledger moved, the fund holds 60 €, the zero sum holds.
        assert expected[("fund", coop.fund.pk)] == 6_000
        assert sum(v for (kind, _pk), v in expected.items() if kind == "account") == 0
        assert any(v for (kind, _pk), v in expected.items() if kind == "account")
        # One transaction per payment of the cooperative's currencies, and per movement.
        from beancount.core import data

        transactions = [e for e in entries if isinstance(e, data.Transaction)]
        payments = [e for e in transactions if "payment" in e.meta]
        assert len(payments) == 6  # five payments in Oseille, one half of the clearing
        assert len([e for e in transactions if "movement" in e.meta]) == 3
        # Dates are the payments' days in the site's time zone; text survives intact.
        days = sorted({e.date for e in payments})
        assert days == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 4)]
        assert any(e.narration == 'Pain "bio" \\ 2 € à la ferme ; #tag ^link'
                   for e in payments)
        reversal = next(e for e in payments if "reverses" in e.meta)
        assert reversal.narration.startswith("Reversal")
        assert any(e.links == {f"clearing-{e.meta['payment']}"} for e in payments)

    def test_balances_are_asserted_so_a_wrong_balance_fails(self, ledger, tmp_path):
        """The file asserts our balances: were the ledger wrong (a balance that is not
        the sum of its movements), bean-check would say so."""
        coop = ledger["coop"]
        member = Account.objects.filter(currency__cooperative=coop, kind="member").first()
        Account.objects.filter(pk=member.pk).update(balance=member.balance + 1)
        checked = bean_check(write(tmp_path, exports.beancount(coop)))
        assert checked.returncode != 0
        assert "Balance failed" in checked.stdout + checked.stderr

    def test_the_other_cooperative_has_its_own_file(self, ledger, tmp_path):
        other = ledger["other"]
        path = write(tmp_path, exports.beancount(other))
        checked = bean_check(path)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        balances, errors, _entries = theirs(path)
        assert errors == []
        eco_accounts = Account.objects.filter(currency=ledger["eco"])
        assert {key[1]: int(value) for key, value in balances.items()} == {
            a.pk: a.balance for a in eco_accounts}
        assert sorted(a.balance for a in eco_accounts) == [-20, 20]  # 10 € = 20 ECO, no decimals

    def test_an_empty_cooperative_and_awkward_codes(self, world, tmp_path):
        coop = world["coop"]
        path = write(tmp_path, exports.beancount(coop))
        assert bean_check(path).returncode == 0
        for code in ("_x", "9-lives", "a_b-", "eur"):
            services.create_currency(actor=world["coordinator"], cooperative=coop, code=code,
                                     name=code, symbol="¤")
        for currency in Currency.objects.filter(cooperative=coop):
            services.account_of(world["member"], currency)
        path = write(tmp_path, exports.beancount(coop))
        checked = bean_check(path)
        assert checked.returncode == 0, checked.stdout + checked.stderr + path.read_text()
        _balances, errors, entries = theirs(path)
        assert errors == []
        from beancount.core import data

        commodities = {e.currency for e in entries if isinstance(e, data.Commodity)}
        assert len(commodities) == 4 and "EUR" not in commodities

    def test_entries_sum_to_the_exported_balances(self, ledger):
        """The balance we assert is also the sum of the entries (R9)."""
        for account in Account.objects.filter(currency__cooperative=ledger["coop"]):
            total = Entry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
            assert account.balance == (total or 0)


class TestCommand:
    def test_the_command_prints_the_same_text(self, ledger):
        out = StringIO()
        call_command("export_ledger", "--format", "beancount", "cit", stdout=out)
        assert out.getvalue() == exports.beancount(ledger["coop"])

    def test_through_the_autogestion_command_line(self, ledger, capsys, monkeypatch):
        # A command closes the connections when done: here, that would end the test's
        # transaction; the real process below does close them.
        monkeypatch.setattr(connections, "close_all", lambda: None)
        cli.main(["export-ledger", "--format", "beancount", "cit"])
        assert capsys.readouterr().out == exports.beancount(ledger["coop"])

    @pytest.mark.postgres
    @pytest.mark.django_db(transaction=True)
    def test_in_a_process_of_its_own(self, ledger, tmp_path):
        """`autogestion export-ledger` run as a program, on the test database."""
        url = urlsplit(os.environ["DATABASE_URL"])
        env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=urlunsplit(
            url._replace(path="/" + connection.settings_dict["NAME"])))
        done = subprocess.run(
            [str(Path(sys.executable).with_name("autogestion")), "export-ledger",
             "--format", "beancount", "cit"], capture_output=True, text=True, env=env,
            cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout == exports.beancount(ledger["coop"])
        checked = bean_check(write(tmp_path, done.stdout))
        assert checked.returncode == 0, checked.stdout + checked.stderr

    def test_unknown_or_not_a_cooperative(self, world):
        with pytest.raises(CommandError, match="no cooperative"):
            call_command("export_ledger", "nowhere", stdout=StringIO())
        with pytest.raises(CommandError, match="not a cooperative"):
            call_command("export_ledger", "accueil", stdout=StringIO())
