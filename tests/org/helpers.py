"""Helpers for the organisation tests."""

from __future__ import annotations

import io

from tests.helpers import audit_entries, count_statements  # noqa: F401 (re-exported)


def csv_file(content: str | bytes, name: str = "file.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return (io.BytesIO(data), name)


def page_text(response) -> str:
    return response.get_data(as_text=True)
