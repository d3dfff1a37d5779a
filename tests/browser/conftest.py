"""Browser fixtures: the real app on a free localhost port, seeded with the demo hospital, and
Debian's Chromium driven by Playwright (never a downloaded browser).

These fixtures stand alone: they do not use the function-scoped ``app`` fixture, because one
server with one seeded database serves the whole browser session.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from appraisal import PROJECT_ROOT

# Debian's package; CHROMIUM_PATH may point elsewhere on other systems.
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
CATALOGUES = PROJECT_ROOT / "appraisal" / "translations"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; skipped on a developer machine without it, a failure in CI."""
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        message = (f"{CHROMIUM} is missing: install Debian's chromium package "
                   "(apt-get install chromium) to run the browser tests")
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return str(CHROMIUM)


def compile_catalogues(target: Path) -> Path:
    """Compile every .po into ``target`` so the server speaks the catalogue as it is now,
    whether or not anyone has run `pybabel compile` in this checkout."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in CATALOGUES.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(CATALOGUES).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
    return target


def create_schema(migrations: Path = PROJECT_ROOT / "migrations") -> None:
    """The migrations when there are some (as in production), else create_all()."""
    from appraisal.extensions import db

    if any((migrations / "versions").glob("*.py")):
        from flask_migrate import upgrade

        with keep_logging():
            upgrade(directory=str(migrations))
    else:
        db.create_all()


@contextmanager
def keep_logging():
    """Alembic's env.py runs logging.fileConfig, which disables every existing logger and
    replaces the root handlers: put them back so later tests still see their logs."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    disabled = {name: logger.disabled for name, logger in logging.Logger.manager.loggerDict.items()
                if isinstance(logger, logging.Logger)}
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, was_disabled in disabled.items():
            logging.getLogger(name).disabled = was_disabled


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, chromium_path) -> str:
    """The base URL of the real app, served by werkzeug in a background thread."""
    from werkzeug.serving import make_server

    from appraisal import create_app
    from appraisal.demo.seed import seed_demo
    from appraisal.extensions import db

    folder = tmp_path_factory.mktemp("live")
    server_app = create_app({
        "SECRET_KEY": "browser-tests",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite'}",
        "BABEL_TRANSLATION_DIRECTORIES": str(compile_catalogues(folder / "translations")),
    })
    with server_app.app_context():
        create_schema()
        seed_demo()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, server_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with server_app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server):
    """A fresh browser profile per test (no cookies), in English, on a laptop-sized screen."""
    context = browser.new_context(base_url=live_server, locale="en-GB",
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
