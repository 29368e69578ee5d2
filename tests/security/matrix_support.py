"""The world, the roles and the addresses of the access matrix (test_access_matrix.py).

The world is the `world` fixture's (tests/conftest.py) with one object of every kind
the addresses name, most of them held by the CLOSED group "Caisse" so that each probe
asks "may this role see or touch what a closed group keeps to itself?". A few are
built for the open group "Accueil" too: the pages R2 makes public. Everything is made
through the services, as the platform does.

Secrets: the closed group's description and place, and a marker in the title of what
it holds; a page or an answer shown to someone who may not see the closed group must
contain none of them.
"""

import hashlib
import io
import itertools
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

PARIS = ZoneInfo("Europe/Paris")
SECRETS = ("Secret treasury", "Hidden place", "SECRET-")
ROLES = ("anonymous", "outsider", "other", "member", "coordinator", "operator")
# Who may not see what the closed group holds: none of them is in its cooperative.
STRANGERS = ("anonymous", "outsider", "other")

_people = itertools.count(1)


@dataclass
class World:
    people: dict  # role -> user (no anonymous)
    tokens: dict  # role -> raw API token
    cookies: dict  # role -> session cookie value
    closed: dict  # parameter name -> value filling it for the closed group's objects
    open: dict  # the same for the open group's, where it has one
    baseline: dict = field(default_factory=dict)  # checksum() of the world as built

    def client(self, role: str) -> Client:
        from django.conf import settings

        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if role in self.cookies:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.cookies[role]
        return client

    def api_headers(self, role: str) -> dict:
        if role not in self.tokens:
            return {}
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def _person(name: str, *, superuser: bool = False):
    n = next(_people)
    email = f"matrix{n}@example.org"
    User = get_user_model()
    create = User.objects.create_superuser if superuser else User.objects.create_user
    user = create(email=email, password="pw-secret-123", display_name=name, language="en")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def build_world() -> World:
    """The bodies and people of tests/conftest.py's `world`, the member also in the
    closed group, and everything the addresses name."""
    from autogestion.cooperatives import services as bodies
    from autogestion.cooperatives.models import LegalForm
    from autogestion.cooperatives.rules import Kind, Role

    operator = _person("Operator", superuser=True)
    network = bodies.create_body(actor=operator, kind=Kind.NETWORK, name="Réseau",
                                 slug="reseau")
    coop = bodies.create_body(actor=operator, kind=Kind.COOPERATIVE, name="CIT", slug="cit",
                              parent=network, legal_form=LegalForm.INTEGRAL, place="Toulouse",
                              rhythm="monthly")
    other = bodies.create_body(actor=operator, kind=Kind.COOPERATIVE, name="Other coop",
                               slug="other", legal_form=LegalForm.SCOP)
    coordinator, member = _person("Coordinator"), _person("Member")
    outsider, other_coordinator = _person("Outsider"), _person("Other coordinator")
    candidate = _person("Candidate")
    for person in (coordinator, member, candidate):
        bodies.join_body(person=person, body=coop)
    bodies.set_member_role(actor=operator, body=coop, person=coordinator, role=Role.COORDINATOR)
    bodies.join_body(person=other_coordinator, body=other)
    bodies.set_member_role(actor=operator, body=other, person=other_coordinator,
                           role=Role.COORDINATOR)
    open_group = bodies.create_body(actor=coordinator, kind=Kind.GROUP, name="Accueil",
                                    slug="accueil", parent=coop, description="Welcome desk",
                                    place="Local", rhythm="weekly")
    closed = bodies.create_body(actor=coordinator, kind=Kind.GROUP, name="Caisse",
                                slug="caisse", parent=coop, is_open=False,
                                description="Secret treasury", place="Hidden place")
    bodies.join_body(person=member, body=open_group)
    request = bodies.join_body(person=member, body=closed)
    bodies.accept_membership_request(actor=coordinator, membership_id=request.pk)
    pending = bodies.join_body(person=candidate, body=closed, message="SECRET-request")
    for body in (coop, other, network):
        bodies.leave_body(person=operator, body=body)
    people = {"outsider": outsider, "other": other_coordinator, "member": member,
              "coordinator": coordinator, "operator": operator}
    ctx = {"coop": coop, "closed": closed, "open": open_group, "member": member,
           "coordinator": coordinator, "candidate": candidate, "people": people}
    closed_ids = {"slug": closed.slug, "cooperative": coop.slug, "membership_id": pending.pk,
                  "member": member.pk, "coordinator": coordinator.pk}
    open_ids = {"slug": open_group.slug, "cooperative": coop.slug}
    for build in (_meetings, _decisions, _economy, _commons, _work, _daily, _accounts,
                  _notifications):
        found_closed, found_open = build(ctx)
        closed_ids.update(found_closed)
        open_ids.update(found_open)
    return World(people=people, tokens=_tokens(people), cookies=_cookies(people),
                 closed=closed_ids, open=open_ids, baseline=checksum())


