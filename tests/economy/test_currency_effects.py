"""A currency's euro value and default limits change only by a decision of its
cooperative (issue #13, R16): the effects `economy.currency_value` (class statutes) and
`economy.currency_limits` (class executive) check their parameters and apply them with
a log naming the decision, atomically; no page or endpoint changes them directly."""

from decimal import Decimal
from unittest import mock

import pytest

from autogestion.core import registry
from autogestion.core.errors import DomainError
from autogestion.economy import effects, services
from autogestion.economy.models import Account, Currency, CurrencyChange
from tests.support.http import api_client, client_for
from tests.support.services import refused_unchanged

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(world):
    """An adopted decision of the CIT (its class does not matter to apply())."""
    from autogestion.decisions import services as decisions

    proposal = decisions.create_proposal(actor=world["member"], body=world["coop"],
                                         title="Anything", text="Anything",
                                         decision_class="executive")
    current = proposal.rounds.get()
    for person in ("member", "coordinator"):
        decisions.take_position(person=world[person], round_id=current.pk,
                                stance="fully_agree")
    decisions.close_round(actor=world["coordinator"], round_id=current.pk)
    return proposal.decisions.get()


def state():
    return (list(Currency.objects.order_by("pk").values_list(
        "euro_rate", "default_debit_limit", "default_credit_ceiling")),
        CurrencyChange.objects.count())


def test_declared_in_the_registry():
    found = registry.decision_effects()
    assert found[effects.VALUE].decision_class == "statutes"
    assert found[effects.LIMITS].decision_class == "executive"
    for kind in (effects.VALUE, effects.LIMITS):
        assert found[kind].form.startswith("autogestion.economy.effects.")


