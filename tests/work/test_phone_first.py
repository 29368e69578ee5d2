"""Work's pages on a phone and in good French (issue #14): one stylesheet instead of style
partials, tables that become cards (each cell naming its column, no empty header), the
rotation's grid scrolling in its own focusable, labelled region, one primary action per
page, names never glued to an article ("Travail — CIT", "en apprentissage avec Ana"),
days and months in lower case."""

import re
from datetime import date, time

import pytest
from django.contrib.staticfiles import finders
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from autogestion.work import services
from autogestion.work.daily import services as daily
from tests.support.http import client_for

from .conftest import NEXT_MONDAY

pytestmark = pytest.mark.django_db

TOMORROW = date(2026, 3, 11)  # the clock is frozen on Tuesday 10 March 2026


def in_french(person):
    person.language = "fr"
    person.save(update_fields=["language"])
    return client_for(person, "fr")


def html_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def stacked(html: str, table_id: str) -> str:
    table = re.search(rf'(?s)<table id="{table_id}"[^>]*>.*?</table>', html)
    table = table.group() if table else re.search(
        rf'(?s)<table [^>]*id="{table_id}"[^>]*>.*?</table>', html).group()
    assert re.search(r'class="[^"]*\bstack\b', table.split(">", 1)[0]), table[:120]
    assert not re.search(r"<th\b[^>]*>\s*</th>", table)
    for row in re.findall(r"(?s)<tbody.*?</tbody>", table)[0].split("</tr>"):
        cells = re.findall(r"<td\b[^>]*>", row)
        if len(cells) > 1:  # the first cell heads the card, the others say their column
            assert all("data-label" in c for c in cells[1:]), row[:300]
    return table


@pytest.fixture
def rotation(farm):
    return services.propose_rotation(actor=farm["coordinator"], body=farm["coop"],
                                     first_day=NEXT_MONDAY)


class TestOneStylesheet:
    def test_the_style_partials_are_gone(self):
        for name in ("work/_style.html", "work/daily_style.html"):
            with pytest.raises(TemplateDoesNotExist):
                get_template(name)
        assert not finders.find("work/work.css")  # its rules are in the one stylesheet
        with open(finders.find("autogestion/site.css"), encoding="utf-8") as css:
            assert "table.rotation-grid" in css.read()

    def test_pages_link_it_and_carry_no_inline_style(self, farm, rotation):
        coordinator = client_for(farm["coordinator"])
        plan = daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"], day=TOMORROW)
        for url in ("/work/", "/bodies/cit/work/", "/bodies/cit/work/skills/",
                    "/bodies/cit/work/skills/confirm/", "/bodies/cit/work/unavailability/",
                    "/bodies/cit/work/rotations/", f"/work/rotations/{rotation.pk}/",
                    f"/work/posts/{farm['milking'].pk}/", "/bodies/cit/learning/",
                    "/bodies/cit/daily/", "/bodies/cit/daily/week/",
                    f"/bodies/cit/daily/{plan.day}/", f"/bodies/cit/daily/{plan.day}/edit/"):
            html = html_of(coordinator, url)
            assert "autogestion/site.css" in html and "work/work.css" not in html, url
            assert "<style" not in html and ' style="' not in html, url


