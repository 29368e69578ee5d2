"""A new cooperative, from nothing, all in the browser (issue #13, "Done when"): an
operator creates a network and a SCIC inside it; its colleges are set (105 % refused with
a message naming the sum, 100 % saved); a newcomer signs up through a link invitation,
confirms the e-mail sent over SMTP and joins; the newcomer founds a group; the
coordinator creates a social currency and pays the newcomer; the body changes the method
of its executive decisions by a proposal adopted by consensus; the Agora series is made
with the recurrence builder; its next agenda is reordered and a proposal tied to an item.
Neither the admin nor the API is used.

The operator logs in through the site's log-in page (TOTP is optional and not set up for
this one). Selectors use form field names, form actions and element ids; the few texts
asserted are in English: the operator's account speaks English, and the newcomer's
pages follow the browser's en-US."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress

from autogestion.assemblies.models import AgendaItem, MeetingSeries
from autogestion.cooperatives.models import Body, College, Membership
from autogestion.decisions.models import Position, Proposal
from autogestion.economy.models import Account, Currency

pytestmark = pytest.mark.e2e

PASSWORD = "pw-secret-123"
NEWCOMER_EMAIL = "ines@example.org"
NEWCOMER_PASSWORD = "Tangerine-Lighthouse-4821"
CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/accounts/confirm-email/[^\s\"'<>/]+/")


def _path(page) -> str:
    return urlsplit(page.url).path


def _submit(page, button: str) -> str:
    """Press a submit button, wait for the page the form leads to; return its path."""
    with page.expect_navigation():
        page.click(button)
    return _path(page)


def _submit_status(page, button: str) -> int:
    """Press a submit button; the HTTP status of the page it leads to."""
    with page.expect_navigation() as navigation:
        page.click(button)
    return navigation.value.status


def _log_in(page, email: str, password: str) -> str:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    return _submit(page, 'main form[action$="/accounts/login/"] button[type=submit]')


def _confirmation_path(message) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    assert body is not None, "the confirmation e-mail has no text body"
    found = CONFIRM_LINK.search(body.get_content())
    assert found, f"no confirmation link in the e-mail:\n{body.get_content()}"
    return urlsplit(found.group(0)).path


def _take_position(page, proposal_path: str, stance: str) -> None:
    page.goto(proposal_path)
    page.check(f'#position-form input[name=stance][value="{stance}"]')
    assert _submit_status(page, "#position-form button[type=submit]") == 200


def _policy_row(page, label: str) -> list[str]:
    """The cells of the policy page's row for one class of decision."""
    row = page.locator(f'#policy-methods tbody tr:has(td:text-is("{label}"))')
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def test_a_new_cooperative_from_nothing(live_server, mailbox, browser, make_person):
    operator = make_person("Olga", superuser=True)

    def new_page():
        context = browser.new_context(locale="en-US", base_url=live_server.url)
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(15_000)
        # Forms carrying data-confirm ask in the browser's own dialog (site.js): say yes.
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    coordinator = new_page()
    newcomer = new_page()
    try:
        _play(live_server, mailbox, operator, coordinator, newcomer)
    finally:
        coordinator.context.close()
        newcomer.context.close()


