"""The UI in a real Chromium: every page loads with no console error and no request leaving 127.0.0.1,
a person can click from the projects to a diff to a table's history, the diff of a known change shows
exactly that change, and signing in keeps the token in an HttpOnly, SameSite cookie."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.ui.browser import Browser
from tests.ui.conftest import READ_TOKEN
from tests.ui.seed import KNOWN_CHANGE, PROJECT

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

P = f"/ui/projects/{PROJECT}"
# Every page, with the name of its screenshot in docs/ui/ and a text it must show.
PAGES = [
    ("projects", "/ui/", "The web shop's database"),
    ("project", P, "v1.1.0"),
    ("environment", f"{P}/environments/production", "no-drift-here"),
    ("version-list", f"{P}/versions/staging", "public.order_totals"),
    ("diagram", f"{P}/versions/staging/diagram", "billing.invoices"),
    ("diagram-focus", f"{P}/versions/staging/diagram?table=public.orders&depth=1", "public.orders"),
    ("diff", f"{P}/diff?from=production&to=dev", "Possible renames"),
    ("diff-split", f"{P}/diff?from=v1.1.0&to=staging&view=split", "name"),
    ("changelog", f"{P}/changelog?from=production&to=staging", "billing.invoices"),
    ("table-history", f"{P}/tables/public.users/history?env=dev", "email_address"),
    ("login", "/ui/login", "no tokens configured"),
]


@pytest.mark.parametrize(("name", "path", "text"), PAGES, ids=[page[0] for page in PAGES])
def test_every_page_loads_clean_and_local(
    browser: Browser, server: str, name: str, path: str, text: str
) -> None:
    visit = browser.open(server + path)
    body = browser.driver.find_element(By.TAG_NAME, "body").text
    assert not visit.errors, f"console errors on {path}: {visit.errors}"
    assert not visit.outside, f"requests that left 127.0.0.1 from {path}: {visit.outside}"
    assert any(url.endswith("/ui/static/ui.css") for url in visit.requests), visit.requests
    if text == "no-drift-here":
        assert "drift: 1 change" in body and "v1.0.0" in body and "sha256:" in body
    else:
        assert text in body, f"{text!r} not on {path}"
    browser.screenshot(name)


def test_from_projects_to_a_diff_to_a_table_history_by_clicks(browser: Browser, server: str) -> None:
    driver = browser.driver
    browser.open(server + "/ui/")
    driver.find_element(By.LINK_TEXT, PROJECT).click()
    _wait_path(driver, P)
    Select(driver.find_element(By.ID, "pick-from")).select_by_value("v1.1.0")
    Select(driver.find_element(By.ID, "pick-to")).select_by_value("staging")
    driver.find_element(By.ID, "show-diff").click()
    _wait_path(driver, f"{P}/diff")
    assert "from=v1.1.0" in driver.current_url and "to=staging" in driver.current_url
    section = driver.find_element(By.CSS_SELECTOR, 'section.object-diff[data-object="public.users"]')
    section.find_element(By.CLASS_NAME, "history-link").click()
    _wait_path(driver, f"{P}/tables/public.users/history")
    assert "env=staging" in driver.current_url  # along the env the diff went to
    rows = driver.find_elements(By.CSS_SELECTOR, "#table-history tr.event")
    added = {(row.get_attribute("data-change"), row.get_attribute("data-name")) for row in rows}
    assert added == {("add", ""), ("add", "name")}  # the table, then its new column
    name_row = next(row for row in rows if row.get_attribute("data-name") == "name")
    assert "unreleased" in name_row.text  # staging's new column has not shipped in a release
    visit = browser.settle()
    assert not visit.errors and not visit.outside


def test_the_diff_of_a_known_change_shows_exactly_that_change(browser: Browser, server: str) -> None:
    browser.open(server + f"{P}/diff?from=v1.1.0&to=staging")
    driver = browser.driver
    sections = driver.find_elements(By.CSS_SELECTOR, "section.object-diff")
    assert [section.get_attribute("data-object") for section in sections] == ["public.users"]
    changes = [
        (item.get_attribute("data-change"), item.find_element(By.CSS_SELECTOR, "strong").text, item.text)
        for item in sections[0].find_elements(By.CSS_SELECTOR, "li.change")
    ]
    assert len(changes) == len(KNOWN_CHANGE) == 1
    (change, _, text), (want_change, want_kind, _, want_name) = changes[0], KNOWN_CHANGE[0]
    assert change == want_change and want_kind in text and want_name in text
    assert driver.find_element(By.ID, "semver").text == "minor"
    api = httpx.get(f"{server}/v1/projects/{PROJECT}/diff", params={"from": "v1.1.0", "to": "staging"}).json()
    codes = [code.text for code in sections[0].find_elements(By.CSS_SELECTOR, "code.rule")]
    assert codes == [change["rule"] for change in api["changes"]] and all(codes)  # the rule codes
    added = [row.text for row in sections[0].find_elements(By.CSS_SELECTOR, "table.textdiff tr.tadd")]
    removed = [row.text for row in sections[0].find_elements(By.CSS_SELECTOR, "table.textdiff tr.tdel")]
    assert len(added) == 1 and "name TEXT" in added[0]
    assert removed == [] or all("created_at" in row for row in removed)  # a trailing comma may move
    assert not driver.find_elements(By.ID, "renames")


def test_a_rename_is_called_out(browser: Browser, server: str) -> None:
    browser.open(server + f"{P}/diff?from=staging&to=dev")
    callout = browser.driver.find_element(By.ID, "renames").text
    assert "email" in callout and "email_address" in callout


def test_the_diagram_focuses_on_a_table_when_its_name_is_clicked(browser: Browser, server: str) -> None:
    driver = browser.driver
    browser.open(server + f"{P}/versions/staging/diagram")
    tables = driver.find_elements(By.CSS_SELECTOR, "svg.erd g.erd-table")
    assert {table.get_attribute("data-table") for table in tables} == {
        "public.users",
        "public.orders",
        "billing.invoices",
    }
    assert len(driver.find_elements(By.CSS_SELECTOR, "svg.erd path.erd-fk")) == 2
    link = driver.find_element(By.CSS_SELECTOR, 'g.erd-table[data-table="billing.invoices"] a')
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", link)
    WebDriverWait(driver, 10).until(expected_conditions.url_contains("table=billing.invoices"))
    shown = {t.get_attribute("data-table") for t in driver.find_elements(By.CSS_SELECTOR, "g.erd-table")}
    assert shown == {"billing.invoices", "public.orders"}


def test_an_object_opens_to_its_highlighted_ddl(browser: Browser, server: str) -> None:
    driver = browser.driver
    browser.open(server + f"{P}/versions/staging")
    item = driver.find_element(By.CSS_SELECTOR, 'details.object[data-name="public.orders"]')
    item.find_element(By.TAG_NAME, "summary").click()
    WebDriverWait(driver, 10).until(lambda _: item.get_attribute("data-loaded") == "yes")
    code = item.find_element(By.CSS_SELECTOR, ".hl pre")
    assert "CREATE TABLE public.orders" in code.text
    assert code.find_elements(By.CSS_SELECTOR, "span.k")  # keywords are highlighted
    visit = browser.settle()
    assert not visit.errors and not visit.outside
    browser.screenshot("version")


def test_the_object_search_filters_as_you_type(browser: Browser, server: str) -> None:
    driver = browser.driver
    browser.open(server + f"{P}/versions/staging")
    driver.find_element(By.ID, "object-filter").send_keys("invoice")
    visible = [
        item for item in driver.find_elements(By.CSS_SELECTOR, "details.object") if item.is_displayed()
    ]
    assert [item.get_attribute("data-name") for item in visible] == ["billing.invoices"]
    visit = browser.settle()
    assert not visit.errors


def test_sign_in_keeps_the_token_in_an_httponly_samesite_cookie(
    browser: Browser, guarded_server: str
) -> None:
    driver = browser.driver
    browser.open(guarded_server + f"{P}/environments/staging")
    _wait_path(driver, "/ui/login")
    assert quote(f"{P}/environments/staging", safe="") in driver.current_url
    driver.find_element(By.ID, "token").send_keys("not-a-token")
    driver.find_element(By.ID, "sign-in").click()
    # The check is a request: wait for its answer rather than read the message before it comes.
    WebDriverWait(driver, 10).until(lambda d: "not valid" in d.find_element(By.ID, "login-error").text)  # type: ignore[attr-defined]
    driver.find_element(By.ID, "token").send_keys(READ_TOKEN)
    driver.find_element(By.ID, "sign-in").click()
    _wait_path(driver, f"{P}/environments/staging")
    (cookie,) = [c for c in driver.get_cookies() if c["name"] == "schemareg_ui_token"]
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["path"] == "/ui"
    assert driver.execute_script("return document.cookie") == ""  # not readable by scripts
    visit = browser.open(guarded_server + "/ui/")
    assert not visit.errors and not visit.outside
    driver.find_element(By.ID, "logout").click()
    _wait_path(driver, "/ui/login")
    browser.open(guarded_server + "/ui/")
    _wait_path(driver, "/ui/login")
    browser.screenshot("sign-in")


def _wait_path(driver: object, path: str) -> None:
    WebDriverWait(driver, 10).until(
        lambda d: d.current_url.split("?")[0].split("://", 1)[1].partition("/")[2] == path.lstrip("/")  # type: ignore[attr-defined]
    )
