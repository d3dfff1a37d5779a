"""Measurement import pages (CSV upload, preview, confirm; batches) and API token pages."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from appraisal.audit.queries import history
from appraisal.core.csv_io import CsvFileError, decode_upload
from appraisal.core.handlers import AdminRH, get_or_404
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.core.pagination import paginate
from appraisal.cycles.models import Cycle
from appraisal.extensions import db
from appraisal.measurements import forms, importing, operations, queries, retention
from appraisal.measurements.importing import Checked, RowError
from appraisal.measurements.models import ApiToken, BatchSource, ImportBatch, MeasurementUpload

# Pages list this many errors and preview rows; the rest are counted.
SHOWN_ERRORS = 500
PREVIEW_ROWS = 100

SOURCE_LABELS = {
    BatchSource.csv: _l("CSV upload"),
    BatchSource.api: _l("API"),
    BatchSource.demo: _l("Demo data"),
}


def _cycle_or_none(value: str | None) -> Cycle | None:
    if not value:
        return None
    if not value.isdigit():
        abort(404)
    return get_or_404(Cycle, int(value))


# -- batches ---------------------------------------------------------------------------------
class RHBatches(AdminRH):
    """Every import batch, newest first, optionally of one cycle."""

    def load(self):
        self.form = forms.BatchFilterForm(formdata=request.args)
        self.cycle = _cycle_or_none(self.form.cycle.data)

    def process(self):
        self.form.cycle.choices = forms.cycle_choices(queries.cycles(), _l("All cycles"))
        page = paginate(queries.batches_select(self.cycle.id if self.cycle else None),
                        scalars=False)
        return render_template("measurements/batches.html", page=page, form=self.form,
                               cycle=self.cycle, sources=SOURCE_LABELS)


class RHBatchDetail(AdminRH):
    """One batch: who sent it, what it replaced or what replaced it, and its measurements."""

    def load(self, batch_id: int):
        self.batch = get_or_404(ImportBatch, batch_id)

    def process(self):
        user, token = queries.batch_sender(self.batch)
        page = paginate(queries.batch_measurements_select(self.batch.id))
        return render_template(
            "measurements/batch_detail.html", batch=self.batch, page=page, user=user,
            token=token, chain=queries.replacement_chain(self.batch),
            history=history("ImportBatch", self.batch.id, limit=None), sources=SOURCE_LABELS)


# -- CSV upload, preview, confirm ------------------------------------------------------------
class RHImportUpload(AdminRH):
    """Upload a measurement CSV: every bad row is named; a valid file goes to the preview."""

    methods = ["GET", "POST"]

    def process(self):
        form = forms.UploadForm()
        form.cycle.choices = forms.cycle_choices(queries.cycles(), _l("— choose —"))
        if request.method == "GET" and (cycle := request.args.get("cycle", "")).isdigit():
            form.cycle.data = cycle
        checked = None
        if form.validate_on_submit():
            cycle = get_or_404(Cycle, int(form.cycle.data))
            key = form.batch_key.data.strip()
            text, checked = self.check(cycle, key, form.file.data.read())
            if checked.ok:
                upload = operations.create_upload(self.user, cycle, key,
                                                  form.file.data.filename, text)
                return redirect(url_for("measurements.import_preview", upload_id=upload.id))
        return render_template("measurements/import.html", form=form, checked=checked,
                               limit=SHOWN_ERRORS)

    @staticmethod
    def check(cycle: Cycle, key: str, data: bytes) -> tuple[str, Checked]:
        try:
            text = decode_upload(data)
        except CsvFileError as error:
            return "", Checked(errors=[RowError(None, None, error.message)])
        rows = importing.read_csv(text)
        if rows.errors:
            return text, Checked(errors=rows.errors, ignored_columns=rows.ignored_columns)
        checked = operations.check_measurements(cycle, key, rows.rows)
        checked.ignored_columns = rows.ignored_columns
        return text, checked


class RHImportPreview(AdminRH):
    """What a kept upload would import, checked again against the data as they are now."""

    def load(self, upload_id: int):
        self.upload = db.session.get(MeasurementUpload, upload_id)
        if self.upload is None and not retention.was_discarded(upload_id):
            abort(404)

    def discarded(self):
        """The page for a preview the housekeeping job removed (after the access check)."""
        return render_template("measurements/upload_discarded.html",
                               hours=current_app.config["UPLOAD_KEEP_HOURS"]), 410

    def review(self) -> tuple[Checked, ImportBatch | None, importing.Diff | None]:
        upload = self.upload
        rows = importing.read_csv(upload.raw_text)
        if rows.errors:
            return Checked(errors=rows.errors), None, None
        checked = operations.check_measurements(upload.cycle, upload.batch_key, rows.rows)
        checked.ignored_columns = rows.ignored_columns
        replaced = queries.current_batch(upload.cycle_id, upload.batch_key)
        diff = None
        if replaced is not None and checked.ok:
            diff = importing.compare({row.pair: row for row in checked.rows},
                                     queries.old_measurements(replaced.id))
        return checked, replaced, diff

    def process(self):
        if self.upload is None:
            return self.discarded()
        checked = replaced = diff = None
        if self.upload.is_pending:
            checked, replaced, diff = self.review()
        form = forms.ConfirmUploadForm(formdata=None,
                                       replaces=str(replaced.id) if replaced else "")
        return render_template(
            "measurements/import_preview.html", upload=self.upload, checked=checked,
            replaced=replaced, diff=diff, form=form, creator=queries.upload_creator(self.upload),
            limit=SHOWN_ERRORS, preview_rows=PREVIEW_ROWS)


class RHImportConfirm(RHImportPreview):
    """Apply a previewed upload, all or nothing, replacing the batch the preview named."""

    methods = ["POST"]

    def process(self):
        if self.upload is None:
            return self.discarded()
        preview = redirect(url_for("measurements.import_preview", upload_id=self.upload.id))
        if not self.upload.is_pending:
            flash(_("This file has already been imported."), "info")
            return preview
        form = forms.ConfirmUploadForm()
        replaced = queries.current_batch(self.upload.cycle_id, self.upload.batch_key)
        if not form.validate_on_submit() or (form.replaces.data or "") != (
                str(replaced.id) if replaced else ""):
            flash(_("The data changed since the preview was shown, so nothing was imported. "
                    "Please check the preview again."), "warning")
            return preview
        try:
            outcome = operations.confirm_upload(self.user, self.upload)
        except operations.ImportRefused:
            flash(_("The data changed since the preview was shown and the file no longer "
                    "fits them, so nothing was imported."), "warning")
            return preview
        except operations.AlreadyImported as error:
            flash(str(error), "info")
            return preview
        flash(_("Batch %(key)s imported: %(rows)s measurements (%(added)s new, %(changed)s "
                "changed, %(unchanged)s unchanged, %(removed)s removed).",
                key=outcome.batch.batch_key, rows=outcome.row_count, added=outcome.added,
                changed=outcome.changed, unchanged=outcome.unchanged,
                removed=outcome.removed), "success")
        return redirect(url_for("measurements.batch_detail", batch_id=outcome.batch.id))


# -- API tokens ------------------------------------------------------------------------------
class RHTokens(AdminRH):
    """The API tokens, when each was last used, and the form to issue one."""

    def process(self, form: forms.TokenForm | None = None):
        page = paginate(queries.tokens_select(), scalars=False)
        return render_template("measurements/tokens.html", page=page,
                               form=form or forms.TokenForm(formdata=None))


class RHTokenIssue(RHTokens):
    """Issue a token; its secret is shown on this one page and never again."""

    methods = ["POST"]

    def process(self):
        form = forms.TokenForm()
        if not form.validate_on_submit():
            return super().process(form)
        token, secret = operations.issue_token(self.user, form.name.data)
        return render_template("measurements/token_issued.html", token=token, secret=secret,
                               api_root=url_for("api.cycles", _external=True))


class RHTokenRevoke(AdminRH):
    """Revoke a token (a confirmation page, then a POST): it stops working at once."""

    methods = ["GET", "POST"]

    def load(self, token_id: int):
        self.token = get_or_404(ApiToken, token_id)

    def process(self):
        form = forms.ActionForm()
        if request.method == "POST" and form.validate_on_submit():
            if operations.revoke_token(self.user, self.token):
                flash(_("The token %(name)s is revoked: it no longer opens the API.",
                        name=self.token.name), "success")
            else:
                flash(_("This token was already revoked."), "info")
            return redirect(url_for("measurements.tokens"))
        return render_template("measurements/token_revoke.html", token=self.token, form=form)
