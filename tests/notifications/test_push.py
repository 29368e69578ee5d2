"""Web Push, for real: a push service on 127.0.0.1 receives what the instance sends; the
test decrypts it with the keys its "browser" made (RFC 8291, aes128gcm) and checks the
VAPID signature (RFC 8292) with the instance's public key. No outside service."""

import json
import time
from urllib.parse import urlsplit

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.utils.translation import gettext_noop

from autogestion.notifications import services, tasks
from autogestion.notifications.models import Kind, Notification, PushSubscription, VapidKey
from tests.notifications.conftest import unb64url


@pytest.fixture
def subscribed(db, make_person, push_service, browser_keys):
    """A person who opted in for payment requests, with one subscribed device."""
    def make(name="Inès", *, kinds=(Kind.PAYMENT_REQUEST,), device="device-1",
             language="en"):
        person = make_person(name, language=language)
        services.set_push_preferences(person=person, changes=dict.fromkeys(kinds, True))
        keys = browser_keys()
        services.add_push_subscription(person=person, endpoint=push_service.endpoint(device),
                                       p256dh=keys.p256dh, auth=keys.auth)
        return person, keys

    return make


def notify_now(people, kind=Kind.PAYMENT_REQUEST, capture=None, **texts):
    """notify() in a transaction, its after-commit delivery run (the tests' task
    backend runs the task at once)."""
    with capture(execute=True):
        return services.notify(
            people, kind, title=texts.get("title", gettext_noop("Payment request from %(name)s")),
            body=texts.get("body", gettext_noop("%(amount)s for the vegetables")),
            params=texts.get("params", {"name": "Coopérative des Champs", "amount": "38,00 Os"}),
            url=texts.get("url", "/economy/requests/7/"))


def decrypt(received, keys) -> dict:
    assert received.headers["content-encoding"] == "aes128gcm"
    plain = http_ece.decrypt(received.body, private_key=keys.private_key,
                             auth_secret=keys.auth_secret, dh=None, version="aes128gcm")
    return json.loads(plain)


