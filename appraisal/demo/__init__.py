"""The demo hospital: deterministic sample data for trying the service out (`flask demo`)."""
