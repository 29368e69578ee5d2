"""Every page, as the people of the demo use it, on a phone and a laptop, in French
(issue #14, "Done when").

For each role (a visitor, a member, a coordinator — who in the demo also facilitates the
Agora and stewards the CIT's resources —, the SCIC's coordinator, an operator), the demo
is loaded and the pages the role reaches from the home page by following links are
gathered (every page name at most twice). Each page is then opened in Chromium and
checked:
- a phone, 360 × 740 and 390 × 844 (and 320 px wide for overflow): no horizontal
  overflow (scrollWidth ≤ innerWidth),
  every control at least 44 × 44 px, and the page's primary action ([data-primary]),
  where it has one, on the first screen;
- axe-core (tests/e2e/node_modules, from npm) at 390 px and at 1280 px: no critical and no
  serious violation;
- the Content-Security-Policy refuses nothing it loads (no inline style or script);
- its French: no stored code shown raw (a choice's code where its label belongs), no
  number with a decimal point, no article glued to a name ("de Les", "à Le", "de Inès"),
  no colon without its space ("Temps de parole :"),
  no "1 places", no capitalised month or weekday in running text.
Finally, every page name of the site is reached by some role, or listed below with the
reason it is not a page to check here.

The sweep runs in the SQLite pass only: layout and words do not depend on the database,
and the pass on PostgreSQL has the same pages already checked."""

import os
import re
from collections import deque
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")),
                       reason="the page sweep runs in the SQLite pass"),
]

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
PHONES = ((360, 740), (390, 844))
LAPTOP = (1280, 800)
PER_NAME = 2
ROLES = {
    "visitor": None,
    "member": "hugo.bernard@demo.autogestion.coop",
    "coordinator": "camille.durand@demo.autogestion.coop",
    "scic": "louise.martin@demo.autogestion.coop",
    "operator": "admin@demo.autogestion.coop",
}
# Addresses that are not pages to look at: files, feeds, the API, the admin, actions.
SKIP = re.compile(
    r"^/(api|admin|static|media|i18n)/|^/accounts/logout/|/(export|feed)\b"
    r"|\.(ics|csv|json|webmanifest|js|txt|beancount|png|svg|pdf)$|^/healthz$|^/sw\.js$")

# The pages where a role comes to do one thing, which must be marked [data-primary]
# (and so be on the first screen of a phone): raise a hand, pay, book, join, the day's
# plan, what waits for me.
MUST_HAVE_PRIMARY = {
    "visitor": {"body_detail", "newcomers"},
    "member": {"home", "room", "economy", "resource_detail"},
    "coordinator": {"home", "room", "economy", "daily_plan", "body_invitations"},
    "scic": {"home", "economy", "work_home"},
    "operator": set(),  # the operator sets up; no page is theirs to act on daily
}

# Page names that answer GET with 200 but no crawl reaches, with the reason.
NOT_REACHED = {
    "robots.txt": "a text file",
    "healthz": "for the load balancer",
    "economy_home": "a redirect to one's own cooperative's economy, which is checked",
    "proposal_not_positioned": "a fragment the proposal page loads into itself",
    "invitation_detail": "opened from an invitation's secret link (test_new_cooperative.py)",
    "resource_photo": "an image",
    "room_state": "the room's state as JSON",
    "offline": "what the service worker shows with no network (tests/e2e/test_offline.py)",
    "offline_not_sent": "what the service worker answers a form sent with no network",
}


def _demo():
    with open(os.devnull, "w") as quiet:
        call_command("demo", stdout=quiet)


