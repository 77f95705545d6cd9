"""Bundled data and icons, installed as ``cnn_desktop.resources``."""
