"""The ledger under concurrent payments and a killed worker, on PostgreSQL (R9): the sum
of the balances stays zero, no balance goes beyond its limits, every balance equals the
sum of its entries, and nothing is ever half-written."""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.db.models import Count, Sum

from autogestion.cooperatives import services as bodies
from autogestion.core.errors import DomainError
from autogestion.economy import services
from autogestion.economy.models import Account, Entry, Payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = 50
THREADS = 8
PAYMENTS_PER_THREAD = 500
LIMIT = 1_000      # 10.00 below zero at most ...
CEILING = 1_500    # ... and 15.00 above: tight, many payments are refused
MAX_AMOUNT = 800


@pytest.fixture
def tight(world, make_person):
    """A currency with 50 member accounts, each between -10.00 and +15.00."""
    coop, coordinator = world["coop"], world["coordinator"]
    currency = services.create_currency(actor=coordinator, cooperative=coop, code="tight",
                                        name="Tight", symbol="T", default_debit_limit=LIMIT)
    accounts = []
    for _ in range(ACCOUNTS):
        person = make_person()
        bodies.join_body(person=person, body=coop)
        account = services.account_of(person, currency)
        services.set_limits(actor=coordinator, account_id=account.pk, debit_limit=LIMIT,
                            credit_ceiling=CEILING)
        account.person = person
        accounts.append(account)
    return currency, accounts


def assert_invariants(currency) -> None:
    """Zero sum, limits, balance = sum of entries, two entries per payment summing to
    zero; checked with aggregates, on what is committed."""
    accounts = Account.objects.filter(currency=currency)
    assert accounts.aggregate(s=Sum("balance"))["s"] == 0
    sums = dict(Entry.objects.filter(account__currency=currency).values_list("account")
                .annotate(s=Sum("amount")).order_by())
    for account in accounts:
        assert -account.debit_limit <= account.balance, account
        assert account.credit_ceiling is None or account.balance <= account.credit_ceiling
        assert account.balance == sums.get(account.pk, 0), account
    shapes = (Payment.objects.filter(currency=currency)
              .annotate(n=Count("entries"), s=Sum("entries__amount"))
              .values_list("n", "s").distinct().order_by())
    assert set(shapes) <= {(2, 0)}
    assert not Entry.objects.filter(account__currency=currency,
                                    payment__currency=currency).exclude(
        account__in=accounts).exists()
    payments = Payment.objects.filter(currency=currency)
    assert Entry.objects.filter(payment__in=payments).count() == 2 * payments.count()
    for payment in payments.prefetch_related("entries"):
        amounts = sorted((e.account_id, e.amount) for e in payment.entries.all())
        assert sorted(amounts) == sorted([(payment.payer_id, -payment.amount),
                                          (payment.payee_id, payment.amount)])


def test_eight_threads_of_random_payments_keep_every_invariant(tight):
    currency, accounts = tight
    accepted = [0] * THREADS
    refused = [0] * THREADS
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def client(n: int) -> None:
        rng = random.Random(1000 + n)
        try:
            start.wait()
            for _ in range(PAYMENTS_PER_THREAD):
                payer, payee = rng.sample(accounts, 2)
                try:
                    # The one-statement path the API and the pages take.
                    services.pay(actor=payer.person, payer_id=payer.pk, payee_id=payee.pk,
                                 amount=rng.randint(1, MAX_AMOUNT),
                                 currency_id=payer.currency_id)
                    accepted[n] += 1
                except DomainError:
                    refused[n] += 1
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - began
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    attempted = THREADS * PAYMENTS_PER_THREAD
    assert sum(accepted) + sum(refused) == attempted
    assert Payment.objects.filter(currency=currency).count() == sum(accepted)
    assert Entry.objects.filter(account__currency=currency).count() == 2 * sum(accepted)
    # The limits are tight enough to refuse some, loose enough to accept many.
    assert sum(accepted) > attempted // 4 and sum(refused) > 0
    assert_invariants(currency)
    print(f"{attempted} payments in {elapsed:.1f} s: {sum(accepted)} accepted, "
          f"{sum(refused)} refused")


WORKER = """
import json, random, sys

import django

django.setup()
from django.db import connection

from autogestion.core.errors import DomainError
from autogestion.economy import services
from autogestion.economy.models import Account

ids, name, seed = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with connection.cursor() as cursor:
    cursor.execute("SET application_name = %s", [name])
accounts = list(Account.objects.filter(pk__in=ids).select_related("person"))
rng = random.Random(seed)
paid = 0
print("ready", flush=True)
while True:
    payer, payee = rng.sample(accounts, 2)
    try:
        services.pay(actor=payer.person, payer_id=payer.pk, payee_id=payee.pk,
                     amount=rng.randint(1, MAX_AMOUNT))
    except DomainError:
        continue
    paid += 1
    print(paid, flush=True)
""".replace("MAX_AMOUNT", str(MAX_AMOUNT))


def test_a_worker_killed_in_the_middle_of_a_burst_leaves_nothing_half_written(tight,
                                                                              tmp_path):
    currency, accounts = tight
    name = f"ledger-burst-{os.getpid()}"
    url = urlsplit(os.environ["DATABASE_URL"])
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=urlunsplit(
        url._replace(path="/" + connection.settings_dict["NAME"])))
    script = tmp_path / "burst.py"
    script.write_text(WORKER)
    ids = json.dumps([a.pk for a in accounts])
    workers = [subprocess.Popen([sys.executable, str(script), ids, name, str(seed)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env, cwd=ROOT)
               for seed in (1, 2, 3)]
    reported = [0] * len(workers)

    def follow(n: int) -> None:
        for line in workers[n].stdout:
            if line.strip().isdigit():
                reported[n] = int(line)

    readers = [threading.Thread(target=follow, args=(n,), daemon=True)
               for n in range(len(workers))]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + 60
        while min(reported) < 150 and time.monotonic() < deadline:
            if any(w.poll() is not None for w in workers):
                break
            time.sleep(0.01)
        stopped = [w for w in workers if w.poll() is not None]
        assert not stopped, f"a worker stopped by itself: {stopped[0].stderr.read()}"
        assert min(reported) >= 150, f"the workers paid too slowly: {reported}"
        time.sleep(random.uniform(0, 0.05))
        for worker in workers:
            worker.send_signal(signal.SIGKILL)  # no cleanup, no rollback of its own
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait(timeout=30)
    for reader in readers:
        reader.join(timeout=10)
    assert all(w.returncode == -signal.SIGKILL for w in workers)

    # The server notices the dead clients and rolls their transactions back.
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                           [name])
            if cursor.fetchone()[0] == 0:
                break
            assert time.monotonic() < deadline, "the killed workers' sessions linger"
            time.sleep(0.05)

    payments = Payment.objects.filter(currency=currency).count()
    # Each worker may have committed one payment it had no time to report.
    assert sum(reported) <= payments <= sum(reported) + len(workers)
    assert_invariants(currency)
