"""Fixtures of the browser tests (test_browser*.py): one Chromium for the whole session, one
server per test module, a fresh page per test.

A pytest plugin, loaded by ``pytest_plugins = ["browser_fixtures"]`` in each browser test
module: fixtures of a plugin are global, so the session-scoped browser is launched once per
session (once per pytest-xdist worker), not once per module that imports it.

Where the CPU goes (measured): not the server, but Chromium, and most of it per browser
context (a new renderer, network and storage partition each time: about twice the CPU of a
new page in an existing context). So the tests share one context and each gets its own page,
closed after it: no script, listener, focus, viewport or unsaved edit of one test reaches the
next. The pages keep no state of their own in the browser (no cookie without API keys, no
web storage); each module has its own server, so its documents and memory are its own.

Never run `playwright install`: the tests use /usr/bin/chromium (scripts/setup.sh installs it).
"""

from __future__ import annotations

import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from test_web import wait_ready, web_settings

try:  # the test modules skip themselves when it is missing
    from playwright import sync_api
except ImportError:  # pragma: no cover
    sync_api = None
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
#: the mark of every browser test module: without Debian's chromium they skip, not error
needs_chromium = pytest.mark.skipif(not HAVE_CHROMIUM,
                                    reason="Debian chromium is not installed (apt-get install chromium)")
# Playwright adds its own (no extensions, no background networking, no /dev/shm...).
# --process-per-site: every page of one site shares one renderer process (see
# ``browser_context``).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--process-per-site"]


@pytest.fixture(scope="module")
def server(tmp_path_factory, argos_fr_en):
    """One server for the module: the service with the copy model at /, and at /apertium a
    service with no model at all, where the built-in Apertium engine translates (words
    left untranslated, confidences below 1)."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from werkzeug.serving import make_server

    from translator.web import create_app

    root = tmp_path_factory.mktemp("browser")
    main = create_app(web_settings(root, argos_fr_en))
    apertium = create_app(web_settings(root / "apertium"))
    for app in (main, apertium):
        wait_ready(app.test_client())
    server = make_server("127.0.0.1", 0, DispatcherMiddleware(main, {"/apertium": apertium}),
                         threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    for app in (main, apertium):
        app.extensions["translator"].close()


@pytest.fixture(scope="module")
def base_url(server):
    return server


@pytest.fixture(scope="module")
def apertium_url(server):
    return server + "/apertium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, launched once for the session."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class _Blank(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = b"<!doctype html><title>keeper</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser_context(browser):
    """The one browser context of the session (downloads accepted), with a page kept open
    on 127.0.0.1 for the whole session.

    Each new page used to start a renderer process of its own, about 0.6 CPU-second before
    its first byte. Chromium's CPU over 8 rounds of new page, start page, translate and
    review (read from /proc/PID/stat, three runs each on a quiet machine): 12.0-12.6 CPU-s
    without the kept page, 6.6-6.8 with it. Every test server is on 127.0.0.1, one site for Chromium whatever the port, so
    with --process-per-site the kept page's renderer serves every test's page. Pages still
    share nothing but the process: each has its own documents, scripts and focus."""
    keeper_server = ThreadingHTTPServer(("127.0.0.1", 0), _Blank)
    thread = threading.Thread(target=keeper_server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context(accept_downloads=True)
    keeper = context.new_page()
    keeper.goto(f"http://127.0.0.1:{keeper_server.server_port}/")
    yield context
    context.close()
    keeper_server.shutdown()
    keeper_server.server_close()


@pytest.fixture
def page(browser_context):
    """A new page (tab) for each test, closed after it; the browser's dialogs are dismissed
    and their messages kept in ``page.dialogs``."""
    page = browser_context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    page.close()