class TestTheValue:
    def test_check_cleans_and_checks_again_the_same(self, world, oseille):
        cleaned = effects.check_value(world["member"], world["coop"],
                                      {"currency": "oseille", "euro_rate": "0,50"})
        assert cleaned == {"currency": "oseille", "euro_rate": "0.5"}
        assert effects.check_value(None, world["coop"], cleaned) == cleaned
        assert "0.5 €" in effects.describe_value(world["coop"], cleaned)
        assert effects.title_value(world["coop"], cleaned) == "Euro value of Oseille: 0.5 €"

    @pytest.mark.parametrize(("params", "field", "message"), [
        ({"currency": "oseille", "euro_rate": "0"}, "euro_rate", "positive number"),
        ({"currency": "oseille", "euro_rate": "-1"}, "euro_rate", "positive number"),
        ({"currency": "oseille", "euro_rate": "abc"}, "euro_rate", "positive number"),
        ({"currency": "oseille", "euro_rate": "NaN"}, "euro_rate", "positive number"),
        ({"currency": "oseille", "euro_rate": "0.0000001"}, "euro_rate", "6 decimals"),
        ({"currency": "oseille", "euro_rate": "1000000"}, "euro_rate", "below a million"),
        ({"currency": "oseille", "euro_rate": 0.5}, "euro_rate", "Give the new euro value"),
        ({"currency": "oseille"}, "euro_rate", "Give the new euro value"),
        ({"currency": "oseille", "euro_rate": "1"}, "euro_rate", "already worth 1 €"),
        ({"currency": "nowhere", "euro_rate": "2"}, "currency", "Choose a currency of CIT"),
        ({"euro_rate": "2"}, "currency", "Choose a currency of CIT"),
        ({"currency": "oseille", "euro_rate": "2", "x": 1}, "x", "Unknown parameter"),
    ])
    def test_refusals(self, world, oseille, params, field, message):
        with pytest.raises(DomainError) as refused:
            effects.check_value(world["member"], world["coop"], params)
        assert refused.value.field == field and message in refused.value.message

    def test_only_the_cooperative_of_the_currency(self, world, oseille):
        with pytest.raises(DomainError, match="Choose a currency of Other coop"):
            effects.check_value(world["other_coordinator"], world["other"],
                                {"currency": "oseille", "euro_rate": "2"})
        with pytest.raises(DomainError, match="Only a cooperative"):
            effects.check_value(world["member"], world["open_group"],
                                {"currency": "oseille", "euro_rate": "2"})

    def test_apply_changes_the_value_and_names_the_decision(self, world, oseille, decision):
        params = effects.check_value(world["member"], world["coop"],
                                     {"currency": "oseille", "euro_rate": "0.5"})
        effects.apply_value(world["coop"], params, decision)
        oseille.refresh_from_db()
        assert oseille.euro_rate == Decimal("0.5")
        change = CurrencyChange.objects.get()
        assert (change.currency, change.kind, change.decision_id, change.proposal_id) == (
            oseille, "value", decision.pk, decision.proposal_id)
        assert (change.before, change.after) == ({"euro_rate": "1"}, {"euro_rate": "0.5"})
        # The currency page and the API say which decision changed it.
        page = client_for(world["member"]).get(f"/currencies/{oseille.pk}/").content.decode()
        assert f"/proposals/{decision.proposal_id}/" in page
        assert f"decision n° {decision.pk}" in page and "0.5 €" in page
        answer = api_client(world["member"]).get(f"/api/currencies/{oseille.pk}").json()
        assert answer["euro_rate"] == "0.5"
        assert answer["changes"][0] | {"at": None} == {
            "kind": "value", "before": {"euro_rate": "1"}, "after": {"euro_rate": "0.5"},
            "decision_id": decision.pk, "proposal_id": decision.proposal_id, "at": None}

    def test_apply_is_whole_or_nothing(self, world, oseille, decision):
        params = {"currency": "oseille", "euro_rate": "0.5"}
        with mock.patch.object(CurrencyChange.objects, "create",
                               side_effect=DomainError("log refused")):
            refused_unchanged(DomainError, effects.apply_value, state, body=world["coop"],
                              params=params, decision=decision)
        refused_unchanged(DomainError, effects.apply_value, state, body=world["coop"],
                          params={"currency": "oseille", "euro_rate": "-2"},
                          decision=decision)
        refused_unchanged(DomainError, effects.apply_value, state, body=world["coop"],
                          params=params, decision=None)

    def test_clearing_follows_the_new_value(self, world, oseille, accounts, decision):
        eco = services.create_currency(actor=world["other_coordinator"],
                                       cooperative=world["other"], code="eco", name="ECO",
                                       symbol="ECO", euro_rate="1")
        payee = services.account_of(world["other_coordinator"], eco)
        effects.apply_value(world["coop"], {"currency": "oseille", "euro_rate": "2"},
                            decision)
        _paid, received = services.pay_across(actor=world["member"], payer_id=accounts[0].pk,
                                              payee_id=payee.pk, amount=1_000)
        assert received.amount == 2_000


