"""Results pages: a person's scorecard with the what-if panel, the department view with
funnel plots and trends, and outlier alarms."""
