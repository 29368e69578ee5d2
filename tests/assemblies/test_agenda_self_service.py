"""Issue #13 for meetings: the series made with the recurrence builder and shown in
words, the agenda reordered (arrows without JavaScript, the whole order from drag and
drop, the API's PUT), a delayed item showing where it came from, proposals tied to
agenda items, the news of the groups, and confirmations before what cannot be undone."""

from datetime import date, timedelta

import pytest
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction

from autogestion.assemblies import queries, services
from autogestion.assemblies.models import (
    AgendaItem,
    GroupNews,
    Meeting,
    MeetingSeries,
    MinutesEntry,
    PermanentItem,
    SessionSignup,
)
from autogestion.cooperatives import services as cooperatives
from autogestion.cooperatives.rules import Kind
from autogestion.cooperatives.signals import group_founded
from tests.support.http import api_client, client_for, page_refused, refused

from .conftest import paris

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
DEC = "2026-12-26"


def page(series, day=DEC) -> str:
    return f"/meetings/{series.pk}/{day}/"


def api(series, day=DEC) -> str:
    return f"/api/series/{series.pk}/occurrences/{day}"


@pytest.fixture
def december(agora):
    """The Agora of 26 December 2026: at the suite's moment (26 November) its agenda
    takes items until 19 December, 18:30."""
    return queries.find_occurrence(agora, date(2026, 12, 26))


@pytest.fixture
def items(world, december):
    return [services.add_agenda_item(actor=world["member"], occurrence=december, title=t,
                                     duration_minutes=10) for t in ("Alpha", "Beta", "Gamma")]


def order(series, day=DEC) -> list[str]:
    occurrence = queries.find_occurrence(series, date.fromisoformat(day))
    return [i.title for i in queries.agenda(occurrence).items]


def positions() -> list[tuple[int, int]]:
    return sorted(AgendaItem.objects.values_list("pk", "position"))


SERIES_FORM = {"title": "Agora", "kind": "agora", "frequency": "monthly", "interval": "1",
               "monthly_by": "weekday", "ordinal": "-1", "weekday": "SA", "ends": "never",
               "first_day": "2026-12-01", "start_time": "10:30", "end_time": "19:00",
               "timezone": "Europe/Paris", "place": "", "preparation_offset_days": "7"}


