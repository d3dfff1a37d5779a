"""Organisation pages: the department tree, the staff list and records, CSV import/export."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from appraisal.audit.queries import history
from appraisal.core.choices import department_choices
from appraisal.core.csv_io import CsvFileError, RowError, decode_upload, write_csv
from appraisal.core.handlers import RH, AdminRH, get_or_404
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.core.pagination import paginate
from appraisal.extensions import db
from appraisal.org import forms, operations, queries, rules
from appraisal.org.importing import DEPARTMENT_COLUMNS, STAFF_COLUMNS
from appraisal.org.models import (
    Department,
    DepartmentKind,
    ImportKind,
    OrgImportBatch,
    Staff,
    StaffGroup,
)
from appraisal.org.tree import build_tree, flatten

# The preview lists this many new and changed rows of each kind (the rest are counted).
PREVIEW_ROWS = 500


def department_options(departments=None) -> list[tuple[Department, int]]:
    """Departments in tree order with their depth, for indented select options."""
    if departments is None:
        departments = queries.all_departments()
    return flatten(build_tree(departments, {}))


def resolve_department(field, required: bool = True) -> Department | None:
    """The department a select field names; a field error when it names none."""
    if not field.data:
        if required:
            field.errors.append(_l("Choose a department from the list."))
        return None
    department = db.session.get(Department, int(field.data)) if field.data.isdigit() else None
    if department is None:
        field.errors.append(_l("Choose a department from the list."))
    return department


def attach_error(form, error: operations.OrgError) -> None:
    """Show a refused change next to the field it concerns (or above the form)."""
    if error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        flash(str(error.message), "error")


def csv_response(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


# -- department tree -------------------------------------------------------------------------
class RHDepartments(AdminRH):
    """The whole tree with staff counts, and the form to add a department."""

    def process(self, form: forms.DepartmentForm | None = None):
        tree = queries.department_tree()
        if form is None:
            form = forms.DepartmentForm(formdata=None)
        form.parent.choices = department_choices(flatten(tree), _l("— none (top level) —"))
        return render_template("org/departments.html", tree=tree, form=form)


class RHDepartmentCreate(RHDepartments):
    """Add a department to the tree."""

    methods = ["POST"]

    def process(self):
        form = forms.DepartmentForm()
        if form.validate_on_submit():
            parent = resolve_department(form.parent, required=False)
            if not form.parent.errors:
                try:
                    department = operations.create_department(
                        self.user, code=form.code.data, name=form.name.data,
                        kind=DepartmentKind(form.kind.data), parent=parent)
                except operations.OrgError as error:
                    attach_error(form, error)
                else:
                    flash(_("%(name)s has been added.", name=department.name), "success")
                    return redirect(url_for("org.department_detail",
                                            department_id=department.id))
        return super().process(form)


class RHDepartmentBase(AdminRH):
    """A page about one department."""

    def load(self, department_id: int):
        self.department = get_or_404(Department, department_id)

    def render_detail(self, edit_form=None, move_form=None):
        department = self.department
        if edit_form is None:
            edit_form = forms.DepartmentEditForm(formdata=None, code=department.code,
                                                 name=department.name, kind=department.kind.value)
        if move_form is None:
            move_form = forms.DepartmentMoveForm(formdata=None,
                                                 parent=str(department.parent_id or ""))
        options = department_options()
        # Offer only real destinations; the operation still refuses the others by itself.
        move_form.parent.choices = department_choices(
            [(d, depth) for d, depth in options if department.can_move_under(d)],
            _l("— none (top level) —"))
        staff, active_below = queries.subtree_counts(department)
        children = sorted(department.children, key=lambda d: d.name.casefold())
        return render_template(
            "org/department_detail.html", department=department, edit_form=edit_form,
            move_form=move_form, action_form=forms.ActionForm(),
            ancestors=queries.ancestors(department), children=children, staff_count=staff,
            active_below=active_below,
            history=history("Department", department.id))


class RHDepartmentDetail(RHDepartmentBase):
    """One department: where it sits, its sub-departments, and the forms to change it."""

    def process(self):
        return self.render_detail()


class RHDepartmentEdit(RHDepartmentBase):
    """Rename a department (name, code or kind)."""

    methods = ["POST"]

    def process(self):
        form = forms.DepartmentEditForm()
        if form.validate_on_submit():
            try:
                changed = operations.update_department(
                    self.user, self.department, code=form.code.data, name=form.name.data,
                    kind=DepartmentKind(form.kind.data))
            except operations.OrgError as error:
                attach_error(form, error)
            else:
                flash(_("The department has been updated.") if changed
                      else _("Nothing was changed."), "success" if changed else "info")
                return redirect(url_for("org.department_detail",
                                        department_id=self.department.id))
        return self.render_detail(edit_form=form)


class RHDepartmentMove(RHDepartmentBase):
    """Move a department and its whole subtree under another parent."""

    methods = ["POST"]

    def process(self):
        form = forms.DepartmentMoveForm()
        if form.validate_on_submit():
            parent = resolve_department(form.parent, required=False)
            if not form.parent.errors:
                try:
                    operations.move_department(self.user, self.department, parent)
                except operations.OrgError as error:
                    attach_error(form, error)
                else:
                    flash(_("%(name)s has been moved.", name=self.department.name), "success")
                    return redirect(url_for("org.department_detail",
                                            department_id=self.department.id))
        return self.render_detail(move_form=form)


class RHDepartmentDeactivate(RHDepartmentBase):
    """Mark a department inactive (refused while it still has active staff or children)."""

    methods = ["POST"]
    operation = staticmethod(operations.deactivate_department)

    def done_message(self) -> str:
        return _("%(name)s is now inactive.", name=self.department.name)

    def process(self):
        if forms.ActionForm().validate_on_submit():
            try:
                self.operation(self.user, self.department)
            except operations.OrgError as error:
                flash(str(error.message), "error")
            else:
                flash(self.done_message(), "success")
        return redirect(url_for("org.department_detail", department_id=self.department.id))


class RHDepartmentReactivate(RHDepartmentDeactivate):
    """Mark an inactive department active again."""

    operation = staticmethod(operations.reactivate_department)

    def done_message(self) -> str:
        return _("%(name)s is active again.", name=self.department.name)


class RHDepartmentExport(AdminRH):
    """Every department as CSV, in the import's format, parents before children."""

    def process(self):
        departments = queries.all_departments()
        codes = {d.id: d.code for d in departments}
        rows = ([d.code, d.name, d.kind.value, codes.get(d.parent_id, ""), _yes_no(d.active)]
                for d, _depth in department_options(departments))
        return csv_response(write_csv(DEPARTMENT_COLUMNS, rows),
                            f"departments-{date.today():%Y%m%d}.csv")


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


