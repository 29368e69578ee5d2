"""A currency created in the browser (issue #13): the page offers what the API offers
(name, symbol, code, euro value, decimals, default debit limit and maximum balance,
automatic acceptance of requests), for the cooperative's coordinators and stewards only;
bad input is shown on the form under 4xx with nothing written; a new account gets the
default limits and a request the currency's delay."""

from datetime import timedelta

import pytest

from autogestion.economy import services
from autogestion.economy.models import Account, Currency
from tests.support.http import api_client, client_for, page_refused, refused

pytestmark = pytest.mark.django_db

URL = "/bodies/cit/currencies/new/"


def good(**changes) -> dict:
    return {"name": "Sel", "symbol": "S", "code": "sel", "kind": "mutual_credit",
            "euro_rate": "0,5", "decimals": "2", "default_debit_limit": "150",
            "default_credit_ceiling": "2 000", "auto_accept_days": "7", **changes}


def currencies() -> list:
    return list(Currency.objects.order_by("pk").values_list(
        "code", "euro_rate", "default_debit_limit", "default_credit_ceiling"))


class TestWho:
    def test_the_form_is_for_coordinators_and_stewards(self, world):
        anonymous = client_for(None).get(URL)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        page_refused(client_for(world["member"]).get(URL), 403, "Only coordinators")
        page_refused(client_for(world["outsider"]).get(URL), 403, "members only")
        page_refused(client_for(world["other_coordinator"]).get(URL), 403)
        for who in ("coordinator", "operator"):
            page = client_for(world[who]).get(URL)
            assert page.status_code == 200
            text = page.content.decode()
            for field in ("name", "symbol", "code", "euro_rate", "decimals",
                          "default_debit_limit", "default_credit_ceiling", "auto_accept_days"):
                assert f'name="{field}"' in text and f'for="id_{field}"' in text, field

    def test_a_group_has_no_currency(self, world):
        page_refused(client_for(world["coordinator"]).get("/bodies/accueil/currencies/new/"),
                     404)

    @pytest.mark.parametrize("who", ["member", "outsider", "other_coordinator", None])
    def test_others_create_nothing(self, world, who):
        client = client_for(world[who] if who else None)
        answer = client.post(URL, good())
        assert answer.status_code in (302, 403)
        if who is None:
            assert "/accounts/login/" in answer["Location"]
        assert currencies() == []

    def test_the_economy_page_offers_it_to_stewards_only(self, world):
        assert URL in client_for(world["coordinator"]).get("/bodies/cit/economy/") \
            .content.decode()
        assert URL not in client_for(world["member"]).get("/bodies/cit/economy/") \
            .content.decode()


class TestCreating:
    def test_a_coordinator_creates_a_currency(self, world):
        answer = client_for(world["coordinator"]).post(URL, good())
        currency = Currency.objects.get(code="sel")
        assert answer.status_code == 302
        assert answer["Location"] == f"/currencies/{currency.pk}/"
        assert (currency.name, currency.symbol, currency.kind, currency.decimals) == (
            "Sel", "S", "mutual_credit", 2)
        assert str(currency.euro_rate.normalize()) == "0.5"
        assert (currency.default_debit_limit, currency.default_credit_ceiling,
                currency.auto_accept_days) == (15_000, 200_000, 7)
        assert currency.cooperative == world["coop"]
        page = client_for(world["member"]).get(answer["Location"])
        text = page.content.decode()
        assert page.status_code == 200
        assert "0.5 €" in text and "150.00\u00a0S" in text and "2,000.00\u00a0S" in text
        assert 'id="auto-accept">7 days<' in text
        assert "No change since it was created." in text

    def test_no_maximum_and_no_automatic_acceptance(self, world):
        answer = client_for(world["coordinator"]).post(
            URL, good(default_credit_ceiling="", auto_accept_days="", decimals="0",
                      default_debit_limit="30"))
        assert answer.status_code == 302
        currency = Currency.objects.get(code="sel")
        assert (currency.decimals, currency.default_debit_limit,
                currency.default_credit_ceiling, currency.auto_accept_days) == (0, 30, None,
                                                                               None)

    @pytest.mark.parametrize(("changes", "status", "message"), [
        ({"euro_rate": "-1"}, 400, "positive number"),
        ({"euro_rate": "0"}, 400, "positive number"),
        ({"euro_rate": "abc"}, 400, "positive number"),
        ({"euro_rate": "0.1234567"}, 400, "at most 6 decimals"),
        ({"euro_rate": "1000000"}, 400, "below a million"),
        ({"decimals": "5"}, 400, "0 to 4 decimals"),
        ({"decimals": "-1"}, 400, "0 to 4 decimals"),
        ({"default_debit_limit": "-5"}, 400, "A debit limit is zero or more."),
        ({"default_debit_limit": "1.234"}, 400, "at most 2 decimals"),
        ({"default_credit_ceiling": "0"}, 400, "more than zero"),
        ({"default_credit_ceiling": "-3"}, 400, "more than zero"),
        ({"auto_accept_days": "61"}, 400, "1 to 60 days"),
        ({"auto_accept_days": "0"}, 400, "1 to 60 days"),
        ({"code": "bad code!"}, 400, "letters without accents"),
        ({"code": ""}, 400, "This field is required."),
        ({"name": "n" * 61}, 400, "at most 60 characters"),
        ({"kind": "gold"}, 400, "Select a valid choice"),
    ])
    def test_bad_input_is_shown_and_nothing_written(self, world, changes, status, message):
        before = currencies()
        answer = client_for(world["coordinator"]).post(URL, good(**changes))
        text = page_refused(answer, status, message)
        assert 'id="currency-form"' in text  # the form again, with what was typed
        assert currencies() == before == []

    def test_a_code_taken_is_409(self, world, oseille):
        before = currencies()
        answer = client_for(world["coordinator"]).post(URL, good(code="oseille"))
        page_refused(answer, 409, "The code “oseille” is taken")
        answer = client_for(world["coordinator"]).post(URL, good(code="OSEILLE"))
        page_refused(answer, 409, "is taken")
        assert currencies() == before


