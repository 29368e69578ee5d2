"""Fixtures build the world by calling services, as the platform itself does."""

import email
import email.policy
import itertools
import os
import socket
import threading
import time
from email.message import EmailMessage

import hypothesis
import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import translation

from autogestion.cooperatives import services
from autogestion.cooperatives.models import LegalForm
from autogestion.cooperatives.rules import Kind, Role
from autogestion.core import clock
from tests.support.clock import travel

# The suite runs on two busy cores beside PostgreSQL: a wall-clock deadline per example
# would fail tests by the load of the machine, not by their logic.
hypothesis.settings.register_profile("autogestion", deadline=None)
hypothesis.settings.load_profile("autogestion")

_counter = itertools.count(1)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler keeping every message it receives, parsed."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[EmailMessage]:
        with self._lock:
            return list(self.messages)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages once at least `count` arrived; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.snapshot()
            if len(messages) >= count or time.monotonic() > deadline:
                assert len(messages) >= count, (
                    f"expected {count} e-mail(s) on the SMTP server, got {len(messages)}")
                return messages
            time.sleep(0.05)


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1, on a free port, for the length of one test."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, mailbox
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server, settings) -> Mailbox:
    """Django sends through the SMTP server above; its messages land in the mailbox."""
    controller, box = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return box



def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))
    skip_pg = pytest.mark.skip(reason="skipped: no PostgreSQL (DATABASE_URL is not set)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


@pytest.fixture(autouse=True)
def suite_clock():
    """One clock for the whole suite: no test sees the day it actually runs on."""
    with travel():
        yield
    clock.freeze(None)


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Services called directly speak English in tests; pages follow the request."""
    with translation.override("en"):
        yield


@pytest.fixture
def make_person(db):
    def make(name: str = "", *, superuser: bool = False, password: str = "pw-secret-123",
             language: str = "en"):
        n = next(_counter)
        User = get_user_model()
        email = f"person{n}@example.org"
        create = User.objects.create_superuser if superuser else User.objects.create_user
        user = create(email=email, password=password, display_name=name or f"Person {n}",
                      language=language)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def operator(make_person):
    return make_person("Operator", superuser=True)


@pytest.fixture
def world(make_person, operator):
    """A network holding a cooperative with an open and a closed group, a SCIC with
    colleges, and the people the permission matrix needs."""
    network = services.create_body(actor=operator, kind=Kind.NETWORK, name="Réseau",
                                   slug="reseau")
    coop = services.create_body(actor=operator, kind=Kind.COOPERATIVE, name="CIT", slug="cit",
                                parent=network, legal_form=LegalForm.INTEGRAL,
                                place="Toulouse", rhythm="monthly")
    other = services.create_body(actor=operator, kind=Kind.COOPERATIVE, name="Other coop",
                                 slug="other", legal_form=LegalForm.SCOP)
    coordinator = make_person("Coordinator")
    member = make_person("Member")
    outsider = make_person("Outsider")
    other_coordinator = make_person("Other coordinator")
    for person in (coordinator, member):
        services.join_body(person=person, body=coop)
    services.set_member_role(actor=operator, body=coop, person=coordinator,
                             role=Role.COORDINATOR)
    services.join_body(person=other_coordinator, body=other)
    services.set_member_role(actor=operator, body=other, person=other_coordinator,
                             role=Role.COORDINATOR)
    open_group = services.create_body(actor=coordinator, kind=Kind.GROUP, name="Accueil",
                                      slug="accueil", parent=coop, description="Welcome desk",
                                      place="Local", rhythm="weekly")
    closed_group = services.create_body(actor=coordinator, kind=Kind.GROUP, name="Caisse",
                                        slug="caisse", parent=coop, is_open=False,
                                        description="Secret treasury", place="Hidden place")
    services.join_body(person=member, body=open_group)
    for body in (coop, other, network):
        services.leave_body(person=operator, body=body)
    scic = services.create_body(actor=operator, kind=Kind.COOPERATIVE, name="SCIC",
                                slug="scic", legal_form=LegalForm.SCIC)
    colleges = [services.add_college(actor=operator, cooperative=scic, name=n, weight_percent=w)
                for n, w in (("Salariés", 40), ("Usagers", 35), ("Soutiens", 25))]
    return {
        "network": network, "coop": coop, "other": other, "open_group": open_group,
        "closed_group": closed_group, "scic": scic, "colleges": colleges,
        "operator": operator, "coordinator": coordinator, "member": member,
        "outsider": outsider, "other_coordinator": other_coordinator,
    }
