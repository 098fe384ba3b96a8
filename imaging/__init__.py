"""Picture operations: no Qt, no networks. Layers: app → training → imaging → model."""
