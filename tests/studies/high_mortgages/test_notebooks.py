"""Regression/property check: the four notebooks show only the gated release (run headless on the sample).

An executed notebook leaves the secure environment like any exported file.
The notebooks therefore show only what the export gate released:
:func:`cohorts.studies.high_mortgages.notebook.release` gates every table and figure of the
report together (:meth:`cohorts.studies.high_mortgages.Exporter.prepare_all`) into a release
folder, and the notebooks display its files as read back from disk.

Kinds of test here:

* contract checks on the stored notebooks (no outputs; one ``parameters``
  cell; the microdata frames of the study are only handed to the gate; no
  writer other than the gate);
* regression checks of the executed notebooks (parameters replaced so that
  the build and the release go to a temporary folder): no errors, the release
  folder holds only the released files and the checker's folder, and nothing
  is written into the repository;
* a planted-truth check of the number check: every number an executed
  notebook shows (text/plain, text/markdown, stream, HTML table cells and the
  alt text of images) must appear in the released files that notebook reads
  (:func:`read_files`, :func:`released_numbers`; a number followed by ``%``
  may also be a released fraction in percent) or be one of the structural
  numbers of :data:`STRUCTURAL`; a cell printing raw counts of the microdata, planted
  into a copy of notebook 01, is caught, and only that cell;
* a property check of the read-back: every figure drawn from its released
  data as read back from disk is byte-identical to the released PNG and PDF.

Limit of the number check: a raw number that happens to equal a released
number (small counts often do) is not caught; the contract check on the
sources (no microdata frame is displayed) covers that case.
"""

from __future__ import annotations

import ast
import csv
import html
import json
import re
import shutil
from bisect import bisect_left
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from cohorts.studies.high_mortgages.exports import TEXT_DATA
from sample import SAMPLE

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("01-data-and-cohorts", "02-norm-utilisation", "03-risk-profile", "04-arrears-survival")

#: tables and figures each notebook shows (read back from the release)
SHOWN = {
    "01-data-and-cohorts": ["table_B3", "figure_8"],
    "02-norm-utilisation": ["figure_1", "figure_2", "figure_3", "figure_b1", "figure_b2", "table_T1", "table_S1",
                            "table_S2"],
    "03-risk-profile": ["figure_4", "figure_5", "figure_6", "table_T2", "table_B5"],
    "04-arrears-survival": ["table_T5", "figure_7", "figure_8", "figure_9", "figure_sweep", "figure_cox",
                            "figure_cohort_sensitivity"],
}
#: released data that no figure draws (cohorts.studies.high_mortgages.exports.TEXT_DATA) each notebook reads for its prose
TEXT_SHOWN = {"04-arrears-survival": ["logrank_data"]}

#: numbers a notebook may show that are not counts or statistics of the data: the years of the study
#: (cohorts 2012-2017, last snapshot 2018; also in the build's warning about the Trhk table years), the year
#: of the report (AFM 2022) and the confidence level of the intervals (95%)
STRUCTURAL = frozenset({*range(2012, 2019), 2022, 95})
#: a number right after one of these words is the name of a figure or table (Figure 8, Tabel 5), not data
NAMED = re.compile(r"(?:Figure|Figuur|Table|Tabel)\s+$")

#: a matplotlib figure's text/plain beside its PNG (size in pixels and number of axes, not data)
FIGURE_REPR = re.compile(r"<Figure size \d+(\.\d+)?x\d+(\.\d+)? with \d+ Axes?>")

#: integers and decimals (thousands separators, sign, exponent); digits inside names (T5, Q1, figure_8,
#: cohort[T.2013]) are not numbers, nor is the number of a table or figure named in prose (Table 1, Tabel 1,
#: Figure 8, Figuur 8)
NUMBER = re.compile(r"(?<![\w.])(?<!Table )(?<!Tabel )(?<!Figure )(?<!Figuur )(?<!Figures )"
                    r"-?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")


def _sample_settings() -> tuple[float, int] | None:
    try:
        manifest = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return float(manifest["scale"]), int(manifest["seed"])