def _series(actor, body, title, place):
    from autogestion.assemblies import services

    return services.create_series(
        actor=actor, body=body, title=title, rrule="FREQ=WEEKLY;BYDAY=MO",
        first_day=date(2026, 11, 2), start_time=time(18), end_time=time(20), place=place)


# Mondays after the suite's "now" (Thursday 26 November 2026): the first one's agenda is
# still open (its deadline a week before), the second one takes delayed items.
MEETING_DAY, LATER_DAY = date(2026, 12, 14), date(2026, 12, 21)


def _meetings(ctx):
    from autogestion.assemblies import queries
    from autogestion.assemblies import services as assemblies
    from autogestion.facilitation import services as rooms

    found = {}
    for side, body in (("closed", ctx["closed"]), ("open", ctx["open"])):
        secret = "SECRET-" if side == "closed" else ""
        place = "Hidden place" if side == "closed" else "Local"
        series = _series(ctx["coordinator"], body, f"{secret}meeting", place)
        occurrence = queries.find_occurrence(series, MEETING_DAY)
        item = assemblies.add_agenda_item(actor=ctx["member"], occurrence=occurrence,
                                          title=f"{secret}item", duration_minutes=10)
        session = assemblies.add_session(
            actor=ctx["coordinator"], occurrence=occurrence, title=f"{secret}session",
            starts_at=datetime.combine(MEETING_DAY, time(18), PARIS),
            ends_at=datetime.combine(MEETING_DAY, time(19), PARIS))
        room = rooms.open_room(actor=ctx["coordinator"], occurrence=occurrence)
        found[side] = {"series_id": series.pk, "day": MEETING_DAY.isoformat(),
                       "item_id": item.pk, "session_id": session.pk, "room_id": room.pk}
    return found["closed"], found["open"]


def _decisions(ctx):
    from autogestion.decisions import services as decisions

    closed, coordinator, member = ctx["closed"], ctx["coordinator"], ctx["member"]
    found = {}
    for side, body in (("closed", closed), ("open", ctx["open"])):
        secret = "SECRET-" if side == "closed" else ""
        proposal = decisions.create_proposal(
            actor=coordinator if side == "closed" else member, body=body,
            title=f"{secret}proposal", text=f"{secret}text", decision_class="executive",
            method="consent")
        found[side] = {"proposal_id": proposal.pk}
    # A vetoed consensus opens a star debate: its groups are what star-groups/ names.
    vetoed = decisions.create_proposal(
        actor=coordinator, body=closed, title="SECRET-statutes", text="SECRET-statutes text",
        decision_class="orientation", method="consensus")
    round_ = vetoed.rounds.get()
    decisions.take_position(person=member, round_id=round_.pk, stance="veto",
                            reason="SECRET-reason", counter_proposal="SECRET-counter")
    decisions.take_position(person=coordinator, round_id=round_.pk, stance="agree")
    decisions.close_round(actor=coordinator, round_id=round_.pk)
    group = round_.star_debate.groups.order_by("number").first()
    found["closed"]["group_id"] = group.pk
    # A proxy for a legal vote of the (open) cooperative: the member's, to the coordinator.
    legal = decisions.create_proposal(
        actor=coordinator, body=ctx["coop"], title="Comptes annuels", text="Approuver",
        decision_class="legal_act", method="majority")
    proxy = decisions.give_proxy(giver=member, round_id=legal.rounds.get().pk,
                                 holder=coordinator)
    found["closed"]["proxy_id"] = proxy.pk
    # A proxy for a general meeting of the (open) cooperative: the member's, to the
    # coordinator.
    from autogestion.assemblies import queries as calendar

    series = _series(coordinator, ctx["coop"], "Assemblée générale", "Toulouse")
    meeting_proxy = decisions.give_meeting_proxy(
        giver=member, body=ctx["coop"], occurrence=calendar.find_occurrence(series, MEETING_DAY),
        holder=coordinator)
    found["closed"]["meeting_proxy_id"] = meeting_proxy.pk
    return found["closed"], found["open"]