class TestTheLimits:
    def test_check_cleans_in_the_currency_units(self, world, oseille):
        cleaned = effects.check_limits(world["member"], world["coop"], {
            "currency": "oseille", "default_debit_limit": "250",
            "default_credit_ceiling": "1 000,5"})
        assert cleaned == {"currency": "oseille", "default_debit_limit": "250.00",
                           "default_credit_ceiling": "1000.50"}
        assert effects.check_limits(None, world["coop"], cleaned) == cleaned
        none = effects.check_limits(world["member"], world["coop"], {
            "currency": "oseille", "default_debit_limit": 50, "default_credit_ceiling": ""})
        assert none["default_credit_ceiling"] is None and none["default_debit_limit"] == "50.00"
        assert "no maximum" in effects.describe_limits(world["coop"], none)
        # Written for people: the limit below zero, thousands grouped.
        described = effects.describe_limits(world["coop"], cleaned)
        assert "down to -250.00\u00a0Os and up to 1,000.50\u00a0Os" in described

    @pytest.mark.parametrize(("params", "field", "message"), [
        ({"default_debit_limit": "-1"}, "default_debit_limit", "zero or more"),
        ({"default_debit_limit": "1.001"}, "default_debit_limit", "decimals"),
        ({"default_debit_limit": None}, "default_debit_limit", "Give an amount"),
        ({"default_debit_limit": "10", "default_credit_ceiling": "0"},
         "default_credit_ceiling", "more than zero"),
        ({"default_debit_limit": "10", "default_credit_ceiling": "-5"},
         "default_credit_ceiling", "more than zero"),
        ({"default_debit_limit": "100"}, "default_debit_limit", "already the default"),
    ])
    def test_refusals(self, world, oseille, params, field, message):
        with pytest.raises(DomainError) as refused:
            effects.check_limits(world["member"], world["coop"],
                                 {"currency": "oseille", **params})
        assert refused.value.field == field and message in refused.value.message

    def test_apply_changes_the_defaults_of_new_accounts_only(self, world, oseille, accounts,
                                                             decision):
        effects.apply_limits(world["coop"], {"currency": "oseille",
                                             "default_debit_limit": "250",
                                             "default_credit_ceiling": "900"}, decision)
        oseille.refresh_from_db()
        assert (oseille.default_debit_limit, oseille.default_credit_ceiling) == (25_000,
                                                                                  90_000)
        change = CurrencyChange.objects.get()
        assert change.kind == "limits" and change.decision_id == decision.pk
        assert change.before == {"default_debit_limit": "100.00",
                                 "default_credit_ceiling": None}
        assert change.after == {"default_debit_limit": "250.00",
                                "default_credit_ceiling": "900.00"}
        assert Account.objects.get(pk=accounts[0].pk).debit_limit == 10_000
        group = services.open_body_account(actor=world["coordinator"], currency=oseille,
                                           body=world["open_group"])
        assert (group.debit_limit, group.credit_ceiling) == (25_000, 90_000)

    def test_apply_is_whole_or_nothing(self, world, oseille, decision):
        with mock.patch.object(CurrencyChange.objects, "create",
                               side_effect=DomainError("log refused")):
            refused_unchanged(DomainError, effects.apply_limits, state, body=world["coop"],
                              params={"currency": "oseille", "default_debit_limit": "5"},
                              decision=decision)


class TestForms:
    def test_value_form_gives_the_params(self, world, oseille):
        form = effects.CurrencyValueForm({"currency": "oseille", "euro_rate": "0,25"},
                                         body=world["coop"])
        assert form.is_valid(), form.errors
        assert form.cleaned_data == {"currency": "oseille", "euro_rate": "0.25"}
        bad = effects.CurrencyValueForm({"currency": "oseille", "euro_rate": "-3"},
                                        body=world["coop"])
        assert not bad.is_valid() and "positive number" in bad.errors["euro_rate"][0]
        other = effects.CurrencyValueForm({"currency": "oseille", "euro_rate": "2"},
                                          body=world["other"])
        assert not other.is_valid() and "currency" in other.errors

    def test_limits_form_gives_the_params(self, world, oseille):
        form = effects.CurrencyLimitsForm({"currency": "oseille", "default_debit_limit": "20",
                                           "default_credit_ceiling": ""},
                                          body=world["coop"])
        assert form.is_valid(), form.errors
        assert form.cleaned_data == {"currency": "oseille", "default_debit_limit": "20.00",
                                     "default_credit_ceiling": None}
        bad = effects.CurrencyLimitsForm({"currency": "oseille", "default_debit_limit": "20",
                                          "default_credit_ceiling": "0"}, body=world["coop"])
        assert not bad.is_valid()
        assert "more than zero" in bad.errors["default_credit_ceiling"][0]


