"""The audit-log page: search, read and export the append-only log (admins only).

The model and ``record()`` live in ``appraisal.core.audit``; this package only reads them.
"""
