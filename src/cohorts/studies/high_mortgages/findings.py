"""The headline findings of the arrears analysis, stated from the gated release as a researcher would.

Everything here reads the *released* data only (the files ``cohorts
reproduce`` and the notebooks write through the export gate, read back with
:class:`cohorts.studies.high_mortgages.notebook.Released`), never the microdata:

* ``figure_8_data`` / ``figure_9_data``: the Kaplan-Meier curves of all new
  mortgages and of first-time buyers, within the norm and high, with the
  cumulative share in arrears (``cum_inc``) and its 95% interval per year;
* ``logrank_data``: the log-rank test of the same two groups
  (:mod:`cohorts.studies.high_mortgages.text_data`);
* ``figure_sweep_data``: cumulative arrears of first-time buyers above and at
  or below each LTI threshold from 80% to 120%.

:func:`curve_finding` and :func:`sweep_finding` are pure functions of those
frames (marked cells missing, the ``disclosure`` note beside them, as
:meth:`cohorts.studies.high_mortgages.notebook.Released.data` returns them) and return the
numbers with a sentence.  Where the gate pooled, cut, suppressed or refused a
number the sentence says so and quotes only what the release holds: when the
six-year value of a group is not released, the comparison is stated at the
last year both groups are released, never a hidden number or one that could
be recovered from the released ones (the sentences quote released cells as
they are, rounded).

Time: year 1 is the origination year, so the report's "after six years" is
time 7 of the curves (:data:`HORIZON`).

>>> from cohorts.studies.high_mortgages.findings import read_findings        # doctest: +SKIP
>>> print(read_findings("out/reproduce").text())

:func:`numbers_tex` writes the same findings as LaTeX ``\\newcommand``
definitions for the paper (``paper/numbers.tex``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: Time on the curves' axis of the report's "after six years" (year 1 = the origination year).
HORIZON = 7
#: The note column of the released frames (:data:`cohorts.disclosure.NOTE`).
NOTE = "disclosure"
#: The report's LTI threshold (100%: "high" = above it), where the sweep meets Figure 9.
REPORT_THRESHOLD = 1.0
#: Population of the findings -> (figure whose data holds its curves, how the text names it).
POPULATIONS: Mapping[str, tuple[str, str]] = {
    "all": ("figure_8", "new mortgages"),
    "starters": ("figure_9", "first-time buyers"),
}
#: The groups of Figures 8 and 9 as the text names them.
GROUP_NAMES: Mapping[str, str] = {"high": "high mortgages", "within": "mortgages within the norm"}
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def years_after(time: float) -> str:
    """``"six years"`` for time 7 (year 1 is the origination year, so time t is t - 1 years after it)."""
    k = int(round(time)) - 1
    word = _WORDS[k] if 0 <= k < len(_WORDS) else str(k)
    return f"{word} year{'' if k == 1 else 's'}"


def year_value(time: float) -> str:
    """``"six-year"`` for time 7, as in "the six-year value"."""
    return years_after(time).replace(" years", "-year").replace(" year", "-year")


def why_not(note: object) -> str:
    """Why a cell is not released, from its ``disclosure`` note, in words for the text."""
    text = str(note or "").lower()
    for key, why in (("pooled", "pooled by disclosure control"), ("cut", "cut by disclosure control"),
                     ("refused", "refused by disclosure control"), ("suppressed", "suppressed by disclosure control"),
                     ("nobody left at risk", "not estimable: nobody left at risk"),
                     ("empty", "not estimable: no units"), ("no such", "not in the release (no such mortgages)"),
                     ("ends earlier", "not released (the curve ends earlier)")):
        if key in text:
            return why
    return "not released"


# --------------------------------------------------------------------------
# formats: the same findings as plain text and as LaTeX
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Style:
    """How numbers are written: plain text (terminal, notebook) or LaTeX (the paper)."""

    latex: bool = False

    def pct(self, x: float) -> str:
        """A fraction as a percentage with one decimal (``0.0789`` -> ``7.9%``)."""
        return f"{100 * x:.1f}" + (r"\%" if self.latex else "%")

    def pct_of(self, threshold: float) -> str:
        """A threshold as a whole percentage (``0.9`` -> ``90%``)."""
        return f"{100 * threshold:.0f}" + (r"\%" if self.latex else "%")

    def ci(self, lower: float, upper: float) -> str:
        """``95% CI 6.6% to 8.8%``."""
        return "95" + (r"\%" if self.latex else "%") + f" CI {self.pct(lower)} to {self.pct(upper)}"

    def p(self, p: float) -> str:
        """A p-value to two significant digits (``0.012``; below 0.001 ``1.4e-12``, in LaTeX
        ``$1.4\\times 10^{-12}$``)."""
        text = f"{p:.1e}" if p < 1e-3 else f"{p:.2g}"
        if self.latex and "e" in text:
            mantissa, exp = text.split("e")
            return f"${mantissa}\\times 10^{{{int(exp)}}}$"
        return text

    def chi2(self) -> str:
        return r"$\chi^2$" if self.latex else "chi2"

    def figure(self, stem: str) -> str:
        """A figure of the report by its export stem: ``Figure 9`` in text; in LaTeX a reference to the
        paper's label of that figure (``figure_9`` -> ``Figure~\\ref{fig:f9}``), as the paper numbers its
        figures its own way."""
        number = stem.removeprefix("figure_")
        return f"Figure~\\ref{{fig:f{number}}}" if self.latex else f"Figure {number}"


PLAIN = Style()
LATEX = Style(latex=True)


# --------------------------------------------------------------------------
# one population: high vs within the norm (Figures 8 and 9, the log-rank test)
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    """One group's released cumulative share in arrears at one time (None where not released)."""

    group: str
    time: int
    value: float | None
    lower: float | None
    upper: float | None
    note: str = ""

    @property
    def released(self) -> bool:
        return self.value is not None

    def text(self, style: Style = PLAIN) -> str:
        if self.value is None:
            return why_not(self.note)
        interval = (f" ({style.ci(self.lower, self.upper)})"
                    if self.lower is not None and self.upper is not None else "")
        return f"{style.pct(self.value)}{interval}"


