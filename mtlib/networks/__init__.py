"""The networks: the paper's U-Net and its ensemble, the field network, the
one guess interface they share, and the shipped weights."""
