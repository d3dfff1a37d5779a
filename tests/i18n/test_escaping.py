"""Translated text with user data in it is escaped in pages, like any other text."""

from pathlib import Path

from flask import render_template_string

from appraisal.core.i18n import lazy_gettext as _l

ROOT = Path(__file__).resolve().parents[2]


def test_lazy_translation_with_user_data_is_escaped(app):
    with app.test_request_context():
        message = _l("%(name)s is already inactive.", name="<script>alert(1)</script>")
        html = render_template_string("<p>{{ message }}</p>", message=message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; is already inactive." in html


def test_no_module_uses_the_markup_safe_lazy_gettext():
    offenders = [
        str(path.relative_to(ROOT)) for path in (ROOT / "appraisal").rglob("*.py")
        if "flask_babel import" in (text := path.read_text()) and "lazy_gettext" in text
        .split("flask_babel import", 1)[1].split("\n", 1)[0]
    ]
    assert offenders == [], "use appraisal.core.i18n.lazy_gettext (it escapes): " + str(offenders)