class TestSeriesBuilderPage:
    def test_the_form_has_the_builder_and_no_rule_to_type(self, world):
        text = client_for(world["coordinator"]).get("/bodies/cit/meetings/new/")
        text = text.content.decode()
        assert 'name="rrule"' not in text and "RFC 5545" not in text
        for name in ("frequency", "interval", "weekdays", "monthly_by", "ordinal", "weekday",
                     "month_day", "ends", "until", "count"):
            assert f'name="{name}"' in text
        assert '<label for="id_interval">' in text

    def test_the_agora_made_with_the_builder(self, world):
        coordinator = client_for(world["coordinator"])
        response = coordinator.post("/bodies/cit/meetings/new/", SERIES_FORM)
        assert response.status_code == 302
        series = MeetingSeries.objects.get()
        assert series.rrule == "FREQ=MONTHLY;BYDAY=-1SA"
        listing = coordinator.get("/bodies/cit/meetings/").content.decode()
        assert "the last Saturday of each month" in listing and "FREQ=" not in listing
        # The first meeting it gives: Saturday 26 December 2026.
        assert coordinator.get(page(series)).status_code == 200
        meeting = coordinator.get(page(series)).content.decode()
        assert "the last Saturday of each month" in meeting and "FREQ=" not in meeting

    def test_the_rule_reads_in_french(self, world, agora):
        listing = client_for(None, "fr").get("/bodies/cit/meetings/").content.decode()
        assert "le dernier samedi de chaque mois" in listing
        meeting = client_for(None, "fr").get(page(agora)).content.decode()
        assert "le dernier samedi de chaque mois" in meeting and "FREQ=" not in meeting

    @pytest.mark.parametrize(("choices", "rule"), [
        ({"frequency": "weekly", "weekdays": ["TH", "MO"]}, "FREQ=WEEKLY;BYDAY=MO,TH"),
        ({"frequency": "weekly", "weekdays": ["WE"], "interval": "2"},
         "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
        ({"frequency": "daily", "ends": "count", "count": "5"}, "FREQ=DAILY;COUNT=5"),
        ({"frequency": "monthly", "ordinal": "1", "weekday": "TU"}, "FREQ=MONTHLY;BYDAY=1TU"),
        ({"frequency": "monthly", "monthly_by": "day", "month_day": "15", "ends": "until",
          "until": "2027-06-30"}, "FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20270630T235959"),
    ])
    def test_other_rhythms(self, world, choices, rule):
        form = {**SERIES_FORM, "kind": "regular", "preparation_offset_days": ""} | choices
        response = client_for(world["coordinator"]).post("/bodies/cit/meetings/new/", form)
        assert response.status_code == 302, response.content.decode()[:3000]
        assert MeetingSeries.objects.get().rrule == rule

    @pytest.mark.parametrize(("choices", "message"), [
        ({"frequency": "weekly"}, "Tick at least one day of the week."),
        ({"ends": "until"}, "Give the last day, or choose “never”."),
        ({"ends": "count"}, "Give the number of meetings, or choose “never”."),
        ({"monthly_by": "day", "month_day": ""}, "Give a day of the month from 1 to 31"),
        ({"interval": "0"}, "greater than or equal to 1"),
        ({"frequency": "hourly"}, "Select a valid choice"),
    ])
    def test_refusals_name_the_choice_and_write_nothing(self, world, choices, message):
        response = client_for(world["coordinator"]).post("/bodies/cit/meetings/new/",
                                                          {**SERIES_FORM, **choices})
        page_refused(response, 400, message)
        assert not MeetingSeries.objects.exists()

    def test_only_coordinators_plan(self, world):
        response = client_for(world["member"]).post("/bodies/cit/meetings/new/", SERIES_FORM)
        assert response.status_code == 403
        assert not MeetingSeries.objects.exists()


class TestSeriesBuilderApi:
    BASE = {"title": "Cercle", "first_day": "2026-12-01", "start_time": "18:00",
            "end_time": "20:00"}

    def test_the_builders_fields(self, world):
        response = api_client(world["coordinator"]).post("/api/bodies/cit/series", {
            **self.BASE, "frequency": "weekly", "interval": 2, "weekdays": ["WE"]})
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["rrule"] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
        assert data["rrule_text"] == "every other Wednesday"
        french = api_client(None, "fr").get("/api/bodies/cit/series").json()
        assert french[0]["rrule_text"] == "tous les 15 jours le mercredi"
        assert french[0]["rrule"] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"

    def test_monthly_by_weekday_with_an_end(self, world):
        data = api_client(world["coordinator"]).post("/api/bodies/cit/series", {
            **self.BASE, "frequency": "monthly", "ordinal": -1, "weekday": "SA",
            "until": "2027-12-31"}).json()
        assert data["rrule"] == "FREQ=MONTHLY;BYDAY=-1SA;UNTIL=20271231T235959"
        assert data["rrule_text"] == ("the last Saturday of each month, until 31 December "
                                      "2027")

    def test_the_rule_as_before_and_the_default(self, world):
        client = api_client(world["coordinator"])
        data = client.post("/api/bodies/cit/series", {**self.BASE,
                                                      "rrule": "FREQ=WEEKLY;BYDAY=MO"}).json()
        assert (data["rrule"], data["rrule_text"]) == ("FREQ=WEEKLY;BYDAY=MO", "every Monday")
        data = client.post("/api/bodies/cit/series", {**self.BASE, "title": "Agora"}).json()
        assert data["rrule"] == "FREQ=MONTHLY;BYDAY=-1SA"

    def test_a_rule_the_builder_cannot_say_is_still_words(self, world):
        data = api_client(world["coordinator"]).post("/api/bodies/cit/series", {
            **self.BASE, "rrule": "FREQ=YEARLY;BYMONTH=6;BYDAY=-1SA"}).json()
        assert data["rrule_text"] == "every year, on a particular rule"
        listing = client_for(None).get("/bodies/cit/meetings/").content.decode()
        assert "every year, on a particular rule" in listing and "BYMONTH" not in listing

    @pytest.mark.parametrize(("fields", "field", "message"), [
        ({"frequency": "weekly"}, "weekdays", "Tick at least one day"),
        ({"frequency": "monthly", "weekday": "SA"}, "ordinal", "which one in the month"),
        ({"frequency": "monthly", "ordinal": 9, "weekday": "SA"}, "ordinal", "last"),
        ({"frequency": "monthly", "monthly_by": "day"}, "month_day", "day of the month"),
        ({"frequency": "daily", "interval": 0}, "interval", "from 1 to 99"),
        ({"frequency": "daily", "count": 2, "until": "2027-01-01"}, "count", "not both"),
        ({"frequency": "daily", "rrule": "FREQ=DAILY"}, "rrule", "not both"),
    ])
    def test_refusals(self, world, fields, field, message):
        response = api_client(world["coordinator"]).post("/api/bodies/cit/series",
                                                         {**self.BASE, **fields})
        refused(response, 400, field=field, contains=message)
        assert not MeetingSeries.objects.exists()

    def test_unknown_choices_are_refused_by_the_schema(self, world):
        for fields in ({"frequency": "hourly"}, {"frequency": "weekly", "weekdays": ["XX"]}):
            response = api_client(world["coordinator"]).post("/api/bodies/cit/series",
                                                             {**self.BASE, **fields})
            assert response.status_code == 422
        assert not MeetingSeries.objects.exists()

    def test_an_occurrence_gives_the_rule_in_words(self, world, agora):
        data = api_client(None).get(api(agora)).json()
        assert data["rrule"] == "FREQ=MONTHLY;BYDAY=-1SA"
        assert data["rrule_text"] == "the last Saturday of each month"


class TestReorderWithoutJavaScript:
    def test_arrows_move_an_item_and_come_back_to_it(self, world, agora, items):
        alpha, beta, gamma = items
        coordinator = client_for(world["coordinator"])
        response = coordinator.post(f"/agenda-items/{gamma.pk}/up/")
        assert response.status_code == 302
        assert response["Location"] == page(agora) + f"#item-{gamma.pk}"
        assert order(agora) == ["Alpha", "Gamma", "Beta"]
        coordinator.post(f"/agenda-items/{alpha.pk}/down/")
        assert order(agora) == ["Gamma", "Alpha", "Beta"]
        # Places stay 1, 2, 3.
        assert sorted(p for _, p in positions()) == [1, 2, 3]

    def test_the_page_shows_the_arrows_to_coordinators_only(self, world, agora, items):
        text = client_for(world["coordinator"]).get(page(agora)).content.decode()
        assert f'id="act-{items[0].pk}-up"' in text and f'form="act-{items[2].pk}-down"' in text
        assert f'id="item-{items[1].pk}"' in text
        assert "assemblies/agenda.js" in text and "data-sortable" in text
        for person in (world["member"], None):
            text = client_for(person).get(page(agora)).content.decode()
            assert "-up" not in text and "agenda.js" not in text
            assert f'id="item-{items[1].pk}"' in text

    def test_the_scripts_are_static_files(self):
        script = finders.find("assemblies/agenda.js")
        with open(script, encoding="utf-8") as source:
            assert "fetch(" in source.read()
        with open(finders.find("autogestion/site.css"), encoding="utf-8") as css:
            assert "table.agenda" in css.read()  # the agenda's rules, in the one stylesheet

    def test_first_cannot_go_up_nor_last_down(self, world, agora, items):
        before = positions()
        coordinator = client_for(world["coordinator"])
        page_refused(coordinator.post(f"/agenda-items/{items[0].pk}/up/"), 409,
                     "This item is already first.")
        page_refused(coordinator.post(f"/agenda-items/{items[2].pk}/down/"), 409,
                     "This item is already last.")
        assert positions() == before

    def test_members_and_strangers_cannot_move(self, world, agora, items):
        before = positions()
        page_refused(client_for(world["member"]).post(f"/agenda-items/{items[1].pk}/up/"),
                     403, "Only coordinators of CIT order its agenda.")
        assert client_for(world["other_coordinator"]).post(
            f"/agenda-items/{items[1].pk}/up/").status_code == 403
        assert client_for(None).post(f"/agenda-items/{items[1].pk}/up/").status_code == 302
        assert positions() == before

    def test_a_fixed_agenda_keeps_its_order(self, world, agora, december, items):
        coordinator = world["coordinator"]
        for item in items:
            services.accept_agenda_item(actor=coordinator, item_id=item.pk)
        services.fix_agenda(actor=coordinator, occurrence=december)
        before = positions()
        page_refused(client_for(coordinator).post(f"/agenda-items/{items[1].pk}/up/"), 409,
                     "its order no longer changes")
        refused(api_client(coordinator).put(api(agora) + "/order",
                                            {"item_ids": [i.pk for i in items][::-1]}), 409,
                contains="its order no longer changes")
        assert positions() == before
        text = client_for(coordinator).get(page(agora)).content.decode()
        assert "agenda.js" not in text and f"act-{items[1].pk}-up" not in text

    def test_the_database_holds_one_item_per_place(self, world, items):
        with pytest.raises(IntegrityError), transaction.atomic():
            AgendaItem.objects.filter(pk=items[1].pk).update(position=items[0].position)

    def test_the_agenda_page_counts_its_queries(self, world, agora, december, items,
                                                django_assert_max_num_queries):
        coordinator = client_for(world["coordinator"])
        coordinator.get(page(agora))
        with django_assert_max_num_queries(45) as few:
            coordinator.get(page(agora))
        for n in range(8):
            services.add_agenda_item(actor=world["member"], occurrence=december,
                                     title=f"More {n}", duration_minutes=5)
        with django_assert_max_num_queries(len(few.captured_queries)):
            coordinator.get(page(agora))


class TestReorderWithJavaScript:
    """agenda.js posts the whole order to the page's "order" action, asking for JSON."""

    def _post(self, person, agora, ids, **extra):
        return client_for(person).post(page(agora) + "manage/",
                                       {"action": "order", "item": [str(i) for i in ids]},
                                       **JSON, **extra)

    def test_the_whole_order(self, world, agora, items):
        alpha, beta, gamma = items
        response = self._post(world["coordinator"], agora, [gamma.pk, alpha.pk, beta.pk])
        assert response.status_code == 200
        assert response.json() == {"ok": True, "message": "Order saved."}
        assert order(agora) == ["Gamma", "Alpha", "Beta"]

    @pytest.mark.parametrize("shape", ["missing", "twice", "stranger", "text"])
    def test_an_order_without_every_item_once_is_refused(self, world, agora, items, shape):
        alpha, beta, gamma = (i.pk for i in items)
        ids = {"missing": [gamma, alpha], "twice": [gamma, alpha, alpha, beta],
               "stranger": [gamma, alpha, beta, 10**6], "text": [gamma, alpha, "b"]}[shape]
        before = positions()
        response = self._post(world["coordinator"], agora, ids)
        assert response.status_code == 400
        assert "exactly once" in response.json()["detail"]
        assert "reload the page" in response.json()["detail"]
        assert positions() == before

    def test_members_get_a_refusal(self, world, agora, items):
        before = positions()
        response = self._post(world["member"], agora, [i.pk for i in items][::-1])
        assert response.status_code == 403
        assert "Only coordinators" in response.json()["detail"]
        assert positions() == before

    def test_without_javascript_the_same_action_redirects(self, world, agora, items):
        response = client_for(world["coordinator"]).post(page(agora) + "manage/", {
            "action": "order", "item": [str(i.pk) for i in items][::-1]})
        assert response.status_code == 302
        assert order(agora) == ["Gamma", "Beta", "Alpha"]


class TestReorderApi:
    def test_put_the_order(self, world, agora, items):
        alpha, beta, gamma = items
        response = api_client(world["coordinator"]).put(api(agora) + "/order", {
            "item_ids": [beta.pk, gamma.pk, alpha.pk]})
        assert response.status_code == 200
        assert [i["title"] for i in response.json()["items"]] == ["Beta", "Gamma", "Alpha"]
        assert [i["position"] for i in response.json()["items"]] == [1, 2, 3]
        # The same again changes nothing (PUT).
        again = api_client(world["coordinator"]).put(api(agora) + "/order", {
            "item_ids": [beta.pk, gamma.pk, alpha.pk]})
        assert again.json() == response.json()

    def test_refusals(self, world, agora, items):
        before = positions()
        coordinator = api_client(world["coordinator"])
        refused(coordinator.put(api(agora) + "/order", {"item_ids": [items[0].pk]}), 400,
                field="item_ids", contains="exactly once")
        refused(api_client(world["member"]).put(api(agora) + "/order", {
            "item_ids": [i.pk for i in items]}), 403, contains="Only coordinators")
        assert coordinator.put(api(agora) + "/order", {"item_ids": "x"}).status_code == 422
        assert positions() == before

    def test_move_one_place(self, world, agora, items):
        coordinator = api_client(world["coordinator"])
        response = coordinator.post(f"/api/agenda-items/{items[1].pk}/move",
                                    {"direction": "up"})
        assert response.status_code == 200
        assert [i["title"] for i in response.json()["items"]] == ["Beta", "Alpha", "Gamma"]
        before = positions()
        refused(coordinator.post(f"/api/agenda-items/{items[1].pk}/move", {"direction": "up"}),
                409, field="direction", contains="already first")
        assert coordinator.post(f"/api/agenda-items/{items[1].pk}/move",
                                {"direction": "sideways"}).status_code == 422
        refused(api_client(world["member"]).post(f"/api/agenda-items/{items[1].pk}/move",
                                                 {"direction": "down"}), 403)
        assert positions() == before

    def test_in_the_openapi_document(self, world):
        paths = api_client(None).get("/api/openapi.json").json()["paths"]
        assert "put" in paths["/api/series/{series_id}/occurrences/{day}/order"]
        assert "post" in paths["/api/agenda-items/{item_id}/move"]


class TestDelayedItemOrigin:
    def test_the_new_agenda_says_where_it_came_from(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=1))
        item = services.add_agenda_item(actor=world["member"], occurrence=november,
                                        title="Garden", duration_minutes=15)
        coordinator = client_for(world["coordinator"])
        response = coordinator.post(f"/agenda-items/{item.pk}/delay/",
                                    {"to": DEC, "confirmed": "yes"})
        assert response.status_code == 302
        copy = AgendaItem.objects.get(delayed_from=item)
        text = client_for(None).get(page(agora)).content.decode()
        assert "carried over from the Agora of 28 November 2026" in text
        assert f'href="{page(agora, "2026-11-28")}#item-{item.pk}"' in text
        data = api_client(None).get(api(agora)).json()
        found = next(i for i in data["agenda"]["items"] if i["id"] == copy.pk)
        assert found["delayed_from"] == item.pk
        assert found["delayed_from_meeting"] == "2026-11-28"
        assert found["delayed_from_text"] == "carried over from the Agora of 28 November 2026"

    def test_delaying_asks_first_and_changes_nothing_until_then(self, world, agora,
                                                                november, frozen):
        frozen(november.deadline - timedelta(days=1))
        item = services.add_agenda_item(actor=world["member"], occurrence=november,
                                        title="Garden", duration_minutes=15)
        response = client_for(world["coordinator"]).post(f"/agenda-items/{item.pk}/delay/",
                                                          {"to": DEC})
        text = page_refused(response, 200, "Delay “Garden” to a later meeting?")
        assert 'name="confirmed" value="yes"' in text and f'value="{DEC}"' in text
        item.refresh_from_db()
        assert item.status == "new" and AgendaItem.objects.count() == 1
        page_text = client_for(world["coordinator"]).get(page(agora, "2026-11-28"))
        assert "data-confirm=" in page_text.content.decode()