# -- staff list, records and export ----------------------------------------------------------
class RHStaffList(RH):
    """Staff an administrator (all) or a manager (their departments) may see."""

    def load(self):
        self.form = forms.StaffFilterForm(formdata=request.args)
        self.filters = queries.StaffFilters(q=(self.form.q.data or "").strip()[:100])
        self.filters.group = _enum_or_none(StaffGroup, self.form.group.data)
        self.filters.active = {"1": True, "0": False}.get(self.form.active.data or "1")
        if department_id := request.args.get("department"):
            if not department_id.isdigit():
                abort(404)
            self.filters.department = get_or_404(Department, int(department_id))

    def can_access(self) -> bool:
        if not rules.can_list_staff(self.user):
            return False
        department = self.filters.department
        return department is None or rules.can_filter_by_department(self.user, department)

    def process(self):
        self.form.department.choices = department_choices(
            department_options(queries.departments_in_scope(self.user)), _l("All departments"))
        page = paginate(queries.staff_select(self.user, self.filters))
        return render_template("org/staff_list.html", page=page, form=self.form,
                               filters=self.filters)


def _enum_or_none(enum_type, value):
    try:
        return enum_type(value) if value else None
    except ValueError:
        return None


class RHStaffExport(RHStaffList):
    """The staff list as CSV, with the same scope and filters as the page."""

    def process(self):
        staff = db.session.scalars(queries.staff_select(self.user, self.filters))
        rows = ([s.employee_number, s.name, s.staff_group.value, s.title, s.department.code,
                 s.hire_date.isoformat() if s.hire_date else "", _yes_no(s.active),
                 s.department.name] for s in staff)
        return csv_response(write_csv([*STAFF_COLUMNS, "department_name"], rows),
                            f"staff-{date.today():%Y%m%d}.csv")


