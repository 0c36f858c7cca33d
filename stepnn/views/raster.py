"""Images of small grids (a batch's activations, a model's output over the input plane) that are
quick to redraw on Agg.

Matplotlib resamples an image through a general transform at every draw, which costs a
millisecond or more even for a 16 x 4 array. ``GridImage`` is an ``AxesImage`` that, when its
data are axis-aligned in display space, maps every output pixel with numpy to its cell
("nearest") or to its four neighbours ("bilinear": on the data before the colour map when it
upsamples at least three times, on the colours premultiplied by alpha otherwise, as matplotlib
does); any other case goes to matplotlib. Everything else (``set_data``, ``set_clim``,
``get_array``, colour maps, NaN drawn in the colour map's "bad" colour) is the AxesImage's.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.image import AxesImage
from matplotlib.transforms import IdentityTransform

__all__ = ["GridImage", "grid_image"]

FAST = ("nearest", "bilinear")


def _centres(start: int, stop: int, edge0: float, edge1: float) -> np.ndarray:
    """Where the centres of pixels start..stop-1 fall between two display edges, as a fraction
    from ``edge0`` (0) to ``edge1`` (1)."""
    return (np.arange(start, stop) + 0.5 - edge0) / (edge1 - edge0)


def _nearest(fraction: np.ndarray, n: int) -> np.ndarray:
    return np.clip(np.floor(fraction * n).astype(np.intp), 0, n - 1)


def _repeat(array: np.ndarray, index: np.ndarray, axis: int) -> np.ndarray:
    """``np.take(array, index, axis)``, as runs of repeated rows when ``index`` is monotonic."""
    steps = np.diff(index)
    if np.all(steps >= 0):
        counts = np.bincount(index, minlength=array.shape[axis])
        return np.repeat(array, counts, axis=axis)
    if np.all(steps <= 0):  # decreasing: the same runs on the flipped array
        return _repeat(np.flip(array, axis), array.shape[axis] - 1 - index, axis)
    return np.take(array, index, axis=axis)


def _bilinear(fraction: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower neighbour, upper neighbour and the weight of the upper one, cell centres at (i + 0.5) / n."""
    at = np.clip(fraction * n - 0.5, 0, n - 1)
    low = np.minimum(np.floor(at).astype(np.intp), max(n - 2, 0))
    high = np.minimum(low + 1, n - 1)
    return low, high, at - low


