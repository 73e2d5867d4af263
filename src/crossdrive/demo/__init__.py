"""Demo data: real images built with real tools, and the end-to-end run behind `crossdrive demo`."""
