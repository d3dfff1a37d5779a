"""Helpers of the result-page tests: statement counting, row counts, reading a table row."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from appraisal.extensions import db
from tests.helpers import count_statements  # noqa: F401 (re-exported)


def table_counts() -> dict[str, int]:
    """Rows in every table of the schema."""
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    fragment = re.sub(r"<(script|svg)\b.*?</\1>", " ", fragment, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def row_text(page: str, name: str, table_index: int = 0) -> str:
    """The text of the first table row (in the n-th table) that mentions ``name``."""
    tables = re.findall(r"<table\b.*?</table>", page, flags=re.DOTALL)
    for row in re.findall(r"<tr\b.*?</tr>", tables[table_index], flags=re.DOTALL):
        if name in html.unescape(row):
            return text_of(row)
    raise AssertionError(f"no row mentions {name!r}")


def svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
