"""Sweep: every byte of every device scanned for identifiers, through decoders; carving."""
