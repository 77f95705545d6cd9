"""The convolution player: one output cell's dot product, step by step."""
