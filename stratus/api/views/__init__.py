"""View builders: wire objects in, Nova-shaped dicts out."""