class TestTheApiOffersTheSame:
    def test_the_same_settings(self, world):
        api = api_client(world["coordinator"])
        answer = api.post("/api/bodies/cit/currencies", {
            "code": "sel", "name": "Sel", "symbol": "S", "euro_rate": "0,5",
            "default_debit_limit": "150", "default_credit_ceiling": "2000",
            "auto_accept_days": 7})
        assert answer.status_code == 201, answer.content
        body = answer.json()
        assert body["default_credit_ceiling"] == {"minor": 200_000, "value": "2000.00"}
        assert body["auto_accept_days"] == 7 and body["euro_rate"] == "0.5"
        detail = api.get(f"/api/currencies/{body['id']}").json()
        assert detail["changes"] == []
        assert detail["propose_value_change"] == \
            "/bodies/cit/changes/economy.currency_value/?currency=sel"
        assert detail["propose_limits_change"] == \
            "/bodies/cit/changes/economy.currency_limits/?currency=sel"

    @pytest.mark.parametrize(("changes", "field", "message"), [
        ({"default_credit_ceiling": "0"}, "default_credit_ceiling", "more than zero"),
        ({"default_credit_ceiling": "-1"}, "default_credit_ceiling", "more than zero"),
        ({"auto_accept_days": 61}, "auto_accept_days", "1 to 60 days"),
        ({"auto_accept_days": 0}, "auto_accept_days", "1 to 60 days"),
        ({"euro_rate": "0"}, None, "positive number"),
    ])
    def test_the_same_refusals(self, world, changes, field, message):
        answer = api_client(world["coordinator"]).post("/api/bodies/cit/currencies", {
            "code": "sel", "name": "Sel", "symbol": "S", **changes})
        body = refused(answer, 400, contains=message)
        if field:
            assert body["field"] == field
        assert currencies() == []

    def test_who_reads_a_currency(self, world, oseille):
        url = f"/api/currencies/{oseille.pk}"
        assert api_client(None).get(url).status_code == 401
        refused(api_client(world["outsider"]).get(url), 403, contains="members only")
        assert api_client(world["member"]).get(url).status_code == 200
        refused(api_client(world["member"]).get(f"/api/currencies/{oseille.pk + 99}"), 404)
        assert client_for(world["outsider"]).get(f"/currencies/{oseille.pk}/") \
            .status_code == 403
        assert client_for(world["member"]).get(f"/currencies/{oseille.pk + 99}/") \
            .status_code == 404


class TestDefaults:
    def test_new_accounts_get_the_default_limits(self, world):
        sel = services.create_currency(
            actor=world["coordinator"], cooperative=world["coop"], code="sel", name="Sel",
            symbol="S", default_debit_limit=5_000, default_credit_ceiling=20_000)
        mine = services.account_of(world["member"], sel)
        group = services.open_body_account(actor=world["coordinator"], currency=sel,
                                           body=world["open_group"])
        for account in (mine, group):
            account = Account.objects.get(pk=account.pk)
            assert (account.debit_limit, account.credit_ceiling) == (5_000, 20_000)

    def test_requests_accept_themselves_after_the_currency_delay(self, world):
        sel = services.create_currency(
            actor=world["coordinator"], cooperative=world["coop"], code="sel", name="Sel",
            symbol="S", default_debit_limit=5_000, auto_accept_days=3)
        seller = services.account_of(world["coordinator"], sel)
        buyer = services.account_of(world["member"], sel)
        asked = services.request_payment(actor=world["coordinator"], seller_id=seller.pk,
                                         buyer_id=buyer.pk, amount=100)
        assert asked.auto_accept_at == asked.created_at + timedelta(days=3)
        own = services.request_payment(actor=world["coordinator"], seller_id=seller.pk,
                                       buyer_id=buyer.pk, amount=100,
                                       auto_accept_after=timedelta(hours=2))
        assert own.auto_accept_at == own.created_at + timedelta(hours=2)
