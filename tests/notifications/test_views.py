"""The pages: the list of my notifications (read or not, in words), opening one, marking
all read, and choosing what is pushed to my devices."""

import re

import pytest
from django.utils.translation import gettext_noop

from autogestion.notifications import services
from autogestion.notifications.models import Kind, Notification, PushPreference, PushSubscription
from autogestion.notifications.views import PAGE_SIZE
from tests.support.http import client_for, page_refused

FCM = "https://fcm.googleapis.com/fcm/send/dGhpcyBpcyBhIGJyb3dzZXI"


@pytest.fixture
def ines(db, make_person):
    return make_person("Inès")


def _notify(person, title="Payment request from %(name)s", url="/economy/", name="Paul",
            params=None):
    return services.notify([person], Kind.PAYMENT_REQUEST, title=gettext_noop(title), url=url,
                           params=params or {"name": name})[0]


def _items(html: str) -> list[str]:
    return re.findall(r'<li id="n(\d+)" class="(read|unread)"', html)


def test_the_list_shows_mine_newest_first_unread_in_words(ines, make_person):
    old = _notify(ines, name="Old")
    new = _notify(ines, name="New")
    _notify(make_person("Paul"), name="Not hers")
    services.read_notification(person=ines, notification_id=old.pk)
    page = client_for(ines).get("/notifications/")
    html = page.content.decode()
    assert _items(html) == [(str(new.pk), "unread"), (str(old.pk), "read")]
    assert "Not hers" not in html
    # Unread is said in words, not by colour alone; read ones say so too.
    new_item = html[html.index(f'id="n{new.pk}"'):html.index(f'id="n{old.pk}"')]
    assert '<span class="badge">New</span>' in new_item
    assert "· read" in html[html.index(f'id="n{old.pk}"'):]
    assert f'href="/notifications/{new.pk}/"' in html
    assert "data-primary" in html  # "Mark all as read", since one is unread


def test_the_list_in_french(ines):
    ines.language = "fr"
    ines.save()
    _notify(ines, title="New round on “%(title)s” (%(body)s)",
            params={"title": "Four", "body": "Les Champs"})
    html = client_for(ines, "fr").get("/notifications/").content.decode()
    assert "Nouveau tour sur «\u00a0Four\u00a0» (Les Champs)" in html
    assert "26 novembre 2026" in html  # the suite's day, in words, lower case


def test_the_list_page_costs_the_same_queries_for_many(ines, django_assert_max_num_queries):
    client = client_for(ines)
    _notify(ines)
    client.get("/notifications/")  # warm the session
    # The session, the person, how many, the page of them, how many unread (the menu).
    with django_assert_max_num_queries(5) as few:
        client.get("/notifications/")
    for _ in range(PAGE_SIZE + 5):
        _notify(ines)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/notifications/")
    assert len(_items(page.content.decode())) == PAGE_SIZE


def test_older_notifications_are_on_the_next_page(ines):
    made = [_notify(ines, name=str(n)) for n in range(PAGE_SIZE + 2)]
    client = client_for(ines)
    first = client.get("/notifications/").content.decode()
    assert 'rel="next"' in first and "Page 1 of 2" in first
    second = client.get("/notifications/", {"page": 2}).content.decode()
    assert [pk for pk, _state in _items(second)] == [str(made[1].pk), str(made[0].pk)]
    # A page that is not there shows the last one, not an error.
    assert client.get("/notifications/", {"page": "x9"}).status_code == 200


def test_opening_marks_it_read_and_goes_to_what_it_is_about(ines):
    notification = _notify(ines, url="/economy/requests/7/")
    answer = client_for(ines).get(f"/notifications/{notification.pk}/")
    assert (answer.status_code, answer["Location"]) == (302, "/economy/requests/7/")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_one_without_address_comes_back_to_the_list(ines):
    notification = _notify(ines, url="")
    answer = client_for(ines).get(f"/notifications/{notification.pk}/")
    assert answer["Location"] == f"/notifications/#n{notification.pk}"


def test_opening_never_leads_to_another_site(ines):
    notification = _notify(ines, url="https://evil.example/phish")
    answer = client_for(ines).get(f"/notifications/{notification.pk}/")
    assert answer["Location"] == f"/notifications/#n{notification.pk}"


