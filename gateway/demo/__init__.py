"""The demo: a realistic, reproducible sample of records and the run that pushes it through."""