class RHStaffBase(RH):
    """A page about one staff member."""

    def load(self, staff_id: int):
        self.staff = get_or_404(Staff, staff_id)


class RHStaffDetail(RHStaffBase):
    """One staff member's record: administrators, their manager, or the person themself."""

    def can_access(self) -> bool:
        return self.user.can_view_staff(self.staff)

    def process(self):
        is_admin = rules.can_manage_organisation(self.user)
        return render_template(
            "org/staff_detail.html", staff=self.staff,
            ancestors=queries.ancestors(self.staff.department),
            account=queries.account_of(self.staff) if is_admin else None,
            history=history("Staff", self.staff.id) if is_admin else [],
            can_edit=is_admin)


class StaffFormMixin:
    """Shared by the create and edit pages: choices, department lookup, error display."""

    def build_form(self, **data) -> forms.StaffForm:
        form = forms.StaffForm(**data)
        form.department.choices = department_choices(department_options(),
                                                           _l("— choose —"))
        return form

    def values(self, form: forms.StaffForm) -> dict | None:
        department = resolve_department(form.department)
        if department is None:
            return None
        return {"employee_number": form.employee_number.data, "name": form.name.data,
                "staff_group": StaffGroup(form.staff_group.data), "title": form.title.data,
                "department": department, "hire_date": form.hire_date.data,
                "active": form.active.data}


class RHStaffCreate(StaffFormMixin, AdminRH):
    """Add one staff member by hand (the CSV import is for many)."""

    methods = ["GET", "POST"]

    def process(self):
        form = self.build_form()
        if form.validate_on_submit() and (values := self.values(form)):
            try:
                staff = operations.create_staff(self.user, **values)
            except operations.OrgError as error:
                attach_error(form, error)
            else:
                flash(_("%(name)s has been added.", name=staff.name), "success")
                return redirect(url_for("org.staff_detail", staff_id=staff.id))
        return render_template("org/staff_form.html", form=form, staff=None)


class RHStaffEdit(StaffFormMixin, RHStaffBase):
    """Change a staff member's record (administrators; every change is in the audit log)."""

    methods = ["GET", "POST"]

    def can_access(self) -> bool:
        return rules.can_manage_organisation(self.user)

    def process(self):
        staff = self.staff
        form = self.build_form(
            formdata=None if request.method == "GET" else request.form,
            employee_number=staff.employee_number, name=staff.name, title=staff.title,
            staff_group=staff.staff_group.value, department=str(staff.department_id),
            hire_date=staff.hire_date, active=staff.active)
        if request.method == "POST" and form.validate() and (values := self.values(form)):
            try:
                changed = operations.update_staff(self.user, staff, **values)
            except operations.OrgError as error:
                attach_error(form, error)
            else:
                flash(_("The record has been updated.") if changed
                      else _("Nothing was changed."), "success" if changed else "info")
                return redirect(url_for("org.staff_detail", staff_id=staff.id))
        return render_template("org/staff_form.html", form=form, staff=staff)


# -- CSV imports -----------------------------------------------------------------------------
class ImportFlow:
    """Upload -> preview -> confirm for one kind of file; subclasses fill in the kind."""

    kind: ImportKind
    columns: tuple[str, ...]
    template: str
    upload_endpoint: str
    preview_endpoint: str
    confirm_endpoint: str
    done_endpoint: str

    @staticmethod
    def review(text: str):
        raise NotImplementedError

    def apply(self, actor, batch, plan) -> None:
        raise NotImplementedError