@dataclass(frozen=True)
class LogRank:
    """The released log-rank test of one population (statistic and p None where not released)."""

    statistic: float | None
    df: int | None
    p: float | None
    note: str = ""

    def text(self, style: Style = PLAIN) -> str:
        if self.p is None:
            return f"the log-rank test is {why_not(self.note) if self.note else 'not released'}"
        stat = f"{style.chi2()} = {self.statistic:.1f}, {self.df} df, " if self.statistic is not None else ""
        if self.p < 1e-300:  # below double precision: chi2.sf underflows to 0
            return f"log-rank {stat}p < {style.p(1e-300)}"
        return f"log-rank {stat}p = {style.p(self.p)}"


@dataclass(frozen=True)
class CurveFinding:
    """High vs within the norm in one population, as released.

    Attributes
    ----------
    population : str
        ``"all"`` (Figure 8) or ``"starters"`` (Figure 9).
    horizon : int
        The time asked for (7: six years after the origination year).
    at_horizon : Mapping[str, Point]
        Each group's released point at the horizon (``value`` None where not released).
    time : int or None
        The time the comparison is stated at: the horizon when both groups
        are released there, else the last earlier time at which both are
        (None when there is none).
    quoted : Mapping[str, Point]
        Each group's point at ``time`` (empty when ``time`` is None).
    test : LogRank
        The log-rank test of the population.
    """

    population: str
    horizon: int
    at_horizon: Mapping[str, Point]
    time: int | None
    quoted: Mapping[str, Point]
    test: LogRank

    def sentence(self, style: Style = PLAIN) -> str:
        """The finding in one or two sentences (numbers as released; what is not released said so)."""
        who = POPULATIONS[self.population][1]
        hidden = [g for g in ("high", "within") if not self.at_horizon[g].released]
        test = self.test.text(style)
        if not hidden:
            h, w = self.quoted["high"], self.quoted["within"]
            return (f"Among {who}, {h.text(style)} of high mortgages had been in arrears {years_after(self.time)} "
                    f"after the origination year, against {w.text(style)} of those within the norm ({test}).")
        whys = [why_not(self.at_horizon[g].note) for g in hidden]
        if len(hidden) == 2 and whys[0] == whys[1]:
            parts = [f"the {year_value(self.horizon)} values of both groups are {whys[0]}"]
        else:
            parts = [f"the {year_value(self.horizon)} value of {GROUP_NAMES[g]} is {why}"
                     for g, why in zip(hidden, whys, strict=True)]
        shown = [g for g in ("high", "within") if g not in hidden]
        first = f"Among {who}, " + " and ".join(parts)
        if shown:
            p = self.at_horizon[shown[0]]
            first += f", while that of {GROUP_NAMES[shown[0]]} is {p.text(style)}"
        if self.time is None:
            return f"{first}; no earlier year has both groups released ({test})."
        h, w = self.quoted["high"], self.quoted["within"]
        return (f"{first}. {years_after(self.time).capitalize()} after the origination year, the last year both "
                f"are released, {h.text(style)} of high mortgages had been in arrears against {w.text(style)} of "
                f"those within the norm ({test}).")


