"""Acquisition without Dagster: landing-folder scans and safe HTTP fetching."""
