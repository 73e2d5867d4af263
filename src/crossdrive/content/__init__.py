"""Content: each file's bytes recognised by the artifact parsers, parsed, and stored as
records that say where they came from."""
