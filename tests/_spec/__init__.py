"""Helpers for the client spec tests: the seed 001 parser, the recording gRPC server, the per-method cases."""
