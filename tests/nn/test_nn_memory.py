"""A training step's graph is freed by reference counting alone: no cycle per node."""

import gc
import sys

import nn
from nn import datasets


def test_a_training_step_leaves_nothing_for_the_cyclic_collector() -> None:
    points, y = datasets.moons(n_samples=30, noise=0.1, seed=0)
    labels = datasets.signed_labels(y)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    weight = model.parameters()[0]
    gc.collect()
    gc.disable()
    try:
        before = sys.getrefcount(weight)
        for _ in range(3):
            scores = [model(x) for x in points]
            loss = nn.hinge_loss(scores, labels) + nn.l2_regularization(model.parameters(), 1e-4)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            assert sys.getrefcount(weight) > before  # the graph holds the weight ...
            del scores, loss
            assert sys.getrefcount(weight) == before  # ... until the loss is dropped
        assert gc.collect() == 0  # and no cycle was left for the collector
    finally:
        gc.enable()
