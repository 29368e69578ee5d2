"""Under the Content-Security-Policy the pages still work in a real browser, and the
browser reports no violation: the language switch (a script of ours) and htmx load."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_language_switch_works_and_nothing_is_refused(page, world):
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto("/bodies/cit/")
    assert page.locator("html").get_attribute("lang") == "en"  # the browser's language
    assert page.evaluate("typeof htmx") == "object"
    with page.expect_navigation():
        page.select_option("#lang-select", "fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto("/api/docs")
    # Swagger UI (ninja's own static files) ran and rendered the document's title.
    page.locator("#swagger-ui").get_by_text("Autogestion API").first.wait_for(
        state="attached", timeout=60_000)
    assert refused == []
