"""Surveys: many stations, on many machines, seen as sections along a profile.

* :func:`run` (:mod:`~mtlib.survey.runner`): invert, sample or guess many soundings in
  chunks — here, on a local cluster or on an existing Dask cluster — resumable from a
  folder of finished stations (:mod:`~mtlib.survey.store`; the work of a chunk:
  :mod:`~mtlib.survey.tasks`);
* :class:`Line` (:mod:`~mtlib.survey.geometry`): stations projected onto a profile, its
  distances and offsets;
* :func:`lci` (:mod:`~mtlib.survey.joint`): the laterally constrained inversion of a
  profile, one joint Gauss–Newton with each station fitting its own data;
* :func:`column` (:mod:`~mtlib.survey.columns`): what a section draws per station
  (:func:`mtlib.plotting.section`);
* :func:`synthetic_profile` (:mod:`~mtlib.survey.synthetic`): laterally smooth layered
  earths with noisy soundings, to measure the above against a known truth;
* :func:`gabbs_valley` (:mod:`~mtlib.survey.data`): the shipped broadband survey.
"""

from .columns import Column, column
from .data import GABBS_VALLEY_DIR, PROFILE_A, PROFILE_B, gabbs_valley
from .geometry import Line, project_km
from .joint import LATERAL_WEIGHT, LCIResult, common_grid, lci
from .runner import run
from .synthetic import SyntheticProfile, synthetic_profile
from .tasks import Refused

__all__ = [
    "GABBS_VALLEY_DIR",
    "LATERAL_WEIGHT",
    "PROFILE_A",
    "PROFILE_B",
    "Column",
    "LCIResult",
    "Line",
    "Refused",
    "SyntheticProfile",
    "column",
    "common_grid",
    "gabbs_valley",
    "lci",
    "project_km",
    "run",
    "synthetic_profile",
]