def _number(value: object) -> float | None:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _point(rows: pd.DataFrame, group: str, time: int, *, value: str) -> Point:
    if rows.empty:
        return Point(group, time, None, None, None, note="not in the release (no such mortgages)")
    hit = rows.loc[pd.to_numeric(rows["time"], errors="coerce").eq(time)]
    if hit.empty:
        return Point(group, time, None, None, None, note="not released (the curve ends earlier)")
    row = hit.iloc[0]
    v = _number(row[value])
    if v is None:
        return Point(group, time, None, None, None, note=str(row.get(NOTE, "") or "not released"))
    return Point(group, time, v, _number(row.get(f"{value}_lower")), _number(row.get(f"{value}_upper")),
                 note=str(row.get(NOTE, "") or ""))


def _check_columns(frame: pd.DataFrame, needed: tuple[str, ...], what: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}; has {', '.join(map(str, frame.columns))}")


def logrank_of(logrank: pd.DataFrame | None, population: str) -> LogRank:
    """The released log-rank test of ``population`` from ``logrank_data`` (None: no such file released)."""
    if logrank is None:
        return LogRank(None, None, None, note="not released")
    _check_columns(logrank, ("population", "statistic", "df", "p"), "logrank_data")
    hit = logrank.loc[logrank["population"].astype(str).eq(population)]
    if hit.empty:
        return LogRank(None, None, None, note="not released")
    row = hit.iloc[0]
    p = _number(row["p"])
    df = _number(row["df"])
    return LogRank(_number(row["statistic"]) if p is not None else None, None if df is None else int(df), p,
                note=str(row.get(NOTE, "") or ""))


