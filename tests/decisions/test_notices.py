"""What the members of a body are told about its rounds: every active member gets the
in-app notification (the notifications app pushes it to those who opted in), those who
take e-mail reminders get the e-mail too; each reads it in their language, with the
deadline's date and time in their own zone, the outcome by its label; once each."""

from datetime import timedelta

import pytest

from autogestion.cooperatives import services as bodies
from autogestion.decisions import services
from autogestion.notifications.models import Kind, Notification
from tests.support.clock import SUITE_NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(world, make_person):
    """Two more members of the cooperative: one who takes no e-mail reminders, one who
    reads French in Montreal."""
    quiet = make_person("Quiet")
    quiet.email_reminders = False
    quiet.save(update_fields=["email_reminders"])
    montreal = make_person("Montréal", language="fr")
    montreal.time_zone = "America/Montreal"
    montreal.save(update_fields=["time_zone"])
    for person in (quiet, montreal):
        bodies.join_body(person=person, body=world["coop"])
    return {"quiet": quiet, "montreal": montreal}


def told(kind):
    return {n.person_id: n for n in Notification.objects.filter(kind=kind)}


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_round_from_its_opening_to_its_outcome(world, readers, mailbox, frozen,
                                                 django_capture_on_commit_callbacks):
    quiet, montreal = readers["quiet"], readers["montreal"]
    everyone = {p.pk for p in (world["coordinator"], world["member"], quiet, montreal)}
    now = frozen(SUITE_NOW)  # Thursday 26 November 2026, 10:00 in Paris
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.create_proposal(
            actor=world["member"], body=world["coop"], title="Buy a van", text="A van.",
            decision_class="executive", deadline=now + timedelta(days=2))
    url = f"/proposals/{proposal.pk}/"

    # The round opens: everyone is told in the app, e-mail only for those who want it.
    opened = told(Kind.ROUND_OPEN)
    assert set(opened) == everyone and {n.url for n in opened.values()} == {url}
    assert opened[quiet.pk].title == "New round on “Buy a van” (CIT)"
    assert opened[quiet.pk].body == "CIT — round 1 is open until 28 November 2026 at 10:00."
    # In French, at Montreal's hour: 10:00 in Paris is 04:00 there.
    assert opened[montreal.pk].title.startswith("Nouveau tour sur ")
    assert "Buy a van" in opened[montreal.pk].title
    assert "28 novembre 2026" in opened[montreal.pk].body
    assert "04:00" in opened[montreal.pk].body
    mails = {m["To"]: m for m in mailbox.wait_for(3)}
    assert set(mails) == {world["coordinator"].email, world["member"].email, montreal.email}
    english = text_of(mails[world["member"].email])
    assert "(consent)" in english  # the method by its label
    assert "Take your position before 28 November 2026 at 10:00." in english
    french = text_of(mails[montreal.email])
    assert "(consentement)" in french and "28 novembre 2026" in french and "04:00" in french
    assert mails[montreal.email]["Subject"] == opened[montreal.pk].title

    # The day before the deadline: those who have not taken a position are reminded.
    services.take_position(person=world["member"], round_id=proposal.rounds.get().pk,
                           stance="fully_agree")
    frozen(now + timedelta(days=1, hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_round_reminders() == 3
    closing = told(Kind.ROUND_CLOSING)
    assert set(closing) == everyone - {world["member"].pk}
    assert closing[quiet.pk].title == ("The round on “Buy a van” closes on 28 November 2026 "
                                       "at 10:00: take your position")
    assert "28 novembre 2026" in closing[montreal.pk].title
    assert "04:00" in closing[montreal.pk].title
    reminders = mailbox.wait_for(5)[3:]
    assert {m["To"] for m in reminders} == {world["coordinator"].email, montreal.email}
    assert "closes on 28 November 2026 at 10:00" in text_of(
        next(m for m in reminders if m["To"] == world["coordinator"].email))
    # Told once: the worker's next pass sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_round_reminders() == 0
    assert Notification.objects.filter(kind=Kind.ROUND_CLOSING).count() == 3

    # The deadline passes: the round closes and everyone learns the outcome, by its label.
    frozen(now + timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.close_due_rounds() == 1
    outcome = told(Kind.ROUND_OUTCOME)
    assert set(outcome) == everyone
    assert outcome[quiet.pk].title == "Outcome of “Buy a van”: adopted"
    assert "adoptée" in outcome[montreal.pk].title and "adopted" not in \
        outcome[montreal.pk].title
    results = mailbox.wait_for(8)[5:]
    assert len(results) == 3 and quiet.email not in {m["To"] for m in results}
    english = text_of(next(m for m in results if m["To"] == world["member"].email))
    assert "Outcome: adopted" in english and "Objections: 0." in english


def test_a_member_whose_account_is_closed_is_not_told(world, readers):
    readers["quiet"].is_active = False
    readers["quiet"].save(update_fields=["is_active"])
    proposal = services.create_proposal(actor=world["member"], body=world["coop"],
                                        title="Paint", text="Green.",
                                        decision_class="executive")
    assert services.notify_round(proposal.rounds.get().pk, "round_open") == 3
    assert readers["quiet"].pk not in told(Kind.ROUND_OPEN)
