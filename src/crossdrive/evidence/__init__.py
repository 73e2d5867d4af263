"""Evidence containers: each image, whatever its format, becomes one read-only byte stream."""

from crossdrive.evidence.containers import Container, open_container, segment_paths

__all__ = ["Container", "open_container", "segment_paths"]