def curve_finding(curves: pd.DataFrame, logrank: pd.DataFrame | None, *, population: str,
                  horizon: int = HORIZON) -> CurveFinding:
    """High vs within the norm in one population, from its released curve data and log-rank test.

    Parameters
    ----------
    curves : pandas.DataFrame
        ``figure_8_data`` (``population="all"``) or ``figure_9_data``
        (``"starters"``) as released: ``category`` (``within``/``high``),
        ``time``, ``cum_inc``, ``cum_inc_lower``, ``cum_inc_upper`` (missing
        where not released) and ``disclosure``.
    logrank : pandas.DataFrame or None
        ``logrank_data`` as released (None when not released).
    population : {"all", "starters"}
    horizon : int, default 7
        Time on the curves' axis (7: six years after the origination year).

    Returns
    -------
    CurveFinding

    Raises
    ------
    ValueError
        Unknown population, or a frame without the needed columns.
    """
    if population not in POPULATIONS:
        raise ValueError(f"population must be one of {', '.join(POPULATIONS)}, but was {population!r}")
    _check_columns(curves, ("category", "time", "cum_inc", "cum_inc_lower", "cum_inc_upper"),
                   f"{POPULATIONS[population][0]}_data")
    by = {g: curves.loc[curves["category"].astype(str).eq(g)] for g in ("high", "within")}
    at = {g: _point(by[g], g, horizon, value="cum_inc") for g in by}
    time: int | None = None
    if all(p.released for p in at.values()):
        time = horizon
    else:
        times = sorted({int(t) for t in pd.to_numeric(curves["time"], errors="coerce").dropna() if t < horizon},
                       reverse=True)
        for t in times:
            if all(_point(by[g], g, t, value="cum_inc").released for g in by):
                time = t
                break
    quoted = {} if time is None else {g: _point(by[g], g, time, value="cum_inc") for g in by}
    return CurveFinding(population=population, horizon=horizon, at_horizon=at, time=time, quoted=quoted,
                        test=logrank_of(logrank, population))


# --------------------------------------------------------------------------
# the threshold sweep
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepFinding:
    """Cumulative arrears above vs at or below each threshold, as released (``figure_sweep_data``)."""

    population: str
    time: int
    above: Mapping[float, Point]
    within: Mapping[float, Point]

    @property
    def thresholds(self) -> list[float]:
        return sorted(self.above)

    def both(self) -> list[float]:
        """Thresholds at which both sides are released."""
        return [t for t in self.thresholds if self.above[t].released and self.within[t].released]

    def higher_above(self) -> list[float]:
        """Thresholds (of :meth:`both`) at which the released share above exceeds the one at or below."""
        return [t for t in self.both() if self.above[t].value > self.within[t].value]

    def stands_in(self, reference: CurveFinding | None, *, threshold: float = REPORT_THRESHOLD) -> bool:
        """Whether ``reference`` (Figure 9's finding) may be quoted for the sweep's hidden point at ``threshold``.

        At the report's threshold the sweep's population is Figure 9's (high =
        above, within = at or below).  The gate hides the sweep's exact point
        there whenever Figure 9 pools a step before it (the exact value beside
        the pooled curve would give the pooled steps away:
        :func:`cohorts.disclosure.survival.point_decisions`), so the released
        value of that population at that time is Figure 9's.  True when the
        point is hidden on either side, ``reference`` is of the same population
        and both its values at the sweep's time are released.
        """
        if reference is None or threshold not in self.above:
            return False
        hidden = not (self.above[threshold].released and self.within[threshold].released)
        return (hidden and reference.population == self.population and reference.time == self.time
                and all(p.released for p in reference.at_horizon.values()) and reference.horizon == self.time)

    def sentence(self, style: Style = PLAIN, *, reference: CurveFinding | None = None) -> str:
        """The sweep in one sentence.

        Parameters
        ----------
        style : Style
            Plain text or LaTeX.
        reference : CurveFinding, optional
            Figure 9's finding: where the sweep's point at the report's
            threshold is hidden and Figure 9 releases that population at the
            same time (:meth:`stands_in`), the sentence quotes Figure 9's values
            there, names them as such and counts them in the verdict.
        """
        who = POPULATIONS.get(self.population, ("", self.population))[1]
        cells = []
        shown: dict[float, tuple[float, float]] = {}
        for t in self.thresholds:
            a, w = self.above[t], self.within[t]
            if a.released and w.released:
                shown[t] = (a.value, w.value)
                cells.append(f"{style.pct(a.value)} vs {style.pct(w.value)} at {style.pct_of(t)}")
            elif t == REPORT_THRESHOLD and self.stands_in(reference):
                h, wv = reference.at_horizon["high"].value, reference.at_horizon["within"].value
                shown[t] = (h, wv)
                figure = style.figure(POPULATIONS[self.population][0])
                cells.append(f"{style.pct(h)} vs {style.pct(wv)} at {style.pct_of(t)} (the report's threshold: "
                             f"{figure}'s released values, as the sweep's own point is not released there)")
            else:
                hidden = [s for s, p in (("above", a), ("at or below", w)) if not p.released]
                why = why_not((a if not a.released else w).note)
                cells.append(f"at {style.pct_of(t)} the share {hidden[0]} is {why}" if len(hidden) == 1
                             else f"at {style.pct_of(t)} both shares are {why}")
        both = [t for t in self.thresholds if t in shown]
        higher = [t for t in both if shown[t][0] > shown[t][1]]
        n = len(both)
        count = _WORDS[n] if n < len(_WORDS) else str(n)
        if n == 0:
            verdict = "no threshold has both sides released"
        elif len(higher) == n:
            verdict = ("higher above the threshold at the one threshold where both are released" if n == 1 else
                       f"higher above the threshold at all {count} thresholds where both are released")
        else:
            lower = [style.pct_of(t) for t in both if t not in higher]
            verdict = (f"higher above the threshold at {_WORDS[len(higher)]} of the {count} thresholds where both "
                       f"are released (not at {', '.join(lower)})")
        lo, hi = style.pct_of(self.thresholds[0]), style.pct_of(self.thresholds[-1])
        return (f"Moving the threshold from {lo} to {hi} ({who}, {years_after(self.time)} after the origination "
                f"year; above vs at or below): {'; '.join(cells)}; {verdict}.")


