"""What the network learned and why it decided: Qt-free analyses built on the engine.

Galleries (the digit patches a channel responds to most), gradient saliency, occlusion, and the
comparison of two inputs stage by stage. Everything here is NumPy only, like the engine, so it
runs in worker threads, benchmarks and tests without a display.
"""

from .compare import DEFAULT_SHIFT, StageChange, compare_activations, compare_images, image_stages, shifted
from .galleries import DEFAULT_COUNT, Gallery, Patch, compute_galleries, crop_box, gallery_stages
from .occlusion import occlusion_map
from .saliency import Saliency, class_unit, saliency, target_unit, unit_gradient

__all__ = [
    "DEFAULT_COUNT",
    "DEFAULT_SHIFT",
    "Gallery",
    "Patch",
    "Saliency",
    "StageChange",
    "class_unit",
    "compare_activations",
    "compare_images",
    "compute_galleries",
    "crop_box",
    "gallery_stages",
    "image_stages",
    "occlusion_map",
    "saliency",
    "shifted",
    "target_unit",
    "unit_gradient",
]
