"""Exports in the formats examiners' tools already read (DFXML, bodyfile, CSV, …)."""
