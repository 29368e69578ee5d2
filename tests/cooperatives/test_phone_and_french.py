"""The pages of bodies on a phone and in French (issue #14): each page's main action
marked once, tables that turn into cards with their column names, numbers and stored
codes said as the reader's language says them, a body's name never glued to "de"."""

import re
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from autogestion.cooperatives import services
from autogestion.cooperatives.models import MembershipRole
from autogestion.cooperatives.rules import Kind, Role
from autogestion.core.formats import amount_text, percent_text
from tests.support.http import client_for

pytestmark = pytest.mark.django_db


def french(person):
    """A client for `person`, who reads the site in French (their saved language wins)."""
    person.language = "fr"
    person.save(update_fields=["language"])
    return client_for(person, "fr")


def in_french(function, *args):
    with translation.override("fr"):
        return str(function(*args))


def primaries(html: str) -> list[str]:
    """The opening tags carrying data-primary: the page's one main action."""
    return re.findall(r"<[a-z]+\b[^>]*\bdata-primary\b[^>]*>", html)


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:p|dd|ul|table|section)>', html,
                      re.S)
    assert found, f"no #{element_id} on the page"
    return re.sub(r"<[^>]+>", "", found.group(1))


class TestTheMainAction:
    def test_joining_is_the_main_action_of_a_body_one_is_not_in(self, world):
        html = client_for(world["outsider"]).get("/bodies/cit/").content.decode()
        (primary,) = primaries(html)
        assert primary.startswith("<button") and 'type="submit"' in primary
        form = html[html.index('action="/bodies/cit/join/"'):]
        assert form.index("data-primary") < form.index("</form>")
        # Before the description and the facts: on a phone, on the first screen.
        assert html.index('action="/bodies/cit/join/"') < html.index('class="facts"')

    def test_a_visitor_is_led_to_log_in_and_back(self, world):
        html = client_for(None).get("/bodies/cit/").content.decode()
        (primary,) = primaries(html)
        assert 'href="/accounts/login/?next=/bodies/cit/"' in primary

    def test_a_member_has_no_main_action_and_leaves_at_the_bottom(self, world):
        html = client_for(world["member"]).get("/bodies/cit/").content.decode()
        assert primaries(html) == []
        assert 'action="/bodies/cit/join/"' not in html
        assert html.index('action="/bodies/cit/leave/"') > html.index("<h2>Progress</h2>")

    @pytest.mark.parametrize(("path", "who", "action"), [
        ("/bodies/cit/invitations/", "coordinator", 'name="kind" value="email"'),
        ("/bodies/cit/edit/", "coordinator", "csrfmiddlewaretoken"),
        ("/bodies/scic/colleges/", "operator", 'id="colleges-form"'),
    ])
    def test_pages_made_for_one_thing_mark_it_once(self, world, path, who, action):
        html = client_for(world[who]).get(path).content.decode()
        (primary,) = primaries(html)
        assert primary.startswith("<button")
        assert html.index(action) < html.index(primary)

    def test_the_first_request_to_answer_is_the_main_action(self, world, make_person):
        for name in ("Ana", "Bea"):
            person = make_person(name)
            services.join_body(person=person, body=world["coop"])
            services.join_body(person=person, body=world["closed_group"])
        html = client_for(world["coordinator"]).get("/bodies/caisse/requests/").content.decode()
        (primary,) = primaries(html)
        assert html.index(primary) < html.index("Bea")

    def test_the_confirmation_page_marks_yes(self, world):
        html = client_for(world["member"]).post("/bodies/accueil/leave/").content.decode()
        (primary,) = primaries(html)
        assert 'type="submit"' in primary


