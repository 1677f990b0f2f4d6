"""What the released tables and figures show, in sentences built from the released numbers.

The notebooks show only the gated release (:mod:`cohorts.studies.high_mortgages.notebook`);
this module turns what they show into prose, so that a notebook states its
results without a number typed in by hand.  Every function is pure: it takes
a table as released (:meth:`cohorts.studies.high_mortgages.notebook.Released.table`, the
report's layout as text, ``x`` for a suppressed cell) or a figure's data as
released (:meth:`~cohorts.studies.high_mortgages.notebook.Released.data`, suppressed cells
missing) and returns Markdown.

Rules the sentences keep
------------------------
* A number in a sentence is a released number: a table cell is quoted as the
  table shows it; a figure's share is its released value rounded to one
  decimal, a count as released.  Nothing is computed from released numbers
  (no differences, ratios or counts of cells), so every number shown can be
  found in the released files.
* A comparison (higher, fewer than half, the largest) is made on the values
  as shown, only between cells that are both shown, and names the years where
  it holds and the years where it does not.
* A suppressed cell is said to be suppressed; it is never left out silently.

The phrases (a cell as shown, a run of years, a claim and the years it
holds in) are in :mod:`cohorts.studies.high_mortgages.phrases`.

>>> import pandas as pd
>>> t = pd.DataFrame({"2012": ["0.0%"], "2013": ["x"]}, index=["New mortgages"])
>>> series(row_cells(t, "New mortgages"))
'0.0% in 2012; suppressed in 2013'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from cohorts.studies.high_mortgages import tables as T
from cohorts.studies.high_mortgages.phrases import (
    SUPPRESSED,
    Cell,
    column_cells,
    compare,
    data_cells,
    every,
    extremes,
    hidden_years,
    join,
    plain,
    row_cells,
    series,
    shown_cells,
    span,
    suppressed_note,
    years,
)
from cohorts.studies.high_mortgages.sensitivity_tables import PUBLISHED, S1_GROUPS, S2_GROUPS, VARIANT_LABELS, variant_label

def _labels(lang: str) -> Mapping[str, str]:
    return T.GROUP_LABELS[lang]


# --------------------------------------------------------------------------
# table captions
# --------------------------------------------------------------------------
_LAYOUT = {
    "T1": "Rows: the groups of the report's Tabel 1, whose denominators are high mortgages (LTI utilisation "
          "above the norm) with interest-only parts; columns: origination year.",
    "S1": "Rows: each group of Tabel 1 under the published numbers (AFM 2022) and under each reading of the "
          "actual-cost test, `(build)` marking the reading the build used; columns: origination year.",
    "S2": "Rows: all new mortgages and first-time buyers under each stand-in norm table, `(build)` marking the "
          "table the build used; columns: origination year.",
}
_REPORT_NAMES = {"T": "Table", "B": "Table", "S": "Table"}


def table_caption(table: str, *, lang: str = "en", marker: str = "x") -> str:
    """A Markdown caption saying what a released table is: its title, statistic, layout and the marker.

    Parameters
    ----------
    table : str
        The table id (``"T2"``, ``"B5"``, ``"S1"``; ``table_`` prefix allowed).
    lang : {"en", "nl"}, default "en"
        The language of the title (as the released labels).
    marker : str, default "x"
        The marker of a suppressed cell.
    """
    tid = table.removeprefix("table_")
    if tid not in T.TITLES[lang]:
        raise ValueError(f"unknown table {table!r}; known: {', '.join(T.TITLES[lang])}")
    name = f"{_REPORT_NAMES[tid[0]]} {tid[1:] if tid[0] == 'T' else tid}"
    layout = _LAYOUT.get(tid, "Rows: origination year (the mortgage stock: snapshot year); columns: the groups.")
    counts = " Counts are the data's own, unscaled." if tid == "B3" else ""
    return f"**{name}: {T.TITLES[lang][tid]}.** {layout} `{marker}`: suppressed by the disclosure gate.{counts}"


# --------------------------------------------------------------------------
# notebook 01: selection, Tabel B3, follow-up
# --------------------------------------------------------------------------
def selection(table: pd.DataFrame) -> str:
    """The selection table as released (:meth:`~cohorts.studies.high_mortgages.notebook.Released.selection`) in sentences.

    States the records read, the analysable new mortgages and the linkable
    stock (the ``result`` steps), the largest drop, and whether every step
    reconciles (rows out = rows in - rows dropped; each step of a population
    starts from the previous step's rows out, a unit change excepted).
    """
    sel = table.reset_index() if "step" not in table.columns else table
    need = {"step", "kind", "population", "rule", "reason", "rows_in", "rows_out", "rows_dropped", "unit"}
    if missing := need - set(sel.columns):
        raise ValueError(f"selection table lacks column(s) {sorted(missing)}")
    sel = sel.sort_values("step")
    first = sel.iloc[0]
    parts = [f"The linked data hold {int(first['rows_in']):,} {first['unit']} (step {int(first['step'])})."]
    results = sel.loc[sel["kind"].eq("result")]
    found = [f"{int(r['rows_out']):,} {r['unit']} ({r['rule']}, step {int(r['step'])})"
             for _, r in results.iterrows()]
    if found:
        parts.append(f"After the selection there are {join(found)}.")
    drops = sel.loc[sel["kind"].eq("drop")]
    if len(drops):
        big = drops.loc[drops["rows_dropped"].astype("int64").idxmax()]
        parts.append(f"The largest drop is step {int(big['step'])}, '{big['rule']}': {int(big['rows_dropped']):,} "
                     f"{big['unit']} ({big['reason']}).")
    bad = []
    for _, part in sel.groupby("population", sort=False):
        previous = None
        for _, r in part.iterrows():
            if int(r["rows_out"]) != int(r["rows_in"]) - int(r["rows_dropped"]) and r["kind"] != "unit change":
                bad.append(int(r["step"]))
            elif previous is not None and int(r["rows_in"]) != previous and r["kind"] != "input":
                bad.append(int(r["step"]))
            previous = int(r["rows_out"])
    if bad:
        parts.append(f"The table does not reconcile at step(s) {join([str(s) for s in bad])}.")
    else:
        parts.append("Every step reconciles: its records out are its records in less those dropped, and within "
                     "each population each step starts from the previous step's records out (a change of unit "
                     "aside), so no record leaves uncounted.")
    return " ".join(parts)


def table_b3(table: pd.DataFrame, *, lang: str = "en", marker: str = "x") -> str:
    """Tabel B3 (households per group and cohort, as released) in sentences."""
    names = _labels(lang)
    cells = {g: column_cells(table, names[g], marker=marker, lang=lang) for g in (*T.GROUPS, T.STOCK)}
    lines = [f"- {names[g]}: {span(cells[g])}." for g in (*T.GROUPS, T.STOCK)]
    out = ["Households in the analysis, first and last year shown:", *lines, ""]
    for whole, high, who in (("new", "new_high", "new mortgages"), ("starters", "starters_high", "first-time buyers")):
        half = {y: Cell(c.text, None if c.value is None else c.value / 2, c.suppressed)
                for y, c in cells[whole].items()}
        holds, fails = compare(cells[high], half, lower=True)
        example = ""
        if holds:
            y = holds[-1]
            example = f"e.g. {cells[high][y].text} of {cells[whole][y].text} in {y}"
        out.append(every(holds, fails, what=f"high mortgages are fewer than half of the {who}",
                         example=example) + ".")
    return "\n".join(out)


def at_risk_caption() -> str:
    """The caption of the numbers at risk released with Figure 8, as a notebook tabulates them."""
    return ("**Numbers at risk of a first arrears** (released with Figure 8): rows, the year since origination "
            "(`time`; the first is the origination year); columns, mortgages within the LTI norm and high ones. "
            "A missing number (`NaN`) is cut or suppressed by the disclosure gate.")


def follow_up(data: pd.DataFrame) -> str:
    """The numbers at risk released with Figure 8 (``figure_8_data``) in sentences."""
    out = []
    for category, who in (("within", "Mortgages within the norm"), ("high", "High mortgages")):
        part = data.loc[data["category"].eq(category)].sort_values("time")
        shown = part.loc[part["n_at_risk"].notna()]
        hidden = part.loc[part["n_at_risk"].isna(), "time"]
        if shown.empty:
            out.append(f"{who}: every number at risk is {SUPPRESSED}.")
            continue
        a, b = shown.iloc[0], shown.iloc[-1]
        text = f"{who}: {int(a['n_at_risk']):,} at risk in year {int(a['time'])}"
        if len(shown) > 1:
            text += f", {int(b['n_at_risk']):,} still at risk in year {int(b['time'])}"
        if len(hidden):
            text += (f"; the number{'s' if len(hidden) > 1 else ''} of year{'s' if len(hidden) > 1 else ''} "
                     f"{years([int(t) for t in hidden])} {'are' if len(hidden) > 1 else 'is'} not released "
                     f"(cut or {SUPPRESSED} by the disclosure gate)")
        out.append(text + ".")
    return " ".join(out)


# --------------------------------------------------------------------------
# notebook 02: Figures 1-3, B1-B2, Tabel 1, S1, S2
# --------------------------------------------------------------------------
def figure_1(data: pd.DataFrame) -> str:
    """Figure 1 (the LTI x LTV grid of the 2017 cohort, ``figure_1_data``) in sentences."""
    hidden = data["share"].isna()
    shown = data.loc[~hidden]
    nonzero = shown.loc[shown["share"] > 0]
    if hidden.all():
        return f"Every cell of the grid is {SUPPRESSED}."
    many = "Most cells" if hidden.sum() > len(data) / 2 else ("Some cells" if hidden.any() else "No cell")
    text = f"{many} of the grid {'are' if many != 'No cell' else 'is'} {SUPPRESSED}."
    if nonzero.empty:
        text += (f" Every cell that holds any 2017 new mortgage is {SUPPRESSED}; the cells shown are the empty "
                 f"ones ({int(shown['n'].max()):,} mortgages), so the grid shows only where there are none.")
        return text
    big = nonzero.loc[nonzero["share"].idxmax()]
    n = f" ({int(big['n']):,} mortgages)" if pd.notna(big.get("n")) else ""
    return text + (f" The largest cell shown is LTI utilisation {big['lti_category']} with LTV utilisation "
                   f"{big['ltv_category']}: {big['share']:.1f}% of the 2017 new mortgages{n}.")


_QUADRANTS = {"Q1": "Q1 (within both norms)", "Q2": "Q2 (above the LTV limit only)",
              "Q3": "Q3 (above the LTI norm only)", "Q4": "Q4 (above both)"}


def quadrants(data: pd.DataFrame, *, population: str = "new mortgages") -> str:
    """Figures 2, 3, B1, B2 (quadrant shares per cohort, ``figure_*_data``) in sentences."""
    out = []
    cells = {q: data_cells(data.loc[data["quadrant"].eq(q)].set_index("cohort")["share"].to_dict())
             for q in _QUADRANTS}
    q1 = shown_cells(cells["Q1"])
    if q1:
        out.append(f"Of the {population}, {_QUADRANTS['Q1']} holds {extremes(cells['Q1'], note=False)}"
                   f"{suppressed_note(cells['Q1'])}.")
        half = {y: Cell("", 50.0, False) for y in cells["Q1"]}
        holds, fails = compare(cells["Q1"], half)
        out.append(every(holds, fails, what="Q1 holds more than half", where="where it is shown") + ".")
    else:
        out.append(f"{_QUADRANTS['Q1']} is {SUPPRESSED} in every cohort.")
    for q in ("Q2", "Q3", "Q4"):
        out.append(f"{_QUADRANTS[q]}: {extremes(cells[q])}.")
    return " ".join(out)


def table_1(table: pd.DataFrame, *, lang: str = "en", marker: str = "x") -> str:
    """Tabel 1 (share where WLT may have been applied, as released) in sentences."""
    names = _labels(lang)
    out = []
    for group, who in (("new_high_io", "new mortgages"), ("starters_high_io", "first-time buyers")):
        cells = row_cells(table, names[group], marker=marker, lang=lang)
        out.append(f"Of the high {who} with interest-only parts, the share that fits under the actual-cost "
                   f"test (WLT possibly applied) is {series(cells)}.")
    return " ".join(out)


def _variant_rows(table: pd.DataFrame, group: str, *, lang: str) -> dict[str, str]:
    """Variant -> row label of a sensitivity table (the ``(build)`` mark may follow the variant's label)."""
    names, built = _labels(lang), VARIANT_LABELS[lang]["built"]
    readings = {variant_label(v, as_built=False, lang=lang): v
                for v in VARIANT_LABELS[lang] if v not in ("table", "built")}
    standin = re.compile(re.escape(VARIANT_LABELS[lang]["table"]).replace(r"\{\}", r"(\d{4})"))
    out = {}
    for row in table.index:
        head, _, variant = str(row).partition(": ")
        if head != names[group]:
            continue
        variant = variant.removesuffix(built)
        if variant in readings:
            out[readings[variant]] = str(row)
        elif m := standin.fullmatch(variant):
            out[m.group(1)] = str(row)
    return out


def table_s1(table: pd.DataFrame, *, lang: str = "en", marker: str = "x") -> str:
    """S1 (Tabel 1 under each WLT reading beside the published Tabel 1, as released) in sentences."""
    out = []
    built_mark = VARIANT_LABELS[lang]["built"]
    for group, who in zip(S1_GROUPS, ("new mortgages", "first-time buyers"), strict=True):
        rows = _variant_rows(table, group, lang=lang)
        missing = {PUBLISHED, "toetsrente", "contract"} - set(rows)
        if missing:
            raise ValueError(f"S1 has no row for group {group!r}, variant(s) {sorted(missing)}; rows: "
                             f"{list(table.index)}")
        cells = {v: row_cells(table, r, marker=marker, lang=lang) for v, r in rows.items()}
        build = {v: " (the build)" if rows[v].endswith(built_mark) else "" for v in ("toetsrente", "contract")}
        text = (f"**High {who} with interest-only parts.** Published (AFM 2022): {series(cells[PUBLISHED])}. "
                f"IO part at the test rate{build['toetsrente']}: {series(cells['toetsrente'])}. "
                f"IO part at the contract rate{build['contract']}: {series(cells['contract'])}. ")
        higher, _ = compare(cells["contract"], cells["toetsrente"])
        lower, _ = compare(cells["contract"], cells["toetsrente"], lower=True)
        same = [y for y in cells["contract"] if y in cells["toetsrente"] and cells["contract"][y].value is not None
                and cells["contract"][y].value == cells["toetsrente"][y].value]
        if not (higher or lower or same):
            text += "No year shows both readings."
        else:
            found = [f"{phrase} in {years(ys)}" for phrase, ys in (
                ("the higher share", higher), ("the same share", same), ("the lower share", lower)) if ys]
            text += "Where both readings are shown, the contract-rate reading gives " + join(found) + "."
        out.append(text)
    return "\n\n".join(out)


def table_s2(table: pd.DataFrame, *, lang: str = "en", marker: str = "x") -> str:
    """S2 (high shares of 2016 and 2017 under stand-in norm tables, as released) in sentences."""
    names = _labels(lang)
    built_mark = VARIANT_LABELS[lang]["built"]
    out = []
    for group in S2_GROUPS:
        rows = _variant_rows(table, group, lang=lang)
        standins = sorted(v for v in rows if v.isdigit())
        if not standins:
            raise ValueError(f"S2 has no stand-in row for group {group!r}; rows: {list(table.index)}")
        cells = {v: row_cells(table, rows[v], marker=marker, lang=lang) for v in standins}
        for year in sorted(next(iter(cells.values()))):
            shown, hidden = [], []
            for v in sorted(standins, reverse=True):
                c = cells[v][year]
                tag = f"the {v} table{' (the build)' if rows[v].endswith(built_mark) else ''}"
                if c.value is not None:
                    shown.append(f"{c.text} with {tag}")
                elif c.suppressed:
                    hidden.append(tag)
            who = names[group].lower() if lang == "en" else names[group]
            text = f"{year}, {who}: "
            if shown:
                text += f"the share of high mortgages is {join(shown)}"
                if hidden:
                    text += f"; with {join(hidden)} it is {SUPPRESSED}"
            else:
                text += f"the share of high mortgages is {SUPPRESSED} under every table"
            out.append(f"- {text}.")
    return "\n".join(out)


# --------------------------------------------------------------------------
# notebook 03: Figures 4-6, Tabel 2, Tabel B5
# --------------------------------------------------------------------------
_FIGURE_GROUPS = {"new": "all new mortgages", "new_high": "high mortgages",
                  "starters": "first-time buyers", "starters_high": "first-time buyers with high mortgages"}
#: The groups of the tables and figures as the sentences name them (English).
_WHO = {**_FIGURE_GROUPS, T.STOCK: "the stock"}


def _group_cells(data: pd.DataFrame, group: str, *, column: str = "value") -> dict[int, Cell]:
    part = data.loc[data["group"].eq(group)].set_index("cohort")[column]
    return data_cells(part.to_dict())


def figure_4(data: pd.DataFrame) -> str:
    """Figure 4 (mean gross household income per group, ``figure_4_data``) in sentences.

    The means are in euros; they are compared, not quoted (a rounded amount
    is not a released number).
    """
    cells = {g: _group_cells(data, g) for g in _FIGURE_GROUPS}
    out = []
    for a, b, what in (("new_high", "new", "high mortgages have a lower mean income than all new mortgages"),
                       ("starters", "new", "first-time buyers have a lower mean income than all new mortgages"),
                       ("starters_high", "starters", "first-time buyers with high mortgages have a lower mean "
                                                     "income than all first-time buyers")):
        holds, fails = compare(cells[a], cells[b], lower=True)
        out.append(every(holds, fails, what=what) + ".")
    hidden = [f"{_FIGURE_GROUPS[g]} in {years(hidden_years(cells[g]))}"
              for g in _FIGURE_GROUPS if hidden_years(cells[g])]
    if hidden:
        out.append(f"The mean is {SUPPRESSED} for {join(hidden)}.")
    return " ".join(out)


def figure_5(data: pd.DataFrame) -> str:
    """Figure 5 (share with interest-only parts per group, ``figure_5_data``) in sentences."""
    out, falls, rises = [], [], []
    for g, who in _FIGURE_GROUPS.items():
        cells = _group_cells(data, g)
        out.append(f"- {who[0].upper() + who[1:]}: {span(cells)}.")
        shown = list(shown_cells(cells).values())
        if len(shown) >= 2:
            (falls if shown[-1].value < shown[0].value else rises).append(who)
    summary = []
    if falls:
        summary.append(f"The share falls from the first to the last cohort shown for {join(falls)}")
    if rises:
        summary.append(f"it does not fall for {join(rises)}")
    head = "; ".join(summary) + "." if summary else "No group has two cohorts shown."
    return "\n".join([head[0].upper() + head[1:], "", *out])


def figure_6(data: pd.DataFrame) -> str:
    """Figure 6 (median income growth since origination, ``figure_6_data``) in sentences."""
    def cells(group: str, column: str) -> dict[int, Cell]:
        part = data.loc[data["group"].eq(group)].set_index("years_since_origination")[column]
        return data_cells(part.to_dict())

    med = {g: cells(g, "median_growth") for g in ("starters", "new")}
    holds, fails = compare(med["starters"], med["new"])
    holds = [t for t in holds if t > 0]
    fails = [t for t in fails if t > 0]
    both = sorted(set(holds) | set(fails))
    if not both:
        return f"No year after origination has the median growth of both groups shown ({SUPPRESSED} or missing)."
    last = both[-1]
    row = data.loc[data["group"].eq("starters") & data["years_since_origination"].eq(last)].iloc[0]
    other = data.loc[data["group"].eq("new") & data["years_since_origination"].eq(last)].iloc[0]
    n = f", N = {int(row['n']):,}" if pd.notna(row["n"]) else ""
    n_other = f" (N = {int(other['n']):,})" if pd.notna(other["n"]) else ""
    text = (f"After {last} year{'s' if last != 1 else ''} the median income of first-time buyers has grown by "
            f"{row['median_growth']:.1f}% "
            f"(interquartile range {row['p25_growth']:.1f}% to {row['p75_growth']:.1f}%{n}), against "
            f"{other['median_growth']:.1f}% for all new mortgages{n_other}. ")
    text += every(holds, fails, what="first-time buyers' median growth is the higher",
                  where="after origination where both are shown", label="year{s} ") + "."
    hidden = [f"{'first-time buyers' if g == 'starters' else 'all new mortgages'} in year "
              f"{join([str(t) for t in hidden_years(med[g])])}" for g in med if hidden_years(med[g])]
    if hidden:
        text += f" The median is {SUPPRESSED} for {join(hidden)}."
    return text


def table_2(table: pd.DataFrame, *, lang: str = "en", marker: str = "x") -> str:
    """Tabel 2 (share of households with NHG, as released) in sentences."""
    names = _labels(lang)
    cells = {g: column_cells(table, names[g], marker=marker, lang=lang) for g in (*T.GROUPS, T.STOCK)}
    holds, fails = compare(cells["starters"], cells["new"])
    example = ""
    if holds:
        y = holds[-1]
        example = f"{y}: {cells['starters'][y].text} against {cells['new'][y].text}"
    first = every(holds, fails, what="first-time buyers more often have NHG than all new mortgages",
                   example=example)
    lowest, not_lowest = [], []
    for y in sorted(cells[T.STOCK]):
        stock = cells[T.STOCK][y].value
        others = [cells[g][y].value for g in T.GROUPS if cells[g][y].value is not None]
        if stock is None or not others:
            continue
        (lowest if stock < min(others) else not_lowest).append(y)
    stock = every(lowest, not_lowest, what="the stock has the lowest NHG share of the groups shown",
                  where="shown")
    hidden = [f"{_WHO[g]} ({years(hidden_years(cells[g]))})" for g in (*T.GROUPS, T.STOCK) if hidden_years(cells[g])]
    out = first + ". " + stock + "."
    if hidden:
        out += f" {SUPPRESSED.capitalize()}: {join(hidden)}."
    return out


def table_b5(table: pd.DataFrame, *, lang: str = "en", marker: str = "x") -> str:
    """Tabel B5 (median net wealth excluding the own home, euro, as released) in sentences."""
    names = _labels(lang)
    cells = {g: column_cells(table, names[g], marker=marker, lang=lang) for g in (*T.GROUPS, T.STOCK)}
    out = []
    for g, who in (("starters", "first-time buyers"), ("starters_high", "first-time buyers with high mortgages")):
        holds, fails = compare(cells[g], cells[T.STOCK], lower=True)
        example = ""
        if holds:
            y = holds[-1]
            example = f"{y}: {cells[g][y].text} against {cells[T.STOCK][y].text} euro"
        out.append(every(holds, fails, what=f"{who} have less net wealth than the stock", example=example) + ".")
    least, not_least = [], []
    for y in sorted(cells["starters_high"]):
        value = cells["starters_high"][y].value
        others = [cells[g][y].value for g in (*T.GROUPS, T.STOCK) if g != "starters_high"
                  and cells[g][y].value is not None]
        if value is None or not others:
            continue
        (least if value < min(others) else not_least).append(y)
    out.append(every(least, not_least, what="first-time buyers with high mortgages have the least net wealth of "
                                          "the groups shown", where="shown") + ".")
    hidden = [f"{_WHO[g]} ({years(hidden_years(cells[g]))})" for g in (*T.GROUPS, T.STOCK) if hidden_years(cells[g])]
    if hidden:
        out.append(f"{SUPPRESSED.capitalize()}: {join(hidden)}.")
    return " ".join(out)


# --------------------------------------------------------------------------
# alt text
# --------------------------------------------------------------------------
#: What each figure draws (the alt text starts with it; no numbers, so nothing here needs releasing).
DESCRIPTIONS: Mapping[str, str] = {
    "figure_1": "Heat map of the share of the 2017 new mortgages in each cell of LTI utilisation (rows) by LTV "
                "utilisation (columns); lines mark the full norm on both axes; suppressed cells are hatched and "
                "marked x.",
    "figure_2": "Stacked bars per origination year: the share of new mortgages in each quadrant of LTI by LTV "
                "utilisation, above meaning above the full norm; suppressed segments are left out and marked x.",
    "figure_3": "Stacked bars per origination year: the share of new mortgages in each quadrant of LTI by LTV "
                "utilisation, above meaning at or above nine tenths of the norm; suppressed segments are left "
                "out and marked x.",
    "figure_b1": "Stacked bars per origination year: the share of first-time buyers in each quadrant of LTI by LTV "
                 "utilisation, above meaning above the full norm; suppressed segments are left out and marked x.",
    "figure_b2": "Stacked bars per origination year: the share of first-time buyers in each quadrant of LTI by LTV "
                 "utilisation, above meaning at or above nine tenths of the norm; suppressed segments are left "
                 "out and marked x.",
    "figure_4": "Line chart per origination year: mean gross household income of all new mortgages, high "
                "mortgages, first-time buyers and first-time buyers with high mortgages; suppressed points are "
                "left out.",
    "figure_5": "Line chart per origination year: the share of households with interest-only parts, for the same "
                "four groups; suppressed points are left out.",
    "figure_6": "Line chart of the median income growth since the origination year for first-time buyers, with "
                "the interquartile range as a band, and for all new mortgages; the number of households per "
                "year is printed under the axis.",
}

_SUMMARIES = {"figure_1": figure_1, "figure_4": figure_4, "figure_5": figure_5, "figure_6": figure_6,
              "figure_2": quadrants, "figure_3": quadrants,
              "figure_b1": lambda d: quadrants(d, population="first-time buyers"),
              "figure_b2": lambda d: quadrants(d, population="first-time buyers")}


def summary(name: str, data: pd.DataFrame) -> str:
    """The sentences on a figure (Markdown), from its released data."""
    if name not in _SUMMARIES:
        raise ValueError(f"no summary for figure {name!r}; known: {', '.join(_SUMMARIES)}")
    return _SUMMARIES[name](data)


def alt_text(name: str, data: pd.DataFrame) -> str:
    """Alt text of a figure: what it draws, then what it shows (:func:`summary`), as plain text."""
    if name not in DESCRIPTIONS:
        raise ValueError(f"no alt text for figure {name!r}; known: {', '.join(DESCRIPTIONS)}")
    text = plain(summary(name, data)).replace("\n- ", " ").replace("\n", " ")
    return f"{DESCRIPTIONS[name]} {re.sub(' +', ' ', text).strip()}"