def test_another_persons_notification_is_not_found_and_stays_unread(ines, make_person):
    hers = _notify(ines)
    page_refused(client_for(make_person("Paul")).get(f"/notifications/{hers.pk}/"), 404,
                 "no notification with this number")
    assert Notification.objects.get(pk=hers.pk).read_at is None


def test_signed_out_is_sent_to_log_in(db):
    answer = client_for(None).get("/notifications/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_mark_all_as_read(ines, make_person):
    _notify(ines)
    _notify(ines)
    his = _notify(make_person("Paul"))
    answer = client_for(ines).post("/notifications/read-all/", follow=True)
    assert "2 notifications marked as read." in answer.content.decode()
    assert not Notification.objects.filter(person=ines, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=his.pk).read_at is None
    # Nothing unread: no button to press.
    assert "Mark all as read" not in client_for(ines).get("/notifications/").content.decode()


def test_mark_all_as_read_is_a_post(ines):
    assert client_for(ines).get("/notifications/read-all/").status_code == 405


# Settings --------------------------------------------------------------------------------

def test_the_settings_page_lists_every_kind_off_by_default(ines):
    html = client_for(ines).get("/notifications/settings/").content.decode()
    boxes = re.findall(r'<input type="checkbox" name="push" value="(\w+)"( checked)?>', html)
    assert [kind for kind, _checked in boxes] == Kind.values
    assert not any(checked for _kind, checked in boxes)
    assert "A payment request to me" in html
    assert 'src="/static/notifications/push.js"' in html
    assert "No device receives your notifications yet." in html


def test_saving_the_choices(ines):
    client = client_for(ines)
    answer = client.post("/notifications/settings/",
                         {"push": ["payment_request", "floor_given"]}, follow=True)
    assert "Your choices are saved." in answer.content.decode()
    assert set(PushPreference.objects.filter(person=ines, push=True)
               .values_list("kind", flat=True)) == {"payment_request", "floor_given"}
    client.post("/notifications/settings/", {"push": ["floor_given"]})
    assert set(PushPreference.objects.filter(person=ines, push=True)
               .values_list("kind", flat=True)) == {"floor_given"}
    html = client.get("/notifications/settings/").content.decode()
    assert 'value="floor_given" checked' in html and 'value="payment_request" checked' not in html


def test_unticking_every_box_turns_every_push_off(ines):
    """An empty form is a choice too: nothing."""
    client = client_for(ines)
    client.post("/notifications/settings/", {"push": ["floor_given"]})
    answer = client.post("/notifications/settings/", {})
    assert answer.status_code == 302
    assert not PushPreference.objects.filter(person=ines, push=True).exists()


def test_an_unknown_kind_is_refused_on_the_page(ines):
    page_refused(client_for(ines).post("/notifications/settings/", {"push": ["gossip"]}), 400,
                 "gossip is not a kind of notification")
    assert not PushPreference.objects.exists()


def test_removing_a_device(ines, browser_keys):
    keys = browser_keys()
    device, _new = services.add_push_subscription(person=ines, endpoint=FCM,
                                                  p256dh=keys.p256dh, auth=keys.auth)
    client = client_for(ines)
    html = client.get("/notifications/settings/").content.decode()
    assert "Chrome, Edge, Android" in html and "added on Nov. 26, 2026" in html
    answer = client.post(f"/notifications/devices/{device.pk}/remove/", follow=True)
    assert "This device no longer receives your notifications." in answer.content.decode()
    assert not PushSubscription.objects.exists()


def test_another_persons_device_cannot_be_removed(ines, make_person, browser_keys):
    keys = browser_keys()
    device, _new = services.add_push_subscription(person=ines, endpoint=FCM,
                                                  p256dh=keys.p256dh, auth=keys.auth)
    page_refused(client_for(make_person("Paul")).post(
        f"/notifications/devices/{device.pk}/remove/"), 404, "no device with this number")
    assert PushSubscription.objects.filter(pk=device.pk).exists()


def test_devices_without_a_kind_chosen_are_told_so(ines, browser_keys):
    keys = browser_keys()
    services.add_push_subscription(person=ines, endpoint=FCM, p256dh=keys.p256dh,
                                   auth=keys.auth)
    html = client_for(ines).get("/notifications/settings/").content.decode()
    assert "nothing is pushed to your devices" in html
    services.set_push_preferences(person=ines, changes={Kind.MEETING: True})
    html = client_for(ines).get("/notifications/settings/").content.decode()
    assert "nothing is pushed to your devices" not in html
