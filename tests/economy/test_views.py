"""Economy pages through the test client: who sees what, paying in a page (and the
refusals that move nothing), idempotent submits, requests, statements and their CSV,
offers and "pay for this", the common fund and its yearly report, bounded queries."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from autogestion.core import clock
from autogestion.economy import services
from autogestion.economy.models import (
    Account,
    Entry,
    FundMovement,
    Offer,
    Payment,
    PaymentRequest,
)
from tests.support.http import client_for

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


def key_in(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)


def balances(*accounts):
    return tuple(Account.objects.get(pk=a.pk).balance for a in accounts)


def pay_data(payer, payee, amount, key="k1", **extra):
    return {"payer": payer.pk, "payee": payee.pk, "amount": amount, "description": "Légumes",
            "idempotency_key": key, **extra}


@pytest.fixture
def frozen():
    """Freeze the platform clock; always let it run again afterwards."""
    yield clock.freeze
    clock.freeze(None)


@pytest.fixture
def adopted(world):
    """An adopted decision of the CIT, by consent."""
    from autogestion.decisions import services as decisions

    proposal = decisions.create_proposal(actor=world["member"], body=world["coop"],
                                         title="Buy a drill", text="Buy it",
                                         decision_class="executive")
    decisions.take_position(person=world["member"], round_id=proposal.rounds.get().pk,
                            stance="fully_agree")
    decisions.close_round(actor=world["coordinator"], round_id=proposal.rounds.get().pk)
    return proposal.decisions.get()


ROLES = ("outsider", "member", "coordinator", "other_coordinator")


class TestWhoSeesWhat:
    @pytest.mark.parametrize("url", ["/bodies/cit/economy/", "/bodies/cit/offers/",
                                     "/bodies/cit/fund/"])
    def test_member_pages_of_an_open_cooperative(self, world, oseille, url):
        anonymous = client_for(None).get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        expected = {"outsider": 403, "member": 200, "coordinator": 200,
                    "other_coordinator": 403}
        for role in ROLES:
            assert client_for(world[role]).get(url).status_code == expected[role], role
        assert client_for(world["operator"]).get(url).status_code == 200

    def test_closed_group_fund_is_hidden(self, world):
        url = "/bodies/caisse/fund/"
        for role in ("outsider", "member", "other_coordinator"):
            assert client_for(world[role]).get(url).status_code == 404, role
        assert client_for(world["coordinator"]).get(url).status_code == 200
        assert client_for(world["member"]).get("/bodies/accueil/fund/").status_code == 200

    def test_groups_lead_to_their_cooperative_and_unknown_bodies_are_404(self, world):
        member = client_for(world["member"])
        response = member.get("/bodies/accueil/economy/")
        assert response.status_code == 302 and response["Location"] == "/bodies/cit/economy/"
        assert member.get("/bodies/accueil/offers/")["Location"] == "/bodies/cit/offers/"
        assert member.get("/bodies/nowhere/economy/").status_code == 404
        assert member.get("/economy/")["Location"] == "/bodies/cit/economy/"
        # The menu's link leads a member of another cooperative to theirs.
        assert client_for(world["other_coordinator"]).get("/economy/")["Location"] \
            == "/bodies/other/economy/"

    def test_steward_section_only_for_stewards(self, world, oseille, accounts):
        assert "All accounts (stewards)" in text_of(
            client_for(world["coordinator"]).get("/bodies/cit/economy/"))
        page = text_of(client_for(world["member"]).get("/bodies/cit/economy/"))
        assert "All accounts (stewards)" not in page
        assert "My accounts" in page and "Oseille" in page

    def test_statement_for_holder_and_stewards(self, world, oseille, accounts):
        member_account, _coordinator_account = accounts
        url = f"/accounts/{member_account.pk}/statement/"
        assert client_for(None).get(url).status_code == 302
        # Strangers to the account: 404, as the API answers.
        expected = {"outsider": 404, "member": 200, "coordinator": 200,
                    "other_coordinator": 404}
        for role in ROLES:
            assert client_for(world[role]).get(url).status_code == expected[role], role
        other = services.account_of(world["coordinator"], oseille)
        assert client_for(world["member"]).get(
            f"/accounts/{other.pk}/statement/").status_code == 404
        assert client_for(world["member"]).get("/accounts/999999/statement/").status_code == 404

    def test_limits_and_lock_only_for_stewards(self, world, oseille, accounts):
        member_account, _ = accounts
        url = f"/accounts/{member_account.pk}/limits/"
        assert client_for(None).post(url, {"debit_limit": "50"}).status_code == 302
        # The holder sees the account but may not set its limits: 403; strangers 404.
        for role, status in (("outsider", 404), ("member", 403), ("other_coordinator", 404)):
            assert client_for(world[role]).post(url, {"debit_limit": "50"}).status_code \
                == status, role
        assert Account.objects.get(pk=member_account.pk).debit_limit == 10_000
        done = client_for(world["coordinator"]).post(url, {"debit_limit": "50",
                                                           "credit_ceiling": "200,5"})
        assert done.status_code == 302
        account = Account.objects.get(pk=member_account.pk)
        assert (account.debit_limit, account.credit_ceiling) == (5_000, 20_050)
        bad = client_for(world["coordinator"]).post(url, {"debit_limit": "-3"})
        assert bad.status_code == 400
        status_url = f"/accounts/{member_account.pk}/status/"
        assert client_for(world["member"]).post(status_url,
                                                {"status": "locked"}).status_code == 403
        assert client_for(world["coordinator"]).post(status_url,
                                                     {"status": "locked"}).status_code == 302
        assert Account.objects.get(pk=member_account.pk).status == "locked"

    def test_fund_record_only_for_stewards(self, world):
        data = {"direction": "income", "amount": "10", "category": "donation",
                "description": "Don", "happened_on": "2026-01-05"}
        for role in ("outsider", "other_coordinator"):
            assert client_for(world[role]).post("/bodies/cit/fund/", data).status_code == 403
        assert client_for(world["member"]).post("/bodies/cit/fund/", data).status_code == 403
        assert "Record a movement" not in text_of(
            client_for(world["member"]).get("/bodies/cit/fund/"))
        assert not FundMovement.objects.exists()
        assert client_for(world["coordinator"]).post("/bodies/cit/fund/",
                                                     data).status_code == 302
        assert FundMovement.objects.get().amount == 1_000


class TestPaying:
    def test_pay_in_the_page(self, world, oseille, accounts):
        member_account, coordinator_account = accounts
        member = client_for(world["member"])
        page = text_of(member.get("/bodies/cit/economy/"))
        key = key_in(page)
        response = member.post("/bodies/cit/economy/pay/",
                               pay_data(member_account, coordinator_account, "12,50", key))
        assert response.status_code == 302
        assert balances(member_account, coordinator_account) == (-1_250, 1_250)
        after = text_of(member.get(response["Location"]))
        assert "Paid 12.50\u00a0Os to Coordinator." in after
        assert "-12.50\u00a0Os" in after and "87.50\u00a0Os" in after  # balance, and margin left
        assert key_in(after) != key  # a new form, a new key

    def test_beyond_the_limit_is_refused_with_the_margin(self, world, oseille, accounts):
        member_account, coordinator_account = accounts
        member = client_for(world["member"])
        response = member.post("/bodies/cit/economy/pay/",
                               pay_data(member_account, coordinator_account, "100.01"))
        assert response.status_code == 409
        assert "It can pay at most 100.00\u00a0Os now." in text_of(response)
        assert not Payment.objects.exists() and not Entry.objects.exists()
        assert balances(member_account, coordinator_account) == (0, 0)
        services.set_limits(actor=world["coordinator"], account_id=coordinator_account.pk,
                            debit_limit=10_000, credit_ceiling=500)
        response = member.post("/bodies/cit/economy/pay/",
                               pay_data(member_account, coordinator_account, "6", key="k2"))
        assert response.status_code == 409
        assert "It can receive at most 5.00\u00a0Os now." in text_of(response)
        assert not Payment.objects.exists()

    @pytest.mark.parametrize("amount, message", [
        ("abc", "Type an amount such as"), ("1.234", "2 decimals"),
        ("0", "more than zero"), ("-5", "more than zero"), ("", "This field is required")])
    def test_bad_amount_is_400(self, world, oseille, accounts, amount, message):
        member_account, coordinator_account = accounts
        response = client_for(world["member"]).post(
            "/bodies/cit/economy/pay/", pay_data(member_account, coordinator_account, amount))
        assert response.status_code == 400
        assert message in text_of(response)
        assert not Payment.objects.exists()

    def test_double_submit_pays_once(self, world, oseille, accounts):
        member_account, coordinator_account = accounts
        member = client_for(world["member"])
        data = pay_data(member_account, coordinator_account, "7", key="same-key")
        assert member.post("/bodies/cit/economy/pay/", data).status_code == 302
        assert member.post("/bodies/cit/economy/pay/", data).status_code == 302
        assert Payment.objects.count() == 1
        assert balances(member_account, coordinator_account) == (-700, 700)

    def test_only_from_ones_own_accounts(self, world, oseille, accounts):
        member_account, coordinator_account = accounts
        response = client_for(world["member"]).post(
            "/bodies/cit/economy/pay/", pay_data(coordinator_account, member_account, "5"))
        assert response.status_code == 400
        assert not Payment.objects.exists()
        outsider = client_for(world["outsider"]).post(
            "/bodies/cit/economy/pay/", pay_data(coordinator_account, member_account, "5"))
        assert outsider.status_code == 403

    def test_open_an_account(self, world, oseille):
        member = client_for(world["member"])
        page = text_of(member.get("/bodies/cit/economy/"))
        assert "Open my account in Oseille" in page and 'id="pay-form"' not in page
        assert member.post(f"/bodies/cit/economy/open/{oseille.pk}/").status_code == 302
        account = Account.objects.get(person=world["member"], currency=oseille)
        assert account.debit_limit == 10_000
        assert 'id="pay-form"' in text_of(member.get("/bodies/cit/economy/"))
        # Opened from a "pay for this", it goes back to it.
        account.delete()
        back = member.post(f"/bodies/cit/economy/open/{oseille.pk}/", {"offer": "7"})
        assert back["Location"] == "/bodies/cit/economy/?offer=7#pay"
        assert client_for(world["outsider"]).post(
            f"/bodies/cit/economy/open/{oseille.pk}/").status_code == 403

    def test_reversal(self, world, oseille, accounts):
        member_account, coordinator_account = accounts
        payment = services.pay(actor=world["member"], payer_id=member_account.pk,
                               payee_id=coordinator_account.pk, amount=900)
        url = f"/payments/{payment.pk}/reverse/"
        # The payer may not (403); strangers do not see the payment (404).
        for role, status in (("member", 403), ("outsider", 404), ("other_coordinator", 404)):
            assert client_for(world[role]).post(url).status_code == status, role
        response = client_for(world["coordinator"]).post(url, {"reason": "twice"})
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/{coordinator_account.pk}/statement/"
        assert balances(member_account, coordinator_account) == (0, 0)
        assert Payment.objects.get(reverses=payment).description == "Reversal: twice"
        assert client_for(world["coordinator"]).post(url).status_code == 409
        assert client_for(world["coordinator"]).post("/payments/999999/reverse/") \
            .status_code == 404


class TestRequests:
    def test_request_accept_decline_cancel(self, world, oseille, accounts):
        member_account, coordinator_account = accounts
        coordinator, member = client_for(world["coordinator"]), client_for(world["member"])
        data = {"seller": coordinator_account.pk, "buyer": member_account.pk,
                "amount": "4.5", "description": "Paniers", "auto_accept_days": "3"}
        assert coordinator.post("/bodies/cit/economy/request/", data).status_code == 302
        request = PaymentRequest.objects.get()
        assert request.amount == 450 and request.auto_accept_at is not None
        page = text_of(member.get("/bodies/cit/economy/"))
        assert "Payments asked of me" in page and "4.50\u00a0Os" in page and "Paniers" in page
        # On a phone the answer comes first: before the accounts and the forms.
        assert page.index(f'action="/payment-requests/{request.pk}/accept/"') \
            < page.index('id="my-accounts"') < page.index('id="pay-form"')
        assert "<h1>Economy — CIT</h1>" in page
        assert "My requests waiting for an answer" in text_of(
            coordinator.get("/bodies/cit/economy/"))
        # Only the buyer accepts.
        accept = f"/payment-requests/{request.pk}/accept/"
        assert coordinator.post(accept).status_code == 403
        assert client_for(world["outsider"]).post(accept).status_code == 404
        assert member.post(accept).status_code == 302
        assert balances(member_account, coordinator_account) == (-450, 450)
        assert member.post(accept).status_code == 409  # already answered
        # Declined by the buyer; cancelled by the seller.
        coordinator.post("/bodies/cit/economy/request/", data)
        second = PaymentRequest.objects.filter(status="pending").get()
        assert member.post(f"/payment-requests/{second.pk}/decline/").status_code == 302
        assert PaymentRequest.objects.get(pk=second.pk).status == "declined"
        coordinator.post("/bodies/cit/economy/request/", data)
        third = PaymentRequest.objects.filter(status="pending").get()
        assert coordinator.post(f"/payment-requests/{third.pk}/decline/").status_code == 302
        assert PaymentRequest.objects.get(pk=third.pk).status == "cancelled"
        assert balances(member_account, coordinator_account) == (-450, 450)

    def test_bad_request_input(self, world, oseille, accounts):
        member_account, coordinator_account = accounts
        coordinator = client_for(world["coordinator"])
        data = {"seller": coordinator_account.pk, "buyer": member_account.pk,
                "amount": "x", "auto_accept_days": ""}
        assert coordinator.post("/bodies/cit/economy/request/", data).status_code == 400
        data.update(amount="3", auto_accept_days="90")
        assert coordinator.post("/bodies/cit/economy/request/", data).status_code == 400
        data.update(buyer=coordinator_account.pk, auto_accept_days="")
        response = coordinator.post("/bodies/cit/economy/request/", data)
        assert response.status_code == 400 and "does not pay itself" in text_of(response)
        assert not PaymentRequest.objects.exists()


class TestStatement:
    @pytest.fixture
    def history(self, world, oseille, accounts, frozen):
        member_account, coordinator_account = accounts
        for day, amount, who in ((1, 1_000, "member"), (15, 2_500, "coordinator"),
                                 (28, 300, "member")):
            frozen(datetime(2026, 3, day, 11, 0, tzinfo=UTC))
            payer, payee = ((member_account, coordinator_account) if who == "member"
                            else (coordinator_account, member_account))
            services.pay(actor=world[who], payer_id=payer.pk, payee_id=payee.pk,
                         amount=amount, description=f"March {day}")
        frozen(None)
        return member_account, coordinator_account

    def test_filter_by_dates(self, world, history):
        member_account, _ = history
        member = client_for(world["member"])
        url = f"/accounts/{member_account.pk}/statement/"
        page = text_of(member.get(url))
        assert all(f"March {d}" in page for d in (1, 15, 28))
        filtered = text_of(member.get(url, {"from": "2026-03-10", "to": "2026-03-20"}))
        assert "March 15" in filtered and "March 1<" not in filtered
        assert "March 28" not in filtered
        assert "Balance at the start: -10.00\u00a0Os" in filtered
        assert "Balance at the end: 15.00\u00a0Os" in filtered
        for bad in ({"from": "yesterday"}, {"to": "2026-13-01"}):
            assert member.get(url, bad).status_code == 400

    def test_csv(self, world, history):
        member_account, coordinator_account = history
        response = client_for(world["member"]).get(
            f"/accounts/{member_account.pk}/statement/", {"format": "csv"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["date", "description", "counterpart", "counterpart_kind",
                           "counterpart_kind_label", "amount", "amount_text", "balance_after",
                           "balance_after_text", "payment_id"]
        # Numbers for spreadsheets, and beside them the words for people (English here).
        assert [r[1:9] for r in rows[1:]] == [
            ["March 1", "Coordinator", "member", "member", "-10.00", "\u221210.00\u00a0Os",
             "-10.00", "\u221210.00\u00a0Os"],
            ["March 15", "Coordinator", "member", "member", "25.00", "25.00\u00a0Os",
             "15.00", "15.00\u00a0Os"],
            ["March 28", "Coordinator", "member", "member", "-3.00", "\u22123.00\u00a0Os",
             "12.00", "12.00\u00a0Os"]]
        payments = list(Payment.objects.order_by("created_at").values_list("pk", flat=True))
        assert [int(r[9]) for r in rows[1:]] == payments
        assert date.fromisoformat(rows[1][0][:10]) == date(2026, 3, 1)
        filtered = client_for(world["coordinator"]).get(
            f"/accounts/{coordinator_account.pk}/statement/",
            {"format": "csv", "from": "2026-03-02"})
        rows = list(csv.reader(io.StringIO(filtered.content.decode())))
        assert [r[5] for r in rows[1:]] == ["-25.00", "3.00"]

    def test_in_french_the_page_and_the_csv_write_amounts_and_labels_in_french(
            self, world, history, oseille):
        """A French reader reads "-10,00 Os" (comma, no-break space before the symbol),
        days in lower case, and in the CSV the counterpart's kind by its French label
        beside its code; the machine columns stay as they were."""
        member_account, _ = history
        services.set_limits(actor=world["coordinator"], account_id=member_account.pk,
                            debit_limit=1_000_000, credit_ceiling=None)
        services.pay(actor=world["member"], payer_id=member_account.pk,
                     payee_id=services.account_of(world["coordinator"], oseille).pk,
                     amount=123_456, description="Big")
        world["member"].language = "fr"
        world["member"].save(update_fields=["language"])
        french = client_for(world["member"], language="fr")
        url = f"/accounts/{member_account.pk}/statement/"
        page = text_of(french.get(url))
        assert "-10,00\u00a0Os" in page and "25,00\u00a0Os" in page
        assert "-1\u00a0234,56\u00a0Os" in page  # thousands grouped
        assert "1 mars 2026" in page and "10.00" not in page
        rows = list(csv.reader(io.StringIO(french.get(url, {"format": "csv"})
                                           .content.decode())))
        assert rows[1][3:9] == ["member", "membre", "-10.00", "\u221210,00\u00a0Os",
                                "-10.00", "\u221210,00\u00a0Os"]

    def test_reversal_button_for_the_receiver(self, world, history):
        member_account, coordinator_account = history
        coordinator_page = text_of(client_for(world["coordinator"]).get(
            f"/accounts/{coordinator_account.pk}/statement/"))
        assert coordinator_page.count("/reverse/") == 2  # the two payments it received
        member_page = text_of(client_for(world["member"]).get(
            f"/accounts/{member_account.pk}/statement/"))
        assert member_page.count("/reverse/") == 1


class TestOffers:
    @pytest.fixture
    def offers(self, world, oseille, accounts, frozen):
        coop = world["coop"]
        today = timezone.localdate()
        frozen(timezone.now() - timedelta(days=30))
        expired = services.publish_offer(actor=world["member"], cooperative=coop,
                                         kind="offer", title="Old bicycle repairs",
                                         category="services", price_units=500,
                                         currency=oseille,
                                         expires_on=today - timedelta(days=1))
        frozen(None)
        later = today + timedelta(days=10)
        made = {
            "veg": services.publish_offer(actor=world["member"], cooperative=coop,
                                          kind="offer", title="Vegetable baskets",
                                          description="Seasonal, organic", category="food",
                                          place="Amidonniers", price_units=1_200,
                                          currency=oseille, expires_on=later),
            "drill": services.publish_offer(actor=world["coordinator"], cooperative=coop,
                                            kind="offer", title="Drill to lend",
                                            category="tools", place="Saint-Cyprien",
                                            price_euros=300, expires_on=later),
            "ride": services.publish_offer(actor=world["coordinator"], cooperative=coop,
                                           kind="offer", title="Ride to Foix",
                                           category="transport", place="Saint-Cyprien",
                                           price_euros=500, price_units=450,
                                           currency=oseille, expires_on=later),
            "move": services.publish_offer(actor=world["coordinator"], cooperative=coop,
                                           kind="need", title="Help to move house",
                                           description="three people, organic snacks",
                                           category="services", place="Minimes",
                                           expires_on=later),
        }
        made["expired"] = expired
        return made

    def titles(self, client, **params):
        page = text_of(client.get("/bodies/cit/offers/", params))
        return {t for t in ("Vegetable baskets", "Drill to lend", "Ride to Foix",
                            "Help to move house", "Old bicycle repairs") if t in page}

    def test_search_filter_and_expired_hidden(self, world, offers):
        member = client_for(world["member"])
        assert self.titles(member) == {"Vegetable baskets", "Drill to lend", "Ride to Foix",
                                       "Help to move house"}
        assert self.titles(member, q="organic") == {"Vegetable baskets", "Help to move house"}
        assert self.titles(member, q="DRILL") == {"Drill to lend"}
        assert self.titles(member, category="tools") == {"Drill to lend"}
        assert self.titles(member, place="cyprien") == {"Drill to lend", "Ride to Foix"}
        assert self.titles(member, kind="need") == {"Help to move house"}
        assert self.titles(member, kind="offer", place="cyprien",
                           category="transport") == {"Ride to Foix"}
        assert self.titles(member, category="nonsense") == self.titles(member)

    def test_pay_for_this_button_and_prefill(self, world, offers, accounts):
        member_account, coordinator_account = accounts
        member = client_for(world["member"])
        page = text_of(member.get("/bodies/cit/offers/"))
        ride = offers["ride"]
        # Priced in Oseille, by someone else: the button. Euros only, a need, one's own
        # offer: none.
        assert f'href="/bodies/cit/economy/?offer={ride.pk}#pay"' in page
        for name in ("drill", "move", "veg"):
            assert f"?offer={offers[name].pk}" not in page, name
        form = text_of(member.get("/bodies/cit/economy/", {"offer": ride.pk}))
        assert "Paying for the offer “Ride to Foix”" in form
        assert f'<option value="{coordinator_account.pk}" selected>' in form
        assert 'name="amount" value="4.50"' in form
        assert f'name="offer" value="{ride.pk}"' in form
        data = pay_data(member_account, coordinator_account, "4.50", key=key_in(form),
                        offer=ride.pk)
        assert member.post("/bodies/cit/economy/pay/", data).status_code == 302
        payment = Payment.objects.get()
        assert payment.offer_id == ride.pk and payment.amount == 450
        # An expired offer does not prefill.
        stale = text_of(member.get("/bodies/cit/economy/", {"offer": offers["expired"].pk}))
        assert "Paying for the offer" not in stale

    def test_publish_in_the_page(self, world, oseille, accounts):
        member = client_for(world["member"])
        data = {"kind": "offer", "title": "Jam", "category": "food", "place": "Rangueil",
                "expires_on": (timezone.localdate() + timedelta(days=5)).isoformat(),
                "price_euros": "", "price_units": "3,5", "currency": oseille.pk}
        assert member.post("/bodies/cit/offers/", data).status_code == 302
        offer = Offer.objects.get()
        assert (offer.price_units, offer.currency_id, offer.author_id) == (
            350, oseille.pk, world["member"].pk)
        for bad in ({"price_units": "", "price_euros": ""},  # an offer needs a price
                    {"price_units": "1.234"},
                    {"expires_on": (timezone.localdate() - timedelta(days=1)).isoformat()}):
            response = member.post("/bodies/cit/offers/", {**data, **bad})
            assert response.status_code == 400, bad
        assert Offer.objects.count() == 1
        assert client_for(world["outsider"]).post("/bodies/cit/offers/", data) \
            .status_code == 403
        # Withdrawn by its author: it leaves the list.
        assert client_for(world["coordinator"]).post(
            f"/offers/{offer.pk}/withdraw/").status_code == 302  # a coordinator may
        assert "Jam" not in text_of(member.get("/bodies/cit/offers/"))


class TestFund:
    def record(self, client, direction, amount, category, day, decision=None):
        data = {"direction": direction, "amount": amount, "category": category,
                "description": f"{category} {day}", "happened_on": day}
        if decision is not None:
            data["decision"] = decision.pk
        return client.post("/bodies/cit/fund/", data)

    def test_running_balance_and_yearly_report(self, world, adopted):
        coordinator = client_for(world["coordinator"])
        assert self.record(coordinator, "income", "500", "contribution",
                           "2025-06-01").status_code == 302
        assert self.record(coordinator, "income", "250,50", "subsidy",
                           "2025-09-01").status_code == 302
        assert self.record(coordinator, "expense", "100", "purchase", "2025-10-01",
                           adopted).status_code == 302
        assert self.record(coordinator, "income", "40", "contribution",
                           "2026-01-10").status_code == 302
        assert self.record(coordinator, "expense", "60", "rent", "2026-02-01",
                           adopted).status_code == 302
        assert list(FundMovement.objects.order_by("pk").values_list("balance_after",
                                                                    flat=True)) == [
            50_000, 75_050, 65_050, 69_050, 63_050]
        page = text_of(client_for(world["member"]).get("/bodies/cit/fund/"))
        assert "Balance: 630.50\u00a0€" in page
        for balance in ("500.00", "750.50", "650.50", "690.50", "630.50"):
            balance += "\u00a0€"
            assert balance in page
        assert f'href="/proposals/{adopted.proposal_id}/">Buy a drill</a>' in page
        # All years: income 790.50, expenses 160.
        assert re.search(r'id="income-total"><strong>790.50\xa0€<', page)
        assert re.search(r'id="expenses-total"><strong>160.00\xa0€<', page)
        report = text_of(client_for(world["member"]).get("/bodies/cit/fund/",
                                                         {"year": "2025"}))
        assert re.search(r'id="opening">0.00\xa0€<', report)
        assert re.search(r'id="closing"><strong>650.50\xa0€<', report)
        assert re.search(r'id="income-total"><strong>750.50\xa0€<', report)
        assert re.search(r'id="expenses-total"><strong>100.00\xa0€<', report)
        assert "contribution 2026-01-10" not in report
        report = text_of(client_for(world["member"]).get("/bodies/cit/fund/",
                                                         {"year": "2026"}))
        assert re.search(r'id="opening">650.50\xa0€<', report)
        assert re.search(r'id="closing"><strong>630.50\xa0€<', report)
        assert re.search(r'class="income-contribution"><td>contribution</td>'
                         r'<td class="num">40.00\xa0€<', report)
        total = FundMovement.objects.filter(happened_on__year=2026).aggregate(
            s=Sum("amount"))["s"]
        assert total == -2_000
        assert client_for(world["member"]).get("/bodies/cit/fund/",
                                               {"year": "20x6"}).status_code == 400

    def test_csv_has_labels_beside_codes_and_french_amounts(self, world, adopted):
        coordinator = client_for(world["coordinator"])
        assert self.record(coordinator, "income", "1 500", "subsidy",
                           "2025-06-01").status_code == 302
        assert self.record(coordinator, "expense", "60", "rent", "2026-02-01",
                           adopted).status_code == 302
        world["member"].language = "fr"
        world["member"].save(update_fields=["language"])
        french = client_for(world["member"], "fr")
        page = text_of(french.get("/bodies/cit/fund/"))
        assert "1\u00a0440,00\u00a0€" in page and 'id="fund-csv"' in page
        assert "1 février 2026" in page  # the day as French writes it
        rows = list(csv.reader(io.StringIO(
            french.get("/bodies/cit/fund/", {"format": "csv"}).content.decode())))
        assert rows[0] == ["date", "description", "category", "category_label",
                           "decision_id", "decision", "amount", "amount_text",
                           "balance_after", "balance_after_text", "recorded_by",
                           "movement_id"]
        # Newest first, as the page; the code for machines, its label for people.
        assert [r[:4] + r[6:10] for r in rows[1:]] == [
            ["2026-02-01", "rent 2026-02-01", "rent", "loyer", "-60.00",
             "\u221260,00\u00a0€", "1440.00", "1\u00a0440,00\u00a0€"],
            ["2025-06-01", "subsidy 2025-06-01", "subsidy", "subvention", "1500.00",
             "1\u00a0500,00\u00a0€", "1500.00", "1\u00a0500,00\u00a0€"]]
        assert rows[1][4:6] == [str(adopted.pk), "Buy a drill"]
        assert rows[1][10] == "Coordinator"
        # A year's CSV holds that year only.
        year = list(csv.reader(io.StringIO(french.get(
            "/bodies/cit/fund/", {"format": "csv", "year": "2025"}).content.decode())))
        assert [r[0] for r in year[1:]] == ["2025-06-01"]

    def test_expense_refusals(self, world, adopted):
        coordinator = client_for(world["coordinator"])
        response = self.record(coordinator, "expense", "10", "purchase", "2026-01-01")
        assert response.status_code == 400
        assert "names the decision that allowed it" in text_of(response)
        response = self.record(coordinator, "expense", "10", "purchase", "2026-01-01",
                               adopted)
        assert response.status_code == 409 and "0.00\u00a0€ available" in text_of(response)
        assert self.record(coordinator, "income", "abc", "donation",
                           "2026-01-01").status_code == 400
        assert not FundMovement.objects.exists()
        # With an overdraft the body allows, the expense passes.
        assert coordinator.post("/bodies/cit/fund/overdraft/",
                                {"overdraft": "20"}).status_code == 302
        assert self.record(coordinator, "expense", "10", "purchase", "2026-01-01",
                           adopted).status_code == 302
        assert "Balance: -10.00\u00a0€" in text_of(coordinator.get("/bodies/cit/fund/"))
        assert client_for(world["member"]).post("/bodies/cit/fund/overdraft/",
                                                {"overdraft": "50"}).status_code == 403


class TestBoundedQueries:
    def test_economy_page(self, world, oseille, accounts, make_person,
                          django_assert_max_num_queries):
        from autogestion.cooperatives import services as bodies

        coordinator = client_for(world["coordinator"])
        member_account, coordinator_account = accounts

        def grow(n):
            for _ in range(n):
                person = make_person()
                bodies.join_body(person=person, body=world["coop"])
                account = services.account_of(person, oseille)
                services.request_payment(actor=world["coordinator"],
                                         seller_id=coordinator_account.pk,
                                         buyer_id=account.pk, amount=100)
                services.request_payment(actor=person, seller_id=account.pk,
                                         buyer_id=coordinator_account.pk, amount=100)

        grow(2)
        with django_assert_max_num_queries(10):
            assert coordinator.get("/bodies/cit/economy/").status_code == 200
        grow(25)
        with django_assert_max_num_queries(10):
            page = coordinator.get("/bodies/cit/economy/")
        assert text_of(page).count('class="row-form"') == 2 * 29

    def test_statement_offers_and_fund(self, world, oseille, accounts, adopted,
                                       django_assert_max_num_queries):
        member_account, coordinator_account = accounts
        member = client_for(world["member"])
        later = timezone.localdate() + timedelta(days=3)

        def grow(n):
            for i in range(n):
                services.pay(actor=world["member"], payer_id=member_account.pk,
                             payee_id=coordinator_account.pk, amount=10)
                services.publish_offer(actor=world["coordinator"], cooperative=world["coop"],
                                       kind="offer", title=f"Offer {i}", category="food",
                                       price_units=100, currency=oseille, expires_on=later)
                services.record_fund_movement(actor=world["coordinator"], body=world["coop"],
                                              amount=1_000, category="contribution",
                                              description="c", happened_on=date(2026, 1, 2))
                services.record_fund_movement(actor=world["coordinator"], body=world["coop"],
                                              amount=-500, category="purchase",
                                              description="p", happened_on=date(2026, 1, 3),
                                              decision=adopted)

        urls = [f"/accounts/{member_account.pk}/statement/", "/bodies/cit/offers/",
                "/bodies/cit/fund/", "/bodies/cit/fund/?year=2026"]
        grow(2)
        counts = {}
        for url in urls:
            with django_assert_max_num_queries(10) as captured:
                assert member.get(url).status_code == 200
            counts[url] = len(captured)
        grow(20)
        for url in urls:
            with django_assert_max_num_queries(counts[url]):
                assert member.get(url).status_code == 200
        page = text_of(member.get("/bodies/cit/offers/"))
        assert page.count("Pay for this") == 22
