"""Tests of cohorts.survival (a package, so that its conftest does not shadow others)."""