class TestTablesBecomeCards:
    @pytest.mark.parametrize(("path", "labels"), [
        ("/bodies/cit/members/", ["Role", "Member since", "Contact"]),
        ("/bodies/cit/roles/", ["Role"]),
        ("/bodies/other/capital/", ["Capital held"]),
        ("/bodies/caisse/requests/", ["Message", "Asked on", "Answer"]),
    ])
    def test_each_cell_says_its_column(self, world, make_person, path, labels):
        newcomer = make_person("Newcomer")
        services.join_body(person=newcomer, body=world["coop"])
        services.join_body(person=newcomer, body=world["closed_group"])
        who = "other_coordinator" if "/other/" in path else "coordinator"
        html = client_for(world[who]).get(path).content.decode()
        table = html[html.index('<table class="stack"'):html.index("</table>")]
        rows = re.findall(r"<tr\b[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.S)
        assert rows
        for row in rows:
            assert re.match(r'\s*<th scope="row">', row), row[:80]
            for label in labels:
                assert f'data-label="{label}"' in row
        # No header without words, for a screen reader's table navigation.
        assert not re.search(r"<th[^>]*>\s*</th>", table)


class TestFrench:
    def test_the_weights_of_colleges_are_french_percentages(self, world):
        operator = french(world["operator"])  # coordinates the SCIC it founded
        body = operator.get("/bodies/scic/").content.decode()
        assert text_of(body, "body-colleges") == (
            f"Salariés ({in_french(percent_text, 40)}), "
            f"Soutiens ({in_french(percent_text, 25)}), Usagers ({in_french(percent_text, 35)})")
        page = operator.get("/bodies/scic/colleges/").content.decode()
        for weight in (10, 50, 100):
            assert in_french(percent_text, weight) in page
        assert "%%" not in page
        # A set that does not add up is refused; the page says what stays saved.
        refused = operator.post("/bodies/scic/colleges/", {
            "colleges-TOTAL_FORMS": "3", "colleges-INITIAL_FORMS": "3",
            **{f"colleges-{i}-{key}": value for i, college in enumerate(world["colleges"])
               for key, value in (("id", college.pk), ("name", college.name),
                                  ("weight_percent", 50))}})
        assert refused.status_code == 400
        now = text_of(refused.content.decode(), "colleges-now")
        assert f"Salariés {in_french(percent_text, 40)}" in now
        assert now.strip().endswith(f"en tout {in_french(percent_text, 100)}")

    def test_a_scop_says_its_shares_with_a_comma_and_its_plurals(self, world, make_person):
        scop, coordinator = world["other"], world["other_coordinator"]
        page = french(coordinator)
        shares = page.get("/bodies/other/").content.decode()
        assert text_of(shares, "scop-votes").startswith("0 sur 1 membre\u00a0:")
        partners = [make_person(f"Partner {i}") for i in range(2)]
        for person in partners:
            services.join_body(person=person, body=scop)
        for person, cents, employee in ((coordinator, 10_000, True),
                                        (partners[0], 20_000, True),
                                        (partners[1], 50_000, False)):
            services.set_member_capital(actor=coordinator, body=scop, person=person,
                                        capital_cents=cents, is_employee=employee)
        shares = page.get("/bodies/other/capital/").content.decode()
        # 2 of 3 members are employees: 66.7 %; they hold 300 € of 800 €: 37.5 %.
        assert text_of(shares, "scop-votes") == (
            f"2 sur 3 membres\u00a0: {in_french(percent_text, Decimal(200) / 3, 1)}")
        assert "66,7" in shares and "37,5" in shares
        assert not re.search(r"\d\.\d", re.sub(r"<[^>]+>", " ", shares))
        assert (f"Les associés salariés détiennent {in_french(percent_text, 37.5, 1)} du "
                f"capital\u00a0: la loi en demande au moins {in_french(percent_text, 51)}"
                ) in shares

    def test_capital_is_typed_and_told_in_french(self, world):
        scop, coordinator = world["other"], world["other_coordinator"]
        services.set_member_capital(actor=coordinator, body=scop, person=coordinator,
                                    capital_cents=123_450, is_employee=True)
        page = french(coordinator)
        capital = page.get("/bodies/other/capital/").content.decode()
        assert f'id="capital-{coordinator.pk}" form="capital-form-{coordinator.pk}" ' \
               'value="1234,50"' in capital
        # The value the page shows is one the page takes back as it is.
        assert page.post("/bodies/other/capital/", {"person": coordinator.pk,
                                                    "capital": "1234,50"}).status_code == 302
        history = text_of(page.get("/bodies/other/roles/").content.decode(), "role-history")
        employee, not_employee = (in_french(gettext, words)
                                  for words in ("employee", "not an employee"))
        assert (f"{in_french(amount_text, 0, 2, '€')}, {not_employee} → "
                f"{in_french(amount_text, 123_450, 2, '€')}, {employee}") in history
        assert "1234.50" not in history and "not an employee" not in history

    def test_role_changes_are_told_with_labels_not_codes(self, world):
        services.set_member_role(actor=world["coordinator"], body=world["coop"],
                                 person=world["member"], role=Role.STEWARD)
        history = text_of(french(world["coordinator"]).get("/bodies/cit/roles/")
                          .content.decode(), "role-history")
        member, steward = (in_french(lambda r=r: MembershipRole(r).label)
                           for r in (Role.MEMBER, Role.STEWARD))
        assert f"({member} → {steward})" in history
        assert "member → steward" not in history

    def test_the_directory_counts_its_members_in_words(self, world):
        coordinator = french(world["coordinator"])
        accueil = coordinator.get("/bodies/accueil/members/").content.decode()
        assert "2 membres" in accueil
        services.join_body(person=world["member"], body=world["closed_group"])
        caisse = coordinator.get("/bodies/caisse/members/").content.decode()
        assert "1 membre<" in caisse

    def test_a_name_beginning_with_an_article_is_never_glued_to_de(self, world):
        coordinator = world["coordinator"]
        services.create_body(actor=coordinator, kind=Kind.GROUP, name="Les Jardiniers",
                             slug="jardiniers", parent=world["coop"])
        client = french(coordinator)
        for path in ("/bodies/jardiniers/members/", "/bodies/jardiniers/requests/",
                     "/bodies/jardiniers/invitations/", "/bodies/jardiniers/edit/"):
            html = client.get(path).content.decode()
            assert not re.search(r"\b(?:de|à) Les\b", html), path
            assert "Les Jardiniers" in re.search(r"<h1>(.*?)</h1>", html).group(1)
