"""The Chinese catalogue covers every message of the code and the templates."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "appraisal" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _source_messages() -> set[str]:
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue():
    with open(CATALOGUE, "rb") as handle:
        return read_po(handle, locale="zh")


def test_every_message_has_a_chinese_translation():
    catalogue = _catalogue()
    missing = sorted(
        message for message in _source_messages()
        if not (entry := catalogue.get(message)) or not entry.string or entry.fuzzy
    )
    assert not missing, (f"{len(missing)} messages lack a Chinese translation (run `make "
                         "messages` and translate): \n" + "\n".join(missing[:50]))


def test_translations_keep_their_placeholders():
    wrong = []
    for entry in _catalogue():
        if entry.id and entry.string and isinstance(entry.id, str) and \
                set(PLACEHOLDER.findall(entry.id)) != set(PLACEHOLDER.findall(entry.string)):
            wrong.append(entry.id)
    assert not wrong, wrong


def test_the_interface_switches_to_chinese(client):
    response = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    html = response.get_data(as_text=True)
    assert 'lang="zh-Hans"' in html
    assert "登录" in html
