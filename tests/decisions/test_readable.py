"""Decision pages read by people, in their language and with assistive technology: a
round's arithmetic in the reader's number format, codes shown by their labels (in the
register's CSV beside the codes), every form control named by a label."""

import csv
import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.utils import translation

from autogestion.cooperatives import services as bodies
from autogestion.core.formats import percent_text
from autogestion.decisions import services
from autogestion.decisions.models import ClassChoice, MethodChoice, OutcomeChoice
from tests.support.http import client_for

pytestmark = pytest.mark.django_db


def current_round(proposal):
    return proposal.rounds.get(closed_at__isnull=True)


def vote(world, make_person):
    """A legal vote of the cooperative closed with 2 yes and 1 no: turnout 100 %, yes
    share 2 of 3."""
    third = make_person("Third")
    bodies.join_body(person=third, body=world["coop"])
    proposal = services.create_proposal(actor=world["member"], body=world["coop"],
                                        title="Accounts", text="We approve the accounts.",
                                        decision_class="legal_act")
    for person, stance in ((world["member"], "yes"), (world["coordinator"], "yes"),
                           (third, "no")):
        services.take_position(person=person, round_id=current_round(proposal).pk,
                               stance=stance)
    services.close_round(actor=world["coordinator"], round_id=current_round(proposal).pk)
    return proposal


class TestNumbersInTheReadersLanguage:
    def test_a_rounds_arithmetic_in_french_and_in_english(self, world, make_person):
        proposal = vote(world, make_person)
        french = client_for(None, "fr").get(f"/proposals/{proposal.pk}/").content.decode()
        with translation.override("fr"):
            hundred, two_thirds = percent_text(100), percent_text(Decimal("66.7"), 1)
        assert "66,7" in two_thirds  # a comma, the French decimal mark
        arithmetic = french.split('id="arithmetic"')[1].split("</ul>")[0]
        assert hundred in arithmetic and two_thirds in arithmetic
        assert "100.0" not in arithmetic and "66.7" not in arithmetic
        english = client_for(None, "en").get(f"/proposals/{proposal.pk}/").content.decode()
        arithmetic = english.split('id="arithmetic"')[1].split("</ul>")[0]
        assert "Turnout: 3 of 3 entitled members, 100% (quorum 50%)." in arithmetic
        assert "Yes: 2 of 3 expressed votes, 66.7%." in arithmetic

    def test_a_colleges_weight_and_share(self, world, make_person):
        scic = world["scic"]
        voters = []
        for college, stance in zip(world["colleges"], ("yes", "yes", "no"), strict=True):
            person = make_person(f"Voter {college.name}")
            bodies.join_body(person=person, body=scic, college=college)
            voters.append((person, stance))
        proposal = services.create_proposal(actor=voters[0][0], body=scic, title="Accounts",
                                            text="Approved.", decision_class="legal_act")
        for person, stance in voters:
            services.take_position(person=person, round_id=current_round(proposal).pk,
                                   stance=stance)
        services.close_round(actor=None, round_id=current_round(proposal).pk)
        page = client_for(None, "fr").get(f"/proposals/{proposal.pk}/").content.decode()
        table = page.split('id="colleges"')[1].split("</table>")[0]
        with translation.override("fr"):
            assert percent_text(40) in table and percent_text(100) in table
        assert "100.0" not in table and "0.0" not in table


class TestCodesShownByTheirLabels:
    def test_the_register_csv_has_a_label_beside_each_code(self, world):
        proposal = services.create_proposal(actor=world["member"], body=world["coop"],
                                            title="Paint the door", text="Green.",
                                            decision_class="executive")
        services.take_position(person=world["member"], round_id=current_round(proposal).pk,
                               stance="fully_agree")
        services.close_round(actor=world["coordinator"],
                             round_id=current_round(proposal).pk)
        response = client_for(None, "fr").get("/decisions/?format=csv")
        (row,) = list(csv.DictReader(io.StringIO(response.content.decode())))
        # The codes stay for programs reading the file...
        assert (row["class"], row["method"], row["outcome"], row["body"]) \
            == ("executive", "consent", "adopted", "cit")
        # ...and people read the labels, in the language they asked for.
        with translation.override("fr"):
            expected = (str(ClassChoice.EXECUTIVE.label), str(MethodChoice.CONSENT.label),
                        str(OutcomeChoice.ADOPTED.label))
        assert (row["class_label"], row["method_label"], row["outcome_label"]) == expected
        assert row["outcome_label"] != "adopted" and row["body_name"] == "CIT"

    def test_the_register_page_shows_labels_not_codes(self, world):
        proposal = services.create_proposal(actor=world["member"], body=world["coop"],
                                            title="Paint the door", text="Green.",
                                            decision_class="executive")
        services.take_position(person=world["member"], round_id=current_round(proposal).pk,
                               stance="fully_agree")
        services.close_round(actor=world["coordinator"],
                             round_id=current_round(proposal).pk)
        page = client_for(None, "fr").get("/decisions/").content.decode()
        table = page.split('id="decisions"')[1].split("</table>")[0]
        with translation.override("fr"):
            assert str(OutcomeChoice.ADOPTED.label) in table
            assert str(MethodChoice.CONSENT.label) in table
        assert ">adopted<" not in table and ">consent<" not in table


