"""In Chromium: the site's service worker (/sw.js, which imports
notifications/push-sw.js) shows what a push carries, and the settings page's script
runs under the site's CSP.

The push service is left out here (Chromium's is Google's, on the internet): the
DevTools protocol hands the worker the message as the browser would after decrypting
it, made by the same code the delivery task uses. Encryption and the VAPID signature
are tested against a local push service in test_push.py."""

import json

import pytest
from django.utils.translation import gettext_noop

from autogestion.notifications import push, services, tasks
from autogestion.notifications.models import Kind
from tests.e2e.conftest import browser, chromium_path  # noqa: F401 - fixtures
from tests.support.browser import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def tab(browser, live_server):  # noqa: F811 - the fixture imported above
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(10_000)
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _deliver(page, live_server, data: bytes) -> list:
    """Hand `data` to the page's service worker as a push, and return the notifications
    it shows (title, body, data)."""
    page.evaluate("navigator.serviceWorker.register('/sw.js')"
                  ".then(() => navigator.serviceWorker.ready).then(() => true)")
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    [registration] = [r for r in registrations if not r["isDeleted"]]
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": live_server.url, "registrationId": registration["registrationId"],
        "data": data.decode()})
    shown = []
    for _ in range(50):  # the worker shows it in its own time
        shown = page.evaluate("navigator.serviceWorker.ready.then(r => r.getNotifications())"
                              ".then(found => found.map(n => [n.title, n.body, n.data]))")
        if shown:
            break
        page.wait_for_timeout(100)
    return shown


@pytest.mark.django_db(transaction=True)
def test_the_service_worker_shows_the_push(live_server, tab, make_person):
    ines = make_person("Inès", language="fr")
    [notification] = services.notify(
        [ines], Kind.ROUND_OPEN, title=gettext_noop("New round on “%(title)s” (%(body)s)"),
        params={"title": "Four à pain", "body": "Les Champs Communs"}, url="/decisions/")
    log_in(tab, ines)
    tab.goto("/notifications/settings/")
    # push.js ran (no inline script: the CSP allows none) and says where this device is.
    tab.wait_for_function("document.getElementById('push-status').textContent !== ''")
    assert tab.is_visible("#push-on") and not tab.is_visible("#push-off")
    assert not tab.is_visible("#push-unsupported")

    data = push.message(title=notification.title, body=notification.body,
                        url=tasks.open_address(notification))
    shown = _deliver(tab, live_server, data)
    assert shown == [["Nouveau tour sur «\u00a0Four à pain\u00a0» (Les Champs Communs)", "",
                      {"url": f"{live_server.url}/notifications/{notification.pk}/"}]]


@pytest.mark.django_db(transaction=True)
def test_a_push_never_leads_to_another_site(live_server, tab, make_person):
    ines = make_person("Inès")
    log_in(tab, ines)
    tab.goto("/notifications/")
    data = json.dumps({"title": "x", "body": "y", "url": "https://evil.example/"}).encode()
    [[_title, _body, target]] = _deliver(tab, live_server, data)
    assert target == {"url": f"{live_server.url}/notifications/"}
