"""The notice over class probabilities: said for untrained and changed weights, silent for trained ones."""

from cnn_desktop.engine import MNIST_SPEC, Network, TrainingRecord, weights_status
from cnn_desktop.state.weights_notice import weights_notice


def test_the_notice_speaks_only_when_the_weights_are_not_the_trained_ones():
    net = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=0)
    assert weights_notice(weights_status(net, None)).startswith("Untrained (random weights)")
    record = TrainingRecord.of(net, "Trained on a few digits.")
    assert weights_notice(weights_status(net, record)) == ""  # the record's sentence is not a warning
    net.params["0.bias"][0] += 1
    assert weights_notice(weights_status(net, record)) == (
        "Changed since training: the weights of layer 0 (conv 3x3) were edited."
    )
    assert weights_notice(weights_status(Network([{"type": "relu"}], (1, 5, 5)), None)) == ""  # nothing learned
