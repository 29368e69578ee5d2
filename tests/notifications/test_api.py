"""The notifications API: one's own list, reading, preferences and devices; another
person's things are not found; bad input is refused with a message naming the field."""

import pytest
from django.utils.translation import gettext_noop

from autogestion.notifications import services
from autogestion.notifications.models import Kind, Notification, PushPreference, PushSubscription
from tests.support.http import api_client, refused

FCM = "https://fcm.googleapis.com/fcm/send/dGhpcyBpcyBhIGJyb3dzZXI"


@pytest.fixture
def people(db, make_person):
    return make_person("Inès"), make_person("Paul")


def _notify(person, n=1, kind=Kind.PAYMENT_REQUEST):
    return [services.notify([person], kind, title=gettext_noop("Notifications"),
                            url="/economy/")[0] for _ in range(n)]


def _subscription(browser_keys, endpoint=FCM) -> dict:
    keys = browser_keys()
    return {"endpoint": endpoint, "keys": {"p256dh": keys.p256dh, "auth": keys.auth}}


# Notifications ---------------------------------------------------------------------------

def test_the_list_is_mine_newest_first_and_paginated(people):
    ines, paul = people
    first, second, third = _notify(ines, 3)
    _notify(paul, 2)
    services.read_notification(person=ines, notification_id=first.pk)
    answer = api_client(ines).get("/api/notifications", {"limit": 2})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["count"], body["unread"], body["limit"], body["offset"]) == (3, 2, 2, 0)
    # Same moment (the frozen clock): the newest is the last made.
    assert [n["id"] for n in body["items"]] == [third.pk, second.pk]
    assert body["items"][0]["kind_label"] == "A payment request to me"
    rest = api_client(ines).get("/api/notifications", {"limit": 2, "offset": 2}).json()
    assert [n["id"] for n in rest["items"]] == [first.pk]
    assert rest["items"][0]["read_at"] is not None
    unread = api_client(ines).get("/api/notifications", {"unread": "true"}).json()
    assert [n["id"] for n in unread["items"]] == [third.pk, second.pk]


def test_a_page_too_large_is_refused(people):
    refused(api_client(people[0]).get("/api/notifications", {"limit": 1000}), 422,
            contains="limit")


def test_reading_one_marks_it_read_once(people):
    ines, _paul = people
    [notification] = _notify(ines)
    client = api_client(ines)
    first = client.post(f"/api/notifications/{notification.pk}/read")
    assert first.status_code == 200 and first.json()["read_at"] is not None
    again = client.post(f"/api/notifications/{notification.pk}/read")
    assert again.json()["read_at"] == first.json()["read_at"]


def test_another_persons_notification_is_not_found(people):
    ines, paul = people
    [hers] = _notify(ines)
    refused(api_client(paul).post(f"/api/notifications/{hers.pk}/read"), 404,
            contains="no notification with this number")
    assert Notification.objects.get(pk=hers.pk).read_at is None
    refused(api_client(paul).post("/api/notifications/999999/read"), 404,
            contains="no notification with this number")


def test_read_all_marks_only_mine(people):
    ines, paul = people
    _notify(ines, 2)
    [his] = _notify(paul)
    answer = api_client(ines).post("/api/notifications/read-all")
    assert answer.json() == {"marked": 2}
    assert not Notification.objects.filter(person=ines, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=his.pk).read_at is None


def test_signed_out_gets_401(db):
    assert api_client(None).get("/api/notifications").status_code == 401
    assert api_client(None).post("/api/notifications/subscriptions", {}).status_code == 401


# Preferences -----------------------------------------------------------------------------

def test_preferences_are_off_until_chosen(people):
    answer = api_client(people[0]).get("/api/notifications/preferences").json()
    assert [p["kind"] for p in answer] == Kind.values
    assert not any(p["push"] for p in answer)


def test_changing_some_preferences_keeps_the_others(people):
    ines, paul = people
    client = api_client(ines)
    client.patch("/api/notifications/preferences", {"push": {"round_open": True,
                                                              "payment_request": True}})
    answer = client.patch("/api/notifications/preferences", {"push": {"round_open": False}})
    assert answer.status_code == 200
    assert {p["kind"] for p in answer.json() if p["push"]} == {"payment_request"}
    assert not PushPreference.objects.filter(person=paul).exists()


def test_an_unknown_kind_is_refused_and_nothing_changes(people):
    ines, _paul = people
    answer = api_client(ines).patch("/api/notifications/preferences",
                                    {"push": {"round_open": True, "gossip": True}})
    refused(answer, 400, field="push.gossip", contains="gossip is not a kind of notification")
    assert not PushPreference.objects.exists()


def test_a_preference_must_be_true_or_false(people):
    refused(api_client(people[0]).patch("/api/notifications/preferences",
                                        {"push": {"round_open": "yes"}}), 422,
            contains="push.round_open")


# Devices ---------------------------------------------------------------------------------

def test_the_push_key_is_the_instances(people):
    ines, paul = people
    key = api_client(ines).get("/api/notifications/push-key").json()["public_key"]
    assert api_client(paul).get("/api/notifications/push-key").json()["public_key"] == key
    assert len(key) == 87  # 65 bytes in base64url without padding


def test_subscribe_list_and_unsubscribe(people, browser_keys):
    ines, _paul = people
    client = api_client(ines)
    made = client.post("/api/notifications/subscriptions", _subscription(browser_keys))
    assert made.status_code == 201, made.content
    device = made.json()
    assert device["origin"] == "https://fcm.googleapis.com"
    # The same browser again (its keys renewed): the same device, 200.
    again = client.post("/api/notifications/subscriptions", _subscription(browser_keys))
    assert again.status_code == 200 and again.json()["id"] == device["id"]
    assert [d["id"] for d in client.get("/api/notifications/subscriptions").json()] \
        == [device["id"]]
    gone = client.delete(f"/api/notifications/subscriptions/{device['id']}")
    assert gone.status_code == 204
    assert not PushSubscription.objects.exists()


