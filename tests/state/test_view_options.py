"""ViewOptions: one check for what the views show, read back exactly from JSON, fitted to a network."""

from __future__ import annotations

import json

import pytest

from cnn_desktop.engine import Network
from cnn_desktop.state.view_options import ViewOptions, ViewOptionsError, kernel_factor_value

SPEC = [
    {"type": "conv", "out_channels": 2, "kernel": 3},
    {"type": "relu"},
    {"type": "maxpool", "size": 2},
]


@pytest.fixture
def network() -> Network:
    return Network.from_spec(SPEC, (1, 7, 7), seed=0)


def test_json_round_trip_is_exact_including_the_kernel_factor_and_unknown_keys() -> None:
    options = ViewOptions(
        palette="Blue-grey-red",
        scaling="global",
        zoom=1.25,
        kernel_layer=0,
        kernel_factor="1/9",
        player_layer=2,
        player_channel=1,
        player_position=3,
        extra={"from_a_newer_version": [1, 2]},
    )
    text = json.dumps(options.to_json())
    assert ViewOptions.from_json(json.loads(text)) == options
    assert json.loads(text)["kernel_factor"] == "1/9"


def test_missing_keys_take_defaults_and_the_first_conv_layer(network: Network) -> None:
    assert ViewOptions.from_json({}) == ViewOptions()
    assert ViewOptions.from_json(None, network).kernel_layer == 0
    assert ViewOptions.from_json({"kernel_layer": None}, network).kernel_layer is None


def test_fitting_drops_layers_channels_and_cells_the_network_lacks(network: Network) -> None:
    fitted = ViewOptions(kernel_layer=1, player_layer=1, player_channel=1, player_position=0).fitted(network)
    assert (fitted.kernel_layer, fitted.player_layer, fitted.player_channel, fitted.player_position) == (
        0,
        None,
        0,
        None,
    )
    pool = ViewOptions(player_layer=2, player_channel=1, player_position=3).fitted(network)  # 2x2x2 output
    assert (pool.player_layer, pool.player_channel, pool.player_position) == (2, 1, 3)
    outside = ViewOptions(player_layer=2, player_channel=2, player_position=4).fitted(network)
    assert (outside.player_channel, outside.player_position) == (0, None)
    kernel = ViewOptions(kernel_layer=0, kernel_output=1, kernel_input=1).fitted(network)  # 2 filters, 1 input
    assert (kernel.kernel_output, kernel.kernel_input) == (1, 0)


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ([1], "must be a JSON object"),
        ({"palette": 3}, "palette"),
        ({"scaling": "symmetric"}, "scaling"),
        ({"zoom": 0}, "zoom"),
        ({"zoom": True}, "zoom"),
        ({"kernel_layer": 1.5}, "kernel_layer"),
        ({"player_position": "3"}, "player_position"),
        ({"kernel_factor": 0.5}, "kernel_factor"),
        ({"kernel_factor": "0"}, "kernel_factor"),
        ({"kernel_factor": "nan"}, "kernel_factor"),
    ],
)
def test_values_of_the_wrong_kind_raise_one_line_naming_the_option(raw, match: str) -> None:
    with pytest.raises(ViewOptionsError, match=match) as error:
        ViewOptions.from_json(raw)
    assert "\n" not in str(error.value)


def test_kernel_factor_value_reads_the_lecture_fractions() -> None:
    assert kernel_factor_value("1/9") == pytest.approx(1 / 9)
    assert kernel_factor_value("2") == 2
    assert kernel_factor_value("x") is None


def test_options_of_the_wrong_kind_cannot_even_be_made() -> None:
    with pytest.raises(ViewOptionsError, match="scaling"):
        ViewOptions(scaling="symmetric")


def test_keep_the_current_palette_and_zoom_is_saved_by_leaving_them_out() -> None:
    saved = ViewOptions(kernel_layer=None).to_json()
    assert "palette" not in saved and "zoom" not in saved and saved["kernel_layer"] is None
    assert ViewOptions.from_json(saved) == ViewOptions()