class TestProposalsOnTheAgenda:
    def test_each_item_links_to_the_proposal_form(self, world, agora, items):
        link = f'/bodies/cit/proposals/new/?agenda_item={items[0].pk}'
        assert link in client_for(world["member"]).get(page(agora)).content.decode()
        for person in (None, world["outsider"]):
            assert link not in client_for(person).get(page(agora)).content.decode()
        # The address the link makes exists.
        assert client_for(world["member"]).get(link).status_code == 200

    def test_an_items_proposals_are_shown_with_it(self, world, agora, items):
        from autogestion.decisions import services as decisions

        proposal = decisions.create_proposal(
            actor=world["member"], body=world["coop"], title="Plant trees", text="Ten.",
            decision_class="executive", agenda_item=items[1])
        text = client_for(None).get(page(agora)).content.decode()
        assert "Plant trees" in text and proposal.get_absolute_url() in text
        data = api_client(None).get(api(agora)).json()
        found = {i["id"]: i["proposals"] for i in data["agenda"]["items"]}
        assert found[items[1].pk] == [{"id": proposal.pk, "title": "Plant trees",
                                       "status": proposal.status}]
        assert found[items[0].pk] == []


class TestNewsOfTheGroups:
    def _found(self, world, name):
        group = cooperatives.create_body(actor=world["coordinator"], kind=Kind.GROUP,
                                         name=name, parent=world["coop"])
        group_founded.send(sender=None, group=group, founder=world["coordinator"])
        return group

    def test_a_new_group_is_on_the_next_open_agora(self, world, agora):
        group = self._found(world, "Jardins")
        news = GroupNews.objects.get()
        # 28 November's agenda closed on the 21st: the news goes to 26 December.
        assert news.item.meeting.original_start == paris(2026, 12, 26, 10, 30)
        assert (news.group, news.founder) == (group, world["coordinator"])
        assert news.item.purpose == "group_news" and news.item.status == "accepted"
        assert PermanentItem.objects.get(series=agora).purpose == "group_news"
        text = client_for(None).get(page(agora)).content.decode()
        assert "Jardins" in text and group.get_absolute_url() in text
        data = api_client(None).get(api(agora)).json()
        found = [i for i in data["agenda"]["items"] if i["purpose"] == "group_news"]
        assert [n["group"] for n in found[0]["group_news"]] == [group.slug]

    def test_told_once_and_under_one_item(self, world, agora):
        group = self._found(world, "Jardins")
        group_founded.send(sender=None, group=group, founder=None)
        self._found(world, "Vélos")
        assert GroupNews.objects.count() == 2
        assert AgendaItem.objects.filter(purpose="group_news").count() == 1
        assert PermanentItem.objects.filter(purpose="group_news").count() == 1

    def test_while_the_agenda_is_open_it_goes_to_this_agora(self, world, agora, november,
                                                           frozen):
        frozen(november.deadline - timedelta(hours=1))
        self._found(world, "Jardins")
        assert GroupNews.objects.get().item.meeting.original_start == paris(2026, 11, 28,
                                                                           10, 30)

    def test_a_fixed_agenda_passes_to_the_next(self, world, agora, november, frozen):
        frozen(november.deadline - timedelta(days=2))
        services.fix_agenda(actor=world["coordinator"], occurrence=november)
        frozen(november.deadline - timedelta(days=1))
        self._found(world, "Jardins")
        assert GroupNews.objects.get().item.meeting.original_start == paris(2026, 12, 26,
                                                                           10, 30)

    def test_later_agendas_keep_the_item(self, world, agora):
        self._found(world, "Jardins")
        january = queries.find_occurrence(agora, date(2027, 1, 30))
        item = services.add_agenda_item(actor=world["member"], occurrence=january,
                                        title="Later", duration_minutes=5)
        titles = [i.purpose for i in item.meeting.agenda_items.all()]
        assert titles == ["group_news", ""]

    def test_without_an_agora_nothing_happens(self, world):
        self._found(world, "Jardins")
        assert not GroupNews.objects.exists() and not Meeting.objects.exists()

    def test_a_group_of_another_cooperative_stays_there(self, world, agora):
        group = cooperatives.create_body(actor=world["other_coordinator"], kind=Kind.GROUP,
                                         name="Ailleurs", parent=world["other"])
        group_founded.send(sender=None, group=group, founder=None)
        assert not GroupNews.objects.exists()

    def test_a_group_in_a_group_is_news_of_the_cooperative(self, world, agora):
        inner = cooperatives.create_body(actor=world["coordinator"], kind=Kind.GROUP,
                                         name="Semences", parent=world["open_group"])
        group_founded.send(sender=None, group=inner, founder=None)
        assert GroupNews.objects.get().item.meeting.series == agora


