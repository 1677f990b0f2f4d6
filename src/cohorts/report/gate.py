"""The one export gate (engine): every table and figure a study writes to disk passes through here.

A study declares what it releases as :class:`Artefacts`; its ``Exporter`` is this class with them set
(:class:`cohorts.studies.high_mortgages.Exporter` for the AFM 2022 report).

``cohorts reproduce`` and the notebooks write their tables and figures only
through :class:`Exporter`:

>>> from cohorts.studies.high_mortgages import Exporter, load_study   # doctest: +SKIP
>>> study = load_study("data_synthetic", "out/build", scale=0.01, seed=20221)
>>> with Exporter(study, "paper") as export:
...     export.table("B3").display       # the released table, in the report's layout
...     export.figure("figure_1").figure  # drawn from the released data

Each export

1. computes the artefact with the counts behind its numbers
   (the study's :class:`Artefacts`: tables, figure data, and text data for the
   numbers the text quotes that no figure draws, e.g. the log-rank tests of
   Figures 8 and 9; contributor columns for means),
2. passes it through the disclosure gate together with everything already
   released (:func:`cohorts.disclosure.table_release`,
   :func:`cohorts.disclosure.figure_release` for the primary rules;
   :func:`cohorts.disclosure.protect` attacks the whole release and adds
   secondary suppressions): suppressed cells become missing and are written
   as the marker (``x``),
3. for a figure, draws it from the *released* data
   (:func:`cohorts.studies.high_mortgages.figures.draw_data`; suppressed cells are gaps
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
atomic step (:mod:`cohorts.studies.high_mortgages.command`).

Notebooks display only released files (:mod:`cohorts.studies.high_mortgages.notebook`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

import pandas as pd

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
from cohorts.io import file_record, write_outputs, write_outputs_with_manifest
from cohorts.codebook import UNIVERSE, UNIVERSES, units_frame
from cohorts.report.study import Study
from cohorts.report.style import figure_writers
from cohorts.report.outputs import (
    Artefacts,
    checker_writers,
    _csv_writer,
    ExportResult,
    figure_log_row,
    LOG_FILE,
    Maker,
    MANIFEST_FILE,
    _now,
    _raw_inputs,
    _read_json,
    _read_log,
    _reason,
    RELEASED,
    _released_tables,
    _text_writer,
)


def _table_name(table: str, tables: Mapping[str, Maker]) -> str:
    tid = table.removeprefix("table_")
    if tid not in tables:
        raise ValueError(f"unknown table {table!r}; known: {', '.join(tables)}")
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
    options : object, optional
        The study's interpretation choices; ``artefacts.options()`` when omitted.
    prior : sequence of path-like, default ()
        Folders released earlier from the same data (their ``tables/``): the
        audit attacks this release together with them.
    artefacts : Artefacts, optional
        What the study releases (its tables, figures, text data); default the
        class attribute set by a study's Exporter.

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

    #: The study's artefacts; a study's Exporter sets it (``artefacts=`` overrides it).
    artefacts: Artefacts | None = None

    def __init__(
        self,
        study: Study,
        out: str | os.PathLike,
        *,
        strict: bool | None = None,
        rules: Rules | str | os.PathLike | None = None,
        lang: str = "en",
        options: object | None = None,
        prior: Sequence[str | os.PathLike] = (),
        artefacts: Artefacts | None = None,
    ) -> None:
        if artefacts is not None:
            self.artefacts = artefacts
        if self.artefacts is None:
            raise TypeError("Exporter needs the artefacts of a study (artefacts=...), or use a study's Exporter "
                            "(e.g. cohorts.studies.high_mortgages.Exporter)")
        A = self.artefacts
        if lang not in A.langs:
            raise ValueError(f"lang must be one of {A.langs}, but was {lang!r}")
        self.study = study
        self.out = Path(out)
        self.rules = rules if isinstance(rules, Rules) else load_rules(rules)
        self.strict = strict_default(synthetic=study.synthetic, rules=self.rules) if strict is None else bool(strict)
        self.lang = lang
        self.options = A.options() if options is None else options
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
        return self.artefacts.read_release(frames, self.options)

    def _witness(self) -> dict[str, pd.DataFrame]:
        if self._units is None:
            self._units = {UNIVERSE.name: units_frame(self.study.frames)}
        return self._units

    def _released_groups(self, *, exclude: set[str]) -> list[dict[str, pd.DataFrame]]:
        """What is already out, one group of frames per source: this exporter's exports, the folder's
        earlier ones, each prior folder (file name -> frame as published)."""
        groups = [{k: v for k, v in self._released.items() if k not in exclude}]
        for folder in (self.out, *self.prior):
            on_disk = _released_tables(folder, study=self.study)
            groups.append({k: v for k, v in on_disk.items()
                           if not (folder == self.out and (k in exclude or k in self._released))})
        return [g for g in groups if g]

    def _already_released(self, *, exclude: set[str]) -> dict[str, Reading]:
        """Facts of what is already out (:meth:`_released_groups`)."""
        out: dict[str, list[Reading]] = {}
        for group in self._released_groups(exclude=exclude):
            for name, rd in self.read(group).items():
                out.setdefault(name, []).append(rd)
        return {name: combine(rds) for name, rds in out.items()}

    # ------------------------------------------------------------------ prepare (nothing written)
    def _table_release(self, tid: str) -> Release:
        frame = self.artefacts.tables[tid](self.study.frames, self.options)
        if tid in self.artefacts.cell_keys:  # e.g. a cell is (group, cohort, variant); hidden before the others
            return table_release(f"table_{tid}.csv", frame, rules=self.rules, keys=self.artefacts.cell_keys[tid],
                                 priority=0)
        return table_release(f"table_{tid}.csv", frame, rules=self.rules)

    def _figure_release(self, name: str) -> Release | str:
        stem = f"{name}_data"
        try:
            frame = self.artefacts.figure_data[stem](self.study.frames, self.options)
        except ValueError as exc:  # ContractError / ConvergenceError of the survival engine
            return _reason(exc)
        gate = self.artefacts.figure_gates.get(stem)
        if gate is not None:  # the study says how its figure data is gated
            return gate(frame, rules=self.rules)
        return figure_release(stem, frame, rules=self.rules)

    def _text_release(self, stem: str) -> Release | str:
        try:
            frame = self.artefacts.text_data[stem](self.study.frames, self.options)
        except ValueError as exc:  # ContractError of the survival engine (e.g. only one group)
            return _reason(exc)
        return text_release(stem, frame, rules=self.rules)

    def _protect(self, releases: Sequence[Release], *, prior: Mapping[str, Reading]) -> Protected:
        views = self.artefacts.curve_views(self.options)
        names = {r.name for r in releases}
        earlier = [{k: v for k, v in g.items() if k in views} for g in self._released_groups(exclude=names)
                   ] if names & set(views) else []

        def points(frames: Mapping[str, pd.DataFrame]) -> Mapping[tuple[str, str, str], str]:
            """This run's survival frames against themselves and against each earlier release."""
            found = dict(point_decisions(frames, views))
            for group in earlier:
                found.update(point_decisions({**group, **frames}, views))
            return found
        protected = protect(releases, read=self.read, universes=UNIVERSES, rules=self.rules, units=self._witness(),
                            prior=prior, per_file=True, cross_check=points)
        self._audit = protected.audit.table()
        return protected

    def _table_result(self, tid: str, chk: Checked) -> ExportResult:
        name = f"table_{tid}.csv"
        released, marker = chk.released, self.rules.marker
        formatted = self.artefacts.format_table(released, lang=self.lang, marker=marker).reset_index()
        writers = {
            f"tables/{name}": _csv_writer(publishable(released, marker=marker)),
            f"tables/table_{tid}_formatted.csv": _csv_writer(formatted),
            f"tables/table_{tid}.tex": _text_writer(self.artefacts.to_latex(released, lang=self.lang, marker=marker)),
        }
        return ExportResult(name=f"table_{tid}", checked={name: chk}, display=self.artefacts.format_table(
            released, lang=self.lang, marker=marker), figure=None, files=tuple(writers), log=chk.log,
            writers=writers)

    def _figure_result(self, name: str, chk: Checked | str) -> ExportResult:
        data = f"{name}_data.csv"
        if isinstance(chk, str):
            return ExportResult(name=name, checked={}, display=None, figure=None, files=(),
                                log=log_frame([]), not_written={data: chk, name: chk})
        fig = self.artefacts.draw_data(name, chk.released, lang=self.lang)
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
        tid = _table_name(table, self.artefacts.tables)
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
            If ``name`` is not a figure of :data:`cohorts.studies.high_mortgages.figures.FIGURES`.
        """
        if name not in self.artefacts.figures:
            raise ValueError(f"unknown figure {name!r}; known: {', '.join(self.artefacts.figures)}")
        rel = self._figure_release(name)
        if isinstance(rel, str):
            return self._figure_result(name, rel)
        protected = self._protect([rel], prior=self._already_released(exclude={rel.name}))
        return self._figure_result(name, protected.checked[rel.name])

    def prepare_all(self) -> list[ExportResult]:
        """Every table, figure and text data of the study's :class:`Artefacts`, gated together.

        The audit attacks them as one release (with the ``prior`` folders);
        secondary suppression may hide cells of any of them.
        """
        A = self.artefacts
        releases: list[Release] = [self._table_release(t) for t in A.tables]
        figure_of: dict[str, Release | str] = {f: self._figure_release(f) for f in A.figures}
        releases += [r for r in figure_of.values() if isinstance(r, Release)]
        text_of: dict[str, Release | str] = {t: self._text_release(t) for t in A.text_data}
        releases += [r for r in text_of.values() if isinstance(r, Release)]
        names = {r.name for r in releases}
        checked = {r.name: r.make({}) for r in releases} if self.strict else {}
        if not any(c.needs_suppression for c in checked.values()):  # strict and the primary rules pass: attack
            checked = self._protect(releases, prior=self._already_released(exclude=names)).checked
        # (strict mode refuses as soon as a primary rule needs suppression: no attack needed for that)
        results = [self._table_result(t, checked[f"table_{t}.csv"]) for t in A.tables]
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
                               "options": self.artefacts.options_dict(self.options)},
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
