"""Clearing between the currencies of two networks from the page, not only the API
(issue #13, R9, R18): the form, the confirmation saying what the payee receives (a
payment is final), the result; the same permissions and refusals as POST
/api/payments/across, and nothing written when refused."""

import re

import pytest
from django.db.models import Sum

from autogestion.economy import services
from autogestion.economy.models import Account, Entry, Payment
from tests.support.http import api_client, client_for, page_refused, refused

pytestmark = pytest.mark.django_db

URL = "/bodies/cit/economy/across/"


@pytest.fixture
def eco(world):
    return services.create_currency(actor=world["other_coordinator"], cooperative=world["other"],
                                    code="eco", name="ECO", symbol="ECO", euro_rate="0.5",
                                    default_debit_limit=5_000)


@pytest.fixture
def payee(world, eco):
    return services.account_of(world["other_coordinator"], eco)


def written() -> tuple:
    return (Payment.objects.count(), Entry.objects.count(),
            list(Account.objects.order_by("pk").values_list("balance", flat=True)))


def key_in(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)


def form_data(payer, payee, amount="10", key="k-across", **extra) -> dict:
    return {"payer": payer.pk, "payee": payee.pk, "amount": amount, "description": "Miel",
            "idempotency_key": key, **extra}


def zero_sum(currency) -> bool:
    return (Account.objects.filter(currency=currency).aggregate(s=Sum("balance"))["s"]
            or 0) == 0


class TestThePage:
    def test_who_sees_it(self, world, accounts):
        anonymous = client_for(None).get(URL)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        page_refused(client_for(world["outsider"]).get(URL), 403, "members only")
        page_refused(client_for(world["other_coordinator"]).get(URL), 403)
        page = client_for(world["member"]).get(URL)
        text = page.content.decode()
        assert page.status_code == 200
        assert 'id="across-form"' in text and "data-confirm=" in text
        assert f'<option value="{accounts[0].pk}"' in text
        assert f'<option value="{accounts[1].pk}"' not in text  # not the member's
        assert 'for="id_payee"' in text and 'for="id_amount"' in text
        # The economy page links to it and shows the account numbers to give.
        economy = client_for(world["member"]).get("/bodies/cit/economy/").content.decode()
        assert URL in economy and f"n° {accounts[0].pk}" in economy

    def test_without_an_account_it_says_so(self, world, oseille):
        text = client_for(world["member"]).get(URL).content.decode()
        assert "You hold no account in a social currency" in text
        assert 'id="across-form"' not in text


class TestPaying:
    def test_asked_then_paid(self, world, oseille, eco, accounts, payee):
        member = accounts[0]
        client = client_for(world["member"])
        key = key_in(client.get(URL).content.decode())
        before = written()
        asked = client.post(URL, form_data(member, payee, key=key))
        text = page_refused(asked, 200, "Pay 10.00\u00a0Os to account n° ")
        assert "It receives 20.00\u00a0ECO in ECO" in text
        assert 'name="confirmed" value="yes"' in text
        assert written() == before  # nothing until confirmed
        done = client.post(URL, form_data(member, payee, key=key, confirmed="yes"))
        assert done.status_code == 302 and done["Location"] == URL
        paid = Payment.objects.get(payer=member)
        received = Payment.objects.get(payee=payee)
        assert (paid.amount, received.amount, received.clearing_of) == (1_000, 2_000, paid)
        assert Account.objects.get(pk=member.pk).balance == -1_000
        assert Account.objects.get(pk=payee.pk).balance == 2_000
        assert zero_sum(oseille) and zero_sum(eco)
        result = client.get(URL).content.decode()
        assert f"Paid 10.00\u00a0Os; account n° {payee.pk} received 20.00\u00a0ECO." in result

    def test_sent_twice_pays_once(self, world, accounts, payee):
        client = client_for(world["member"])
        data = form_data(accounts[0], payee, confirmed="yes")
        assert client.post(URL, data).status_code == 302
        count = Payment.objects.count()
        again = client.post(URL, data, follow=True)
        assert "Already paid" in again.content.decode()
        assert Payment.objects.count() == count


class TestRefusals:
    """Each refusal: the status and the message of the API, the form again, nothing
    written (asked with confirmed=yes: the question changes nothing anyway)."""

    @pytest.mark.parametrize(("case", "status", "message", "field"), [
        ("no_such_payee", 404, "There is no such account.", None),
        ("same_currency", 400, "Both accounts hold the same currency", "payee"),
        ("bad_amount", 400, "Type an amount such as", "amount"),
        ("zero", 400, "more than zero", "amount"),
        ("beyond_limit", 409, "It can pay at most 100.00\u00a0Os now.", "amount"),
    ])
    def test_as_the_api(self, world, accounts, payee, case, status, message, field):
        member, coordinator = accounts
        target, amount = {"no_such_payee": (99_999, "10"), "same_currency": (coordinator.pk, "10"),
                          "bad_amount": (payee.pk, "abc"), "zero": (payee.pk, "0"),
                          "beyond_limit": (payee.pk, "101")}[case]
        before = written()
        answer = client_for(world["member"]).post(URL, {
            "payer": member.pk, "payee": target, "amount": amount, "idempotency_key": case,
            "confirmed": "yes"})
        text = page_refused(answer, status, message)
        assert 'id="across-form"' in text
        assert written() == before
        api = api_client(world["member"]).post(
            "/api/payments/across", {"payer_id": member.pk, "payee_id": target,
                                     "amount": amount}, headers={"Idempotency-Key": case})
        body = refused(api, status, contains=message)
        if field == "amount":
            assert body["field"] == "amount"
        assert written() == before

    def test_only_from_my_accounts(self, world, accounts, payee):
        before = written()
        answer = client_for(world["member"]).post(URL, form_data(accounts[1], payee,
                                                                 confirmed="yes"))
        page_refused(answer, 400, "Select a valid choice")
        refused(api_client(world["member"]).post(
            "/api/payments/across", {"payer_id": accounts[1].pk, "payee_id": payee.pk,
                                     "amount": "1"}, headers={"Idempotency-Key": "x"}), 404)
        assert written() == before

    @pytest.mark.parametrize("who", ["outsider", "other_coordinator", None])
    def test_others_pay_nothing(self, world, accounts, payee, who):
        before = written()
        answer = client_for(world[who] if who else None).post(
            URL, form_data(accounts[0], payee, confirmed="yes"))
        assert answer.status_code == (302 if who is None else 403)
        assert written() == before

    def test_a_group_slug_is_not_a_cooperative(self, world, accounts, payee):
        before = written()
        answer = client_for(world["member"]).post("/bodies/accueil/economy/across/",
                                                  form_data(accounts[0], payee,
                                                            confirmed="yes"))
        assert answer.status_code == 404
        assert written() == before

    def test_the_receiving_side_refuses_too(self, world, accounts, payee):
        """The payee's maximum balance holds on the second leg: neither leg is made, and no
        clearing account is left behind."""
        services.set_limits(actor=world["other_coordinator"], account_id=payee.pk,
                            debit_limit=0, credit_ceiling=1_000)
        before = written()
        answer = client_for(world["member"]).post(URL, form_data(accounts[0], payee,
                                                                 confirmed="yes"))
        page_refused(answer, 409, "It can receive at most 10.00\u00a0ECO now.")
        assert written() == before
