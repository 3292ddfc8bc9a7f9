"""Helpers for the tests: local stand-ins for the services the channels talk to."""