class Controls(HTMLParser):
    """The form controls of a page, whether a label names each, and the table headers."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.ids: list[str] = []
        self.open_labels = 0
        self.fieldsets: list[dict] = []  # the open ones, innermost last
        self.radios_outside_a_legend: list[str] = []
        self.headers: list[str] = []
        self.in_header = False
        self.in_legend = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag == "fieldset":
            self.fieldsets.append({"legend": ""})
        elif tag == "legend":
            self.in_legend = True
        elif tag == "th":
            self.in_header, self.headers = True, [*self.headers, ""]
        elif tag in ("input", "select", "textarea"):
            kind = attrs.get("type", "text")
            if tag == "input" and kind in ("hidden", "submit", "button"):
                return
            self.controls.append({
                "name": attrs.get("name"), "id": attrs.get("id"),
                "wrapped": self.open_labels > 0,
                "aria": bool(attrs.get("aria-label") or attrs.get("aria-labelledby"))})
            if kind == "radio" and not (self.fieldsets and self.fieldsets[-1]["legend"]):
                self.radios_outside_a_legend.append(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1
        elif tag == "fieldset" and self.fieldsets:
            self.fieldsets.pop()
        elif tag == "legend":
            self.in_legend = False
        elif tag == "th":
            self.in_header = False

    def handle_data(self, data):
        if self.in_legend and self.fieldsets:
            self.fieldsets[-1]["legend"] += data.strip()
        if self.in_header:
            self.headers[-1] += data.strip()

    def unlabelled(self) -> list[str]:
        return [c["name"] for c in self.controls
                if not (c["wrapped"] or c["aria"] or (c["id"] and c["id"] in self.label_for))]


def controls_of(client, url) -> Controls:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = Controls()
    parser.feed(response.content.decode())
    return parser


class TestEveryControlHasALabel:
    def test_the_policy_page_names_each_method_select(self, world):
        # The coordinator reads English (their profile's language).
        page = client_for(world["coordinator"]).get("/bodies/cit/decision-policy/")
        text = page.content.decode()
        parser = Controls()
        parser.feed(text)
        assert parser.controls and parser.unlabelled() == []
        assert len(parser.ids) == len(set(parser.ids))  # a label names one control only
        selects = [c for c in parser.controls if (c["name"] or "").startswith("method_")]
        assert len(selects) == 5
        with translation.override("en"):
            for decision_class in ClassChoice:
                label = f'<label for="id_method_{decision_class.value}">' \
                        f'{str(decision_class.label)[0].upper()}'
                assert label in text, decision_class

    def test_every_decisions_page(self, world, make_person):
        coordinator = client_for(world["coordinator"])
        open_round = services.create_proposal(actor=world["member"], body=world["coop"],
                                              title="Open", text="Open round.",
                                              decision_class="executive")
        postponed = services.create_proposal(actor=world["member"], body=world["coop"],
                                             title="Vetoed", text="Join.",
                                             decision_class="orientation")
        services.take_position(person=world["member"], round_id=current_round(postponed).pk,
                               stance="veto", reason="No", counter_proposal="Later")
        services.close_round(actor=world["coordinator"],
                             round_id=current_round(postponed).pk)
        legal = vote(world, make_person)
        pages = [f"/proposals/{open_round.pk}/",  # position form and facilitation
                 f"/proposals/{postponed.pk}/",  # the star debate's summary, the revision
                 f"/proposals/{legal.pk}/",
                 "/bodies/cit/proposals/", "/bodies/cit/proposals/new/",
                 "/bodies/cit/decision-policy/", "/bodies/cit/changes/decisions.policy/",
                 "/bodies/cit/changes/cooperatives.dissolve/",
                 "/bodies/cit/meeting-proxies/", "/decisions/"]
        for url in pages:
            parser = controls_of(coordinator, url)
            assert parser.unlabelled() == [], url
            assert parser.radios_outside_a_legend == [], url
            assert all(parser.headers), url  # no empty table header
            assert len(parser.ids) == len(set(parser.ids)), url
        parser = controls_of(coordinator, f"/proposals/{open_round.pk}/")
        assert {"stance", "deadline"} <= {c["name"] for c in parser.controls}
        parser = controls_of(coordinator, f"/proposals/{postponed.pk}/")
        assert "summary" in {c["name"] for c in parser.controls}


class TestThePrimaryAction:
    def test_a_member_is_taken_to_the_position_form(self, world):
        proposal = services.create_proposal(actor=world["coordinator"], body=world["coop"],
                                            title="Hours", text="Open on Sundays.",
                                            decision_class="executive")
        url = f"/proposals/{proposal.pk}/"
        page = client_for(world["member"]).get(url).content.decode()
        assert '<a class="button" href="#position-form" data-primary>Take a position</a>' \
            in page
        assert page.count("data-primary") == 1
        services.take_position(person=world["member"], round_id=current_round(proposal).pk,
                               stance="fully_agree")
        page = client_for(world["member"]).get(url).content.decode()
        assert 'data-primary>Change my position</a>' in page
        # Not a member: nothing to take, no primary action; the deadline is still said.
        page = client_for(world["outsider"]).get(url).content.decode()
        assert "data-primary" not in page and "Open until a facilitator closes it." in page
        proposals = client_for(world["member"]).get("/bodies/cit/proposals/").content.decode()
        assert 'href="/bodies/cit/proposals/new/" data-primary>' in proposals
