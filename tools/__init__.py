"""reportgraph.tools."""
