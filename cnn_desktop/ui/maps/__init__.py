"""The feature maps: every layer's output, its highlights and the class probabilities."""
