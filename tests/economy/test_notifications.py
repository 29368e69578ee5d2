"""A payment request tells those who answer for the buyer's account (DOMAIN.md: what a
member is told, in their language): an in-app notification that leads to the page where
they accept or decline, with the amount written in the reader's own language."""

import pytest

from autogestion.core.errors import DomainError
from autogestion.economy import services
from autogestion.notifications.models import Kind, Notification
from tests.support.http import client_for

pytestmark = pytest.mark.django_db

ECONOMY = "/bodies/cit/economy/#requests-in"


def ask(world, seller, buyer, amount=450, description="Paniers", actor="coordinator"):
    return services.request_payment(actor=world[actor], seller_id=seller.pk,
                                    buyer_id=buyer.pk, amount=amount,
                                    description=description)


def test_the_buyer_is_told_in_their_language_and_led_to_accept_or_decline(
        world, accounts):
    member_account, coordinator_account = accounts
    member = world["member"]
    member.language = "fr"
    member.save(update_fields=["language"])
    ask(world, coordinator_account, member_account, amount=123_450)

    told = Notification.objects.get(person=member)
    assert told.kind == Kind.PAYMENT_REQUEST
    assert told.url == ECONOMY
    # Her language's way of writing the amount: a comma, grouped thousands, a no-break
    # space before the symbol; who asks, and what for.
    assert "1\u00a0234,50\u00a0Os" in told.title and "Coordinator" in told.title
    assert "1234.50" not in told.title and "Paniers" in told.body
    # The one who asked is not told of their own request.
    assert not Notification.objects.filter(person=world["coordinator"]).exists()
    # The address leads to the section where she answers it.
    page = client_for(member).get(told.url.split("#")[0]).content.decode()
    assert 'id="requests-in"' in page and "/accept/" in page and "/decline/" in page


def test_an_english_reader_reads_english_numbers(world, accounts):
    member_account, coordinator_account = accounts
    ask(world, coordinator_account, member_account, amount=123_450)
    told = Notification.objects.get(person=world["member"])
    assert told.title == "Coordinator asks you to pay 1,234.50\u00a0Os"
    assert told.body == "For: Paniers"


def test_a_bodys_account_tells_its_coordinators_not_its_members(world, oseille, accounts):
    member_account, _ = accounts
    group = services.open_body_account(actor=world["coordinator"], currency=oseille,
                                       body=world["open_group"])
    ask(world, member_account, group, description="", actor="member")
    told = Notification.objects.get()
    assert told.person == world["coordinator"]
    assert told.title == "Member asks you to pay 4.50\u00a0Os" and told.body == ""


def test_a_refused_request_tells_nobody(world, accounts):
    member_account, coordinator_account = accounts
    with pytest.raises(DomainError, match="more than zero"):
        ask(world, coordinator_account, member_account, amount=0)
    assert not Notification.objects.exists()


def test_a_closed_account_is_not_told(world, accounts):
    """A person whose account was closed (deactivated) may still have devices registered:
    nothing is pushed to them."""
    member_account, coordinator_account = accounts
    world["member"].is_active = False
    world["member"].save(update_fields=["is_active"])
    ask(world, coordinator_account, member_account)
    assert not Notification.objects.exists()