def _in_a_thread(function, *args):
    """Run `function` away from Playwright's event loop: the demo opens a meeting room,
    whose live updates call async code from sync code, which a thread with a running loop
    refuses. The in-memory SQLite test database is shared between threads."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run():
        try:
            return function(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def _client(email: str | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    if email:
        client.force_login(get_user_model().objects.get(email=email))
    return client


def _links(html: str) -> list[str]:
    found = []
    for href in re.findall(r'<a\b[^>]*\bhref="([^"#]+)', html):
        href = unescape(href)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _view_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


# The crawl starts at the CIT and the SCIC, whose pages hold the most, then the home.
SEEDS = ("/bodies/cit/", "/bodies/champs-communs/", "/")


def crawl(client: Client, limit: int = 110) -> dict[str, str]:
    """The pages reachable from the seeds: {path: page name}, each name at most
    PER_NAME times, HTML pages answering 200 only."""
    seen: dict[str, str] = {}
    per_name: dict[str, int] = {}
    queue = deque(SEEDS)
    visited = set()
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in visited:
            continue
        visited.add(path)
        name = _view_name(path)
        if name is None or per_name.get(name, 0) >= PER_NAME:
            continue
        response = client.get(path, follow=True)
        if response.redirect_chain:  # /economy/ leads to one's own cooperative's economy
            path = response.redirect_chain[-1][0]
            name = _view_name(path)
            if path in seen or name is None or per_name.get(name, 0) >= PER_NAME:
                continue
        if (response.status_code != 200
                or not response.get("Content-Type", "").startswith("text/html")):
            continue
        per_name[name] = per_name.get(name, 0) + 1
        seen[path] = name
        html = response.content.decode()
        queue.extend(link for link in _links(html) if link not in visited)
    return seen


# --- French -----------------------------------------------------------------------------

MONTHS_DAYS = ("Janvier", "Février", "Mars", "Avril", "Mai", "Juin", "Juillet", "Août",
               "Septembre", "Octobre", "Novembre", "Décembre", "Janv", "Févr", "Avr", "Juil",
               "Sept", "Oct", "Nov", "Déc", "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi",
               "Samedi", "Dimanche")
GLUED = re.compile(r"\b(?:[Dd]e|[Àà]) (?:Le|La|Les|L')\s|\b[Dd]e [AEIOUYÉÈÊÂÎ][\w-]")
DECIMAL_POINT = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")
# French puts a (no-break) space before a colon: "Temps de parole : 4:24".
COLON_GLUED = re.compile(r"[A-Za-zÀ-ÿ)»]:(?=\s)")
ONE_PLURAL = re.compile(r"(?<![\d,\s])1\s(?:places|membres|personnes|votes|positions|inscriptions"
                        r"|points|heures|jours|tâches|propositions|comptes|réunions|groupes)\b")


def _french_words() -> set[str]:
    """Every word the French catalogue uses: a code that is also a French word ("active",
    "public") is not a leak when it shows."""
    with translation.override("fr"):
        catalog = translation.trans_real.translation("fr")._catalog
        words = set()
        for _key, value in catalog.items():
            words.update(re.findall(r"[a-zà-ÿ_]+", str(value).lower()))
    return words


def stored_codes() -> set[str]:
    """The codes stored in the database's choice fields whose French label differs from
    them: shown raw, they are English (or a programmer's) words on a French page."""
    french = _french_words()
    codes = set()
    with translation.override("fr"):
        for model in apps.get_models():
            if not model.__module__.startswith("autogestion."):
                continue
            for field in model._meta.get_fields():
                for value, label in getattr(field, "flatchoices", None) or ():
                    if (isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]{2,}", value)
                            and str(label) != value and value not in french):
                        codes.add(value)
    return codes


# Pages that show amounts or percentages, and what one of them looks like in French:
# "38,00 Os" (a comma, a no-break space before the symbol), "50 %" (a narrow one).
FRENCH_NUMBERS = {
    "economy": re.compile(r"\d,\d\d\u00a0\S"),
    "account_statement": re.compile(r"\d,\d\d\u00a0\S"),
    "fund": re.compile(r"\d,\d\d\u00a0€"),
    "body_colleges": re.compile(r"\d\u202f%"),
    "body_capital": re.compile(r"\d\u202f%"),
}


def french_problems(text: str, codes: set[str], name: str = "") -> list[str]:
    problems = []
    words = set(re.findall(r"(?<![\w/.-])[a-z][a-z_]{2,}(?![\w/-])", text))
    problems += [f"code shown raw: {code!r}" for code in sorted(words & codes)]
    problems += [f"decimal point: {m.group()!r}" for m in DECIMAL_POINT.finditer(text)]
    problems += [f"glued article: {m.group().strip()!r}" for m in GLUED.finditer(text)]
    problems += [f"plural after 1: {m.group()!r}" for m in ONE_PLURAL.finditer(text)]
    problems += [f"no space before a colon: {text[max(0, m.start() - 25):m.end()]!r}"
                 for m in COLON_GLUED.finditer(text)]
    if name in FRENCH_NUMBERS and not FRENCH_NUMBERS[name].search(text):
        problems.append(f"no number in French format ({FRENCH_NUMBERS[name].pattern})")
    mid_sentence = re.compile(r"(?<=[a-zà-ÿ,] )(?:" + "|".join(MONTHS_DAYS) + r")\b")
    problems += [f"capitalised in running text: {line.strip()[:80]!r}"
                 for line in text.splitlines() if mid_sentence.search(line)]
    return problems


# --- The browser ------------------------------------------------------------------------

OVERFLOW = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
WIDEST = """(w) => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > w + 1)
  .map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
        ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))
  .slice(-3).join(' > ')"""
PRIMARY = """() => { const el = document.querySelector('[data-primary]');
  if (!el) return null; const r = el.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, visible: r.width > 0 && r.height > 0}; }"""
# Controls a finger must hit: at least 44 × 44 px (a checkbox or a radio: its label's line).
SMALL_TARGETS = """() => {
  const small = [];
  const selector = 'button, input:not([type=hidden]), select, textarea, a.button, a.action, '
    + '.tabs a, header.top nav a, header.top .menu-toggle';
  for (const el of document.querySelectorAll(selector)) {
    let r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right < 0) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label')
        || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) r = label.getBoundingClientRect();
    }
    if (r.width < 43.5 || r.height < 43.5) {
      const name = (el.innerText || el.value || el.name || el.type || '').trim().slice(0, 30);
      const size = `${Math.round(r.width)}×${Math.round(r.height)}`;
      small.push(`${el.tagName.toLowerCase()} "${name}" ${size}`);
    }
  }
  return small.slice(0, 5);
}"""
AXE_RUN = """async () => { const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => v.impact + ' ' + v.id + ': '
      + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')); }"""


