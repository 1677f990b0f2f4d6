"""What a notebook may show: the report's release, written once through the export gate and read back.

An executed notebook leaves the secure environment like any exported file,
so a notebook shows only what the export gate released.  :func:`release`
gates every table and figure of the report together, exactly as ``cohorts
reproduce`` does (:meth:`cohorts.studies.high_mortgages.Exporter.prepare_all`: primary and
secondary suppression, the audit over the whole release), and writes the
released files, the checker's log and audit and ``manifest.json`` into one
folder in one atomic step.  The notebooks then display those files as read
back from disk (:class:`Released`): tables in the report's layout as
written, figures drawn from the figure data as written, the selection table
as the manifest records it.  Nothing computed from the microdata is shown
that did not pass the gate.

>>> from cohorts.report import load_study                      # doctest: +SKIP
>>> from cohorts.studies.high_mortgages.notebook import release
>>> study = load_study("data_synthetic", "out/build", scale=0.01, seed=20221)
>>> rel = release(study, "out/notebooks/release")
>>> rel.table("B3")              # Tabel B3 as released (suppressed cells show x)
>>> rel.figure("figure_8")       # drawn from tables/figure_8_data.csv as released
>>> rel.show("figure_4")         # the same, shown at a readable size with alt text

A notebook shows a figure with :meth:`Released.show`: the released PNG
(the same bytes as ``figures/<name>.png``) at 1.5 times its print size, so
its smallest text (tick labels, the numbers under an axis) is as readable
as the body text, with alt text that says what the figure draws and shows
(:func:`cohorts.studies.high_mortgages.narrative.alt_text`, from the released data).

The gate is the one ``cohorts reproduce`` uses, with the same rules and
options, so a notebook shows the report's release, not a second one with
another suppression pattern (the gate is deterministic).  A folder that
already holds the whole release of the same raw inputs and configuration,
with every file as its manifest records it, is reused (the notebooks share
one release; the first one run writes it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from cohorts.disclosure import Rules, log_frame
from cohorts.io import sha256_file
from cohorts.studies.high_mortgages import figures as F
from cohorts.studies.high_mortgages.comparison import Options
from cohorts.studies.high_mortgages.exports import (
    MANIFEST_FILE,
    RELEASED,
    TABLE_DATA,
    TEXT_DATA,
    Exporter,
    _options_dict,
    checker_writers,
    release_selection,
    write_release,
)
from cohorts.report.outputs import _raw_inputs
from cohorts.report.study import Study
from cohorts.report.display import SHOW_PX_PER_INCH, FigureOutput, figure_output, png_bytes, png_output  # noqa: F401

COMMAND = "cohorts.report.notebook.release"  # as recorded in manifests (unchanged by the move to the study)
@dataclass(frozen=True)
class Released:
    """A release folder as written by the export gate, read back for display.

    Attributes
    ----------
    folder : pathlib.Path
        The release folder (``tables/``, ``figures/``, ``manifest.json``;
        ``checker/`` is not for release and is not read here).
    manifest : dict
        Its ``manifest.json``.
    reused : bool
        Whether :func:`release` found the release already written.
    """

    folder: Path
    manifest: dict
    reused: bool = False

    @property
    def marker(self) -> str:
        """The marker of a suppressed cell in the released files."""
        return str(self.manifest["configuration"]["disclosure_rules"]["marker"])

    @property
    def lang(self) -> str:
        """The labels of the released tables and figures (``"en"`` or ``"nl"``)."""
        return str(self.manifest["configuration"]["lang"])

    @property
    def strict(self) -> bool:
        """Whether the release was made in strict mode (nothing needing suppression is written)."""
        return bool(self.manifest["configuration"]["strict"])

    @property
    def needing_suppression(self) -> list[str]:
        """The released files in which the gate suppressed, pooled or cut something."""
        return list(self.manifest["disclosure"]["artefacts_needing_suppression"])

    @property
    def not_written(self) -> dict[str, str]:
        """Artefact -> reason, for figures whose data could not be computed."""
        return dict(self.manifest.get("not_written", {}))

    def table(self, table: str) -> pd.DataFrame:
        """A report table in the report's layout, as released (``tables/table_<id>_formatted.csv``, as text)."""
        tid = table.removeprefix("table_")
        if tid not in TABLE_DATA:
            raise ValueError(f"unknown table {table!r}; known: {', '.join(TABLE_DATA)}")
        frame = pd.read_csv(self.folder / "tables" / f"table_{tid}_formatted.csv", dtype=str, keep_default_na=False)
        frame = frame.set_index(frame.columns[0])
        if str(frame.index.name).startswith("Unnamed:"):  # a table whose rows are labels, not years
            frame.index.name = None
        return frame

    def data(self, name: str) -> pd.DataFrame:
        """The data behind a figure as released (``tables/<name>_data.csv``); marked cells are missing.

        ``name`` is a figure (``"figure_8"``) or a text data stem of
        :data:`cohorts.studies.high_mortgages.exports.TEXT_DATA` (``"logrank_data"``, the
        log-rank tests of Figures 8 and 9: ``tables/logrank_data.csv``).

        Text columns stay text (the ``disclosure`` notes with ``""`` where
        there is none); a column whose cells are numbers, the marker or empty
        is numeric with the marked and empty cells missing.
        """
        if name not in F.FIGURES and name not in TEXT_DATA:
            raise ValueError(f"unknown figure {name!r}; known: {', '.join([*F.FIGURES, *TEXT_DATA])}")
        path = self.folder / "tables" / (f"{name}.csv" if name in TEXT_DATA else f"{name}_data.csv")
        if not path.is_file():
            why = self.not_written.get(name) or self.not_written.get(path.name, "not in this folder")
            raise FileNotFoundError(f"{path}: not released ({why})")
        return _numeric_columns(pd.read_csv(path, dtype=str, keep_default_na=False), marker=self.marker)

    def figure(self, name: str) -> Figure:
        """A figure drawn from its data as released (:meth:`data`, :func:`cohorts.studies.high_mortgages.figures.draw_data`)."""
        return F.draw_data(name, self.data(name), lang=self.lang)

    def show(self, name: str, *, alt: str | None = None) -> FigureOutput:
        """The released figure (``figures/<name>.png``, the very file released) at a readable size with alt text.

        Where the release holds no PNG of the figure, it is drawn as
        :meth:`figure` draws it.  ``alt=None`` takes
        :func:`cohorts.studies.high_mortgages.narrative.alt_text` of the
        figure's released data.
        """
        from cohorts.studies.high_mortgages.narrative import alt_text

        text = alt_text(name, self.data(name)) if alt is None else alt
        png = self.folder / "figures" / f"{name}.png"
        if f"figures/{name}.png" in self.manifest.get("outputs", {}) and png.is_file():
            return png_output(png.read_bytes(), alt=text)
        fig = self.figure(name)
        try:
            return figure_output(fig, alt=text)
        finally:
            fig.clear()

    def selection(self) -> pd.DataFrame:
        """The selection table as released in ``manifest.json`` (:func:`cohorts.studies.high_mortgages.exports.release_selection`)."""
        return pd.DataFrame.from_records(self.manifest.get("selection") or [])