def _economy(ctx):
    from autogestion.economy import services as economy

    coop, closed, coordinator, member = (ctx["coop"], ctx["closed"], ctx["coordinator"],
                                         ctx["member"])
    currency = economy.create_currency(actor=coordinator, cooperative=coop, code="oseille",
                                       name="Oseille", symbol="Os", default_debit_limit=10_000)
    group_account = economy.open_body_account(actor=coordinator, currency=currency, body=closed)
    member_account = economy.account_of(member, currency)
    economy.account_of(coordinator, currency)
    payment = economy.pay(actor=coordinator, payer_id=group_account.pk,
                          payee_id=member_account.pk, amount=500, description="SECRET-payment")
    request = economy.request_payment(actor=coordinator, seller_id=group_account.pk,
                                      buyer_id=member_account.pk, amount=300,
                                      description="SECRET-request")
    offer = economy.publish_offer(actor=coordinator, cooperative=coop, kind="offer",
                                  title="SECRET-offer", category="tools",
                                  expires_on=date(2027, 1, 31), price_euros=500,
                                  on_behalf_of=closed)
    economy.record_fund_movement(actor=coordinator, body=closed, amount=10_000,
                                 category="donation", description="SECRET-donation",
                                 happened_on=date(2026, 11, 20))
    ctx["currency"] = currency
    return ({"currency_id": currency.pk, "account_id": group_account.pk,
             "currency_code": currency.code, "member_account": member_account.pk,
             "payment_id": payment.pk, "request_id": request.pk, "offer_id": offer.pk}, {})


def _commons(ctx):
    from autogestion.commons import services as commons

    closed, coordinator, member = ctx["closed"], ctx["coordinator"], ctx["member"]
    found = {}
    for side, body in (("closed", closed), ("open", ctx["open"])):
        secret = "SECRET-" if side == "closed" else ""
        resource = commons.create_resource(
            actor=coordinator, steward=body, kind="tool", name=f"{secret}saw",
            audience="steward", requires_approval=True, open_days=range(1, 8),
            opens_at=time(8), closes_at=time(20), longest_minutes=12 * 60)
        found[side] = {"resource_id": resource.pk}
    resource_id = found["closed"]["resource_id"]
    booking = commons.book_resource(
        actor=member, resource_id=resource_id, purpose="SECRET-purpose",
        starts_at=datetime(2026, 12, 2, 10, tzinfo=PARIS),
        ends_at=datetime(2026, 12, 2, 12, tzinfo=PARIS))
    photo = commons.add_photo(actor=coordinator, resource_id=resource_id,
                              image=SimpleUploadedFile("saw.png", _png()),
                              caption="SECRET-photo")
    open_id = found["open"]["resource_id"]
    open_booking = commons.book_resource(
        actor=member, resource_id=open_id, starts_at=datetime(2026, 12, 2, 10, tzinfo=PARIS),
        ends_at=datetime(2026, 12, 2, 12, tzinfo=PARIS))
    # Confirmed: the public sees the slots an open group's resource has taken.
    commons.approve_booking(actor=coordinator, booking_id=open_booking.pk)
    open_photo = commons.add_photo(actor=coordinator, resource_id=open_id,
                                   image=SimpleUploadedFile("saw.png", _png()))
    found["closed"].update(booking_id=booking.pk, photo_id=photo.pk)
    found["open"].update(booking_id=open_booking.pk, photo_id=open_photo.pk)
    return found["closed"], found["open"]


