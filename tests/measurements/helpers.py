"""Helpers of the measurement-import page tests: upload a CSV, confirm its preview."""

from __future__ import annotations

import io
import re

FIRST = [("E001", "READMIT30", 3, 120, "", ""), ("E001", "VISITS", "", "", 1520, ""),
         ("E002", "READMIT30", 5, 80, "", ""), ("E002", "MORTALITY", 2, 150, "", 2.7)]


def upload(client, cycle, text, key="HIS-2026Q3", name="his.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/measurements/import", data={
        "cycle": str(cycle.id), "batch_key": key, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def confirm(client, response):
    """Follow an upload to its preview and press the confirm button."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    preview = client.get(response.headers["Location"])
    html = preview.get_data(as_text=True)
    action = re.search(r'action="(/measurements/import/\d+/confirm)"', html).group(1)
    replaces = re.search(r'name="replaces" type="hidden" value="([^"]*)"', html).group(1)
    return client.post(action, data={"replaces": replaces})
