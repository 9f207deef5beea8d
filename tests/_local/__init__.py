"""Helpers for the local fleet server's acceptance tests: seed parsing, official-SDK sessions, a subprocess server."""
