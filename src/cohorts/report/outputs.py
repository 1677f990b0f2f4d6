"""What a gated release is made of and how it is written: a study's :class:`Artefacts`, :class:`ExportResult`,
the release's files (the checker's log and audit apart from what is released) and the manifest checks.

The gate itself is :mod:`cohorts.report.gate`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from cohorts.disclosure import LOG_COLUMNS, Checked
from cohorts.disclosure.facts import Reading
from cohorts.io import write_csv, write_outputs, write_outputs_with_manifest
from cohorts.report.study import Study


Maker = Callable[[Mapping[str, pd.DataFrame], object], pd.DataFrame]


@dataclass(frozen=True)
class Artefacts:
    """What a study releases through the gate: its tables, figure data and text data, and how to show them.

    A study package builds one (``cohorts.studies.<name>.exports.ARTEFACTS``); the engine knows no study.

    Attributes
    ----------
    tables : Mapping[str, Maker]
        Table id -> function(frames, options) -> tidy table with the contributor columns the gate needs.
    figure_data : Mapping[str, Maker]
        Figure data file stem (``"<figure>_data"``) -> function(frames, options) -> tidy frame.
    text_data : Mapping[str, Maker]
        Stem -> function(frames, options) -> tidy frame, for numbers the text quotes that no figure draws.
    figures : Sequence[str]
        The figure names, in release order.
    langs : tuple of str
        Languages of the labels.
    format_table, to_latex : callable
        ``(released, *, lang, marker)`` -> the table in the study's layout (frame / LaTeX text).
    draw_data : callable
        ``(name, data, *, lang)`` -> Figure drawn from the released data.
    read_release : callable
        ``(frames, options)`` -> the attacker's facts of released frames (file name -> Reading).
    options : callable
        ``()`` -> the study's default interpretation options.
    options_dict : callable
        ``(options)`` -> the options as recorded in a manifest.
    cell_keys : Mapping[str, tuple of str]
        Tables whose cell is keyed otherwise than (group, cohort) (hidden first by secondary suppression).
    figure_gates : Mapping[str, callable]
        Figure data stem -> ``(frame, *, rules)`` -> :class:`cohorts.disclosure.Release` named
        ``"<stem>.csv"``, for figure data the disclosure package has no rule for
        (default: :func:`cohorts.disclosure.figure_release`).
    curve_views : callable
        ``(options)`` -> file name -> :class:`cohorts.disclosure.survival.CurveView` of the survival frames
        released step by step or as points, for
        :func:`cohorts.disclosure.survival.point_decisions` (default: none; a study that releases a curve's
        points apart from the curve must give them).
    """

    tables: Mapping[str, Maker]
    figure_data: Mapping[str, Maker]
    text_data: Mapping[str, Maker]
    figures: Sequence[str]
    langs: tuple[str, ...]
    format_table: Callable[..., pd.DataFrame]
    to_latex: Callable[..., str]
    draw_data: Callable[..., Figure]
    read_release: Callable[[Mapping[str, pd.DataFrame], object], dict[str, Reading]]
    options: Callable[[], object]
    options_dict: Callable[[object], dict]
    cell_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    figure_gates: Mapping[str, Callable[..., object]] = field(default_factory=dict)
    curve_views: Callable[[object], Mapping[str, object]] = lambda options: {}


#: The checker's log: every check with its counts and rules, for the output checker; never released.
LOG_FILE = "checker/disclosure_log.csv"
#: The audit's bounds of every hidden cell and difference population; never released.
AUDIT_FILE = "checker/audit.csv"
MANIFEST_FILE = "manifest.json"
#: What a release folder holds that may leave the secure environment (relative folders and files).
RELEASED = ("tables", "figures", MANIFEST_FILE)


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}".replace("\n", " ")


def _csv_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    return lambda p: write_csv(frame, p)


def _text_writer(text: str) -> Callable[[Path], None]:
    return lambda p: Path(p).write_text(text, encoding="utf-8")


def figure_log_row(name: str, data: str, *, suppressed: bool) -> dict:
    """The disclosure-log row of a figure drawn from its gated data ``data``."""
    rule = (f"drawn from the gated {data}; suppressed cells left out (marked x)" if suppressed
            else f"drawn from the gated {data}, released as computed")
    return {"artefact": f"{name}.pdf/.png", "cell": "figure", "rule": rule, "count": float("nan"),
            "measure": float("nan"), "limit": float("nan"), "decision": "suppress" if suppressed else "release",
            "protects": ""}


@dataclass(frozen=True)
class ExportResult:
    """One table or figure through the gate: what was checked, what is (or was) written, what to display.

    Attributes
    ----------
    name : str
        ``"table_<id>"`` or the figure name (``"figure_1"``).
    checked : Mapping[str, Checked]
        The gated artefacts (``table_T2.csv``; ``figure_1_data.csv``).
    display : pandas.DataFrame or None
        The released table in the report's layout (suppressed cells show the
        marker), or the released figure data; None when it could not be
        computed.
    figure : matplotlib.figure.Figure or None
        The figure drawn from its released data (None for tables and figures
        that could not be computed).
    files : tuple of str
        The files of this artefact, relative to the output folder.
    written : tuple of pathlib.Path
        The files written (empty before :meth:`Exporter.table` /
        :meth:`Exporter.figure` wrote them, or when refused).
    not_written : Mapping[str, str]
        Artefact -> reason, for what was not computed or not drawn.
    log : pandas.DataFrame
        The disclosure-log rows of this artefact (:data:`cohorts.disclosure.LOG_COLUMNS`).
    """

    name: str
    checked: Mapping[str, Checked]
    display: pd.DataFrame | None
    figure: Figure | None
    files: tuple[str, ...]
    log: pd.DataFrame
    not_written: Mapping[str, str] = field(default_factory=dict)
    written: tuple[Path, ...] = ()
    writers: Mapping[str, Callable[[Path], None]] = field(default_factory=dict, repr=False)

    @property
    def needs_suppression(self) -> bool:
        """Whether any cell of the artefact was suppressed, pooled, cut or refused by the gate."""
        return any(c.needs_suppression for c in self.checked.values())

    def needing(self) -> dict[str, list[str]]:
        """Gated artefact -> reasons, for those that needed suppression."""
        return {name: c.reasons() for name, c in self.checked.items() if c.needs_suppression}




def write_release(out: Path, results: Sequence[ExportResult], *, log: pd.DataFrame, audit: pd.DataFrame | None,
                  manifest: Callable[[dict], dict], extra: Mapping[str, Callable[[Path], None]] | None = None
                  ) -> dict[str, Callable[[Path], None]]:
    """Write one whole gated release into ``out``; returns the writers of the released files.

    The checker's files (``checker/disclosure_log.csv`` from ``log``,
    ``checker/audit.csv`` from ``audit``) are written first and apart: the
    manifest never lists or hashes them (a hash of a file holding the hidden
    counts would let an attacker confirm a guess of them).  Then every
    result's files, ``extra`` (e.g. ``comparison.csv``) and the manifest
    (``manifest(records)``, as :func:`cohorts.io.write_outputs_with_manifest`)
    are written in one atomic step.
    """
    write_outputs(out, checker_writers(log=log, audit=audit))
    writers = {k: v for r in results for k, v in r.writers.items()}
    writers.update(extra or {})
    write_outputs_with_manifest(out, writers, manifest, name=MANIFEST_FILE)
    return writers


def checker_writers(*, log: pd.DataFrame, audit: pd.DataFrame | None) -> dict[str, Callable[[Path], None]]:
    """The checker's files of a release (never released): the log and, when there is one, the audit."""
    checker = {LOG_FILE: _csv_writer(log)}
    if audit is not None:
        checker[AUDIT_FILE] = _csv_writer(audit)
    return checker


