"""Views of what the network learned (galleries) and why it decided (saliency, occlusion)."""
