"""The page frame on a phone (issue #14): the menu folds behind one button and opens with
or without JavaScript; the skip link is the first stop of the keyboard and leads to the
content; what has the keyboard's focus is visibly outlined."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _menu_links_visible(page) -> bool:
    return page.locator("#site-menu a[href='/bodies/']").is_visible()


def test_the_menu_folds_on_a_phone_and_opens_with_its_button(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-US")
    page = context.new_page()
    try:
        page.goto("/")
        toggle = page.locator("header.top .menu-toggle")
        assert toggle.is_visible() and not _menu_links_visible(page)
        assert toggle.get_attribute("aria-expanded") == "false"
        header = page.locator("header.top").bounding_box()
        assert header["height"] < 80  # not half the screen, as the menu was
        toggle.click()
        assert _menu_links_visible(page) and toggle.get_attribute("aria-expanded") == "true"
        toggle.click()
        assert not _menu_links_visible(page)
    finally:
        context.close()


def test_without_javascript_the_menu_opens_all_the_same(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-US",
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/")
        assert not _menu_links_visible(page)
        page.locator("header.top .menu-toggle").click()  # a link to #site-menu
        assert page.url.endswith("#site-menu") and _menu_links_visible(page)
        page.locator("#site-menu .menu-close").click()
        assert not _menu_links_visible(page)
    finally:
        context.close()


def test_on_a_laptop_the_menu_is_simply_there(browser, live_server):
    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    try:
        page.goto("/")
        assert _menu_links_visible(page)
        assert not page.locator("header.top .menu-toggle").is_visible()
    finally:
        context.close()


def test_the_skip_link_comes_first_and_leads_to_the_content(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-US")
    page = context.new_page()
    try:
        page.goto("/")
        skip = page.locator("a.skip")
        assert skip.bounding_box()["y"] < 0  # out of sight until the keyboard reaches it
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        assert skip.bounding_box()["y"] >= 0 and skip.inner_text() == "Skip to the content"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"  # the focus is seen
        page.keyboard.press("Enter")
        assert page.url.endswith("#content")
        assert page.evaluate("document.activeElement.id") == "content"
    finally:
        context.close()
