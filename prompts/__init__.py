"""reportgraph.prompts."""