def _work(ctx):
    from autogestion.work import services as work

    coop, closed, coordinator, member = (ctx["coop"], ctx["closed"], ctx["coordinator"],
                                         ctx["member"])
    post = work.create_post(actor=coordinator, body=closed, name="SECRET-post")
    work.declare_skill(actor=coordinator, post_id=post.pk, level="capable")
    skill = work.declare_skill(actor=member, post_id=post.pk, level="learning")
    absence = work.declare_unavailability(actor=member, body=closed,
                                          first_day=date(2026, 12, 24),
                                          last_day=date(2026, 12, 26), note="SECRET-away")
    rotation = work.propose_rotation(actor=coordinator, body=closed,
                                     first_day=date(2026, 11, 30), period="week")
    assignment = rotation.assignments.order_by("pk").first()
    knowledge = work.add_knowledge(actor=member, cooperative=coop, kind="teach",
                                   topic="SECRET-bread")
    work.add_knowledge(actor=coordinator, cooperative=coop, kind="learn", topic="SECRET-bread")
    training = work.schedule_training(
        actor=member, cooperative=coop, teacher_id=member.pk, learner_id=coordinator.pk,
        topic="SECRET-bread", starts_at=datetime(2026, 12, 5, 10, tzinfo=PARIS),
        ends_at=datetime(2026, 12, 5, 12, tzinfo=PARIS))
    return ({"post_id": post.pk, "skill_id": skill.pk, "unavailability_id": absence.pk,
             "rotation_id": rotation.pk, "assignment_id": assignment.pk,
             "knowledge_id": knowledge.pk, "training_id": training.pk}, {})


# The daily plan is tomorrow's, made at the evening meeting.
PLAN_DAY = date(2026, 11, 27)


def _daily(ctx):
    from autogestion.work.daily import services as daily

    plan = daily.prepare_daily_plan(actor=ctx["coordinator"], body=ctx["closed"], day=PLAN_DAY,
                                    note="SECRET-note")
    task = daily.add_task(actor=ctx["coordinator"], plan_id=plan.pk, title="SECRET-task")
    return {"plan_day": PLAN_DAY.isoformat(), "task_id": task.pk}, {}


def _accounts(ctx):
    from autogestion.accounts.services import create_api_token, create_invitation
    from autogestion.assemblies.services import calendar_token_of

    token, _raw = create_api_token(person=ctx["member"], name="member's script")
    for person in (ctx["member"], *ctx["people"].values()):
        # Everyone has visited their profile, which makes their feed's address.
        calendar_token_of(person)
    invitation, invitation_token = create_invitation(actor=ctx["coordinator"],
                                                     body=ctx["closed"], kind="link",
                                                     max_uses=5)
    return ({"token_id": token.pk, "token": calendar_token_of(ctx["member"]).token,
             "action": "accept", "invitation_id": invitation.pk,
             # The change a body makes by decision that every body has: its own rules.
             "kind": "decisions.policy",
             "invitation_token": invitation_token}, {})


P256DH = ("BAK52doO6kynxcqUuphBac9p4sfaft2tmYXG6sfnsEn9JETwWHFEM9KJwmtDSlO3f9MJ90adU06VKITKGs"
          "Hnjrg")
PUSH_AUTH = "bWF0cml4LWF1dGgtMTIzNA"


def _notifications(ctx):
    from django.utils.translation import gettext_noop

    from autogestion.notifications.models import Kind
    from autogestion.notifications.services import add_push_subscription, notify

    [notification] = notify([ctx["member"]], Kind.MEETING,
                            title=gettext_noop("SECRET-notification"), url="/notifications/")
    device, _created = add_push_subscription(
        person=ctx["member"], endpoint="https://push.example.org/matrix-member",
        p256dh=P256DH, auth=PUSH_AUTH)
    return {"notification_id": notification.pk, "subscription_id": device.pk}, {}


def _tokens(people) -> dict:
    from autogestion.accounts.services import create_api_token

    return {role: create_api_token(person=person, name="matrix")[1]
            for role, person in people.items()}


def _cookies(people) -> dict:
    from django.conf import settings

    cookies = {}
    for role, person in people.items():
        client = Client()
        client.force_login(person)
        cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


