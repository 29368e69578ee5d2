"""A newcomer signs up, confirms the e-mail sent over SMTP, joins the cooperative and one of
its open groups, and finds the group on the profile page.

Selectors use form field names, form actions and element ids, never visible text, so the
test holds in French (the default, and the language a new account is saved with) and in
English."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress

from autogestion.cooperatives.models import Membership

pytestmark = pytest.mark.e2e

EMAIL = "newcomer@example.org"
PASSWORD = "Tangerine-Lighthouse-4821"
CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/accounts/confirm-email/[^\s\"'<>/]+/")


def _path(page) -> str:
    return urlsplit(page.url).path


def _submit(page, button: str) -> str:
    """Press a submit button, wait for the page the form leads to; return its path."""
    with page.expect_navigation():
        page.click(button)
    return _path(page)


def _log_in(page) -> str:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    return _submit(page, 'main form[action$="/accounts/login/"] button[type=submit]')


def _confirmation_path(message) -> str:
    """The path of the confirmation link in the message, rid of any host."""
    body = message.get_body(preferencelist=("plain", "html"))
    assert body is not None, "the confirmation e-mail has no text body"
    found = CONFIRM_LINK.search(body.get_content())
    assert found, f"no confirmation link in the e-mail:\n{body.get_content()}"
    return urlsplit(found.group(0)).path


def _join(page, live_server, slug):
    page.goto(f"{live_server.url}/bodies/{slug}/")
    landed = _submit(page, f'form[action$="/bodies/{slug}/join/"] button[type=submit]')
    assert landed == f"/bodies/{slug}/", f"joining {slug} did not lead back to its page"
    # Once a member, the page offers to leave instead of to join.
    page.wait_for_selector(f'form[action$="/bodies/{slug}/leave/"] button[type=submit]')
    assert page.locator(f'form[action$="/bodies/{slug}/join/"]').count() == 0


def test_signup_verify_join_cooperative_and_open_group(live_server, world, mailbox, page):
    # Sign up with e-mail and password.
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=display_name]", "Inès")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    landed = _submit(page, 'main form[action$="/accounts/signup/"] button[type=submit]')
    assert landed == "/accounts/confirm-email/", "signing up did not ask to verify the e-mail"

    # The confirmation went out through the SMTP server, to the new address.
    messages = mailbox.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["To"] == EMAIL
    path = _confirmation_path(messages[0])
    assert not EmailAddress.objects.get(email=EMAIL).verified

    # Before verification, logging in only shows the "verification sent" page.
    landed = _log_in(page)
    assert landed == "/accounts/confirm-email/", "an unverified person could log in"
    page.goto("/profile/")
    assert _path(page) == "/accounts/login/", "an unverified person was let in"

    # Open the link from the e-mail (on the live server) and press the confirm button.
    # The form's action holds a freshly signed key, not the one mailed: match its prefix.
    page.goto(f"{live_server.url}{path}")
    landed = _submit(page, 'main form[action^="/accounts/confirm-email/"] button[type=submit]')
    assert landed != path, "pressing the confirm button did not confirm"
    assert EmailAddress.objects.get(email=EMAIL).verified

    # Confirming may log the person in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION); if not, do.
    page.goto("/profile/")
    if _path(page) != "/profile/":
        assert _log_in(page) == "/profile/", "a verified person could not log in"
    assert _path(page) == "/profile/"

    # Join the cooperative, then its open group, with the Join buttons on their pages.
    _join(page, live_server, "cit")
    _join(page, live_server, "accueil")

    # The profile lists the group among the person's memberships.
    page.goto("/profile/")
    group_link = page.locator('#my-memberships a[href="/bodies/accueil/"]')
    assert group_link.count() == 1, "the group is missing from the profile's memberships"
    assert group_link.inner_text().strip() == "Accueil"
    assert page.locator('#my-memberships a[href="/bodies/cit/"]').count() == 1
    statuses = dict(Membership.objects.filter(person__email=EMAIL)
                    .values_list("body__slug", "status"))
    assert statuses == {"cit": "active", "accueil": "active"}


# --- On a phone (issue #14) ---------------------------------------------------------------

PHONES = ((360, 740), (390, 844))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
FITS = """(height) => {
  const el = document.querySelector('[data-primary]');
  const r = el ? el.getBoundingClientRect() : null;
  return {wide: document.scrollingElement.scrollWidth > window.innerWidth,
          primary: r ? (r.width > 0 && r.top >= 0 && r.bottom <= height) : null}; }"""
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter(v => v.impact === 'critical' || v.impact === 'serious')
  .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"""


def _on_a_phone(page, path: str) -> list[str]:
    """What a phone's screen gets wrong on `path`: a page wider than the screen, a main
    action below the first screen (or none), and axe-core's critical and serious
    violations at phone and laptop widths (when axe-core is installed)."""
    problems = []
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    for width, height in PHONES:
        page.set_viewport_size({"width": width, "height": height})
        fits = page.evaluate(FITS, height)
        if fits["wide"]:
            problems.append(f"{path} at {width} px: wider than the screen")
        if not fits["primary"]:
            problems.append(f"{path} at {width}×{height}: no main action on the first screen")
    if AXE.exists():
        for width, height in ((390, 844), (1280, 800)):
            page.set_viewport_size({"width": width, "height": height})
            if not page.evaluate("typeof window.axe !== 'undefined'"):
                page.add_script_tag(content=AXE.read_text())
            problems += [f"{path} at {width} px, axe: {v}" for v in page.evaluate(AXE_RUN)]
    return problems


def test_the_way_in_on_a_phone(live_server, world, browser):
    """Sign up, log in, and join from a phone: each page fits the screen and its main
    action (sign up, log in, join) is on the first screen, without scrolling."""
    # bypass_csp: axe-core is injected as an inline script, which the site's CSP refuses.
    context = browser.new_context(locale="fr-FR", base_url=live_server.url, bypass_csp=True,
                                  extra_http_headers={"Accept-Language": "fr"},
                                  viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        problems = []
        for path in ("/accounts/signup/", "/accounts/login/", "/bodies/cit/"):
            problems += _on_a_phone(page, path)
        page.goto("/accounts/login/")
        page.fill("input[name=login]", world["outsider"].email)
        page.fill("input[name=password]", "pw-secret-123")
        assert _submit(page, "[data-primary]") == "/profile/"
        problems += _on_a_phone(page, "/bodies/cit/")
        assert not problems, "\n".join(problems)
        # The main action is the join button itself: a tap on it, and one is in.
        page.set_viewport_size({"width": 360, "height": 740})
        assert _submit(page, "[data-primary]") == "/bodies/cit/"
        assert Membership.objects.get(person=world["outsider"], body=world["coop"]).status \
            == "active"
    finally:
        context.close()