def _numeric_columns(frame: pd.DataFrame, *, marker: str) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        text = out[col]
        marked, empty = text.eq(marker), text.eq("")
        values = pd.to_numeric(text.where(~(marked | empty)), errors="coerce")
        if (marked | ~empty).any() and values.notna().eq(~(marked | empty)).all():
            out[col] = values  # numbers, markers and empty cells (all markers: a column suppressed throughout)
        elif text.isin(["True", "False"]).all():
            out[col] = text.eq("True")
    return out


def release(
    study: Study,
    out: str | os.PathLike,
    *,
    strict: bool | None = None,
    rules: Rules | str | os.PathLike | None = None,
    lang: str = "en",
    options: Options | None = None,
) -> Released:
    """Gate the whole report through :class:`cohorts.studies.high_mortgages.Exporter` and write it into ``out``; read it back.

    Parameters
    ----------
    study : Study
        From :func:`cohorts.report.load_study`.
    out : path-like
        The release folder.
    strict, rules, lang, options
        As :class:`cohorts.studies.high_mortgages.Exporter` (``strict=None``: strict on real
        data, not strict on the synthetic twin).

    Returns
    -------
    Released
        The folder as written (or as found, when it already held this
        release: same raw inputs, strict mode, rules, labels and options,
        every released file as its manifest records it).

    Raises
    ------
    cohorts.disclosure.DisclosureError
        In strict mode when any artefact needed suppression; nothing is
        written.
    """
    from cohorts.provenance import run_manifest, synthetic_settings, utc_now

    started = utc_now()
    out = Path(out)
    exporter = Exporter(study, out, strict=strict, rules=rules, lang=lang, options=options)
    configuration = {"lang": exporter.lang, "strict": exporter.strict,
                     "disclosure_rules": exporter.rules.to_dict(), "options": _options_dict(exporter.options)}
    inputs = _raw_inputs(study)
    current = _current(out, inputs=inputs, configuration=configuration)
    if current is not None:
        return Released(out, current, reused=True)

    results = exporter.prepare_all()
    gate = exporter.gate(results)
    gate.enforce()  # strict mode: nothing is written when any artefact needed suppression
    log = log_frame([r.log for r in results])
    checker = sorted(checker_writers(log=log, audit=exporter.audit))
    not_written = {k: v for r in results for k, v in r.not_written.items()}

    def manifest(records: dict[str, dict]) -> dict:
        return run_manifest(
            command=COMMAND, started=started, finished=utc_now(), inputs=inputs, outputs=records,
            configuration=configuration,
            synthetic=synthetic_settings(study.data_dir) if study.synthetic else None,
            selection=release_selection(study.selection, rules=exporter.rules),
            extra={"scale": study.scale, "not_written": not_written, "released": list(RELEASED),
                   "checker": checker,
                   "disclosure": {"strict": exporter.strict,
                                  "artefacts_needing_suppression": sorted(gate.needing())}})

    write_release(out, results, log=log, audit=exporter.audit, manifest=manifest)
    for r in results:
        if r.figure is not None:
            r.figure.clear()
    return Released(out, json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8")))


def _current(out: Path, *, inputs: Mapping[str, dict], configuration: Mapping[str, object]) -> dict | None:
    """The manifest of ``out`` when it holds the whole release of these inputs and configuration, intact."""
    try:
        manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if not inputs or manifest.get("command") != COMMAND:
        return None
    theirs = manifest.get("inputs") or {}
    if set(theirs) != set(inputs) or any(theirs[k].get("sha256") != v.get("sha256") for k, v in inputs.items()):
        return None
    if manifest.get("configuration") != json.loads(json.dumps(dict(configuration))):
        return None
    expected = [f"tables/table_{t}{s}" for t in TABLE_DATA for s in (".csv", "_formatted.csv", ".tex")]
    expected += [f for name in F.FIGURES if name not in manifest.get("not_written", {})
                 for f in (f"tables/{name}_data.csv", f"figures/{name}.pdf", f"figures/{name}.png")]
    expected += [f"tables/{stem}.csv" for stem in TEXT_DATA if f"{stem}.csv" not in manifest.get("not_written", {})]
    outputs = manifest.get("outputs") or {}
    for name in expected:
        path = out / name
        if name not in outputs or not path.is_file() or sha256_file(path) != outputs[name].get("sha256"):
            return None
    return manifest