def _released_tables(folder: Path, *, study: Study) -> dict[str, pd.DataFrame]:
    """The released tables and figure data in ``folder/tables`` (checked to come from the same raw inputs)."""
    tables = folder / "tables"
    if not tables.is_dir():
        return {}
    names = sorted(p.name for p in tables.glob("*.csv") if not p.name.endswith("_formatted.csv"))
    if not names:
        return {}
    manifest = _read_json(folder / MANIFEST_FILE)
    mine = _raw_inputs(study)
    if manifest is not None and mine:
        theirs = manifest.get("inputs") or {}
        same = all((theirs.get(k) or {}).get("sha256") == v.get("sha256") for k, v in mine.items() if k in theirs)
        if not same:
            raise ValueError(f"{folder} holds exports of other input data (its manifest.json records other "
                             "raw inputs); export into an empty folder, or remove its tables/ and figures/")
    return {n: pd.read_csv(tables / n) for n in names}


def _now() -> str:
    from cohorts.provenance import utc_now

    return utc_now()


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _read_log(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, keep_default_na=False)
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame(columns=list(LOG_COLUMNS))
    if list(frame.columns) != list(LOG_COLUMNS):
        return pd.DataFrame(columns=list(LOG_COLUMNS))
    for c in ("count", "measure", "limit"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce")
    return frame


def _raw_inputs(study: Study) -> dict[str, dict]:
    """The raw inputs of the study as its build manifest records them (path, size, SHA-256)."""
    build = _read_json(Path(study.build_dir) / "manifest.json") if study.build_dir is not None else None
    inputs = (build or {}).get("inputs") or {}
    return {kind: dict(rec) for kind, rec in inputs.items() if isinstance(rec, Mapping)}
