"""A small hospital with one user per kind of right, for the authorisation matrix."""

from __future__ import annotations

from functools import cached_property

from appraisal.auth.models import Role
from appraisal.org.models import DepartmentKind, StaffGroup


class World:
    """Lazily built objects: hospital > division A > dept A1 > ward A1a; division B > dept B1.

    Users: ``admin``; ``manager_a`` (manages division A); ``manager_b`` (manages dept B1);
    ``clinician_a`` (staff in A1) and ``clinician_b`` (staff in B1); ``panel`` (panel member);
    ``nobody`` (an account with no role and no staff link).
    """

    def __init__(self, make):
        self.make = make

    @cached_property
    def hospital(self):
        return self.make.department("General Hospital", kind=DepartmentKind.hospital, code="H")

    @cached_property
    def division_a(self):
        return self.make.department("Medicine", parent=self.hospital,
                                    kind=DepartmentKind.division, code="DIV-A")

    @cached_property
    def division_b(self):
        return self.make.department("Surgery", parent=self.hospital,
                                    kind=DepartmentKind.division, code="DIV-B")

    @cached_property
    def dept_a1(self):
        return self.make.department("Cardiology", parent=self.division_a, code="A1")

    @cached_property
    def ward_a1a(self):
        return self.make.department("Cardiology ward 1", parent=self.dept_a1,
                                    kind=DepartmentKind.ward, code="A1A")

    @cached_property
    def dept_b1(self):
        return self.make.department("Orthopaedics", parent=self.division_b, code="B1")

    @cached_property
    def staff_a(self):
        return self.make.staff(self.ward_a1a, StaffGroup.doctor, name="Li Wei", number="A-001")

    @cached_property
    def staff_b(self):
        return self.make.staff(self.dept_b1, StaffGroup.nurse, name="Zhang Min", number="B-001")

    @cached_property
    def admin(self):
        return self.make.user("w_admin", roles=(Role.admin,))

    @cached_property
    def manager_a(self):
        return self.make.user("w_manager_a", manages=(self.division_a,))

    @cached_property
    def manager_b(self):
        return self.make.user("w_manager_b", manages=(self.dept_b1,))

    @cached_property
    def clinician_a(self):
        return self.make.user("w_clinician_a", staff=self.staff_a)

    @cached_property
    def clinician_b(self):
        return self.make.user("w_clinician_b", staff=self.staff_b)

    @cached_property
    def panel(self):
        return self.make.user("w_panel", roles=(Role.panel_member,))

    @cached_property
    def nobody(self):
        return self.make.user("w_nobody")
