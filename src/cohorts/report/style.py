"""The house style of the report's figures, applied through a context manager.

Nothing here touches matplotlib's global state at import: :func:`house_style`
is a :func:`matplotlib.rc_context`, so the style holds only inside the
``with`` block and is undone afterwards.

* Sizes: journal single column (3.5 in) and double column (7.2 in) wide.
* Colours: a subset of the Okabe-Ito palette (colour-blind safe) whose
  greyscale luminances are far apart (0.0 to 0.84), so series stay distinct in
  greyscale print; lines also differ in dash pattern and marker.
* Fonts: DejaVu Sans (shipped with matplotlib, so the same on every machine),
  embedded as TrueType (``pdf.fonttype = 42``).
* Export: :func:`export_figure` writes a vector PDF and a 300-dpi PNG with the
  date, producer and software metadata removed, so the same figure gives the
  same bytes on every run.

Examples
--------
>>> from cohorts.report.style import house_style, new_figure
>>> with house_style():
...     fig, ax = new_figure(width="single")
...     _ = ax.plot([0, 1], [0, 1])
>>> float(fig.get_figwidth())
3.5
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cohorts.io import write_outputs

SINGLE_COLUMN_IN: float = 3.5
DOUBLE_COLUMN_IN: float = 7.2
WIDTHS: Mapping[str, float] = MappingProxyType({"single": SINGLE_COLUMN_IN, "double": DOUBLE_COLUMN_IN})
DPI: int = 300

#: Okabe-Ito blue, orange, black, yellow: greyscale luminance about 0.34, 0.64, 0.0, 0.84.
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#000000", "#F0E442")
#: Colours of line series: as PALETTE with vermillion instead of yellow (thin yellow lines vanish on
#: white); lines also differ in dash pattern and marker, so they stay distinct in greyscale.
LINE_PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#000000", "#D55E00")
#: Further Okabe-Ito colours for more than four series (sky blue, vermillion, bluish green).
PALETTE_EXTRA: tuple[str, ...] = ("#56B4E9", "#D55E00", "#009E73")
LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.")
MARKERS: tuple[str, ...] = ("o", "s", "^", "D")
#: Sequential colour map for the Figure 1 grid: one hue from near-white (0) to dark blue, its greyscale
#: luminance falling monotonically (colour-blind safe, readable in greyscale print).
SEQUENTIAL_CMAP: str = "Blues"

#: PDF metadata: no creation date, producer or creator string (deterministic bytes).
PDF_METADATA: Mapping[str, None] = MappingProxyType(
    {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}
)
#: PNG metadata: no software string.
PNG_METADATA: Mapping[str, None] = MappingProxyType({"Software": None})


def luminance(colour: str) -> float:
    """Greyscale luminance (ITU-R BT.601 weights) of a colour, in [0, 1]."""
    r, g, b = mpl.colors.to_rgb(colour)
    return 0.299 * r + 0.587 * g + 0.114 * b


def rc_params(*, font_size: float = 8.0) -> dict[str, object]:
    """The rcParams of the house style (used by :func:`house_style`).

    Parameters
    ----------
    font_size : float, default 8.0
        Base font size in points (tick and legend labels are one point smaller).
    """
    from cycler import cycler

    return {
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],
        "font.size": font_size,
        "axes.titlesize": font_size,
        "axes.labelsize": font_size,
        "xtick.labelsize": font_size - 1,
        "ytick.labelsize": font_size - 1,
        "legend.fontsize": font_size - 1,
        "legend.frameon": False,
        "axes.prop_cycle": cycler(color=list(PALETTE)) + cycler(linestyle=list(LINESTYLES)),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.linewidth": 0.6,
        "lines.linewidth": 1.2,
        "lines.markersize": 3.5,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "grid.linewidth": 0.4,
        "grid.color": "#CCCCCC",
        "figure.dpi": 100,
        "figure.constrained_layout.use": True,
        "savefig.dpi": DPI,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "path",
        "svg.hashsalt": "cohorts",
        "image.cmap": SEQUENTIAL_CMAP,
        "hatch.linewidth": 0.5,
    }


@contextmanager
def house_style(*, font_size: float = 8.0) -> Iterator[None]:
    """Apply the house style inside a ``with`` block (a :func:`matplotlib.rc_context`).

    Parameters
    ----------
    font_size : float, default 8.0
        Base font size in points.

    Yields
    ------
    None
    """
    with mpl.rc_context(rc_params(font_size=font_size)):
        yield


def figure_size(width: str = "single", *, aspect: float = 0.75) -> tuple[float, float]:
    """Width and height in inches: ``width`` is ``"single"`` (3.5) or ``"double"`` (7.2); height = width x aspect."""
    if width not in WIDTHS:
        raise ValueError(f"width must be one of {tuple(WIDTHS)}, but was {width!r}")
    if not aspect > 0:
        raise ValueError(f"aspect must be > 0, but was {aspect!r}")
    w = WIDTHS[width]
    return (w, w * aspect)


def new_figure(*, width: str = "single", aspect: float = 0.75) -> tuple[Figure, Axes]:
    """A new figure with one Axes at a journal size (call inside :func:`house_style`).

    The figure is created with :class:`matplotlib.figure.Figure` directly (not
    ``pyplot``), so it is never registered with a GUI and needs no closing.
    """
    fig = Figure(figsize=figure_size(width, aspect=aspect))
    ax = fig.add_subplot()
    return fig, ax


def figure_writers(fig: Figure, name: str, *, dpi: int = DPI) -> dict[str, Callable[[Path], None]]:
    """Writers of ``<name>.pdf`` and ``<name>.png`` for :func:`cohorts.io.write_outputs`.

    The same settings as :func:`export_figure` (no date, producer or software
    metadata: the same figure gives the same bytes); ``name`` may contain a
    folder (``figures/figure_8``), relative to the output folder.
    """
    common = {"bbox_inches": "tight", "pad_inches": 0.02}

    def pdf(p: Path) -> None:
        with mpl.rc_context({"pdf.fonttype": 42, "svg.hashsalt": "cohorts"}):
            fig.savefig(p, format="pdf", metadata=dict(PDF_METADATA), **common)

    def png(p: Path) -> None:
        with mpl.rc_context({"pdf.fonttype": 42, "svg.hashsalt": "cohorts"}):
            fig.savefig(p, format="png", dpi=dpi, metadata=dict(PNG_METADATA), **common)

    return {f"{name}.pdf": pdf, f"{name}.png": png}


def export_figure(fig: Figure, path_stem: str | os.PathLike, *, dpi: int = DPI) -> list[Path]:
    """Write ``<stem>.pdf`` (vector, fonts embedded) and ``<stem>.png`` (``dpi``) atomically.

    Metadata that would change between runs (creation date, producer,
    software) is removed, so exporting the same figure twice gives identical
    bytes.  Exports of the report's figures go through the disclosure gate
    (:class:`cohorts.report.gate.Exporter`, which uses :func:`figure_writers`);
    this function writes a figure as it is, for figures that show no
    microdata.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to write.
    path_stem : path-like
        Path without suffix, e.g. ``paper/figures/figure_8``.
    dpi : int, default 300
        Resolution of the PNG.

    Returns
    -------
    list of pathlib.Path
        The PDF and PNG paths.
    """
    stem = Path(path_stem)
    return write_outputs(stem.parent, figure_writers(fig, stem.name, dpi=dpi))


def styled(*, width: str = "single", aspect: float = 0.75) -> Callable[[Callable[..., Axes]], Callable[..., Axes]]:
    """Decorator for ``plot(..., ax=None) -> Axes``: when ``ax`` is None, draw on a new house-style figure.

    The whole drawing then happens inside :func:`house_style` on a :func:`new_figure` of the given
    size; with a given ``ax`` the caller's style applies.
    """
    def deco(fn: Callable[..., Axes]) -> Callable[..., Axes]:
        @functools.wraps(fn)
        def wrapper(*args: object, ax: Axes | None = None, **kwargs: object) -> Axes:
            if ax is not None:
                return fn(*args, ax=ax, **kwargs)
            with house_style():
                _, new = new_figure(width=width, aspect=aspect)
                return fn(*args, ax=new, **kwargs)
        return wrapper
    return deco
