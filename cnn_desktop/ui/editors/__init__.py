"""The editors: input pixels, kernels and the layer pipeline."""
