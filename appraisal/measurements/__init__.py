"""Measurements in (CSV and API), disputes, exemptions and outlier alarms."""
