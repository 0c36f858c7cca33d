"""Tests of the numpy core (stepnn/*.py): every formula against an independent computation."""