# --- The addresses ---------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    name: str
    route: str  # Django's route syntax, prefix included
    params: tuple[str, ...]

    def url(self, values: dict) -> str:
        found = {**values, **{param: values[key]
                              for param, key in FILL_OVERRIDES.get(self.name, {}).items()}}
        return "/" + _PARAM.sub(lambda m: str(found[m.group(2)]), self.route)

    def unfilled(self, values: dict) -> list[str]:
        overrides = FILL_OVERRIDES.get(self.name, {})
        return [p for p in self.params if overrides.get(p, p) not in values]


# Where a parameter takes another value than the one its name says: the cooperative's
# pages (a group's lead to its cooperative's), the daily plan's day.
_COOPERATIVE_PAGES = ("economy", "economy_pay", "economy_request", "economy_open_account",
                      "offers", "work_learning", "work_training_schedule", "economy_across",
                      "currency_create", "body_colleges", "body_capital")
_DAILY_DAY_PAGES = ("daily_plan", "daily_plan_edit", "daily_plan_publish", "daily_plan_note",
                    "daily_task_add")
# A training session's pages name their id `session_id`, as the program's sessions do:
# filled with the program session's id they would only hit the training by chance (when
# the two sequences agree, as on a fresh database).
FILL_OVERRIDES = {**{name: {"slug": "cooperative"} for name in _COOPERATIVE_PAGES},
                  **{name: {"day": "plan_day"} for name in _DAILY_DAY_PAGES},
                  "work_training_cancel": {"session_id": "training_id"}}
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# Parts of the site this matrix does not walk: the admin (its own permission system),
# the API (walked from its OpenAPI document), static files, allauth's sign-in machinery.
SKIPPED_PREFIXES = ("admin/", "api/", "static/")
# allauth's pages about one's own account, walked like the profile.
ALLAUTH_PROFILE_PAGES = {"account_email", "account_change_password", "mfa_index"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def pages() -> list[Page]:
    found = []
    for route, entry in _walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES):
            continue
        module = getattr(entry.callback, "__module__", "")
        if module.startswith(("allauth", "django.views.static")) \
                and entry.name not in ALLAUTH_PROFILE_PAGES:
            continue
        name = entry.name or route
        found.append(Page(name=name, route=route,
                          params=tuple(m.group(2) for m in _PARAM.finditer(route))))
    return found


# --- "Nothing changed" -----------------------------------------------------------------

# Rows a request may write whatever it does: the session, the time a token was last used.
VOLATILE_TABLES = {"django_session", "accounts_apitoken"}
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _models_by_table() -> dict:
    return {model._meta.db_table: model
            for model in apps.get_models(include_auto_created=True)}


