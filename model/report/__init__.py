"""Policy comparison reports and the interactive view."""