def sweep_finding(sweep: pd.DataFrame) -> SweepFinding:
    """The released threshold sweep (``figure_sweep_data``: ``threshold, population, group, time,
    km_cum_inc`` with its interval, ``disclosure``) of its one population and horizon.

    Raises
    ------
    ValueError
        A frame without the needed columns, or with more than one population or horizon.
    """
    _check_columns(sweep, ("threshold", "population", "group", "time", "km_cum_inc", "km_cum_inc_lower",
                           "km_cum_inc_upper"), "figure_sweep_data")
    pops, times = sweep["population"].astype(str).unique(), pd.to_numeric(sweep["time"]).unique()
    if len(pops) != 1 or len(times) != 1:
        raise ValueError(f"figure_sweep_data: expected one population and one horizon, got populations "
                         f"{list(pops)} and times {list(times)}")
    time = int(times[0])
    sides: dict[str, dict[float, Point]] = {"above": {}, "within": {}}
    for t, rows in sweep.groupby(pd.to_numeric(sweep["threshold"]), sort=True):
        for g in sides:
            sides[g][float(t)] = _point(rows.loc[rows["group"].astype(str).eq(g)], g, time, value="km_cum_inc")
    return SweepFinding(population=str(pops[0]), time=time, above=sides["above"], within=sides["within"])


# --------------------------------------------------------------------------
# all findings
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Findings:
    """The headline findings of one release."""

    all: CurveFinding
    starters: CurveFinding
    sweep: SweepFinding | None

    def lines(self, style: Style = PLAIN) -> list[str]:
        out = [self.all.sentence(style), self.starters.sentence(style)]
        out.append(self.sweep.sentence(style, reference=self.starters) if self.sweep is not None
                   else "The threshold sweep is not released.")
        return out

    def text(self) -> str:
        """The findings as printed by ``cohorts reproduce``: one paragraph per finding."""
        return "\n".join(["Findings (from the gated release):", *(f"- {line}" for line in self.lines())])