def vapid_claims(received, endpoint: str) -> dict:
    """The VAPID Authorization header checked as a push service does: the JWT's ES256
    signature with the key it names, that key the instance's, the claims in force."""
    scheme, _space, params = received.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(part.split("=", 1) for part in params.split(","))
    assert parts["k"] == VapidKey.objects.get().public_key
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    raw = unb64url(signature_b64)
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                     int.from_bytes(raw[32:], "big"))
    public.verify(signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(unb64url(claims_b64))
    origin = urlsplit(endpoint)
    assert claims["aud"] == f"{origin.scheme}://{origin.netloc}"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"].startswith(("mailto:", "https://"))
    return claims


def test_a_payment_request_reaches_the_device_encrypted_and_signed(
        subscribed, push_service, django_capture_on_commit_callbacks):
    person, keys = subscribed()
    [notification] = notify_now([person], capture=django_capture_on_commit_callbacks)

    [received] = push_service.requests_to("device-1")
    assert decrypt(received, keys) == {
        "title": "Payment request from Coopérative des Champs",
        "body": "38,00 Os for the vegetables",
        # Tapping it opens the notification, which marks it read and goes on.
        "url": f"/notifications/{notification.pk}/"}
    vapid_claims(received, push_service.endpoint("device-1"))
    assert int(received.headers["ttl"]) == 24 * 3600
    device = PushSubscription.objects.get()
    assert device.last_success_at is not None and device.failures == 0


def test_the_push_is_in_each_persons_language(subscribed, push_service,
                                              django_capture_on_commit_callbacks):
    """A French member reads a French push, an English one an English push, whoever
    acted and in whatever language."""
    french, french_keys = subscribed("Inès", kinds=(Kind.ROUND_OPEN,), device="fr",
                                     language="fr")
    english, english_keys = subscribed("Ann", kinds=(Kind.ROUND_OPEN,), device="en")
    notify_now([french, english], Kind.ROUND_OPEN, capture=django_capture_on_commit_callbacks,
               title=gettext_noop("New round on “%(title)s” (%(body)s)"), body="",
               params={"title": "Four à pain", "body": "Les Champs Communs"})
    assert decrypt(push_service.requests_to("fr")[0], french_keys)["title"] \
        == "Nouveau tour sur «\u00a0Four à pain\u00a0» (Les Champs Communs)"
    assert decrypt(push_service.requests_to("en")[0], english_keys)["title"] \
        == "New round on “Four à pain” (Les Champs Communs)"


def test_the_floor_given_is_urgent_and_short_lived(subscribed, push_service,
                                                   django_capture_on_commit_callbacks):
    person, keys = subscribed(kinds=(Kind.FLOOR_GIVEN,))
    notify_now([person], Kind.FLOOR_GIVEN, capture=django_capture_on_commit_callbacks,
               title=gettext_noop("You have the floor"), body="", params={})
    [received] = push_service.requests_to("device-1")
    assert received.headers["urgency"] == "high"
    assert int(received.headers["ttl"]) == tasks.TTL[Kind.FLOOR_GIVEN]
    assert decrypt(received, keys)["title"] == "You have the floor"


def test_every_device_of_the_person_receives_it(db, make_person, push_service, browser_keys,
                                                django_capture_on_commit_callbacks):
    person = make_person("Inès")
    services.set_push_preferences(person=person, changes={Kind.PAYMENT_REQUEST: True})
    phone, laptop = browser_keys(), browser_keys()
    for name, keys in (("phone", phone), ("laptop", laptop)):
        services.add_push_subscription(person=person, endpoint=push_service.endpoint(name),
                                       p256dh=keys.p256dh, auth=keys.auth)
    notify_now([person], capture=django_capture_on_commit_callbacks)
    assert decrypt(push_service.requests_to("phone")[0], phone)["body"] \
        == decrypt(push_service.requests_to("laptop")[0], laptop)["body"] \
        == "38,00 Os for the vegetables"


def test_a_kind_not_opted_in_is_not_pushed(subscribed, push_service,
                                           django_capture_on_commit_callbacks):
    person, _keys = subscribed(kinds=(Kind.PAYMENT_REQUEST,))
    notify_now([person], Kind.ROUND_OPEN, capture=django_capture_on_commit_callbacks)
    assert push_service.received == []
    # Still in the in-app list.
    assert Notification.objects.filter(person=person, kind=Kind.ROUND_OPEN).exists()


def test_nothing_is_pushed_before_the_person_opts_in(db, make_person, push_service,
                                                     browser_keys,
                                                     django_capture_on_commit_callbacks):
    person = make_person("Inès")
    keys = browser_keys()
    services.add_push_subscription(person=person, endpoint=push_service.endpoint(),
                                   p256dh=keys.p256dh, auth=keys.auth)
    notify_now([person], capture=django_capture_on_commit_callbacks)
    assert push_service.received == []


def test_opting_out_stops_the_pushes(subscribed, push_service,
                                     django_capture_on_commit_callbacks):
    person, _keys = subscribed()
    services.set_push_preferences(person=person, changes={Kind.PAYMENT_REQUEST: False})
    notify_now([person], capture=django_capture_on_commit_callbacks)
    assert push_service.received == []


def test_only_the_people_who_opted_in_receive_it(subscribed, make_person, push_service,
                                                 browser_keys,
                                                 django_capture_on_commit_callbacks):
    wants, keys = subscribed("Inès", device="ines")
    declines = make_person("Paul")
    other = browser_keys()
    services.add_push_subscription(person=declines, endpoint=push_service.endpoint("paul"),
                                   p256dh=other.p256dh, auth=other.auth)
    notify_now([wants, declines], capture=django_capture_on_commit_callbacks)
    assert len(push_service.requests_to("ines")) == 1
    assert push_service.requests_to("paul") == []


def test_a_rolled_back_change_pushes_nothing(subscribed, push_service):
    from django.db import transaction

    person, _keys = subscribed()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        services.notify([person], Kind.PAYMENT_REQUEST, title=gettext_noop("Notifications"))
        raise Undo
    assert push_service.received == []


def test_a_device_the_push_service_forgot_is_removed(subscribed, push_service,
                                                     django_capture_on_commit_callbacks):
    person, _keys = subscribed()
    push_service.answer(410)
    notify_now([person], capture=django_capture_on_commit_callbacks)
    assert len(push_service.requests_to("device-1")) == 1
    assert not PushSubscription.objects.filter(person=person).exists()
    # The next notification goes nowhere (and the in-app list has both).
    notify_now([person], capture=django_capture_on_commit_callbacks)
    assert len(push_service.received) == 1
    assert Notification.objects.filter(person=person).count() == 2


def test_404_also_removes_the_device(subscribed, push_service,
                                     django_capture_on_commit_callbacks):
    person, _keys = subscribed()
    push_service.answer(404)
    notify_now([person], capture=django_capture_on_commit_callbacks)
    assert not PushSubscription.objects.exists()


def test_a_failing_push_service_is_tried_again_a_bounded_number_of_times(
        subscribed, push_service, django_capture_on_commit_callbacks):
    person, _keys = subscribed()
    push_service.answer(*[503] * 10)
    notify_now([person], capture=django_capture_on_commit_callbacks)
    assert len(push_service.requests_to("device-1")) == tasks.MAX_ATTEMPTS
    device = PushSubscription.objects.get()  # kept: the service may come back
    assert device.failures == tasks.MAX_ATTEMPTS
    assert device.last_failure == "503" and device.last_success_at is None


def test_a_retry_that_succeeds_clears_the_failures(subscribed, push_service,
                                                   django_capture_on_commit_callbacks):
    person, keys = subscribed()
    push_service.answer(500)
    notify_now([person], capture=django_capture_on_commit_callbacks)
    first, second = push_service.requests_to("device-1")
    assert decrypt(second, keys)["title"] == "Payment request from Coopérative des Champs"
    device = PushSubscription.objects.get()
    assert device.failures == 0 and device.last_success_at is not None


def test_a_refusal_that_will_not_pass_is_not_retried(subscribed, push_service,
                                                     django_capture_on_commit_callbacks):
    """413 (too large) or 400: the same message would be refused again."""
    person, _keys = subscribed()
    push_service.answer(400)
    notify_now([person], capture=django_capture_on_commit_callbacks)
    assert len(push_service.requests_to("device-1")) == 1
    assert PushSubscription.objects.get().failures == 1


def test_an_unreachable_push_service_counts_as_a_failure(db, make_person, browser_keys,
                                                         push_service,
                                                         django_capture_on_commit_callbacks):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    person = make_person("Inès")
    services.set_push_preferences(person=person, changes={Kind.PAYMENT_REQUEST: True})
    keys = browser_keys()
    services.add_push_subscription(person=person, endpoint=f"http://127.0.0.1:{port}/push/x",
                                   p256dh=keys.p256dh, auth=keys.auth)
    notify_now([person], capture=django_capture_on_commit_callbacks)
    device = PushSubscription.objects.get()
    assert device.failures == tasks.MAX_ATTEMPTS and device.last_failure == "ConnectionError"


def test_a_long_text_is_shortened_to_fit_one_push(subscribed, push_service,
                                                  django_capture_on_commit_callbacks):
    person, keys = subscribed()
    notify_now([person], capture=django_capture_on_commit_callbacks,
               body="%(text)s", params={"name": "x", "text": "é" * 5000})
    [received] = push_service.requests_to("device-1")
    assert len(received.body) <= 4096
    body = decrypt(received, keys)["body"]
    assert body.endswith("…") and body.startswith("ééé")


def test_the_instance_key_is_made_once_and_kept(subscribed, push_service,
                                                django_capture_on_commit_callbacks):
    assert not VapidKey.objects.exists()
    made = services.vapid_key()
    person, _keys = subscribed()
    notify_now([person], capture=django_capture_on_commit_callbacks)
    notify_now([person], capture=django_capture_on_commit_callbacks)
    assert VapidKey.objects.count() == 1
    assert services.vapid_key().public_key == made.public_key
    for received in push_service.received:
        assert f"k={made.public_key}" in received.headers["authorization"]


def test_a_signature_from_another_key_would_not_verify(subscribed, push_service,
                                                       django_capture_on_commit_callbacks):
    """The check above can fail: a token whose signature was not made with the key it
    names is refused."""
    person, _keys = subscribed()
    notify_now([person], capture=django_capture_on_commit_callbacks)
    [received] = push_service.received
    scheme, _space, params = received.headers["authorization"].partition(" ")
    stranger = ec.generate_private_key(ec.SECP256R1()).public_key()
    token = dict(p.split("=", 1) for p in params.split(","))["t"]
    header_b64, claims_b64, signature_b64 = token.split(".")
    raw = unb64url(signature_b64)
    with pytest.raises(InvalidSignature):
        stranger.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                             int.from_bytes(raw[32:], "big")),
                        f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))


@pytest.mark.django_db(transaction=True)
def test_nodes_asking_for_the_key_at_once_share_one(make_person):
    """Several workers or nodes needing the key for the first time at the same moment:
    one key is made, all of them sign with it."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(4)
    keys, errors = [], []

    def ask():
        try:
            barrier.wait()
            keys.append(services.vapid_key().public_key)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert VapidKey.objects.count() == 1
    assert set(keys) == {VapidKey.objects.get().public_key}
