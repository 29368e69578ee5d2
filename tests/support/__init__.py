"""Shared test support: the suite's clock, helpers and fixtures."""
