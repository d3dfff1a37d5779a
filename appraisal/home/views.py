"""The home page: what each role needs first."""

from flask import render_template

from appraisal.core.handlers import AuthenticatedRH
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.home import queries


class RHHome(AuthenticatedRH):
    """Admin: set-up checklist and counts; manager: their departments; clinician: their own
    record; panel member: their assignments."""

    def process(self):
        context = {}
        if self.user.is_admin:
            counts = queries.admin_counts()
            context["counts"] = counts
            context["checklist"] = [
                queries.ChecklistStep(_l("Build the department tree"), counts["departments"] > 1,
                                      "org.departments"),
                queries.ChecklistStep(_l("Import the staff list"), counts["staff"] > 0,
                                      "org.staff_import"),
                queries.ChecklistStep(_l("Create user accounts"), counts["users"] > 1,
                                      "accounts.users"),
                queries.ChecklistStep(_l("Name department managers"),
                                      counts["manager_grants"] > 0, "accounts.users"),
                queries.ChecklistStep(_l("Choose the indicators of the library"),
                                      bool(counts["indicators"]), "indicators.index"),
                queries.ChecklistStep(_l("Open an appraisal cycle with its schemes"),
                                      bool(counts["cycle_under_way"]), "cycles.index"),
                queries.ChecklistStep(_l("Import the measurements"),
                                      bool(counts["measurements"]), "measurements.import_upload"),
            ]
        if self.user.is_manager:
            departments = self.user.managed_departments
            context["managed"] = departments
            context["staff_counts"] = queries.department_staff_counts(departments)
        return render_template("home/index.html", **context)
