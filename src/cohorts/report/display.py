"""Figures as a notebook shows them: a PNG at a readable size with its alt text (engine; any study).

A notebook leaves the secure environment like any exported file, so it shows the released PNG itself
(:func:`png_output`) or a figure drawn from released data (:func:`figure_output`), each as an HTML
``img`` with ``alt`` text and as the alt text in plain form.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

from matplotlib.figure import Figure

from cohorts.report.style import DPI, PNG_METADATA

#: CSS pixels per inch of print size at which a notebook shows a figure (96 = print size; 1.5 times that makes
#: the 7-point tick labels and numbers under an axis about as large as the notebook's text)
SHOW_PX_PER_INCH = 144


@dataclass(frozen=True)
class FigureOutput:
    """A figure as a notebook shows it: a PNG, its display width and its alt text.

    Displayed as HTML (an ``img`` with ``alt``, as wide as ``width_px`` but
    never wider than the notebook), with the alt text as the plain-text form.
    """

    png: bytes
    width_px: int
    alt: str

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        src = "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")
        img = (f'<img src="{src}" alt="{html.escape(self.alt, quote=True)}" '
               f'style="width:{self.width_px}px;max-width:100%;height:auto">')
        return {"text/html": f'<figure style="margin:0">{img}</figure>', "text/plain": self.alt}


def png_bytes(fig: Figure, *, dpi: int = DPI) -> bytes:
    """The PNG of a figure as the export gate writes it (:func:`cohorts.report.style.figure_writers`)."""
    import matplotlib as mpl

    buffer = io.BytesIO()
    with mpl.rc_context({"pdf.fonttype": 42, "svg.hashsalt": "cohorts"}):
        fig.savefig(buffer, format="png", dpi=dpi, metadata=dict(PNG_METADATA), bbox_inches="tight",
                    pad_inches=0.02)
    return buffer.getvalue()


def figure_output(fig: Figure, *, alt: str, px_per_inch: float = SHOW_PX_PER_INCH, dpi: int = DPI) -> FigureOutput:
    """A figure for display in a notebook, ``px_per_inch`` CSS pixels per inch of its print size, with ``alt``.

    Raises
    ------
    ValueError
        If ``alt`` is empty.
    """
    return png_output(png_bytes(fig, dpi=dpi), alt=alt, px_per_inch=px_per_inch, dpi=dpi)


def png_output(png: bytes, *, alt: str, px_per_inch: float = SHOW_PX_PER_INCH, dpi: int = DPI) -> FigureOutput:
    """A PNG written at ``dpi`` (e.g. a released figure) for display, as :func:`figure_output` shows a figure.

    Raises
    ------
    ValueError
        If ``alt`` is empty.
    """
    if not alt.strip():
        raise ValueError("alt text must not be empty")
    width = int.from_bytes(png[16:20], "big")  # IHDR width in pixels
    return FigureOutput(png, round(width / dpi * px_per_inch), alt)


