"""Helpers for the browser tests (tests/e2e and the few browser tests of an app)."""

PASSWORD = "pw-secret-123"  # the `make_person` fixture's (tests/conftest.py)


def log_in(page, person, password: str = PASSWORD) -> None:
    """Log `person` in through the site's own log-in page, as a person would."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", person.email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click('main form[action$="/accounts/login/"] button[type=submit]')