def _code(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


# --------------------------------------------------------------------------
# the stored notebooks
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs_and_has_parameters(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for var in ("SCALE", "SEED", "DATA", "OUT", "RELEASE", "STRICT"):
        assert f"{var} =" in params[0].source
    assert 'RELEASE = "../out/notebooks/release"' in params[0].source  # not paper/


#: calls that would write to disk without passing the export gate
UNGATED_WRITERS = ("export_figure", "export_table", "savefig", "to_csv", "to_latex", "write_text", "write_csv",
                   "to_parquet", "open(", "Exporter(")
#: what a notebook may read of the study itself: metadata, no microdata
STUDY_METADATA = frozenset({"synthetic", "scale"})


def study_uses(source: str) -> list[str]:
    """Each use of the name ``study`` that is not loading it, handing it to the gate or reading its metadata."""
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%")))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
                getattr(node.value.func, "id", None) == "load_study":
            allowed.update(id(t) for t in node.targets)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "release" and node.args:
            allowed.add(id(node.args[0]))
        elif isinstance(node, ast.Attribute) and node.attr in STUDY_METADATA:
            allowed.add(id(node.value))
    return [ast.unparse(n) for n in ast.walk(tree)
            if isinstance(n, ast.Name) and n.id == "study" and id(n) not in allowed]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_shows_only_the_release_and_writes_only_through_the_gate(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    source = "\n".join(_code(nb))
    assert "rel = release(study, RELEASE, strict=STRICT, lang=LANG)" in source
    for call in UNGATED_WRITERS:
        assert call not in source, (name, call)
    assert study_uses(source) == [], name
    for artefact in SHOWN[name]:
        kind, ident = artefact.split("_", 1)
        assert (f'rel.table("{ident}")' if kind == "table" else f'"{artefact}"') in source, (name, artefact)


def test_study_uses_flags_microdata():
    """The source check above can fail: raw frames, their length and unknown attributes are flagged."""
    ok = 'study = load_study(DATA, OUT)\nrel = release(study, RELEASE)\nprint(study.synthetic, study.scale)'
    assert study_uses("%matplotlib inline\n" + ok) == []
    assert study_uses(ok + "\nstudy.cohorts.head()") == ["study"]
    assert study_uses(ok + "\nprint(len(study.cohorts))\nframes = study") == ["study", "study"]


# --------------------------------------------------------------------------
# the number check
# --------------------------------------------------------------------------
def _decimal(token: str) -> Decimal:
    return Decimal(token.replace(",", ""))


def numbers_in(text: str) -> list[str]:
    """The numbers in ``text`` as printed (see :data:`NUMBER`)."""
    return [m.group(0) for m in NUMBER.finditer(text)]


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self._depth += 1
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._depth -= 1

    def handle_data(self, data):
        if self._depth > 0:
            self.cells[-1] += data


def html_cells(html: str) -> list[str]:
    """The texts of the table cells (``td``, ``th``) of an HTML output."""
    parser = _Cells()
    parser.feed(html)
    return parser.cells


#: how a notebook reads the release (:class:`cohorts.studies.high_mortgages.notebook.Released`)
READS = re.compile(r'rel\.(table|data|figure|show)\("([^"]+)"[,)]|rel\.(selection)\(\)')


def read_files(nb) -> set[str]:
    """The released files a notebook reads: ``tables/...`` of each table and figure it shows, and
    ``manifest.json#selection`` when it shows the selection table."""
    files: set[str] = set()
    for source in _code(nb):
        for method, name, selection in READS.findall(source):
            if selection:
                files.add("manifest.json#selection")
            elif method == "table":
                tid = name.removeprefix("table_")
                files.update({f"tables/table_{tid}.csv", f"tables/table_{tid}_formatted.csv"})
            elif name in TEXT_DATA:
                files.add(f"tables/{name}.csv")
            else:
                files.add(f"tables/{name}_data.csv")
    return files


def released_numbers(release: Path, files: set[str]) -> list[Decimal]:
    """Every number in the released ``files`` (each CSV cell; each value of the manifest's selection table)."""
    found: set[Decimal] = set()
    for name in sorted(files):
        if name == "manifest.json#selection":
            manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
            cells = [str(v) for record in manifest["selection"] or [] for v in record.values()]
        else:
            with (release / name).open(encoding="utf-8", newline="") as f:
                cells = [cell for row in csv.reader(f) for cell in row]
        for cell in cells:
            found.update(_decimal(t) for t in numbers_in(cell))
    return sorted(found)


def is_released(token: str, released: list[Decimal]) -> bool:
    """An integer must equal a released number; a decimal must be a released number rounded to its digits."""
    value = _decimal(token)
    exponent = value.as_tuple().exponent
    if exponent >= 0:
        i = bisect_left(released, value)
        return (i < len(released) and released[i] == value) or value in STRUCTURAL
    half = Decimal(5).scaleb(exponent - 1)
    i = bisect_left(released, value - half)
    return i < len(released) and released[i] <= value + half


def is_released_percent(token: str, released: list[Decimal]) -> bool:
    """A number printed with ``%``: released as it is, or a released fraction in percent to its digits
    (``7.9%`` for 0.0789; ``80%`` for 0.8)."""
    return is_released(token, released) or is_released(str(_decimal(token).scaleb(-2)), released)


def shown_texts(nb) -> list[tuple[int, str, str]]:
    """(cell index, kind, text) of everything the executed notebook shows as text."""
    out = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            kind = o.get("output_type")
            if kind == "stream":
                out.append((i, f"stream/{o['name']}", o["text"]))
            elif kind == "error":
                out.append((i, "error", "\n".join([o["ename"], o["evalue"], *o.get("traceback", [])])))
            elif kind in ("execute_result", "display_data"):
                data = o.get("data", {})
                plain = data.get("text/plain", "")
                if "image/png" in data and FIGURE_REPR.fullmatch(plain.strip()):
                    plain = ""  # the figure's repr; the figure itself is drawn from released data
                out.append((i, "text/plain", plain))
                if "text/markdown" in data:  # the sentences of cohorts.studies.high_mortgages.narrative
                    out.append((i, "text/markdown", data["text/markdown"]))
                out.extend((i, "text/html", c) for c in html_cells(data.get("text/html", "")))
                alt = (o.get("metadata", {}).get("image/png") or {}).get("alt")
                if alt:
                    out.append((i, "alt", alt))
    return out


def unreleased(nb, released: list[Decimal]) -> list[tuple[int, str, str]]:
    """(cell index, kind, number) of every number shown that is neither released nor structural."""
    return [(i, kind, m.group(0)) for i, kind, text in shown_texts(nb) for m in NUMBER.finditer(text)
            if not NAMED.search(text[:m.start()])
            and not (is_released_percent if text[m.end():m.end() + 1] == "%" else is_released)(m.group(0), released)]


def unreleased_text(text: str, released: list[Decimal]) -> list[str]:
    """The numbers of one shown text that are not released (as :func:`unreleased` does per output)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("")]
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return [token for _, _, token in unreleased(nb, released)]


def test_number_check_by_hand():
    released = sorted({Decimal("9055"), Decimal("0.041969065"), Decimal("1.509644111570227"), Decimal("48.4")})
    assert numbers_in("T5 Q1 figure_8 cohort[T.2013] 9,055 -0.5 3.0% 1e-05 2012-2017") == [
        "9,055", "-0.5", "3.0", "1e-05", "2012", "2017"]
    assert numbers_in("Table 1 (the report's Tabel 1) and Figure 8 show 12 of Table B3") == ["12"]
    assert is_released("9,055", released) and is_released("9055", released)
    assert not is_released("9056", released) and not is_released("9", released)
    assert is_released("0.041969", released) and is_released("0.04", released)
    assert not is_released("0.041970", released) and not is_released("0.05", released)
    assert is_released("1.51", released) and not is_released("1.52", released)
    assert is_released("48.4", released) and not is_released("48", released)  # an integer must be exact
    assert is_released("2017", released) and is_released("95", released) and not is_released("96", released)
    # a percentage may be a released fraction in percent, rounded to its digits; only when printed with %
    assert is_released_percent("4.2%".rstrip("%"), released) and not is_released_percent("4.3", released)
    assert is_released_percent("48.4", released) and not is_released_percent("4.84", released)
    assert unreleased_text("4.2% and 4.2 and 48.4% and 5.0%", released) == ["4.2", "5.0"]
    # names of figures and tables are not numbers; the same digits elsewhere are
    assert unreleased_text("Figure 8 (AFM 2022) and Tabel 5: 8 of 5", released) == ["8", "5"]
    html = "<table><thead><tr><th>Year</th><th>n</th></tr></thead><tbody><tr><th>2012</th><td>1,069</td></tr>"
    assert html_cells(html) == ["Year", "n", "2012", "1,069"]


# --------------------------------------------------------------------------
# the executed notebooks
# --------------------------------------------------------------------------
def _execute(nb, params: str) -> None:
    from nbconvert.preprocessors import ExecutePreprocessor

    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source = params
    ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(nb, {"metadata": {"path": str(NOTEBOOKS)}})


def _repository_files() -> dict[str, float]:
    return {p.relative_to(ROOT).as_posix(): p.stat().st_mtime
            for folder in (ROOT / "paper", NOTEBOOKS) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The four notebooks executed on the committed sample; build and release in a temporary folder."""
    settings = _sample_settings()
    if settings is None:
        pytest.skip("data_synthetic/manifest.json not found: the committed synthetic sample is needed "
                    "(make it with `make data`)")
    scale, seed = settings
    tmp = tmp_path_factory.mktemp("notebooks")
    params = (f"SCALE = {scale!r}\nSEED = {seed!r}\nDATA = {str(SAMPLE)!r}\nOUT = {str(tmp / 'out')!r}\n"
              f"RELEASE = {str(tmp / 'release')!r}\nREAL = False\nMAPPING = None\nLANG = 'en'\nSTRICT = None\n")
    before = _repository_files()
    notebooks = {}
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        _execute(nb, params)
        notebooks[name] = nb
    return {"notebooks": notebooks, "release": tmp / "release", "params": params, "tmp": tmp,
            "repository": (before, _repository_files())}


@pytest.mark.slow
def test_notebooks_execute_and_write_only_the_release(executed):
    for name, nb in executed["notebooks"].items():
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.get("output_type") == "error"]
        assert errors == [], name
    before, after = executed["repository"]
    assert after == before  # nothing written into paper/ or notebooks/
    release = executed["release"]
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["configuration"]["strict"] is False  # synthetic data
    assert set(manifest["released"]) == {"tables", "figures", "manifest.json"}
    written = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    released = {n for n in written if n.split("/")[0] in ("tables", "figures")}
    assert written - released == {"manifest.json", *manifest["checker"]}  # the rest is the checker's
    # every released file is in the manifest; the checker's files are named there, never hashed (a hash of
    # the hidden counts would confirm a guess of them)
    assert written - {"manifest.json", *manifest["checker"]} == set(manifest["outputs"])
    assert not any(k.startswith("checker/") for k in manifest["outputs"])
    for name, shown in SHOWN.items():
        for artefact in shown:
            path = (f"tables/{artefact}_formatted.csv" if artefact.startswith("table_")
                    else f"figures/{artefact}.png")
            assert path in released, (name, artefact)
    # the notebooks after the first reuse the release written by the first
    first = [o["text"] for o in executed["notebooks"][NAMES[0]].cells[2].outputs if o.get("name") == "stdout"]
    assert "release written" in first[-1]
    for name in NAMES[1:]:
        setup = [o["text"] for o in executed["notebooks"][name].cells[2].outputs if o.get("name") == "stdout"]
        assert "release reused" in setup[-1], name


@pytest.mark.slow
def test_every_number_shown_is_released(executed):
    for name, nb in executed["notebooks"].items():
        files = read_files(nb)
        assert {f for f in files if f.startswith("tables/")} == {
            f for a in SHOWN[name] for f in ((f"tables/{a}.csv", f"tables/{a}_formatted.csv")
                                             if a.startswith("table_") else (f"tables/{a}_data.csv",))} | {
            f"tables/{t}.csv" for t in TEXT_SHOWN.get(name, [])}, name
        texts = shown_texts(nb)
        assert sum(len(numbers_in(t)) for _, _, t in texts) > 10, name  # the notebooks do show numbers
        assert unreleased(nb, released_numbers(executed["release"], files)) == [], name


@pytest.mark.slow
def test_every_figure_shown_has_alt_text_and_every_table_a_caption(executed):
    """Every notebook: each figure is an ``img`` with alt text (01-03: starting with what it draws, from
    ``narrative.DESCRIPTIONS``; 04: its own). Notebooks 01-03: each table shown follows a caption (bold
    Markdown) in the same cell; each shows sentences built from the release."""
    from cohorts.studies.high_mortgages.narrative import DESCRIPTIONS

    shown = 0
    for name in NAMES:
        nb = executed["notebooks"][name]
        figures = [a for a in SHOWN[name] if a.startswith("figure_") and f'rel.show("{a}"' in "\n".join(_code(nb))]
        alts = []
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                page = o.get("data", {}).get("text/html", "")
                alts += re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', page)
                assert "image/png" not in o.get("data", {}), name  # no figure shown without alt text
        assert len(alts) == len(figures), name
        shown += len(figures)
        for figure, alt in zip(figures, map(html.unescape, alts), strict=True):
            described = DESCRIPTIONS.get(figure, "") if name != NAMES[3] else ""
            assert alt.startswith(described) and len(alt) > len(described) + 20, (name, alt)
        if name == NAMES[3]:
            continue
        for cell in nb.cells:
            kinds = [next(iter(k for k in ("text/html", "text/markdown") if k in o.get("data", {})), None)
                     for o in cell.get("outputs", []) if o.get("output_type") in ("display_data", "execute_result")]
            if 'rel.table("' in cell.source:
                assert kinds[0] == "text/markdown" and kinds[1] == "text/html" and kinds[-1] == "text/markdown", \
                    (name, cell.source)
        assert sum(k == "text/markdown" for _, k, _ in shown_texts(nb)) >= 3, name
    assert shown >= 11  # notebook 02 shows five figures, notebook 04 six


@pytest.mark.slow
def test_a_planted_raw_count_is_caught(executed):
    """A copy of notebook 01 with a cell printing raw counts of the microdata (how mortgages leave the
    follow-up, per cohort: not part of the release): the check flags that cell and no other."""
    nb = nbformat.read(NOTEBOOKS / f"{NAMES[0]}.ipynb", as_version=4)
    leak = nbformat.v4.new_code_cell('study.cohorts.groupby("cohort")["exit_type"].value_counts().unstack()')
    nb.cells.insert(9, leak)
    assert study_uses("\n".join(_code(nb))) == ["study"]  # the source check sees it too
    _execute(nb, executed["params"])
    caught = unreleased(nb, released_numbers(executed["release"], read_files(nb)))
    assert caught, "the planted raw counts were not caught"
    assert {i for i, _, _ in caught} == {9}
    assert {kind for _, kind, _ in caught} == {"text/plain", "text/html"}


@pytest.mark.slow
def test_figures_drawn_from_the_read_back_data_are_the_released_figures(executed, tmp_path):
    import matplotlib.pyplot as plt

    from cohorts.studies.high_mortgages import figures as F
    from cohorts.studies.high_mortgages.notebook import Released
    from cohorts.report.style import figure_writers

    release = executed["release"]
    rel = Released(release, json.loads((release / "manifest.json").read_text()))
    for name in F.FIGURES:
        fig = rel.figure(name)
        for rel_path, write in figure_writers(fig, f"figures/{name}").items():
            write(tmp_path / Path(rel_path).name)
            assert (tmp_path / Path(rel_path).name).read_bytes() == (release / rel_path).read_bytes(), rel_path
        plt.close(fig)
    for name in ("figure_1", "figure_6"):  # shown in a notebook: the released PNG, at 1.5 times print size
        shown = rel.show(name)
        assert shown.png == (release / f"figures/{name}.png").read_bytes()
        assert shown.width_px == round(int.from_bytes(shown.png[16:20], "big") / 300 * 144)
    table = rel.table("B3")
    assert table.index.name == "Year" and list(table.index) == [str(y) for y in range(2012, 2018)]
    cox = rel.data("figure_cox")
    hidden = cox["disclosure"].ne("")
    assert cox.loc[hidden, "n"].isna().all() and cox["hr"].dtype.kind == "f"


@pytest.mark.slow
def test_a_changed_release_is_not_reused(executed, tmp_path):
    from cohorts.studies.high_mortgages.notebook import _current

    copy = tmp_path / "release"
    shutil.copytree(executed["release"], copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    inputs, configuration = manifest["inputs"], manifest["configuration"]
    assert _current(copy, inputs=inputs, configuration=configuration) == manifest
    assert _current(copy, inputs=inputs, configuration={**configuration, "lang": "nl"}) is None
    other = {k: {**v, "sha256": "0" * 64} for k, v in inputs.items()}
    assert _current(copy, inputs=other, configuration=configuration) is None
    with (copy / "tables" / "table_B3.csv").open("a", encoding="utf-8") as f:
        f.write("\n")
    assert _current(copy, inputs=inputs, configuration=configuration) is None
