"""The composition root: each app names in its apps.py what it brings (core/registry.py),
and the site, the API, the worker, cron and the demo all read the same list."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import get_resolver

from autogestion.core import clock, registry
from autogestion.core.api import api
from autogestion.economy import services as economy

APPS = ["accounts", "cooperatives", "assemblies", "decisions", "facilitation", "economy",
        "commons", "work"]


def test_the_kernel_imports_no_app():
    """core/ may be imported by every app, never the other way round (apart from the
    demo's first step, which builds the cooperatives the others hang on, and the API's
    token check, which asks the accounts app: identity is the kernel's one dependency)."""
    import pathlib

    core = pathlib.Path(apps.get_app_config("core").path)
    offenders = []
    for path in core.rglob("*.py"):
        text = path.read_text()
        for label in APPS[1:] if path.name == "api.py" else APPS:
            if f"autogestion.{label}" in text and path.name != "demo.py":
                offenders.append(f"{path.relative_to(core)} imports {label}")
    assert offenders == []


def test_every_capability_is_served():
    names = set(get_resolver().reverse_dict.keys())
    modules = registry.url_modules()
    assert modules and all(isinstance(m, str) for m in modules)
    routers = [router for _prefix, router in registry.api_routers()]
    assert len(routers) == len({id(r) for r in routers}) >= len(APPS)
    assert {"home", "body_list"} <= names
    paths = api.get_openapi_schema()["paths"]
    assert any(p.startswith("/api/payments") for p in paths)
    assert any(p.startswith("/api/bodies/{slug}/daily-plans") for p in paths)


def test_the_jobs_each_app_names():
    assert [name for name, _job in registry.periodic_jobs()] == [
        "send_due_reminders", "close_due_rounds_and_remind", "accept_due_payment_requests"]


# The jobs run as in the worker, outside any transaction: each starts by closing a
# connection left in a transaction (close_old_connections), as a test's would be.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("command", ["run_jobs", "send_reminders"])
def test_cron_runs_what_the_worker_runs(world, command, capsys):
    """`send_reminders` once ran only the meeting reminders, while the worker also
    accepted due payment requests: cron and the worker now run the same jobs."""
    oseille = economy.create_currency(actor=world["coordinator"], cooperative=world["coop"],
                                      code="oseille", name="Oseille", symbol="Os",
                                      default_debit_limit=10_000)
    buyer = economy.account_of(world["member"], oseille)
    seller = economy.account_of(world["coordinator"], oseille)
    request = economy.request_payment(actor=world["coordinator"], seller_id=seller.pk,
                                      buyer_id=buyer.pk, amount=200,
                                      auto_accept_after=timedelta(days=2))
    clock.freeze(clock.now() + timedelta(days=3))
    try:
        call_command(command)
    finally:
        clock.freeze(None)
    request.refresh_from_db()
    assert request.status == "accepted"
    assert "periodic jobs done" in capsys.readouterr().out
