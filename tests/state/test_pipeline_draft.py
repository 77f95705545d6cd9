"""PipelineDraft: edits offered to a document, refusals that name the layer, origins that keep weights."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop.engine import Network, SpecError
from cnn_desktop.state.pipeline_draft import PipelineDraft, SpecRefusal

SPEC = [
    {"type": "conv", "out_channels": 2, "kernel": 3},
    {"type": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "flatten"},
    {"type": "dense", "out_features": 10},
]


class FakeDocument:
    """Adopts a spec the engine can build (as ``SessionDocument.edit_spec`` does), else says why."""

    def __init__(self, locked: str | None = None) -> None:
        self.network = Network.from_spec(SPEC, (1, 12, 12), seed=0)
        self.locked = locked
        self.offers: list[tuple[list, str, list]] = []
        self.draft = PipelineDraft(self.network, self.edit_spec)

    def edit_spec(self, spec, text, origins) -> SpecRefusal | None:
        self.offers.append((spec, text, origins))
        if self.locked:
            return SpecRefusal(self.locked)
        try:
            self.network = self.network.rebuilt(spec, origins=origins)
        except SpecError as exc:
            return SpecRefusal.from_error(exc)
        self.draft.show_network(self.network)
        return None


@pytest.fixture
def document() -> FakeDocument:
    return FakeDocument()


def test_an_accepted_edit_becomes_the_documents_pipeline(document: FakeDocument) -> None:
    assert document.draft.add(2, "relu") is None
    assert [entry["type"] for entry in document.network.spec] == ["conv", "relu", "relu", "maxpool", "flatten", "dense"]
    assert document.offers[-1][1:] == ("Add relu layer", [0, 1, None, 2, 3, 4])
    assert document.draft.refusal is None and document.draft.origins == list(range(6))


def test_a_refused_edit_stays_as_a_draft_that_names_the_layer_and_reason(document: FakeDocument) -> None:
    before = document.network.spec
    refusal = document.draft.set_setting(0, "kernel", 13)
    assert refusal is not None and refusal.layer == 0 and "13" in refusal.message
    assert document.network.spec == before  # the document keeps the working pipeline
    assert document.draft.spec[0]["kernel"] == 13 and document.draft.refusal == refusal
    assert document.draft.shapes == [None] * 5


def test_fixing_a_refused_draft_names_both_edits_in_one_undo_step(document: FakeDocument) -> None:
    assert document.draft.set_setting(0, "kernel", 13) is not None
    assert document.draft.set_setting(0, "kernel", 5) is None
    assert document.offers[-1][1] == "Change kernel of layer 0 to 13x13; Change kernel of layer 0 to 5x5"
    assert document.network.spec[0]["kernel"] == 5 and document.draft.pending == []


def test_a_move_keeps_the_layers_origin_so_its_weights_follow(document: FakeDocument) -> None:
    trained = document.network.params["0.weight"].copy()
    assert document.draft.move(1, 0) is None  # the ReLU before the conv
    assert document.offers[-1][1:] == ("Move layer 1 (relu) up", [1, 0, 2, 3, 4])
    np.testing.assert_array_equal(document.network.params["1.weight"], trained)


def test_going_back_to_the_documents_pipeline_offers_nothing(document: FakeDocument) -> None:
    assert document.draft.set_setting(0, "kernel", 13) is not None
    offers = len(document.offers)
    assert document.draft.set_setting(0, "kernel", 3) is None
    assert len(document.offers) == offers and document.draft.refusal is None


def test_a_refusal_without_a_layer_takes_the_engines_layer_of_the_draft() -> None:
    document = FakeDocument(locked="Training is running")
    refusal = document.draft.remove(3)  # flatten gone: the dense layer gets maps
    assert refusal == SpecRefusal("Training is running", 3)
    assert document.draft.remove(99) is None and document.draft.move(0, 0) is None
    assert document.draft.set_setting(1, "kernel", 3) is None  # a ReLU has no kernel
