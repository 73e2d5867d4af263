"""Entities: identifiers normalised from every record and feature, then identities and the
graph built on them (issue #6)."""