def _play(live_server, mailbox, operator, op, ines):
    # 1. The operator founds a network, then a SCIC inside it, from the network's page.
    assert _log_in(op, operator.email, PASSWORD) == "/profile/"
    op.goto("/bodies/new/")
    op.select_option("select[name=kind]", "network")
    op.fill("input[name=name]", "Réseau Sud")
    op.fill("textarea[name=description]", "Cooperatives of the South")
    network_path = _submit(op, "main form button[type=submit]")
    network = Body.objects.get(name="Réseau Sud")
    assert network_path == f"/bodies/{network.slug}/"
    assert network.kind == "network" and network.parent is None

    op.click(f'#found-links a[href="/bodies/{network.slug}/found/"]')
    op.wait_for_url(f"**/bodies/{network.slug}/found/")
    op.select_option("select[name=kind]", "cooperative")
    op.fill("input[name=name]", "Les Communs")
    op.select_option("select[name=legal_form]", "scic")
    op.fill("textarea[name=description]", "A SCIC for the commons")
    op.fill("input[name=place]", "Marseille")
    op.fill("input[name=rhythm]", "monthly")
    coop_path = _submit(op, "main form button[type=submit]")
    coop = Body.objects.get(name="Les Communs")
    assert coop_path == f"/bodies/{coop.slug}/"
    assert (coop.kind, coop.legal_form, coop.parent_id) == ("cooperative", "scic", network.pk)
    founder = Membership.objects.get(body=coop, person=operator)
    assert (founder.status, founder.role) == ("active", "coordinator")
    slug = coop.slug

    # 2. The colleges, as one set: 105 % is refused with the sum named, nothing saved;
    # then 100 % is saved.
    op.goto(f"/bodies/{slug}/colleges/")
    for i, (name, weight) in enumerate((("Salariés", 40), ("Usagers", 35),
                                        ("Soutiens", 30))):
        op.fill(f"input[name=colleges-{i}-name]", name)
        op.fill(f"input[name=colleges-{i}-weight_percent]", str(weight))
    assert _submit_status(op, "#colleges-form button[type=submit]") == 400
    alert = op.locator("main [role=alert]").first.inner_text()
    assert "The weights add up to 105 %: they must add up to 100 %." in alert, alert
    assert not College.objects.filter(cooperative=coop).exists()
    op.fill("input[name=colleges-2-weight_percent]", "25")
    assert _submit(op, "#colleges-form button[type=submit]") == f"/bodies/{slug}/colleges/"
    assert dict(College.objects.filter(cooperative=coop)
                .values_list("name", "weight_percent")) == {
        "Salariés": 40, "Usagers": 35, "Soutiens": 25}

    # 3. A link invitation; the newcomer opens it signed out, signs up, confirms the
    # e-mail and joins, choosing a college.
    op.goto(f"/bodies/{slug}/invitations/")
    op.fill("#invite-by-link input[name=link-max_uses]", "5")
    assert _submit_status(op, "#invite-by-link button[type=submit]") == 201
    link = op.input_value("#invitation-link")
    invitation_path = urlsplit(link).path
    assert invitation_path.startswith("/invitations/")

    ines.goto(invitation_path)
    ines.click('#accept a[href^="/accounts/signup/"]')
    ines.wait_for_url("**/accounts/signup/**")
    ines.fill("input[name=display_name]", "Inès")
    ines.fill("input[name=email]", NEWCOMER_EMAIL)
    ines.fill("input[name=password1]", NEWCOMER_PASSWORD)
    ines.fill("input[name=password2]", NEWCOMER_PASSWORD)
    landed = _submit(ines, 'main form[action^="/accounts/signup/"] button[type=submit]')
    assert landed == "/accounts/confirm-email/", "signing up did not ask to verify the e-mail"
    messages = mailbox.wait_for(1)
    assert messages[0]["To"] == NEWCOMER_EMAIL
    ines.goto(_confirmation_path(messages[0]))
    _submit(ines, 'main form[action^="/accounts/confirm-email/"] button[type=submit]')
    assert EmailAddress.objects.get(email=NEWCOMER_EMAIL).verified
    ines.goto(invitation_path)
    if ines.locator("#accept form").count() == 0:  # not logged in by the confirmation
        _log_in(ines, NEWCOMER_EMAIL, NEWCOMER_PASSWORD)
        ines.goto(invitation_path)
    # The invitation leaves the college to the person: the form asks for it.
    usagers = College.objects.get(cooperative=coop, name="Usagers")
    ines.select_option("#accept select[name=college]", str(usagers.pk))
    assert _submit(ines, "#accept form button[type=submit]") == f"/bodies/{slug}/"
    membership = Membership.objects.get(body=coop, person__email=NEWCOMER_EMAIL)
    assert (membership.status, membership.role) == ("active", "member")
    assert membership.college_id == usagers.pk
    assert membership.person.display_name == "Inès"
    ines.wait_for_selector(f'form[action$="/bodies/{slug}/leave/"]')

    # 4. The newcomer, a plain member, founds a group; the cooperative's log shows it.
    ines.goto(f"/bodies/{slug}/found/")
    ines.fill("input[name=name]", "Jardin partagé")
    ines.fill("textarea[name=description]", "Vegetables for all")
    group_path = _submit(ines, "main form button[type=submit]")
    group = Body.objects.get(name="Jardin partagé")
    assert group_path == f"/bodies/{group.slug}/"
    assert (group.kind, group.parent_id, group.status) == ("group", coop.pk, "active")
    assert Membership.objects.get(body=group, person=membership.person).role == "coordinator"
    assert ines.goto(group_path).status == 200
    assert ines.locator("h1").inner_text() == "Jardin partagé"
    ines.goto(f"/bodies/{slug}/")
    news = ines.locator("article.card", has_text="New group founded")
    assert news.count() == 1
    assert "“Jardin partagé”, by Inès" in news.inner_text()
    assert ines.locator(f'main a.card[href="/bodies/{group.slug}/"]').count() == 1

    # 5. A social currency, accounts opened, a first payment.
    op.goto(f"/bodies/{slug}/currencies/new/")
    op.fill("input[name=name]", "Graine")
    op.fill("input[name=symbol]", "G")
    op.fill("input[name=code]", "graine")
    op.fill("input[name=euro_rate]", "1")
    op.fill("input[name=decimals]", "2")
    op.fill("input[name=default_debit_limit]", "100")
    op.fill("input[name=default_credit_ceiling]", "500")
    op.fill("input[name=auto_accept_days]", "7")
    landed = _submit(op, "main form button[type=submit]")
    currency = Currency.objects.get(code="graine")
    assert landed == f"/currencies/{currency.pk}/"
    assert (currency.cooperative_id, currency.default_debit_limit) == (coop.pk, 10_000)
    open_form = f'form[action$="/bodies/{slug}/economy/open/{currency.pk}/"] button'
    for page in (op, ines):
        page.goto(f"/bodies/{slug}/economy/")
        _submit(page, open_form)
    mine = Account.objects.get(currency=currency, person=operator)
    theirs = Account.objects.get(currency=currency, person=membership.person)
    op.goto(f"/bodies/{slug}/economy/")
    op.select_option("#pay-form select[name=payer]", str(mine.pk))
    op.select_option("#pay-form select[name=payee]", str(theirs.pk))
    op.fill("#pay-form input[name=amount]", "12,50")
    op.fill("#pay-form input[name=description]", "Seeds")
    assert _submit(op, "#pay-form button[type=submit]") == f"/bodies/{slug}/economy/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.balance, theirs.balance) == (-1250, 1250)
    ines.goto(f"/bodies/{slug}/economy/")
    assert "12.50" in ines.locator("#my-accounts tbody").inner_text()

    # 6. The executive method changes by a statutes proposal, adopted by consensus.
    ines.goto(f"/bodies/{slug}/decision-policy/")
    assert _policy_row(ines, "executive decision") == ["executive decision", "consent", "default"]
    assert _policy_row(ines, "statutes")[1] == "consensus"
    ines.select_option("#propose-change select[name=method_executive]", "consensus")
    ines.fill("#propose-change input[name=title]", "Executive decisions by consensus")
    proposal_path = _submit(ines, "#propose-change button[type=submit]")
    proposal = Proposal.objects.get(body=coop, title="Executive decisions by consensus")
    assert proposal_path == f"/proposals/{proposal.pk}/"
    assert (proposal.decision_class, proposal.method) == ("statutes", "consensus")
    for page in (ines, op):
        _take_position(page, proposal_path, "agree")
    assert sorted(Position.objects.filter(round__proposal=proposal)
                  .values_list("stance", flat=True)) == ["agree", "agree"]
    op.goto(proposal_path)
    # The close button asks in a dialog (accepted by new_page's handler).
    _submit(op, '#facilitation form:has(input[value=close]) button')
    proposal.refresh_from_db()
    assert proposal.status == "adopted"
    assert proposal.change_applied_at is not None
    assert "adopted" in op.locator("#round h2").last.inner_text().lower()
    op.goto(f"/bodies/{slug}/decision-policy/")
    assert _policy_row(op, "executive decision")[:2] == ["executive decision", "consensus"]
    assert op.locator(f'#policy-methods tbody tr:has(td:text-is("executive decision")) '
                      f'a[href="{proposal_path}"]').count() == 1

    # 7. The Agora series, with the builder: the last Saturday of each month.
    op.goto(f"/bodies/{slug}/meetings/new/")
    op.fill("#series-form input[name=title]", "Agora")
    op.select_option("#series-form select[name=kind]", "agora")
    op.check('#series-form input[name=frequency][value="monthly"]')
    op.fill("#series-form input[name=interval]", "1")
    op.check('#series-form input[name=monthly_by][value="weekday"]')
    op.select_option("#series-form select[name=ordinal]", "-1")
    op.select_option("#series-form select[name=weekday]", "SA")
    op.check('#series-form input[name=ends][value="never"]')
    op.fill("#series-form input[name=first_day]", "2026-12-01")
    op.fill("#series-form input[name=start_time]", "14:00")
    op.fill("#series-form input[name=end_time]", "17:00")
    op.fill("#series-form input[name=preparation_offset_days]", "7")
    assert _submit(op, "#series-form button[type=submit]") == f"/bodies/{slug}/meetings/"
    series = MeetingSeries.objects.get(body=coop, title="Agora")
    assert series.kind == "agora"
    assert "BYDAY=-1SA" in series.rrule and "FREQ=MONTHLY" in series.rrule
    rule = op.locator(".rule-text").first.inner_text()
    assert "the last Saturday of each month" in rule, rule
    assert "FREQ=" not in op.content()
    # The home page (this instance's only cooperative) announces the next Agora in words.
    op.goto("/")
    assert op.locator("#next-agora .rule-text").inner_text() == "The last Saturday of each month"
    assert "FREQ=" not in op.content()

    # 8. The next Agora (as the cooperative's page gives it): two items on its agenda,
    # reordered with the arrows; a proposal tied to an item from the agenda.
    op.goto(f"/bodies/{slug}/")
    op.click('#meetings li a[href^="/meetings/"] >> nth=0')
    op.wait_for_url("**/meetings/**")
    agora_path = _path(op)
    assert agora_path == f"/meetings/{series.pk}/2026-12-26/"
    assert "the last Saturday of each month" in op.locator("p.rule-text").inner_text()
    assert "FREQ=" not in op.content()
    for title in ("Budget 2027", "Garden tools"):
        op.fill("#add-item input[name=title]", title)
        assert _submit(op, "#add-item button[type=submit]") == agora_path
    budget = AgendaItem.objects.get(title="Budget 2027")
    tools = AgendaItem.objects.get(title="Garden tools")

    def order() -> list[str]:
        return [row.get_attribute("id") for row in op.locator("table.agenda tbody tr").all()]

    assert order().index(f"item-{budget.pk}") < order().index(f"item-{tools.pk}")
    _submit(op, f"#item-{tools.pk} button.up")
    assert order().index(f"item-{tools.pk}") < order().index(f"item-{budget.pk}")
    budget.refresh_from_db()
    tools.refresh_from_db()
    assert tools.position < budget.position

    op.click(f"#item-{budget.pk} a.propose")
    op.wait_for_url(f"**/bodies/{slug}/proposals/new/**")
    assert op.input_value("select[name=agenda_item]") == str(budget.pk)
    op.fill("input[name=title]", "Adopt the 2027 budget")
    op.fill("textarea[name=text]", "The budget as presented.")
    tied_path = _submit(op, "main form button[type=submit]")
    tied = Proposal.objects.get(title="Adopt the 2027 budget")
    assert tied_path == f"/proposals/{tied.pk}/"
    assert tied.agenda_item_id == budget.pk
    op.goto(agora_path)
    assert op.locator(f'#item-{budget.pk} ul.proposals a[href="{tied_path}"]').count() == 1
