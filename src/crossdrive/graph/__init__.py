"""The graph: links between persons with their evidence; communities, centrality and
cross-device analysis build on it (issue #6)."""
