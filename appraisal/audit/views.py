"""The audit-log page and its CSV export (administrators only)."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, stream_with_context, url_for
from flask_babel import get_timezone

from appraisal.audit import queries
from appraisal.audit.display import field_changes
from appraisal.audit.export import csv_lines
from appraisal.audit.forms import AuditFilterForm
from appraisal.core.db import utcnow
from appraisal.core.handlers import AdminRH
from appraisal.core.pagination import paginate
from appraisal.extensions import db

EXPORT_BATCH = 500


class RHAuditBase(AdminRH):
    """Reads the filter form from the query string."""

    def load(self, **view_args) -> None:
        types = list(db.session.scalars(queries.object_types()))
        self.form = AuditFilterForm(request.args, types)
        self.valid = self.form.validate()


class RHAuditLog(RHAuditBase):
    """Who changed what and when, newest first, with the old and new value of each field."""

    def process(self):
        page = None
        if self.valid:
            page = paginate(queries.entries(self.form.filters), scalars=False)
        return render_template(
            "audit/log.html", form=self.form, page=page, field_changes=field_changes,
            filtered=bool(self.valid and self.form.filters), timezone=str(get_timezone()),
        )


class RHAuditExport(RHAuditBase):
    """The filtered rows as CSV (UTF-8 with BOM, formula cells neutralised), streamed."""

    def process(self):
        if not self.valid:
            # The log page shows which filter is wrong.
            return redirect(url_for("audit.log", **request.args))
        query = queries.entries(self.form.filters).execution_options(yield_per=EXPORT_BATCH)
        filename = f"audit-log-{utcnow():%Y%m%d-%H%M}.csv"
        return Response(stream_with_context(_stream(query)), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _stream(query):
    # Runs after the handler has returned (and rolled back): the rows are read in batches
    # in a fresh read-only transaction, so a large export never sits in memory.
    try:
        yield from csv_lines(db.session.execute(query))
    finally:
        db.session.rollback()
