"""The public pages in a real browser: axe-core on every page type, keyboard use, screenshots."""

import io

import pytest
from django.core.management import call_command

from funding.figures.engine import recompute_figures
from projects.models import TransferRequest

pytestmark = pytest.mark.browser

PROJECT = "/loesungen/bergisch-smart-mobility/"


@pytest.fixture
def live_data(transactional_db):
    """The programme data, committed so that the live server's thread sees it."""
    call_command("load_programme_data", stdout=io.StringIO(), stderr=io.StringIO())
    recompute_figures()


def axe_violations(page, live_server) -> list[str]:
    # Loaded from our own static files: the CSP allows scripts from 'self' only.
    page.add_script_tag(url=f"{live_server.url}/static/axe-core/axe.min.js")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: "tag", values:
                ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
            return r.violations.map(v => v.id + ": " + v.help + " -> " +
                v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
        }"""
    )
    return result


def test_every_public_page_type_passes_axe(page, live_server, live_data):
    pages = [
        "/",
        "/?as_of=2019-12-06",
        "/?as_of=kein-datum",
        "/regionen/",
        "/regionen/wuppertal/",
        "/regionen/owl/?map=requests&sort=-granted",
        "/?map=requests",
        "/kommunen/",
        "/kommunen/?q=Pader",
        "/kommunen/05124000/",
        "/kommunen/05770012/",
        "/loesungen/",
        "/loesungen/?q=Mobilit%C3%A4t&strand=urban_development",
        PROJECT,
        PROJECT + "anfrage/",
        PROJECT + "anfrage/danke/",
        "/daten/",
        "/impressum/",
        "/datenschutz/",
        "/barrierefreiheit/",
        "/leichte-sprache/",
    ]
    found = {}
    for path in pages:
        response = page.goto(live_server.url + path)
        # A bad date is a 400 naming the field, with today's figures below: checked like the rest.
        assert response.status == (400 if "kein-datum" in path else 200), path
        violations = axe_violations(page, live_server)
        if violations:
            found[path] = violations
    # The request form showing its errors.
    page.goto(live_server.url + PROJECT + "anfrage/")
    page.get_by_role("button", name="Anfrage senden").click()
    page.wait_for_selector("#error-summary")
    violations = axe_violations(page, live_server)
    if violations:
        found["request form with errors"] = violations
    # The English dashboard.
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    page.goto(live_server.url + "/")
    violations = axe_violations(page, live_server)
    if violations:
        found["English dashboard"] = violations
    assert found == {}


def press_tab_until(page, selector: str, limit: int = 60) -> None:
    """Tab through the page like a keyboard user until `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_the_catalogue_and_the_request_form_work_with_the_keyboard_alone(page, live_server, live_data):
    page.goto(live_server.url + "/loesungen/")

    press_tab_until(page, "a.skip-link")
    press_tab_until(page, "input[name=q]")
    page.keyboard.type("Mobilität")
    press_tab_until(page, "select[name=strand]")
    page.keyboard.press("ArrowDown")  # "Digitale Stadtentwicklung"? the first choice after "alle"
    press_tab_until(page, "#filter-panel button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/loesungen/?*")
    assert "q=Mobilit%C3%A4t" in page.url
    assert page.locator(".result-count").inner_text().endswith("gefunden")

    page.goto(live_server.url + PROJECT)
    press_tab_until(page, "a[href$='/anfrage/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/anfrage/")

    press_tab_until(page, "input[name=kind]")
    press_tab_until(page, "input[name=municipality]")
    page.keyboard.type("05974028")
    press_tab_until(page, "input[name=contact_name]")
    page.keyboard.type("Servicestelle Digitalisierung")
    press_tab_until(page, "input[name=contact_email]")
    page.keyboard.type("digitalisierung@lippstadt.example")
    press_tab_until(page, "textarea[name=message]")
    page.keyboard.type("Wir möchten das Angebot übernehmen.")
    press_tab_until(page, "input[name=consent]")
    page.keyboard.press("Space")
    press_tab_until(page, "form button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url("**/anfrage/danke/")
    assert "Vielen Dank" in page.locator("h1").inner_text()
    assert TransferRequest.objects.filter(
        municipality__ags="05974028", contact_name="Servicestelle Digitalisierung"
    ).exists()


def test_the_honeypot_is_never_reached_with_the_keyboard(page, live_server, live_data):
    page.goto(live_server.url + PROJECT + "anfrage/")
    focused = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("() => document.activeElement.name || ''"))
    assert "website" not in focused


def test_a_definition_shows_when_its_figure_gets_the_focus(page, live_server, live_data):
    page.goto(live_server.url + "/?as_of=2019-12-06")
    tip = page.locator("#tip-funding_granted")
    assert not tip.is_visible()

    page.locator("#tile-funding_granted a").focus()
    assert tip.is_visible()
    assert "Summe der Zuwendungen" in tip.inner_text()

    page.keyboard.press("Escape")
    assert not tip.is_visible()


PAGE_TYPES = (
    "/?as_of=2019-12-06",
    "/?map=requests",
    "/regionen/",
    "/regionen/owl/?sort=-granted",
    "/kommunen/",
    "/kommunen/05774032/",
    "/kommunen/05774/",
    "/loesungen/",
    "/loesungen/?q=Parken",
    PROJECT,
    PROJECT + "anfrage/",
    "/daten/",
)

# What a reader cannot see sideways on a page, and chart or map text below 12 CSS pixels.
MEASURE = """() => {
    const page = document.documentElement.scrollWidth - document.documentElement.clientWidth;
    const clipped = [...document.querySelectorAll(".table-scroll")]
        .filter(box => box.scrollWidth > box.clientWidth + 1)
        .map(box => ({stacked: !!box.querySelector(".data-table--stack"),
                      caption: (box.querySelector("caption") || box).textContent.trim().slice(0, 50),
                      shown: box.clientWidth, wide: box.scrollWidth}));
    const svgText = [...document.querySelectorAll(".chart svg text, .nrw-map svg text")]
        .map(text => text.getBoundingClientRect().height).filter(height => height > 0 && height < 12);
    const small = [...document.querySelectorAll(
            ".chart__ticks span, .chart__scale, .hbars__label, .hbars__value, .nrw-map .legend li, .legend li")]
        .filter(element => element.offsetParent !== null)
        .map(element => parseFloat(getComputedStyle(element).fontSize)).filter(size => size < 12);
    return {page, clipped, svgText: svgText.length, small: small.length};
}"""


@pytest.mark.parametrize("width", [375, 1280])
def test_every_page_type_reads_without_sideways_scrolling_and_with_readable_charts(
    browser, live_server, live_data, width
):
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = {}
    try:
        for path in PAGE_TYPES:
            page.goto(live_server.url + path)
            seen = page.evaluate(MEASURE)
            # On a phone a wide table may scroll only if it is not one of the stacked figures tables;
            # on a desktop no table is cut at all.
            clipped = [box for box in seen["clipped"] if width > 600 or box["stacked"]]
            if seen["page"] > 0 or clipped or seen["svgText"] or seen["small"]:
                problems[path] = {**seen, "clipped": clipped}
    finally:
        context.close()
    assert problems == {}, f"at {width}px: {problems}"


@pytest.mark.parametrize("locale", ["de-DE", "en-US"])
def test_every_figure_fits_its_tile(browser, live_server, live_data, locale):
    # English amounts are longer ("€115.5 million" against "115,5 Mio. €").
    context = browser.new_context(locale=locale)
    page = context.new_page()
    try:
        for width in (1280, 1100, 900, 390):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(live_server.url + "/")
            too_wide = page.evaluate(
                """() => [...document.querySelectorAll(".tile__value, .tile__exact")]
                    .filter(value => value.scrollWidth > value.clientWidth)
                    .map(value => value.textContent.trim())"""
            )
            assert too_wide == [], f"wider than their tile at {width}px ({locale}): {too_wide}"
    finally:
        context.close()


def test_screenshots_of_the_dashboard_and_a_project_page(page, live_server, live_data, output_dir):
    page.goto(live_server.url + "/?as_of=2019-12-06")
    page.screenshot(path=str(output_dir / "dashboard.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(output_dir / "dashboard-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.goto(live_server.url + PROJECT)
    page.screenshot(path=str(output_dir / "project.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server.url + "/?as_of=2019-12-06")
    page.screenshot(path=str(output_dir / "dashboard-mobile.png"), full_page=False)

    assert (output_dir / "dashboard.png").stat().st_size > 10_000
    assert (output_dir / "project.png").stat().st_size > 10_000


def test_an_ambiguous_town_is_chosen_with_the_keyboard_on_a_phone_without_javascript(browser, live_server, live_data):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800}, locale="de-DE")
    page = context.new_page()
    try:
        response = page.goto(live_server.url + PROJECT + "anfrage/")
        assert response.status == 200, page.content()[:2000]
        # CSS selectors: Playwright's label and role engines need the page's JavaScript.
        page.fill("#id_municipality", "Pader")
        page.fill("#id_contact_name", "Rathaus")
        page.fill("#id_contact_email", "rathaus@kreis.example")
        page.check("#id_consent")
        with page.expect_navigation():
            page.click("form.form-stack button[type=submit]")

        html = page.content()
        assert "Mehrere Kommunen passen zu „Pader“" in html, html[html.find("<h1") :][:1500]
        # Paderborn, Stadt; Kreis Paderborn; none of them
        assert html.count('name="municipality_choice"') == 3
        page.focus("#id_municipality-choice-05774")
        page.keyboard.press("Space")
        page.check("#id_consent")
        page.focus("form.form-stack button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")

        assert page.url.endswith("/anfrage/danke/"), page.content()[:3000]
    finally:
        context.close()


def test_a_newsroom_page_on_another_origin_reads_the_api_but_cannot_write(browser, live_server, live_data):
    import http.server
    import threading

    class Newsroom(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"<html><body>Redaktion</body></html>")

        def log_message(self, *args):
            pass

    # A page of another origin, from a server of its own (no request interception, which would
    # change how the browser handles CORS). Both are loopback addresses, so Chromium's
    # private-network rules do not interfere.
    server = http.server.HTTPServer(("127.0.0.1", 0), Newsroom)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"http://localhost:{server.server_address[1]}/")
        api = live_server.url + "/api/v1/"
        read = page.evaluate(
            """async (api) => {
                const response = await fetch(api + "projects/?page_size=1");
                const body = await response.json();
                return [response.status, body.count, response.headers.get("ETag") !== null];
            }""",
            api,
        )
        write = page.evaluate(
            """async (api) => {
                try {
                    const response = await fetch(api + "decisions/", {method: "POST",
                        headers: {"Authorization": "Token abc", "Content-Type": "application/json"}, body: "{}"});
                    return "answered " + response.status;
                } catch (error) { return "refused"; }
            }""",
            api,
        )
    finally:
        context.close()
        server.shutdown()

    assert read[0] == 200 and read[1] > 100 and read[2] is True
    assert write == "refused"


def test_every_page_type_passes_axe_on_a_phone(browser, live_server, live_data):
    context = browser.new_context(locale="de-DE", viewport={"width": 375, "height": 800})
    page = context.new_page()
    found = {}
    try:
        for path in (*PAGE_TYPES, "/leichte-sprache/", PROJECT + "anfrage/danke/"):
            page.goto(live_server.url + path)
            violations = axe_violations(page, live_server)
            if violations:
                found[path] = violations
    finally:
        context.close()
    assert found == {}