class TestTables:
    def test_posts_skills_and_rotations_become_cards(self, farm, rotation):
        coordinator = client_for(farm["coordinator"])
        stacked(html_of(coordinator, "/bodies/cit/work/"), "posts-table")
        stacked(html_of(coordinator, "/bodies/cit/work/skills/confirm/"), "skills")
        stacked(html_of(coordinator, "/bodies/cit/work/rotations/"), "rotations")
        stacked(html_of(coordinator, f"/work/rotations/{rotation.pk}/"), "loads")

    def test_the_rotation_grid_scrolls_in_its_own_region(self, farm, rotation):
        html = html_of(client_for(farm["member"]), f"/work/rotations/{rotation.pk}/")
        region = re.search(r'<div class="scroll[^"]*"[^>]*>\s*<table class="rotation-grid"',
                           html).group()
        assert 'tabindex="0"' in region and 'role="region"' in region
        assert 'aria-label="Who holds what, and why"' in region
        assert '<th scope="row">Mon 16 March</th>' in html

    def test_the_week_becomes_cards_per_person(self, farm):
        plan = daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"], day=TOMORROW)
        daily.add_task(actor=farm["member"], plan_id=plan.pk, title="Fence",
                       starts_at=time(14), people=[farm["ana"]])
        daily.publish_daily_plan(actor=farm["member"], plan_id=plan.pk)
        html = html_of(in_french(farm["member"]), "/bodies/cit/daily/week/?week=2026-03-11")
        table = stacked(html, "week-by-day")
        assert 'data-label="mercredi 11">Fence</span>' not in table  # the label is the cell's
        assert re.search(r'<td class="small" data-label="mercredi 11"><span>Fence</span>', table)
        assert "100 %" in table.replace("\u202f", " ").replace("\xa0", " ")
        assert "overflow-x" not in html


class TestPrimaryAction:
    def test_one_per_page_and_the_right_one(self, farm, rotation):
        coordinator, member = client_for(farm["coordinator"]), client_for(farm["member"])

        def primary(client, url) -> str:
            html = html_of(client, url)
            assert html.count("data-primary") == 1, url
            return re.search(r"<(a|button)\b[^>]*data-primary[^>]*>[^<]*<", html).group()

        assert "Declare my skills" in primary(member, "/bodies/cit/work/")
        assert "Propose a rotation" in primary(coordinator, "/bodies/cit/work/rotations/")
        assert "Publish for the members" in primary(coordinator,
                                                    f"/work/rotations/{rotation.pk}/")
        assert "Add" in primary(member, "/bodies/cit/work/unavailability/")
        # The daily plan: prepare tomorrow's, then change it; publish it while it is a draft.
        assert "Prepare tomorrow's plan" in primary(member, "/bodies/cit/daily/")
        plan = daily.prepare_daily_plan(actor=farm["member"], body=farm["coop"], day=TOMORROW)
        assert "Change tomorrow's plan" in primary(member, "/bodies/cit/daily/")
        assert "Publish the plan" in primary(member, f"/bodies/cit/daily/{plan.day}/edit/")
        assert "Change the plan" in primary(member, f"/bodies/cit/daily/{plan.day}/")


class TestFrench:
    def test_titles_never_glue_an_article_to_the_name(self, farm, rotation):
        client = in_french(farm["coordinator"])
        for url, title in (("/bodies/cit/work/", "Travail — CIT"),
                           ("/bodies/cit/work/rotations/", "Rotations — CIT"),
                           ("/bodies/cit/work/skills/", "Mes compétences — CIT"),
                           ("/bodies/cit/work/skills/confirm/", "Confirmer les compétences — CIT"),
                           ("/bodies/cit/learning/", "Transmettre et apprendre — CIT"),
                           ("/bodies/cit/daily/", "Planning du jour — CIT")):
            assert f"<h1>{title}</h1>" in html_of(client, url), url

    def test_a_learner_is_with_the_holder_not_beside_an_article(self, farm, rotation):
        html = html_of(in_french(farm["coordinator"]), f"/work/rotations/{rotation.pk}/")
        assert "en apprentissage avec Ana" in html
        assert "aux côtés de" not in html

    def test_days_and_months_in_lower_case(self, farm, rotation):
        html = html_of(in_french(farm["coordinator"]), f"/work/rotations/{rotation.pk}/")
        assert "Rotation du lundi 16 mars au dimanche 22 mars 2026" in html
        assert '<th scope="row">lun. 16 mars</th>' in html
        assert not re.search(r"[a-zà-ÿ,] (Lundi|Dimanche|Mars)\b", html)
