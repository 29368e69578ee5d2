"""Two confirmed bookings of one resource never overlap, on PostgreSQL, whoever writes
them: eight threads fire overlapping bookings of the same slots and exactly one wins
each slot; and a confirmed row written past the service is refused by the database's
exclusion constraint itself."""

import random
import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from autogestion.commons import services
from autogestion.commons.models import Booking
from autogestion.cooperatives import services as bodies
from autogestion.core.errors import Conflict

from .conftest import NOW, at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
# Six slots of two hours on Saturday 14 March. Each thread asks for every slot once, in
# its own order, as one of four variants that all cover the middle half hour of the slot
# and stay inside it: any two attempts at one slot overlap, attempts at two slots never.
SLOTS = [(at(14, 8 + 2 * n), at(14, 10 + 2 * n)) for n in range(6)]
HALF = timedelta(minutes=30)
VARIANTS = [(timedelta(), timedelta()), (timedelta(), -HALF), (HALF, timedelta()),
            (HALF, -HALF)]


def test_eight_threads_exactly_one_wins_each_slot(world, premises, make_person):
    people = []
    for n in range(THREADS):
        person = make_person(f"Racer {n}")
        bodies.join_body(person=person, body=world["coop"])
        people.append(person)
    won: list[list[int]] = [[] for _ in range(THREADS)]
    lost = [0] * THREADS
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def racer(n: int) -> None:
        rng = random.Random(n)
        attempts = []
        for begin, end in SLOTS:
            early, late = rng.choice(VARIANTS)
            attempts.append((begin + early, end + late))
        rng.shuffle(attempts)
        # Each thread has its own active language: the messages asserted are English.
        translation.activate("en")
        try:
            start.wait()
            for begin, end in attempts:
                try:
                    booking = services.book_resource(actor=people[n], resource_id=premises.pk,
                                                     starts_at=begin, ends_at=end)
                    won[n].append(booking.pk)
                except Conflict as refusal:
                    assert "is already booked from" in str(refusal) \
                        or "booked for this time meanwhile" in str(refusal)
                    lost[n] += 1
        except BaseException as error:  # reported in the test's own thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    confirmed = list(Booking.objects.filter(resource=premises, status="confirmed")
                     .order_by("starts_at"))
    assert sorted(pk for mine in won for pk in mine) == sorted(b.pk for b in confirmed)
    for begin, end in SLOTS:
        inside = [b for b in confirmed if begin <= b.starts_at and b.ends_at <= end]
        assert len(inside) == 1, (begin, inside)
    assert len(confirmed) == len(SLOTS)
    assert sum(lost) == THREADS * len(SLOTS) - len(SLOTS)
    for first, second in zip(confirmed, confirmed[1:], strict=False):
        assert first.ends_at <= second.starts_at


def test_the_database_refuses_an_overlapping_confirmed_row(world, premises):
    booking = services.book_resource(actor=world["member"], resource_id=premises.pk,
                                     starts_at=at(14, 10), ends_at=at(14, 12))
    row = dict(resource=premises, booker=world["coordinator"], status="confirmed",
               decided_at=NOW, created_at=NOW)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Booking.objects.create(starts_at=at(14, 11), ends_at=at(14, 13), **row)
    assert caught.value.__cause__.sqlstate == "23P01"
    # Touching spans, requests and cancelled rows are not in the way.
    Booking.objects.create(starts_at=at(14, 12), ends_at=at(14, 13), **row)
    Booking.objects.create(starts_at=at(14, 11), ends_at=at(14, 12),
                           **(row | {"status": "requested", "decided_at": None}))
    Booking.objects.filter(pk=booking.pk).update(status="cancelled")
    Booking.objects.create(starts_at=at(14, 10), ends_at=at(14, 12), **row)
    # Confirming a request over a confirmed row is refused too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(status="requested").update(status="confirmed",
                                                         decided_at=NOW)


def test_the_race_the_service_loses_reads_like_its_own_refusal(world, premises):
    """A confirmed booking committed between the service's check and its insert: the
    exclusion constraint refuses the insert, and the message names the slot."""
    original = services._check_no_overlap

    def late(resource, span, exclude=None):
        original(resource, span, exclude)
        with connection.cursor() as cursor:  # what another transaction would have written
            cursor.execute(
                "INSERT INTO commons_booking (resource_id, booker_id, starts_at, ends_at, "
                "purpose, status, decided_at, note, created_at) "
                "VALUES (%s, %s, %s, %s, '', 'confirmed', %s, '', %s)",
                [premises.pk, world["coordinator"].pk, at(14, 9), at(14, 11), NOW, NOW])

    services._check_no_overlap = late
    try:
        with pytest.raises(Conflict) as caught:
            services.book_resource(actor=world["member"], resource_id=premises.pk,
                                   starts_at=at(14, 10), ends_at=at(14, 12))
    finally:
        services._check_no_overlap = original
    assert "already booked from Saturday 14 March 2026, 09:00 to 11:00" in str(caught.value)


def test_a_confirmation_the_database_refuses_reads_the_same_and_keeps_no_event(world, van):
    """Approving a request when a confirmed booking was committed meanwhile: the
    exclusion constraint refuses the change of status made by the transition function;
    the steward reads the service's own words and the history has no confirmation."""
    from autogestion.commons.models import BookingEvent

    request = services.book_resource(actor=world["member"], resource_id=van.pk,
                                     starts_at=at(14, 10), ends_at=at(14, 12))
    original = services._check_no_overlap

    def late(resource, span, exclude=None):
        original(resource, span, exclude)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO commons_booking (resource_id, booker_id, starts_at, ends_at, "
                "purpose, status, decided_at, note, created_at) "
                "VALUES (%s, %s, %s, %s, '', 'confirmed', %s, '', %s)",
                [van.pk, world["coordinator"].pk, at(14, 11), at(14, 13), NOW, NOW])

    services._check_no_overlap = late
    try:
        with pytest.raises(Conflict) as caught:
            services.approve_booking(actor=world["coordinator"], booking_id=request.pk)
    finally:
        services._check_no_overlap = original
    assert "Fourgon is already booked from Saturday 14 March 2026, 11:00 to 13:00" \
        in str(caught.value)
    request.refresh_from_db()
    assert request.status == "requested"
    assert list(BookingEvent.objects.filter(booking=request)
                .values_list("to_status", flat=True)) == ["requested"]
