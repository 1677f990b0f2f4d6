"""The one export gate of the report: every table and figure written to disk passes through here.

``cohorts reproduce`` and the notebooks write their tables and figures only
through :class:`Exporter`:

>>> from cohorts.report import Exporter, load_study            # doctest: +SKIP
>>> study = load_study("data_synthetic", "out/build", scale=0.01, seed=20221)
>>> with Exporter(study, "paper") as export:
...     export.table("B3").display       # the released table, in the report's layout
...     export.figure("figure_1").figure  # drawn from the released data

Each export

1. computes the artefact with the counts behind its numbers
   (:data:`TABLE_DATA`, :data:`FIGURE_DATA`, and :data:`TEXT_DATA` for the
   numbers the text quotes that no figure draws, e.g. the log-rank tests of
   Figures 8 and 9; contributor columns for means),
2. passes it through the disclosure gate together with everything already
   released (:func:`cohorts.disclosure.table_release`,
   :func:`cohorts.disclosure.figure_release` for the primary rules;
   :func:`cohorts.disclosure.protect` attacks the whole release and adds
   secondary suppressions): suppressed cells become missing and are written
   as the marker (``x``),
3. for a figure, draws it from the *released* data
   (:func:`cohorts.report.figures.draw_data`; suppressed cells are gaps
   marked ``x``), so the figure and its ``<name>_data.csv`` agree,
4. in strict mode (the default on real data, ``study.synthetic`` False)
   refuses an artefact that needed any suppression: nothing of it is written
   and :class:`cohorts.disclosure.DisclosureError` is raised, listing why;
   otherwise writes the files atomically (tables and figure data to
   ``OUT/tables``, figures to ``OUT/figures``).

:meth:`Exporter.finish` (or leaving the ``with`` block) writes
``OUT/checker/disclosure_log.csv`` (one row per check of every artefact
exported into ``OUT``, earlier exports of other artefacts kept) and
``OUT/checker/audit.csv`` (for the output checker, never released), and
``OUT/manifest.json`` (provenance of the released files in ``OUT``).
``cohorts reproduce`` prepares every artefact together
(:meth:`Exporter.prepare_all`) and writes them and its manifest in one
atomic step (:mod:`cohorts.report.command`).

Notebooks display only released files (:mod:`cohorts.report.notebook`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Self

import pandas as pd
from matplotlib.figure import Figure

from cohorts.disclosure import (
    LOG_COLUMNS,
    Checked,
    DisclosureError,
    Gate,
    Protected,
    Release,
    Rules,
    figure_release,
    load_rules,
    log_frame,
    protect,
    publishable,
    release_selection,
    strict_default,
    table_release,
    text_release,
)
from cohorts.disclosure.facts import Reading, combine
from cohorts.disclosure.survival import point_decisions
from cohorts.io import (
    file_record,
    write_csv,
    write_outputs,
    write_outputs_with_manifest,
)
from cohorts.report import figures as F
from cohorts.report import tables as T
from cohorts.report import sensitivity_tables as ST
from cohorts.report import text_data as TD
from cohorts.codebook import UNIVERSE, UNIVERSES, units_frame
from cohorts.report.compare import Options
from cohorts.report.release import QUADRANT_FIGURES, curve_views, read_release
from cohorts.report.study import Study
from cohorts.report.style import figure_writers

Maker = Callable[[Mapping[str, pd.DataFrame], Options], pd.DataFrame]

#: Table id -> function(frames, options) -> tidy table with the contributor columns the gate needs.
TABLE_DATA: Mapping[str, Maker] = MappingProxyType({
    "T1": lambda f, o: T.table_1(f["cohorts"]),
    "T2": lambda f, o: T.table_2(f["cohorts"], f["stock"]),
    "T3": lambda f, o: T.table_3(f["cohorts"]),
    "T4": lambda f, o: T.table_4(f["cohorts"]),
    "T5": lambda f, o: T.table_5(f["cohorts"], f["stock"], window=o.table_5_window),
    "B1": lambda f, o: T.table_b1(f["cohorts"], f["stock"], support=True),
    "B2": lambda f, o: T.table_b2(f["cohorts"], f["stock"], support=True),
    "B3": lambda f, o: T.table_b3(f["cohorts"], f["stock"]),
    "B4": lambda f, o: T.table_b4(f["cohorts"], among=o.table_b4_among, support=True),
    "B5": lambda f, o: T.table_b5(f["cohorts"], f["stock"], support=True),
    "B6": lambda f, o: T.table_b6(f["cohorts"]),
    "B7": lambda f, o: T.table_b7(f["cohorts"], f["stock"], support=True),
    "B8": lambda f, o: T.table_b8(f["cohorts"], f["stock"], support=True),
    # sensitivity tables (cohorts.report.sensitivity_tables): a cell is (group, cohort, variant)
    "S1": lambda f, o: ST.table_s1(f["cohorts"]),
    "S2": lambda f, o: ST.table_s2(f["cohorts"]),
})

#: Figure data file stem -> function(frames, options) -> tidy frame, for the data behind each figure.
FIGURE_DATA: Mapping[str, Maker] = MappingProxyType({
    "figure_1_data": lambda f, o: T.figure_1_data(f["cohorts"]),
    **{stem: (lambda f, o, spec=spec: T.quadrant_data(f["cohorts"], cut=spec[0], strict=spec[1],
                                                       population=spec[2]))
       for stem, spec in QUADRANT_FIGURES.items()},
    "figure_4_data": lambda f, o: T.income_data(f["cohorts"], support=True),
    "figure_5_data": lambda f, o: T.interest_only_data(f["cohorts"]),
    "figure_6_data": lambda f, o: T.income_growth_data(f["panel"]),
    "figure_7_data": lambda f, o: T.arrears_threshold_data(f["cohorts"], population=o.figure_7_population,
                                                           window=o.figure_7_window,
                                                           thresholds=F.FIGURE_7_THRESHOLDS),
    "figure_8_data": lambda f, o: T.survival_data(f["cohorts"]),
    "figure_9_data": lambda f, o: T.survival_data(f["cohorts"], starters=True),
    "figure_sweep_data": lambda f, o: T.threshold_sweep_data(f["cohorts"]),
    "figure_cox_data": lambda f, o: T.cox_data(f["cohorts"]),
    "figure_cohort_sensitivity_data": lambda f, o: T.cohort_sensitivity_data(f["cohorts"]),
})

#: Text data stem -> function(frames, options) -> tidy frame, for numbers the text quotes that no figure draws
#: (:mod:`cohorts.report.text_data`; gated by :func:`cohorts.disclosure.text_release`, written to
#: ``tables/<stem>.csv``; :mod:`cohorts.report.findings` states them).
TEXT_DATA: Mapping[str, Maker] = MappingProxyType({
    "logrank_data": lambda f, o: TD.logrank_data(f["cohorts"]),
})

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


def _table_name(table: str) -> str:
    tid = table.removeprefix("table_")
    if tid not in TABLE_DATA:
        raise ValueError(f"unknown table {table!r}; known: {', '.join(TABLE_DATA)}")
    return tid


class Exporter:
    """The export gate of one study: rules, strict mode, output folder, the audit and the accumulated log.

    Parameters
    ----------
    study : Study
        From :func:`cohorts.report.load_study`.
    out : path-like
        Output folder.  What may leave the secure environment goes to
        ``OUT/tables`` (tables and figure data), ``OUT/figures`` and
        ``OUT/manifest.json``; the output checker's log and the audit go to
        ``OUT/checker`` (never released).
    strict : bool, optional
        Refuse any artefact that needs suppression.  Default: strict on real
        data, not strict on the synthetic twin (``gate.strict_real`` /
        ``gate.strict_synthetic`` of the rules), as ``cohorts reproduce``.
    rules : Rules or path-like, optional
        Disclosure rules, or a TOML file overriding the packaged ones.
    lang : {"en", "nl"}, default "en"
        Labels of tables and figures.
    options : cohorts.report.compare.Options, optional
        Interpretation choices (Table 5 window, Table B4 population, Figure 7
        population and window); the defaults when omitted.
    prior : sequence of path-like, default ()
        Folders released earlier from the same data (their ``tables/``): the
        audit attacks this release together with them.

    Notes
    -----
    Every export is attacked together with everything released before it:
    the files already exported into ``OUT`` (by this exporter, or by an
    earlier one from the same data: the folder's ``manifest.json`` must
    record the same raw inputs, else :class:`ValueError`) and the ``prior``
    folders.  Secondary suppression hides cells of the artefact being
    exported only; what is already released stays as it was.

    Examples
    --------
    >>> with Exporter(study, "out/notebooks") as export:     # doctest: +SKIP
    ...     export.figure("figure_2").figure
    """

    def __init__(
        self,
        study: Study,
        out: str | os.PathLike,
        *,
        strict: bool | None = None,
        rules: Rules | str | os.PathLike | None = None,
        lang: str = "en",
        options: Options | None = None,
        prior: Sequence[str | os.PathLike] = (),
    ) -> None:
        if lang not in T.LANGS:
            raise ValueError(f"lang must be one of {T.LANGS}, but was {lang!r}")
        self.study = study
        self.out = Path(out)
        self.rules = rules if isinstance(rules, Rules) else load_rules(rules)
        self.strict = strict_default(synthetic=study.synthetic, rules=self.rules) if strict is None else bool(strict)
        self.lang = lang
        self.options = Options() if options is None else options
        self.prior = tuple(Path(p) for p in prior)
        self._results: dict[str, ExportResult] = {}
        self._released: dict[str, pd.DataFrame] = {}
        self._refused: dict[str, list[str]] = {}
        self._audit: pd.DataFrame | None = None
        self._units: dict[str, pd.DataFrame] | None = None
        self._started = _now()

    # ------------------------------------------------------------------ the codebook of this release
    def read(self, frames: Mapping[str, pd.DataFrame]) -> dict[str, Reading]:
        """Released frames (file name -> frame as published) as the attacker's facts."""
        o = self.options
        return read_release(frames, threshold=1.0, table_5_window=o.table_5_window,
                            figure_7_population=o.figure_7_population, figure_7_window=o.figure_7_window)

    def _witness(self) -> dict[str, pd.DataFrame]:
        if self._units is None:
            self._units = {UNIVERSE.name: units_frame(self.study.frames)}
        return self._units

    def _already_released(self, *, exclude: set[str]) -> dict[str, Reading]:
        """Facts of what is already out: this exporter's exports, the folder's earlier ones, the prior folders."""
        frames: dict[str, pd.DataFrame] = {k: v for k, v in self._released.items() if k not in exclude}
        readings = [self.read(frames)] if frames else []
        for folder in (self.out, *self.prior):
            on_disk = _released_tables(folder, study=self.study)
            on_disk = {k: v for k, v in on_disk.items()
                       if not (folder == self.out and (k in exclude or k in self._released))}
            if on_disk:
                readings.append(self.read(on_disk))
        out: dict[str, list[Reading]] = {}
        for r in readings:
            for name, rd in r.items():
                out.setdefault(name, []).append(rd)
        return {name: combine(rds) for name, rds in out.items()}

    # ------------------------------------------------------------------ prepare (nothing written)
    def _table_release(self, tid: str) -> Release:
        frame = TABLE_DATA[tid](self.study.frames, self.options)
        if tid in ST.SENSITIVITY_TABLES:  # a cell is (group, cohort, variant); hidden before the report's tables
            return table_release(f"table_{tid}.csv", frame, rules=self.rules, keys=("group", "cohort", "variant"),
                                 priority=0)
        return table_release(f"table_{tid}.csv", frame, rules=self.rules)

    def _figure_release(self, name: str) -> Release | str:
        stem = f"{name}_data"
        try:
            frame = FIGURE_DATA[stem](self.study.frames, self.options)
        except ValueError as exc:  # ContractError / ConvergenceError of the survival engine
            return _reason(exc)
        return figure_release(stem, frame, rules=self.rules)

    def _text_release(self, stem: str) -> Release | str:
        try:
            frame = TEXT_DATA[stem](self.study.frames, self.options)
        except ValueError as exc:  # ContractError of the survival engine (e.g. only one group)
            return _reason(exc)
        return text_release(stem, frame, rules=self.rules)

    def _prior_frames(self, *, exclude: set[str]) -> dict[str, pd.DataFrame]:
        """The frames of what is already out (as :meth:`_already_released` reads them), by file name."""
        frames: dict[str, pd.DataFrame] = {k: v for k, v in self._released.items() if k not in exclude}
        for folder in (self.out, *self.prior):
            for k, v in _released_tables(folder, study=self.study).items():
                if not (folder == self.out and (k in exclude or k in self._released)):
                    frames.setdefault(k, v)
        return frames

    def _protect(self, releases: Sequence[Release], *, prior: Mapping[str, Reading]) -> Protected:
        views = curve_views(threshold=1.0)  # as read_release reads the run
        names = {r.name for r in releases}
        earlier = ({k: v for k, v in self._prior_frames(exclude=names).items() if k in views}
                   if names & set(views) else {})

        def points(frames: Mapping[str, pd.DataFrame]) -> Mapping[tuple[str, str, str], str]:
            return point_decisions({**earlier, **frames}, views)
        protected = protect(releases, read=self.read, universes=UNIVERSES, rules=self.rules, units=self._witness(),
                            prior=prior, per_file=True, cross_check=points)
        self._audit = protected.audit.table()
        return protected

    def _table_result(self, tid: str, chk: Checked) -> ExportResult:
        name = f"table_{tid}.csv"
        released, marker = chk.released, self.rules.marker
        formatted = T.format_table(released, lang=self.lang, marker=marker).reset_index()
        writers = {
            f"tables/{name}": _csv_writer(publishable(released, marker=marker)),
            f"tables/table_{tid}_formatted.csv": _csv_writer(formatted),
            f"tables/table_{tid}.tex": _text_writer(T.to_latex(released, lang=self.lang, marker=marker)),
        }
        return ExportResult(name=f"table_{tid}", checked={name: chk}, display=T.format_table(
            released, lang=self.lang, marker=marker), figure=None, files=tuple(writers), log=chk.log,
            writers=writers)

    def _figure_result(self, name: str, chk: Checked | str) -> ExportResult:
        data = f"{name}_data.csv"
        if isinstance(chk, str):
            return ExportResult(name=name, checked={}, display=None, figure=None, files=(),
                                log=log_frame([]), not_written={data: chk, name: chk})
        fig = F.draw_data(name, chk.released, lang=self.lang)
        writers = {f"tables/{data}": _csv_writer(publishable(chk.released, marker=self.rules.marker)),
                   **figure_writers(fig, f"figures/{name}")}
        log = log_frame([chk.log, pd.DataFrame([figure_log_row(name, data, suppressed=chk.needs_suppression)],
                                               columns=list(LOG_COLUMNS))])
        return ExportResult(name=name, checked={data: chk}, display=chk.released, figure=fig, files=tuple(writers),
                            log=log, writers=writers)

    def _text_result(self, stem: str, chk: Checked | str) -> ExportResult:
        name = f"{stem}.csv"
        if isinstance(chk, str):
            return ExportResult(name=stem, checked={}, display=None, figure=None, files=(), log=log_frame([]),
                                not_written={name: chk})
        writers = {f"tables/{name}": _csv_writer(publishable(chk.released, marker=self.rules.marker))}
        return ExportResult(name=stem, checked={name: chk}, display=chk.released, figure=None, files=tuple(writers),
                            log=chk.log, writers=writers)

    def prepare_table(self, table: str) -> ExportResult:
        """Gate one report table (``"T2"`` or ``"table_T2"``) against everything already released; nothing is written.

        Returns
        -------
        ExportResult
            ``files``: ``tables/table_<id>.csv`` (tidy, suppressed cells as
            the marker), ``_formatted.csv`` and ``.tex`` (the report's layout).

        Raises
        ------
        ValueError
            If the table id is unknown.
        """
        tid = _table_name(table)
        name = f"table_{tid}.csv"
        protected = self._protect([self._table_release(tid)], prior=self._already_released(exclude={name}))
        return self._table_result(tid, protected.checked[name])

    def prepare_figure(self, name: str) -> ExportResult:
        """Gate the data behind one figure against everything already released, and draw it; nothing is written.

        Returns
        -------
        ExportResult
            ``files``: ``tables/<name>_data.csv`` (suppressed cells as the
            marker), ``figures/<name>.pdf`` and ``.png``.  When the data
            cannot be computed (e.g. a Cox model with a constant covariate),
            no files and the reason under ``not_written``.

        Raises
        ------
        ValueError
            If ``name`` is not a figure of :data:`cohorts.report.figures.FIGURES`.
        """
        if name not in F.FIGURES:
            raise ValueError(f"unknown figure {name!r}; known: {', '.join(F.FIGURES)}")
        rel = self._figure_release(name)
        if isinstance(rel, str):
            return self._figure_result(name, rel)
        protected = self._protect([rel], prior=self._already_released(exclude={rel.name}))
        return self._figure_result(name, protected.checked[rel.name])

    def prepare_all(self) -> list[ExportResult]:
        """Every table (:data:`TABLE_DATA`), figure (:data:`cohorts.report.figures.FIGURES`) and text data
        (:data:`TEXT_DATA`), gated together.

        The audit attacks them as one release (with the ``prior`` folders);
        secondary suppression may hide cells of any of them.
        """
        releases: list[Release] = [self._table_release(t) for t in TABLE_DATA]
        figure_of: dict[str, Release | str] = {f: self._figure_release(f) for f in F.FIGURES}
        releases += [r for r in figure_of.values() if isinstance(r, Release)]
        text_of: dict[str, Release | str] = {t: self._text_release(t) for t in TEXT_DATA}
        releases += [r for r in text_of.values() if isinstance(r, Release)]
        names = {r.name for r in releases}
        checked = {r.name: r.make({}) for r in releases} if self.strict else {}
        if not any(c.needs_suppression for c in checked.values()):  # strict and the primary rules pass: attack
            checked = self._protect(releases, prior=self._already_released(exclude=names)).checked
        # (strict mode refuses as soon as a primary rule needs suppression: no attack needed for that)
        results = [self._table_result(t, checked[f"table_{t}.csv"]) for t in TABLE_DATA]
        results += [self._figure_result(f, r if isinstance(r, str) else checked[r.name])
                    for f, r in figure_of.items()]
        results += [self._text_result(t, r if isinstance(r, str) else checked[r.name]) for t, r in text_of.items()]
        return results

    def gate(self, results: Sequence[ExportResult]) -> Gate:
        """The :class:`cohorts.disclosure.Gate` of prepared results (for an all-or-nothing write)."""
        return Gate({k: v for r in results for k, v in r.checked.items()}, self.rules, self.strict)

    @property
    def audit(self) -> pd.DataFrame | None:
        """The bounds of the last audit (never released; written to ``checker/audit.csv`` by :meth:`finish`)."""
        return self._audit

    # ------------------------------------------------------------------ export (written now)
    def _export(self, result: ExportResult) -> ExportResult:
        need = result.needing()
        if self.strict and need:
            self._refused.update(need)
            raise DisclosureError(need)
        written = tuple(write_outputs(self.out, dict(result.writers))) if result.writers else ()
        done = ExportResult(name=result.name, checked=result.checked, display=result.display, figure=result.figure,
                            files=result.files, log=result.log, not_written=result.not_written, written=written,
                            writers=result.writers)
        self._results[result.name] = done
        for name, chk in result.checked.items():
            self._released[name] = publishable(chk.released, marker=self.rules.marker)
        return done

    def table(self, table: str) -> ExportResult:
        """Gate and write one report table (``"T2"``); returns what was written and the released table.

        Raises
        ------
        cohorts.disclosure.DisclosureError
            In strict mode, when the table needed suppression (nothing written).
        """
        return self._export(self.prepare_table(table))

    def figure(self, name: str) -> ExportResult:
        """Gate the data of one figure, draw it from the released data and write both.

        Raises
        ------
        cohorts.disclosure.DisclosureError
            In strict mode, when the data needed suppression (nothing written).
        """
        return self._export(self.prepare_figure(name))

    @property
    def log(self) -> pd.DataFrame:
        """The disclosure-log rows of everything exported so far."""
        return log_frame(r.log for r in self._results.values())

    def finish(self) -> list[Path]:
        """Write ``OUT/checker/disclosure_log.csv``, ``OUT/checker/audit.csv`` and ``OUT/manifest.json``.

        The log keeps the rows of artefacts exported into ``OUT`` earlier (by
        another exporter) and replaces those of artefacts exported here; the
        manifest lists (and hashes) the released files in ``OUT`` and, apart,
        the checker's files.

        Raises
        ------
        cohorts.disclosure.DisclosureError
            In strict mode when an export was refused (the log would show the
            counts behind the refusal; nothing is written).
        """
        if self.strict and self._refused:
            raise DisclosureError(self._refused)
        from cohorts.provenance import run_manifest, synthetic_settings, utc_now

        mine = set(self.log["artefact"])
        previous = _read_log(self.out / LOG_FILE)
        log = log_frame([previous.loc[~previous["artefact"].isin(mine)], self.log])
        files = {f for r in self._results.values() for f in r.files}
        old = _read_json(self.out / MANIFEST_FILE) or {}
        listed = sorted({*old.get("outputs", {}), *files})
        carried = {n: {**file_record(self.out / n), "path": n} for n in listed if (self.out / n).is_file()}
        not_written = {**old.get("not_written", {}), **{k: v for r in self._results.values()
                                                        for k, v in r.not_written.items()}}
        checker = checker_writers(log=log, audit=self._audit)
        write_outputs(self.out, checker)

        def manifest(records: dict[str, dict]) -> dict:
            return run_manifest(
                command="cohorts.report.Exporter", started=self._started, finished=utc_now(),
                inputs=_raw_inputs(self.study), outputs={**carried, **records},
                configuration={"lang": self.lang, "strict": self.strict, "disclosure_rules": self.rules.to_dict(),
                               "options": _options_dict(self.options)},
                synthetic=synthetic_settings(self.study.data_dir) if self.study.synthetic else None,
                selection=release_selection(self.study.selection, rules=self.rules),
                extra={"scale": self.study.scale, "not_written": not_written,
                       "checker": sorted(checker), "released": list(RELEASED),
                       "disclosure": {"strict": self.strict,
                                      "artefacts_needing_suppression": sorted(
                                          k for r in self._results.values() for k in r.needing())}},
            )

        return write_outputs_with_manifest(self.out, {}, manifest, name=MANIFEST_FILE)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.finish()


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


def _options_dict(options: Options) -> dict:
    return {"table_5_window": options.table_5_window, "table_b4_among": options.table_b4_among,
            "figure_7_population": options.figure_7_population, "figure_7_window": options.figure_7_window}


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
