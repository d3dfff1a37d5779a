"""Matrix rows for the organisation pages (department tree, staff, CSV import and export)."""

import io

from appraisal.extensions import db
from appraisal.org import operations
from appraisal.org.models import ImportKind
from tests.access.cases import Case

STAFF_CSV = ("employee_number,name,staff_group,title,department_code,hire_date,active\n"
             "M-100,Wang Fang,nurse,Nurse,A1,2020-01-02,yes\n")
DEPARTMENT_CSV = "code,name,kind,parent_code,active\nA1B,Cardiology ward 2,ward,A1,yes\n"


def committed(build):
    """Build the objects a request needs and commit them.

    A refused request rolls back; objects built after the login but left uncommitted would
    vanish with it while the world still holds them, and the next user of the same case
    would then point at rows that no longer exist (PostgreSQL enforces the foreign keys).
    """
    def run(world):
        result = build(world)
        db.session.commit()
        return result
    return run


def needs_department(world):
    """The files below name department A1: it must exist before they are checked."""
    return world.dept_a1


def staff_batch(world):
    needs_department(world)
    return {"batch_id": operations.create_import_batch(
        world.admin, ImportKind.staff, "staff.csv", STAFF_CSV).id}


def department_batch(world):
    needs_department(world)
    return {"batch_id": operations.create_import_batch(
        world.admin, ImportKind.departments, "departments.csv", DEPARTMENT_CSV).id}


def upload(text):
    """A fresh file for each call (a request reads it to the end)."""
    return committed(lambda world: (needs_department(world),
                                    {"file": (io.BytesIO(text.encode()), "file.csv")})[1])


def staff_form(world):
    return {"employee_number": "N-1", "name": "Chen Jie", "staff_group": "doctor",
            "title": "Resident", "department": str(world.dept_a1.id), "hire_date": "",
            "active": "y"}


STAFF_A = committed(lambda w: {"staff_id": w.staff_a.id})
ADMIN_ONLY = {"allowed": lambda w: w.admin, "denied": lambda w: w.manager_a,
              "also_denied": [lambda w: w.clinician_a, lambda w: w.nobody]}

CASES = [
    # Department tree and its actions: the performance office only.
    Case("org.departments", "GET", **ADMIN_ONLY),
    Case("org.department_create", "POST", **ADMIN_ONLY,
         data=committed(lambda w: {"code": "NEW", "name": "Neurology", "kind": "department",
                                   "parent": str(w.division_a.id)})),
    Case("org.department_detail", "GET", **ADMIN_ONLY,
         args=committed(lambda w: {"department_id": w.dept_a1.id})),
    Case("org.department_edit", "POST", **ADMIN_ONLY,
         args=committed(lambda w: {"department_id": w.dept_a1.id}),
         data=lambda w: {"code": "A1", "name": "Cardiology & vascular", "kind": "department"}),
    Case("org.department_move", "POST", **ADMIN_ONLY,
         args=committed(lambda w: {"department_id": w.dept_a1.id}),
         data=committed(lambda w: {"parent": str(w.division_b.id)})),
    Case("org.department_deactivate", "POST", **ADMIN_ONLY,
         args=committed(lambda w: {"department_id": w.ward_a1a.id})),
    Case("org.department_reactivate", "POST", **ADMIN_ONLY,
         args=committed(lambda w: {"department_id": w.ward_a1a.id})),
    Case("org.department_export", "GET", **ADMIN_ONLY),
    Case("org.department_import", "GET", **ADMIN_ONLY),
    Case("org.department_import", "POST", **ADMIN_ONLY, data=upload(DEPARTMENT_CSV)),
    Case("org.department_import_preview", "GET", **ADMIN_ONLY, args=committed(department_batch)),
    Case("org.department_import_confirm", "POST", **ADMIN_ONLY, args=committed(department_batch),
         data=lambda w: {"digest": "stale"}),

    # Staff list and export: administrators, and managers within their departments.
    Case("org.staff_list", "GET", allowed=lambda w: w.manager_a, denied=lambda w: w.clinician_a,
         also_denied=[lambda w: w.nobody, lambda w: w.panel]),
    Case("org.staff_list", "GET", args=committed(lambda w: {"department": w.dept_a1.id}),
         allowed=lambda w: w.manager_a, denied=lambda w: w.manager_b,
         also_denied=[lambda w: w.clinician_a]),
    Case("org.staff_list", "GET", args=committed(lambda w: {"department": w.dept_b1.id}),
         allowed=lambda w: w.admin, denied=lambda w: w.manager_a),
    Case("org.staff_export", "GET", allowed=lambda w: w.manager_b,
         denied=lambda w: w.clinician_a, also_denied=[lambda w: w.nobody]),
    Case("org.staff_export", "GET", args=committed(lambda w: {"department": w.dept_a1.id}),
         allowed=lambda w: w.admin, denied=lambda w: w.manager_b),

    # One staff member's record: admin, their manager, or the person themself.
    Case("org.staff_detail", "GET", args=STAFF_A,
         allowed=lambda w: w.clinician_a, denied=lambda w: w.clinician_b,
         also_denied=[lambda w: w.manager_b, lambda w: w.nobody]),
    Case("org.staff_detail", "GET", args=STAFF_A,
         allowed=lambda w: w.manager_a, denied=lambda w: w.panel),
    Case("org.staff_detail", "GET", args=committed(lambda w: {"staff_id": w.staff_b.id}),
         allowed=lambda w: w.admin, denied=lambda w: w.manager_a),

    # Changing staff records and importing: administrators only.
    Case("org.staff_create", "GET", **ADMIN_ONLY),
    Case("org.staff_create", "POST", **ADMIN_ONLY, data=committed(staff_form)),
    Case("org.staff_edit", "GET", **ADMIN_ONLY, args=STAFF_A),
    Case("org.staff_edit", "POST", **ADMIN_ONLY, args=STAFF_A,
         data=committed(lambda w: dict(staff_form(w), employee_number="A-001"))),
    Case("org.staff_import", "GET", **ADMIN_ONLY),
    Case("org.staff_import", "POST", **ADMIN_ONLY, data=upload(STAFF_CSV)),
    Case("org.staff_import_preview", "GET", **ADMIN_ONLY, args=committed(staff_batch)),
    Case("org.staff_import_confirm", "POST", **ADMIN_ONLY, args=committed(staff_batch),
         data=lambda w: {"digest": "stale"}),
]
