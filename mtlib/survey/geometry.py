"""Stations on a map and along a profile.

Latitude and longitude (degrees, WGS84) are projected onto a local flat plane about an
origin (equirectangular: east = R cos φ0 Δλ, north = R Δφ, R the Earth's mean radius),
good to a fraction of a percent over the tens of kilometres of a survey. A profile is a
straight :class:`Line` on that plane, fitted to stations by total least squares (the
principal axis of their positions) or drawn through two chosen points; a station's place
on the section is its distance along the line, and its offset is its perpendicular
distance from it (positive to the left of the line's direction).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_KM = 6371.0088
"""The Earth's mean radius (IUGG), km."""


def _degrees(name: str, values, limit: float) -> np.ndarray:
    values = np.atleast_1d(np.asarray(values, dtype=float))
    if values.ndim != 1 or not np.all(np.isfinite(values)) or np.any(np.abs(values) > limit):
        raise ValueError(f"{name} must be finite degrees within ±{limit:g}, got {values}")
    return values


def project_km(latitude, longitude, origin: tuple[float, float]) -> np.ndarray:
    """Positions (n, 2) in km, east and north of ``origin`` = (latitude, longitude) in
    degrees, of stations at ``latitude``, ``longitude`` (n,) degrees."""
    lat = _degrees("latitude", latitude, 90.0)
    lon = _degrees("longitude", longitude, 180.0)
    if lat.shape != lon.shape:
        raise ValueError(f"latitude {lat.shape} and longitude {lon.shape} differ in shape")
    lat0, lon0 = origin
    # (longitudes are wrapped so that a survey across the antimeridian stays together)
    dlon = (lon - lon0 + 180.0) % 360.0 - 180.0
    east = EARTH_RADIUS_KM * np.cos(np.radians(lat0)) * np.radians(dlon)
    north = EARTH_RADIUS_KM * np.radians(lat - lat0)
    return np.column_stack([east, north])


@dataclass(frozen=True)
class Line:
    """A straight profile on the flat plane about ``origin`` (latitude, longitude in
    degrees): it passes through ``start_km`` (east, north), where distances are 0, in the
    unit ``direction`` (east, north)."""

    origin: tuple[float, float]
    start_km: tuple[float, float]
    direction: tuple[float, float]

    @classmethod
    def fit(cls, latitude, longitude) -> Line:
        """The line through stations (n ≥ 2,) that minimizes their squared perpendicular
        distances (total least squares), pointing east when it runs more east–west than
        north–south, else north; distance 0 at the first station along it."""
        lat = _degrees("latitude", latitude, 90.0)
        lon = _degrees("longitude", longitude, 180.0)
        if lat.size < 2:
            raise ValueError(f"a line needs at least 2 stations, got {lat.size}")
        origin = (float(lat.mean()), float(lon.mean()))
        xy = project_km(lat, lon, origin)
        centre = xy.mean(axis=0)
        _, _, vt = np.linalg.svd(xy - centre)
        direction = _west_east_or_south_north(vt[0])
        along = (xy - centre) @ direction
        start = centre + along.min() * direction
        return cls(origin, tuple(start), tuple(direction))

    @classmethod
    def through(cls, start: tuple[float, float], end: tuple[float, float]) -> Line:
        """The line from ``start`` to ``end`` (each (latitude, longitude) in degrees),
        distance 0 at ``start``."""
        lat = _degrees("latitude", [start[0], end[0]], 90.0)
        lon = _degrees("longitude", [start[1], end[1]], 180.0)
        origin = (float(lat.mean()), float(lon.mean()))
        a, b = project_km(lat, lon, origin)
        length = np.hypot(*(b - a))
        if length == 0:
            raise ValueError("start and end of a line must differ")
        return cls(origin, tuple(a), tuple((b - a) / length))

    @property
    def bearing_deg(self) -> float:
        """Azimuth of the direction, degrees clockwise from north in [0, 360)."""
        return float(np.degrees(np.arctan2(self.direction[0], self.direction[1])) % 360.0)

    def _relative(self, latitude, longitude) -> np.ndarray:
        return project_km(latitude, longitude, self.origin) - np.asarray(self.start_km)

    def distance_km(self, latitude, longitude) -> np.ndarray:
        """Distance (n,) in km along the line of the stations' feet on it."""
        return self._relative(latitude, longitude) @ np.asarray(self.direction)

    def offset_km(self, latitude, longitude) -> np.ndarray:
        """Perpendicular distance (n,) in km from the line, positive to its left."""
        east, north = self.direction
        return self._relative(latitude, longitude) @ np.array([-north, east])

    def points_km(self, distance_km) -> np.ndarray:
        """Points (n, 2) east, north in km on the line at ``distance_km`` (n,)."""
        d = np.atleast_1d(np.asarray(distance_km, dtype=float))
        return np.asarray(self.start_km) + d[:, None] * np.asarray(self.direction)


def _west_east_or_south_north(v) -> np.ndarray:
    v = np.asarray(v, dtype=float) / np.hypot(*v)
    along = 0 if abs(v[0]) >= abs(v[1]) else 1
    return -v if v[along] < 0 else v
