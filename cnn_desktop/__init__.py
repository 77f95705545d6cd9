"""cnn-desktop: see a convolutional neural network work, pixel by pixel."""

__version__ = "0.1.0"
