"""A shared browser: logging out stops its pushes, so that the next person to use it never
sees the notifications of the one who left. Push addresses that are local numbers in
disguise, or not plain ASCII, are refused."""

import json

import pytest

from autogestion.notifications.models import PushSubscription
from tests.support.http import api_client, client_for, refused

FCM = "https://fcm.googleapis.com/fcm/send/"


def _keys(browser_keys) -> dict:
    keys = browser_keys()
    return {"p256dh": keys.p256dh, "auth": keys.auth}


@pytest.mark.django_db
def test_logging_out_forgets_this_browser_s_subscription_only(make_person, browser_keys):
    ines = make_person("Inès")
    browser = client_for(ines)
    answer = browser.post("/api/notifications/subscriptions", json.dumps(
        {"endpoint": FCM + "this-browser", "keys": _keys(browser_keys)}),
        content_type="application/json")
    assert answer.status_code == 201
    # Her phone, registered elsewhere (another session), keeps receiving.
    phone = api_client(ines).post("/api/notifications/subscriptions", {
        "endpoint": FCM + "her-phone", "keys": _keys(browser_keys)})
    assert phone.status_code == 201
    browser.post("/accounts/logout/")
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        FCM + "her-phone"]


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", [
    "https://127.1/push", "https://0177.0.0.1/push", "https://10.1/push",
    "https://169.254.43518/push", "https://push.example.org/é" + "界" * 10])
def test_local_numbers_in_disguise_and_non_ascii_addresses_are_refused(
        make_person, browser_keys, endpoint):
    answer = api_client(make_person()).post("/api/notifications/subscriptions", {
        "endpoint": endpoint, "keys": _keys(browser_keys)})
    refused(answer, 400, field="endpoint")
    assert not PushSubscription.objects.exists()