def checksum(tables=None) -> dict[str, str]:
    """The rows of the tables (all of them by default), hashed per table: the same
    answer twice iff they hold the same rows."""
    models_by_table = _models_by_table()
    sums = {}
    for table in sorted(tables if tables is not None else models_by_table):
        model = models_by_table.get(table)
        if model is None:  # a table of no model (a migration's): not the site's data
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*fields)
        sums[table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return sums


@contextmanager
def written_tables():
    """The tables the statements run inside the block write to (even if rolled back)."""
    written: set[str] = set()

    def record(execute, sql, params, many, context):
        if found := _WRITE.match(sql):
            written.add(found.group(1))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield written


def changed_tables(baseline: dict, written: set[str], allowed=frozenset()) -> list[str]:
    """Of the tables written, those whose rows differ from the world as built: the
    world is the same at the start of every test (each runs in a savepoint rolled back),
    so one checksum taken after building it stands for "before" everywhere."""
    suspects = written - VOLATILE_TABLES - set(allowed)
    now = checksum(suspects)
    return sorted(table for table, digest in now.items() if baseline.get(table) != digest)


def shows_a_secret(content: bytes) -> list[str]:
    text = content.decode("utf-8", "replace")
    return [secret for secret in SECRETS if secret in text]


def content_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# --- The API ---------------------------------------------------------------------------

# Which value fills a path parameter when its name alone does not say: by the segment
# before it.
API_FILL = {("sessions", "session_id"): "session_id",
            ("training-sessions", "session_id"): "training_id",
            ("daily-plans", "day"): "plan_day",
            ("invitations", "token"): "invitation_token"}
# The API's operations on a cooperative as a whole (its currencies, offers, teach/learn
# lists): a group's slug answers "not a cooperative".
API_COOPERATIVE_OPERATIONS = {
    "GET /api/bodies/{slug}/currencies", "POST /api/bodies/{slug}/currencies",
    "GET /api/bodies/{slug}/knowledge", "POST /api/bodies/{slug}/knowledge",
    "GET /api/bodies/{slug}/pairings", "GET /api/bodies/{slug}/training-sessions",
    "POST /api/bodies/{slug}/training-sessions",
    "PUT /api/bodies/{slug}/colleges", "PUT /api/bodies/{slug}/member-college",
    "GET /api/bodies/{slug}/capital", "PUT /api/bodies/{slug}/capital",
}


def api_url(op, values: dict) -> str:
    segments = op.path.split("/")
    for i, segment in enumerate(segments):
        if segment.startswith("{"):
            name = segment[1:-1]
            key = API_FILL.get((segments[i - 1], name), name)
            if name == "slug" and op.key in API_COOPERATIVE_OPERATIONS:
                key = "cooperative"
            segments[i] = str(values[key])
    return "/".join(segments)


def api_unfilled(op, values: dict) -> list[str]:
    try:
        api_url(op, values)
    except KeyError as missing:
        return [str(missing)]
    return []


# Bodies that pass the schema, so that a write reaches the permission check: an empty
# body would stop at 422 for everyone. "@name" is a value of the world.
_DAY, _LATER = MEETING_DAY.isoformat(), LATER_DAY.isoformat()
API_BODIES = {
    "PATCH /api/notifications/preferences": {"push": {"meeting": True}},
    "POST /api/notifications/subscriptions": {
        "endpoint": "https://push.example.org/matrix",
        "keys": {"p256dh": P256DH, "auth": PUSH_AUTH}},
    "POST /api/bodies/{slug}/series": {"title": "x", "first_day": "2026-12-07",
                                       "start_time": "18:00", "end_time": "20:00",
                                       "rrule": "FREQ=WEEKLY"},
    "POST /api/series/{series_id}/occurrences/{day}/move": {
        "starts_at": f"{_DAY}T19:00:00+01:00", "ends_at": f"{_DAY}T21:00:00+01:00"},
    "POST /api/series/{series_id}/occurrences/{day}/items": {"title": "x",
                                                             "duration_minutes": 5},
    "POST /api/agenda-items/{item_id}/discard": {"reason": "x"},
    "POST /api/agenda-items/{item_id}/delay": {"to": _LATER},
    "POST /api/series/{series_id}/occurrences/{day}/order": {"item_ids": ["@item_id"]},
    "PUT /api/series/{series_id}/occurrences/{day}/order": {"item_ids": ["@item_id"]},
    "POST /api/agenda-items/{item_id}/move": {"direction": "up"},
    "POST /api/series/{series_id}/occurrences/{day}/sessions": {
        "title": "x", "starts_at": f"{_DAY}T18:30:00+01:00"},
    "POST /api/series/{series_id}/occurrences/{day}/attendance": {"person_ids": ["@member"]},
    "POST /api/bodies/{slug}/proposals": {"title": "x", "text": "x",
                                          "decision_class": "executive", "method": "consent"},
    "POST /api/bodies/{slug}/decision-policy": {"policy": {"executive": "consensus"}},
    "POST /api/bodies/{slug}/changes/{kind}": {"params": {"max_proxies": 2}},
    "POST /api/proposals/{proposal_id}/proxies": {"holder_id": "@coordinator"},
    "POST /api/bodies/{slug}/meeting-proxies": {"series_id": "@series_id", "day": _DAY,
                                               "holder_id": "@coordinator"},
    "POST /api/bodies": {"kind": "network", "name": "x"},
    "POST /api/bodies/{slug}/children": {"kind": "group", "name": "x"},
    "PUT /api/bodies/{slug}/colleges": {"colleges": []},
    "PUT /api/bodies/{slug}/roles": {"person_id": "@member", "role": "member"},
    "PUT /api/bodies/{slug}/member-college": {"person_id": "@member", "college_id": 1},
    "PUT /api/bodies/{slug}/capital": {"person_id": "@member", "capital": "10",
                                       "is_employee": True},
    "POST /api/bodies/{slug}/invitations": {"kind": "link"},
    "POST /api/proposals/{proposal_id}/position": {"stance": "fully_agree"},
    "POST /api/proposals/{proposal_id}/extend": {"deadline": "2026-12-20T10:00:00+01:00"},
    "POST /api/rooms/{room_id}/act": {"action": "raise", "kind": "speak"},
    "POST /api/rooms/{room_id}/gestures": {"kind": "agree"},
    "POST /api/rooms/{room_id}/gestures/release": {"kind": "agree"},
    "PUT /api/rooms/{room_id}/roles": {"role": "timekeeper", "person_id": "@member"},
    "POST /api/rooms/{room_id}/item": {"item_id": "@item_id"},
    "POST /api/bodies/{slug}/currencies": {"code": "sel", "name": "Sel", "symbol": "S"},
    "POST /api/me/accounts": {"currency": "@currency_code"},
    "POST /api/bodies/{slug}/accounts": {"currency": "@currency_code", "kind": "project"},
    "PUT /api/accounts/{account_id}/limits": {"debit_limit": "10"},
    "PUT /api/accounts/{account_id}/status": {"status": "locked"},
    "POST /api/payments": {"payer_id": "@account_id", "payee_id": "@member_account",
                           "amount": "1.00"},
    "POST /api/payments/across": {"payer_id": "@account_id", "payee_id": "@member_account",
                                  "amount": "1.00"},
    "POST /api/payment-requests": {"seller_id": "@account_id", "buyer_id": "@member_account",
                                   "amount": "1.00"},
    "POST /api/bodies/{slug}/offers": {"kind": "need", "title": "x", "category": "tools",
                                       "expires_on": "2027-01-10"},
    "PUT /api/bodies/{slug}/fund": {"overdraft": "10"},
    "POST /api/bodies/{slug}/fund/movements": {"amount": "10.00", "category": "donation",
                                               "description": "x",
                                               "happened_on": "2026-11-20"},
    "POST /api/bodies/{slug}/resources": {"kind": "tool", "name": "x", "audience": "steward"},
    "POST /api/resources/{resource_id}/bookings": {"starts_at": "2026-12-03T10:00:00+01:00",
                                                   "ends_at": "2026-12-03T11:00:00+01:00"},
    "PUT /api/posts/{post_id}/skill": {"level": "capable"},
    "POST /api/bodies/{slug}/unavailability": {"first_day": "2026-12-28",
                                               "last_day": "2026-12-29"},
    "POST /api/bodies/{slug}/rotations": {"first_day": "2026-12-07", "period": "week"},
    "POST /api/rotations/{rotation_id}/assignments": {"day": "2026-11-30",
                                                      "post_id": "@post_id",
                                                      "person_id": "@member"},
    "PATCH /api/rotations/{rotation_id}/assignments/{assignment_id}": {"person_id": "@member"},
    "POST /api/bodies/{slug}/knowledge": {"kind": "learn", "topic": "x"},
    "POST /api/bodies/{slug}/training-sessions": {
        "teacher_id": "@member", "learner_id": "@coordinator", "topic": "SECRET-bread",
        "starts_at": "2026-12-12T10:00:00+01:00", "ends_at": "2026-12-12T11:00:00+01:00"},
    "POST /api/bodies/{slug}/daily-plans": {"day": "2026-11-28"},
    "POST /api/bodies/{slug}/daily-plans/{day}/tasks": {"title": "x"},
    "PATCH /api/daily-tasks/{task_id}": {"title": "x"},
}


def api_body(op, values: dict):
    """A body the operation's schema accepts: the document's plainest example, with the
    values above where the schema cannot tell."""
    from tests.security import openapi

    if op.body is None:
        return None

    def filled(value):
        if isinstance(value, str) and value.startswith("@"):
            return values[value[1:]]
        if isinstance(value, list):
            return [filled(item) for item in value]
        return value

    example = openapi.example(op.body) or {}
    return {**example, **{k: filled(v) for k, v in API_BODIES.get(op.key, {}).items()}}