class TestNoDirectChange:
    def test_no_endpoint_changes_a_currency(self, world, oseille):
        before = state()
        url = f"/api/currencies/{oseille.pk}"
        for who in ("coordinator", "operator"):
            api = api_client(world[who])
            for verb in (api.put, api.patch):
                assert verb(url, {"euro_rate": "5", "default_debit_limit": "0"}) \
                    .status_code == 405
            assert api.post(url, {"euro_rate": "5"}).status_code == 405
            assert client_for(world[who]).post(f"/currencies/{oseille.pk}/",
                                               {"euro_rate": "5"}).status_code == 405
        assert state() == before

    def test_only_creation_takes_a_value_in_the_openapi(self):
        from autogestion.core.api import api

        document = api.get_openapi_schema()
        schemas = document["components"]["schemas"]
        taking = []
        for path, operations in document["paths"].items():
            for verb, operation in operations.items():
                ref = (operation.get("requestBody", {}).get("content", {})
                       .get("application/json", {}).get("schema", {}).get("$ref", ""))
                properties = schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
                if {"euro_rate", "default_debit_limit"} & set(properties):
                    taking.append(f"{verb.upper()} {path}")
        assert taking == ["POST /api/bodies/{slug}/currencies"]

    def test_the_page_proposes_a_change_instead(self, world, oseille):
        page = client_for(world["member"]).get(f"/currencies/{oseille.pk}/").content.decode()
        assert 'href="/bodies/cit/changes/economy.currency_value/?currency=oseille"' in page
        assert 'href="/bodies/cit/changes/economy.currency_limits/?currency=oseille"' in page
        assert 'name="euro_rate"' not in page


class TestByDecision:
    """The whole way: a member proposes, the cooperative decides, the change applies."""

    def _adopt(self, world, proposal, stance):
        from autogestion.decisions import services as decisions

        current = proposal.rounds.get()
        for person in ("member", "coordinator"):
            decisions.take_position(person=world[person], round_id=current.pk, stance=stance)
        decisions.close_round(actor=world["coordinator"], round_id=current.pk)
        return proposal.decisions.get()

    def test_the_value_by_consensus(self, world, oseille):
        from autogestion.decisions import services as decisions

        proposal = decisions.propose_change(actor=world["member"], body=world["coop"],
                                            kind=effects.VALUE,
                                            params={"currency": "oseille",
                                                    "euro_rate": "0.8"})
        assert (proposal.decision_class, proposal.method) == ("statutes", "consensus")
        oseille.refresh_from_db()
        assert oseille.euro_rate == 1  # nothing until adopted
        decision = self._adopt(world, proposal, "agree")
        oseille.refresh_from_db()
        assert oseille.euro_rate == Decimal("0.8")
        assert CurrencyChange.objects.get().decision_id == decision.pk

    def test_the_limits_by_consent(self, world, oseille):
        from autogestion.decisions import services as decisions

        proposal = decisions.propose_change(actor=world["member"], body=world["coop"],
                                            kind=effects.LIMITS,
                                            params={"currency": "oseille",
                                                    "default_debit_limit": "40"})
        assert (proposal.decision_class, proposal.method) == ("executive", "consent")
        self._adopt(world, proposal, "fully_agree")
        oseille.refresh_from_db()
        assert oseille.default_debit_limit == 4_000

    def test_a_bad_change_is_not_even_proposed(self, world, oseille):
        from autogestion.decisions import services as decisions
        from autogestion.decisions.models import Proposal

        with pytest.raises(DomainError, match="positive number"):
            decisions.propose_change(actor=world["member"], body=world["coop"],
                                     kind=effects.VALUE,
                                     params={"currency": "oseille", "euro_rate": "-1"})
        assert not Proposal.objects.exists()


def test_the_currency_page_reads_its_changes_in_few_queries(world, oseille, decision,
                                                            django_assert_max_num_queries):
    for rate in ("2", "3", "4", "5", "6"):
        effects.apply_value(world["coop"], {"currency": "oseille", "euro_rate": rate},
                            decision)
    client = client_for(world["member"])
    client.get(f"/currencies/{oseille.pk}/")  # warm the session and caches
    with django_assert_max_num_queries(12):
        page = client.get(f"/currencies/{oseille.pk}/")
    assert page.content.decode().count('id="change-') == 5
    api = api_client(world["member"])
    api.get(f"/api/currencies/{oseille.pk}")
    with django_assert_max_num_queries(12):
        answer = api.get(f"/api/currencies/{oseille.pk}")
    assert [c["after"]["euro_rate"] for c in answer.json()["changes"]] == [
        "6", "5", "4", "3", "2"]