class StaffFlow(ImportFlow):
    kind = ImportKind.staff
    columns = STAFF_COLUMNS
    template = "org/staff_import.html"
    upload_endpoint = "org.staff_import"
    preview_endpoint = "org.staff_import_preview"
    confirm_endpoint = "org.staff_import_confirm"
    done_endpoint = "org.staff_list"
    review = staticmethod(queries.review_staff_import)

    def apply(self, actor, batch, plan) -> None:
        operations.apply_staff_import(actor, batch, plan, queries.department_refs())


class DepartmentFlow(ImportFlow):
    kind = ImportKind.departments
    columns = DEPARTMENT_COLUMNS
    template = "org/department_import.html"
    upload_endpoint = "org.department_import"
    preview_endpoint = "org.department_import_preview"
    confirm_endpoint = "org.department_import_confirm"
    done_endpoint = "org.departments"
    review = staticmethod(queries.review_department_import)

    def apply(self, actor, batch, plan) -> None:
        operations.apply_department_import(actor, batch, plan)


class RHStaffImport(AdminRH):
    """Upload a staff CSV: every bad row is named, a valid file goes to the preview."""

    methods = ["GET", "POST"]
    flow: ImportFlow = StaffFlow()

    def process(self):
        form = forms.ImportForm()
        errors, parsed = [], None
        if form.validate_on_submit():
            upload = form.file.data
            try:
                text = decode_upload(upload.read())
            except CsvFileError as error:
                errors = [RowError(None, error.message)]
            else:
                parsed, _plan = self.flow.review(text)
                if parsed.ok:
                    batch = operations.create_import_batch(self.user, self.flow.kind,
                                                           upload.filename, text)
                    return redirect(url_for(self.flow.preview_endpoint, batch_id=batch.id))
                errors = parsed.errors
        return render_template(self.flow.template, form=form, errors=errors, parsed=parsed,
                               flow=self.flow, filename=getattr(form.file.data, "filename", ""))


class RHDepartmentImport(RHStaffImport):
    """Upload a department CSV (parents may come after their children)."""

    flow = DepartmentFlow()


class RHStaffImportPreview(AdminRH):
    """What a kept file would create and change, checked against the data as it is now."""

    flow: ImportFlow = StaffFlow()

    def load(self, batch_id: int):
        self.batch = get_or_404(OrgImportBatch, batch_id)
        if self.batch.kind is not self.flow.kind:
            abort(404)

    def process(self):
        parsed = plan = None
        if self.batch.is_pending:
            parsed, plan = self.flow.review(self.batch.raw_text)
        confirm_form = forms.ConfirmImportForm(formdata=None, digest=plan.digest() if plan else "")
        return render_template("org/import_preview.html", batch=self.batch, parsed=parsed,
                               plan=plan, flow=self.flow, form=confirm_form, limit=PREVIEW_ROWS)


class RHDepartmentImportPreview(RHStaffImportPreview):
    flow = DepartmentFlow()


class RHStaffImportConfirm(RHStaffImportPreview):
    """Apply a previewed file, all or nothing, exactly as the preview showed it."""

    methods = ["POST"]

    def process(self):
        preview = url_for(self.flow.preview_endpoint, batch_id=self.batch.id)
        form = forms.ConfirmImportForm()
        if not self.batch.is_pending:
            flash(_("This file has already been imported."), "info")
            return redirect(preview)
        _parsed, plan = self.flow.review(self.batch.raw_text)
        if not form.validate_on_submit() or plan is None or plan.digest() != form.digest.data:
            flash(_("The data changed since the preview was shown, so nothing was imported. "
                    "Please check the preview again."), "warning")
            return redirect(preview)
        try:
            self.flow.apply(self.user, self.batch, plan)
        except operations.AlreadyImported as error:
            flash(str(error.message), "info")
            return redirect(preview)
        counts = plan.summary()
        flash(_("Import done: %(created)s created, %(updated)s updated, %(unchanged)s "
                "unchanged.", **counts), "success")
        return redirect(url_for(self.flow.done_endpoint))


class RHDepartmentImportConfirm(RHStaffImportConfirm):
    flow = DepartmentFlow()
