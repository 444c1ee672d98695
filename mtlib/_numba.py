"""The options every compiled kernel of mtlib is built with, in one place.

``cache=True`` keeps the compiled code on disk beside the package (the first call of a
kernel compiles it once, later processes load it); ``nogil=True`` lets a batch of soundings
run on threads side by side.
"""

import numba

JIT_OPTIONS = dict(cache=True, nogil=True)
jit = numba.njit(**JIT_OPTIONS)
"""Decorator of mtlib's compiled (numba) functions."""
jit_parallel = numba.njit(parallel=True, **JIT_OPTIONS)
"""The same, with ``numba.prange`` loops run on numba's threads."""
