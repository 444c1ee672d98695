"""mtlib: fast 1D magnetotelluric inversion with a 1D U-Net (companion of the paper)."""

__version__ = "0.1.0"
