import pytest

from autogestion.economy import services


@pytest.fixture
def oseille(world):
    return services.create_currency(actor=world["coordinator"], cooperative=world["coop"],
                                    code="oseille", name="Oseille", symbol="Os",
                                    default_debit_limit=10_000)


@pytest.fixture
def accounts(world, oseille):
    return (services.account_of(world["member"], oseille),
            services.account_of(world["coordinator"], oseille))