class TestConfirmations:
    def test_cancelling_asks_first(self, world, agora, december):
        coordinator = client_for(world["coordinator"])
        response = coordinator.post(page(agora) + "manage/", {"action": "cancel",
                                                              "reason": "Storm"})
        text = page_refused(response, 200, "Cancel this meeting?")
        assert 'value="Storm"' in text and 'name="confirmed" value="yes"' in text
        assert not Meeting.objects.filter(status="cancelled").exists()
        assert coordinator.post(page(agora) + "manage/", {
            "action": "cancel", "reason": "Storm", "confirmed": "yes"}).status_code == 302
        assert queries.find_occurrence(agora, date(2026, 12, 26)).cancelled

    def test_those_who_may_not_get_their_refusal_not_a_question(self, world, agora):
        response = client_for(world["member"]).post(page(agora) + "manage/",
                                                    {"action": "cancel"})
        assert response.status_code == 403
        assert not Meeting.objects.exists()

    def test_fixing_the_agenda_asks_first(self, world, agora, december, items):
        for item in items:
            services.accept_agenda_item(actor=world["coordinator"], item_id=item.pk)
        response = client_for(world["coordinator"]).post(page(agora) + "manage/",
                                                         {"action": "fix"})
        page_refused(response, 200, "Fix and publish the agenda?")
        assert not Meeting.objects.filter(agenda_published_at__isnull=False).exists()

    def test_the_page_forms_carry_the_question(self, world, agora, items):
        text = client_for(world["coordinator"]).get(page(agora)).content.decode()
        assert 'data-confirm="Cancel this meeting?"' in text
        assert 'data-confirm="Fix and publish the agenda?"' in text

    def test_leaving_a_workshop_asks_first(self, world, agora, december):
        session = services.add_session(
            actor=world["coordinator"], occurrence=december, title="Seeds", kind="workshop",
            starts_at=paris(2026, 12, 26, 14), ends_at=paris(2026, 12, 26, 16), capacity=1)
        services.sign_up(person=world["member"], session_id=session.pk)
        member = client_for(world["member"])
        assert 'data-confirm="Leave “Seeds”?"' in member.get(page(agora)).content.decode()
        page_refused(member.post(f"/sessions/{session.pk}/leave/"), 200, "Leave “Seeds”?")
        assert SessionSignup.objects.filter(session=session).exists()
        response = member.post(f"/sessions/{session.pk}/leave/", {"confirmed": "yes"})
        assert response.status_code == 302
        assert not SessionSignup.objects.filter(session=session).exists()
        # Someone not signed up gets the refusal, not a question.
        assert member.post(f"/sessions/{session.pk}/leave/").status_code == 404

    def test_publishing_the_minutes_asks_first(self, world, agora, november):
        services.write_minutes(actor=world["coordinator"], occurrence=november, notes="Ok")
        url = page(agora, "2026-11-28") + "minutes/"
        coordinator = client_for(world["coordinator"])
        assert 'data-confirm="Publish the minutes?"' in coordinator.get(url).content.decode()
        # The Agora of 28 November has not begun at the suite's moment: refused once
        # confirmed, but first the question, with nothing published.
        page_refused(coordinator.post(url, {"action": "publish"}), 200, "Publish the minutes?")
        assert MinutesEntry.objects.count() == 1
        assert not Meeting.objects.filter(minutes_published_at__isnull=False).exists()