def findings(fig8: pd.DataFrame, fig9: pd.DataFrame, logrank: pd.DataFrame | None,
             sweep: pd.DataFrame | None, *, horizon: int = HORIZON) -> Findings:
    """The headline findings from the released frames (as :meth:`cohorts.studies.high_mortgages.notebook.Released.data`)."""
    return Findings(all=curve_finding(fig8, logrank, population="all", horizon=horizon),
                    starters=curve_finding(fig9, logrank, population="starters", horizon=horizon),
                    sweep=None if sweep is None else sweep_finding(sweep))


def read_findings(folder: str | os.PathLike, *, horizon: int = HORIZON) -> Findings:
    """The findings of a release folder written by ``cohorts reproduce`` or :func:`cohorts.studies.high_mortgages.notebook.release`.

    Reads ``manifest.json`` and the released ``tables/`` only (marked cells
    missing); a file the gate did not write (``not_written``) is None.
    """
    import json

    from cohorts.studies.high_mortgages.notebook import Released

    folder = Path(folder)
    rel = Released(folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8")))

    def data(name: str) -> pd.DataFrame | None:
        try:
            return rel.data(name)
        except FileNotFoundError:
            return None

    fig8, fig9 = data("figure_8"), data("figure_9")
    if fig8 is None or fig9 is None:
        raise FileNotFoundError(f"{folder}/tables: figure_8_data.csv and figure_9_data.csv are needed")
    return findings(fig8, fig9, data("logrank_data"), data("figure_sweep"), horizon=horizon)


# --------------------------------------------------------------------------
# the paper's numbers
# --------------------------------------------------------------------------
def _latex_name(population: str) -> str:
    return {"all": "All", "starters": "Starters"}[population]


def paper_values(found: Findings) -> dict[str, str]:
    """Macro name -> LaTeX text of every number the paper quotes from the run (see :func:`numbers_tex`)."""
    values: dict[str, str] = {}
    for f in (found.all, found.starters):
        name = _latex_name(f.population)
        values[f"Finding{name}"] = f.sentence(LATEX)
        values[f"Years{name}"] = years_after(f.time) if f.time is not None else "no year"
        for g in ("high", "within"):
            p = f.quoted.get(g) or Point(g, f.horizon, None, None, None, note=f.at_horizon[g].note)
            cap = g.capitalize()
            values[f"{name}{cap}"] = LATEX.pct(p.value) if p.released else why_not(p.note)
            values[f"{name}{cap}CI"] = (LATEX.ci(p.lower, p.upper) if p.released and p.lower is not None
                                        and p.upper is not None else "no interval released")
        values[f"{name}Logrank"] = f.test.text(LATEX)
    values["FindingSweep"] = (found.sweep.sentence(LATEX, reference=found.starters) if found.sweep is not None
                              else "The threshold sweep is not released.")
    values["SweepYears"] = years_after(found.sweep.time if found.sweep is not None else HORIZON)
    return values


def numbers_tex(found: Findings, *, run: Mapping[str, str] | None = None) -> str:
    """``paper/numbers.tex``: one ``\\newcommand`` per number (or sentence) the paper quotes from the run.

    Parameters
    ----------
    found : Findings
    run : mapping, optional
        Further macro name -> LaTeX text describing the run (e.g. ``RunData``,
        ``TableFiveWindow``), written as given.

    Returns
    -------
    str
        ``\\newcommand{\\FindingAll}{...}`` lines, macros sorted by name,
        headed by a comment naming the command that wrote them.
    """
    values = {**paper_values(found), **dict(run or {})}
    lines = ["% Written by `cohorts reproduce --paper` from the gated release (cohorts.report.findings);",
             "% do not edit: every number the paper quotes from the run is defined here."]
    for name in sorted(values):
        if not name.isalpha():
            raise ValueError(f"LaTeX macro names are letters only, but was {name!r}")
        lines.append(f"\\newcommand{{\\{name}}}{{{values[name]}}}")
    return "\n".join(lines) + "\n"
