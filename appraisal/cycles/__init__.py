"""Appraisal cycles and their schemes."""
