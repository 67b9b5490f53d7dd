"""reportgraph.graph."""
