"""reportgraph.nodes."""
