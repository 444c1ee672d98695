"""The paper's harness: run profiles, on-disk datasets, training, evaluation, model
cards and timing. What reproduces the paper; a field user needs none of it."""
