"""The training tab: settings, digit source, curves, filters and the confusion matrix."""
