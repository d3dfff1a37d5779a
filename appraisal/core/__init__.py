"""Shared machinery: database base, request handling, security, audit log, errors."""