@pytest.fixture
def phone_context(browser, live_server):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url,
                                  extra_http_headers={"Accept-Language": "fr"},
                                  viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    yield context
    context.close()


def _sign_in(context, client: Client, live_server) -> None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                              "url": live_server.url}])


def check_page(page, path: str, name: str, axe_source: str, codes: set[str]) -> list[str]:
    refused = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", on_console)
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(path, wait_until="load")
        problems = on_a_phone(page) + with_axe(page, axe_source)
        problems += french_problems(page.evaluate("document.body.innerText"), codes, name)
    finally:
        page.remove_listener("console", on_console)
    return [f"refused by the Content-Security-Policy: {text[:160]}" for text in refused] + problems


def on_a_phone(page) -> list[str]:
    problems = []
    # The smallest phones still sold (320 px wide): nothing sideways there either.
    page.set_viewport_size({"width": 320, "height": 640})
    scroll_width, inner_width = page.evaluate(OVERFLOW)
    if scroll_width > inner_width:
        problems.append(f"320 px: {scroll_width} px wide ({page.evaluate(WIDEST, 320)})")
    for width, height in PHONES:
        page.set_viewport_size({"width": width, "height": height})
        scroll_width, inner_width = page.evaluate(OVERFLOW)
        if scroll_width > inner_width:
            problems.append(f"{width} px: {scroll_width} px wide ({page.evaluate(WIDEST, width)})")
        problems += [f"{width} px: a target under 44 × 44 px: {small}"
                     for small in page.evaluate(SMALL_TARGETS)]
        primary = page.evaluate(PRIMARY)
        if primary and (not primary["visible"] or primary["bottom"] > height
                        or primary["top"] < 0):
            problems.append(f"{width}×{height}: the primary action is not on the first screen "
                            f"(its bottom at {primary['bottom']:.0f} px)")
    return problems


def with_axe(page, axe_source: str) -> list[str]:
    problems = []
    for label, (width, height) in (("phone", (390, 844)), ("laptop", LAPTOP)):
        page.set_viewport_size({"width": width, "height": height})
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, which the page's
            # Content-Security-Policy does not govern (a <script> tag would be refused).
            page.evaluate(axe_source)
        problems += [f"axe {label}: {v}" for v in page.evaluate(AXE_RUN)]
    return problems


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_on_a_phone_and_a_laptop_in_french(role, live_server, phone_context,
                                                        transactional_db):
    if not AXE.exists():
        pytest.skip("skipped: axe-core is not installed (make browser: npm in tests/e2e)")
    _in_a_thread(_demo)
    client = _client(ROLES[role])
    pages = crawl(client)
    assert len(pages) > (3 if role == "visitor" else 15), pages
    _sign_in(phone_context, client, live_server)
    page = phone_context.new_page()
    axe_source = AXE.read_text()
    codes = stored_codes()
    report = [f"{name}: no primary action marked (data-primary)"
              for name in sorted(MUST_HAVE_PRIMARY[role])
              if not any("data-primary" in client.get(path).content.decode()
                         for path, reached in pages.items() if reached == name)]
    for path, name in pages.items():
        report += [f"{path}: {problem}"
                   for problem in check_page(page, path, name, axe_source, codes)]
    assert not report, f"{len(report)} problems as {role}:\n" + "\n".join(report)


def _routes(patterns=None, prefix="") -> dict[str, str]:
    """{page name: its route}, e.g. {"body_calendar": "/bodies/<slug:slug>/calendar.ics"}."""
    from django.urls import URLResolver, get_resolver

    routes = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            routes.update(_routes(pattern.url_patterns, route))
        elif pattern.name:
            routes.setdefault(pattern.name, "/" + route)
    return routes


def _page_names() -> set[str]:
    """Every address the access matrix answers GET with 200 for some role, other than
    files (calendars, exports): the pages."""
    from tests.security.test_access_matrix import PAGES

    routes = _routes()
    return {name for name, (gets, _posts) in PAGES.items()
            if "200" in gets.split() and not SKIP.search(routes.get(name, "/" + name))}


def test_every_page_is_reached_by_some_role(transactional_db):
    """The sweep above sees every page of the site, or the page is listed with its
    reason in NOT_REACHED: a new page cannot be left out of the phone checks silently."""
    _in_a_thread(_demo)
    reached = set()
    for email in ROLES.values():
        reached |= set(crawl(_client(email)).values())
    pages = _page_names()
    missing = sorted(pages - reached - set(NOT_REACHED))
    assert not missing, f"pages no role reaches (link them, or say why in NOT_REACHED): {missing}"
    stale = sorted(set(NOT_REACHED) & reached)
    assert not stale, f"listed as not reached but reached: {stale}"