def test_another_persons_device_is_not_found(people, browser_keys):
    ines, paul = people
    device = api_client(ines).post("/api/notifications/subscriptions",
                                   _subscription(browser_keys)).json()
    refused(api_client(paul).delete(f"/api/notifications/subscriptions/{device['id']}"), 404,
            contains="no device with this number")
    assert api_client(paul).get("/api/notifications/subscriptions").json() == []
    assert PushSubscription.objects.filter(pk=device["id"], person=ines).exists()


def test_a_browser_signed_in_by_someone_else_becomes_theirs(people, browser_keys):
    """Inès signed out, Paul signed in on the same browser and turned notifications on:
    her notifications no longer reach it."""
    ines, paul = people
    api_client(ines).post("/api/notifications/subscriptions", _subscription(browser_keys))
    answer = api_client(paul).post("/api/notifications/subscriptions",
                                   _subscription(browser_keys))
    assert answer.status_code == 200
    assert PushSubscription.objects.get().person == paul


@pytest.mark.parametrize(("endpoint", "message"), [
    ("", "Send the endpoint"),
    ("fcm.googleapis.com/fcm/send/x", "must be an https:// address"),
    ("http://push.example.org/x", "must start with https://"),
    ("https://127.0.0.1/push", "not a local or private address"),
    ("https://10.1.2.3:8443/push", "not a local or private address"),
    ("https://[::1]/push", "not a local or private address"),
    ("https://localhost/push", "not a local or private address"),
    ("https://pushserver/x", "not a local or private address"),
    ("https://user:pw@fcm.googleapis.com/x", "must be an https:// address"),
    ("https://fcm.googleapis.com:notaport/x", "must be an https:// address"),
    ("https://[fe80::1%25eth0]/x", "not a local or private address"),
    ("https://push_service.example/x", "must be an https:// address"),
    ("https://fcm.googleapis.com/" + "x" * 2000, "longer than 2000"),
])
def test_an_endpoint_that_is_no_push_service_is_refused(people, browser_keys, endpoint,
                                                        message, settings):
    settings.AUTOGESTION_PUSH_LOCAL_ENDPOINTS = False
    body = _subscription(browser_keys, endpoint=endpoint)
    status = 422 if len(endpoint) > 2000 else 400
    answer = refused(api_client(people[0]).post("/api/notifications/subscriptions", body),
                     status, contains="" if status == 422 else message)
    if status == 400:
        assert answer["field"] == "endpoint"
    assert not PushSubscription.objects.exists()


def test_a_local_push_service_needs_the_setting(people, browser_keys, settings):
    body = _subscription(browser_keys, endpoint="http://127.0.0.1:8999/push/1")
    settings.AUTOGESTION_PUSH_LOCAL_ENDPOINTS = False
    refused(api_client(people[0]).post("/api/notifications/subscriptions", body), 400,
            field="endpoint")
    settings.AUTOGESTION_PUSH_LOCAL_ENDPOINTS = True
    assert api_client(people[0]).post("/api/notifications/subscriptions",
                                      body).status_code == 201
    # Even then, plain HTTP to a host on the internet is refused.
    outside = _subscription(browser_keys, endpoint="http://push.example.org/1")
    refused(api_client(people[0]).post("/api/notifications/subscriptions", outside), 400,
            contains="must start with https://")


@pytest.mark.parametrize(("keys", "field", "message"), [
    ({"p256dh": "not base64!", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}, "keys.p256dh", "base64url"),
    ({"p256dh": "BAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}, "keys.p256dh", "P-256 public key"),
    # 65 bytes, but not a point of the curve.
    ({"p256dh": "BA" + "A" * 85, "auth": "AAAAAAAAAAAAAAAAAAAAAA"}, "keys.p256dh",
     "P-256 public key"),
    (None, "keys.auth", "16-byte secret"),
])
def test_keys_that_are_no_browsers_are_refused(people, browser_keys, keys, field, message):
    good = browser_keys()
    keys = keys or {"p256dh": good.p256dh, "auth": "AAAA"}
    answer = api_client(people[0]).post("/api/notifications/subscriptions",
                                        {"endpoint": FCM, "keys": keys})
    refused(answer, 400, field=field, contains=message)
    assert not PushSubscription.objects.exists()


def test_missing_keys_are_refused_by_the_schema(people):
    answer = api_client(people[0]).post("/api/notifications/subscriptions",
                                        {"endpoint": FCM})
    body = refused(answer, 422, contains="keys")
    assert body["errors"][0]["field"] == "keys"


def test_a_person_has_a_bounded_number_of_devices(people, browser_keys):
    ines, _paul = people
    client = api_client(ines)
    for n in range(services.MAX_DEVICES):
        assert client.post("/api/notifications/subscriptions",
                           _subscription(browser_keys, f"{FCM}{n}")).status_code == 201
    refused(client.post("/api/notifications/subscriptions",
                        _subscription(browser_keys, f"{FCM}-more")), 409,
            contains="remove one you no longer use")
    # An existing device still renews its keys.
    assert client.post("/api/notifications/subscriptions",
                       _subscription(browser_keys, f"{FCM}0")).status_code == 200


def test_the_list_costs_the_same_queries_for_many(people, django_assert_max_num_queries):
    ines, _paul = people
    client = api_client(ines)
    _notify(ines, 2)
    client.get("/api/notifications")
    # The session, the person, the page, how many, how many unread.
    with django_assert_max_num_queries(5) as few:
        client.get("/api/notifications")
    _notify(ines, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/notifications").json()["items"]) == 30