class GridImage(AxesImage):
    """An AxesImage drawn by a shortcut on Agg when the image is axis-aligned (see the module)."""

    def make_image(self, renderer, magnification=1.0, unsampled=False):
        fast = None if unsampled or magnification != 1.0 else self._fast_image(renderer)
        if fast is None:
            return super().make_image(renderer, magnification, unsampled)
        return fast

    def _fast_image(self, renderer):
        """(RGBA bottom row first, left, bottom, identity) or None when the shortcut does not apply."""
        A = self.get_array()
        trans = self.get_transform()
        if self.get_interpolation() not in FAST or A is None or A.ndim not in (2, 3) or 0 in A.shape[:2] \
                or not trans.is_affine or np.ndim(self.get_alpha()) > 0 \
                or A.ndim == 3 and self.get_alpha() is not None:
            return None
        matrix = trans.get_matrix()
        if matrix[0, 1] != 0 or matrix[1, 0] != 0:
            return None
        x0, x1, y0, y1 = self.get_extent()
        (ex0, ey0), (ex1, ey1) = trans.transform([(x0, y0), (x1, y1)])
        box = self._pixel_box(renderer, ex0, ex1, ey0, ey1)
        if box is None:
            return np.zeros((0, 0, 4), np.uint8), 0, 0, IdentityTransform()
        left, right, bottom, top = box
        fx, fy = self._fractions(box, (ex0, ex1, ey0, ey1))
        rows, cols = A.shape[:2]
        if self.get_interpolation() == "nearest":
            image = _repeat(_repeat(self._colours(A), _nearest(fy, rows), 0), _nearest(fx, cols), 1)
        elif A.ndim == 2 and min(len(fx) / cols, len(fy) / rows) >= 3:   # upsampled: on the data
            image = self._colours(self._interpolate(A, fx, fy))
        else:                                                                  # on the colours
            image = self._colours(self._interpolate(self.to_rgba(A), fx, fy))
        image = np.ascontiguousarray(image)
        if A.ndim == 2 and self.get_alpha() is not None:  # as matplotlib: in the pixels, again when pasted
            image[..., 3] = (image[..., 3] * np.float32(self.get_alpha())).astype(np.uint8)
        return image, left, bottom, IdentityTransform()

    def _fractions(self, box: tuple, edges: tuple) -> tuple[np.ndarray, np.ndarray]:
        """Where the output pixels' centres fall in the data, as fractions: columns from the
        first to the last, rows from row 0 to the last (kept while the geometry is the same)."""
        key = (box, edges, self.origin)
        cached = self.__dict__.get("_fractions_cache")
        if cached is None or cached[0] != key:
            left, right, bottom, top = box
            ex0, ex1, ey0, ey1 = edges
            fx = _centres(left, right, ex0, ex1)          # 0 at the first column, 1 past the last
            fy = _centres(bottom, top, ey0, ey1)          # 0 at extent[2], 1 at extent[3]
            if self.origin == "upper":                    # row 0 at extent[3]
                fy = 1 - fy
            cached = self.__dict__["_fractions_cache"] = (key, fx, fy)
        return cached[1], cached[2]

    def _colours(self, A) -> np.ndarray:
        """RGBA bytes of ``A``: values through the norm and the colour map, or colours as they are.
        A plain linear norm with its limits set is applied here (the general path costs more)."""
        norm = self.norm
        if np.ndim(A) != 2 or type(norm) is not Normalize or norm.vmin is None or norm.vmax is None \
                or norm.clip:
            return self.to_rgba(A, bytes=True)
        values = np.ma.filled(np.ma.asarray(A, dtype=np.float64), np.nan)
        low, high = float(norm.vmin), float(norm.vmax)
        scaled = (values - low) / (high - low) if high > low else np.where(np.isnan(values), np.nan, 0.0)
        return self.get_cmap()(scaled, bytes=True)

    def _pixel_box(self, renderer, ex0: float, ex1: float, ey0: float, ey1: float):
        """Whole pixels covered by the extent and inside the clip box: (left, right, bottom, top)."""
        lo_x, hi_x, lo_y, hi_y = min(ex0, ex1), max(ex0, ex1), min(ey0, ey1), max(ey0, ey1)
        clip = self.get_clip_box() if self.get_clip_on() else None
        if clip is not None:
            lo_x, hi_x = max(lo_x, clip.x0), min(hi_x, clip.x1)
            lo_y, hi_y = max(lo_y, clip.y0), min(hi_y, clip.y1)
        width, height = renderer.get_canvas_width_height()
        lo_x, hi_x = max(lo_x, 0), min(hi_x, width)
        lo_y, hi_y = max(lo_y, 0), min(hi_y, height)
        if not (np.isfinite([lo_x, hi_x, lo_y, hi_y]).all() and hi_x > lo_x and hi_y > lo_y):
            return None
        left, bottom = math.floor(lo_x), math.floor(lo_y)
        return left, max(math.ceil(hi_x), left + 1), bottom, max(math.ceil(hi_y), bottom + 1)

    @staticmethod
    def _interpolate(A, fx: np.ndarray, fy: np.ndarray) -> np.ndarray:
        """Bilinear values at the output pixels, along the rows then the columns (NaN spreads to
        the pixels it touches)."""
        data = np.ma.filled(np.ma.asarray(A, dtype=np.float64), np.nan)
        colours = data.ndim == 3 and data.shape[2] == 4
        if colours:  # premultiplied by alpha, as matplotlib does, so transparent cells lend no colour
            data = np.concatenate([data[..., :3] * data[..., 3:], data[..., 3:]], axis=2)
        r0, r1, wy = _bilinear(fy, data.shape[0])
        c0, c1, wx = _bilinear(fx, data.shape[1])
        shape = (1, -1) + (1,) * (data.ndim - 2)
        across = data[:, c0] * (1 - wx.reshape(shape)) + data[:, c1] * wx.reshape(shape)
        shape = (-1,) + (1,) * (data.ndim - 1)
        values = across[r0] * (1 - wy.reshape(shape)) + across[r1] * wy.reshape(shape)
        if colours:
            alpha = values[..., 3:]
            values[..., :3] /= np.where(alpha > 0, alpha, 1)
        return np.clip(values, 0, 1) if data.ndim == 3 else values


def grid_image(ax, array, **imshow_kwargs) -> GridImage:
    """``ax.imshow(array, **imshow_kwargs)``, drawn as a GridImage."""
    image = ax.imshow(array, **imshow_kwargs)
    image.__class__ = GridImage
    return image
