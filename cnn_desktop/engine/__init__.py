"""The CNN engine: NumPy only, no Qt, so it can be tested, benchmarked and scripted on its own."""

from .layers import AvgPool2D, Conv2D, Dense, Flatten, Layer, MaxPool2D, Padding, ReLU
from .losses import softmax, softmax_cross_entropy
from .network import ModelFileError, Network
from .optim import OPTIMISERS, SGD, Adam
from .pretrained import pretrained, pretrained_record
from .receptive import field_masks, influence_masks, receptive_box
from .spec import LAYER_TYPES, MNIST_SPEC, SpecError, layer_label, layer_name
from .traces import ConvTrace, PoolTrace, trace_unit
from .training_record import TrainingRecord, WeightsStatus, weights_status
from .unit import Unit

__all__ = [
    "LAYER_TYPES",
    "MNIST_SPEC",
    "OPTIMISERS",
    "SGD",
    "Adam",
    "AvgPool2D",
    "Conv2D",
    "ConvTrace",
    "Dense",
    "Flatten",
    "Layer",
    "MaxPool2D",
    "ModelFileError",
    "Network",
    "Padding",
    "PoolTrace",
    "ReLU",
    "SpecError",
    "TrainingRecord",
    "Unit",
    "WeightsStatus",
    "field_masks",
    "influence_masks",
    "layer_label",
    "layer_name",
    "pretrained",
    "pretrained_record",
    "receptive_box",
    "softmax",
    "softmax_cross_entropy",
    "trace_unit",
    "weights_status",
]
