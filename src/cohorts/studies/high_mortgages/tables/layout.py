"""The report's layout and number formats: :func:`wide`, :func:`format_table`, :func:`to_latex`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts.studies.high_mortgages.tables.populations import _check_lang, GROUP_LABELS, NUMBER_FORMATS


# --------------------------------------------------------------------------
# layout and formats
# --------------------------------------------------------------------------
def wide(table: pd.DataFrame, *, column: str = "value", lang: str = "en", labels: bool = False) -> pd.DataFrame:
    """The report's layout of a tidy table.

    Cohort years are rows and groups columns, in the report's order; Tabel 1
    (groups ``*_io``) has years as columns, as printed.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy table from one of the ``table_*`` functions.
    column : str, default "value"
        Which tidy column to spread (``"value"`` or ``"n"``).
    lang : {"en", "nl"}, default "en"
        Language of the labels when ``labels`` is True.
    labels : bool, default False
        Replace group ids by readable labels.

    Returns
    -------
    pandas.DataFrame
    """
    _check_lang(lang)
    if "variant" in table.columns:  # a sensitivity table (S1, S2): one row per group and variant
        from cohorts.studies.high_mortgages.sensitivity_tables import wide_variants

        return wide_variants(table, column=column, lang=lang, labels=labels)
    order = list(dict.fromkeys(table["group"]))
    out = table.pivot(index="cohort", columns="group", values=column)[order]
    out.columns.name = None
    years_as_columns = all(g.endswith("_io") for g in order)
    if years_as_columns:
        out = out.T
        out.index.name = "group"
        out.columns = [str(c) for c in out.columns]
    if labels:
        names = GROUP_LABELS[lang]
        if years_as_columns:
            out.index = [names.get(g, g) for g in out.index]
            out.index.name = ""
        else:
            out.columns = [names.get(g, g) for g in out.columns]
            out.index.name = names["cohort"]
    return out


def format_number(value: float, *, decimals: int, suffix: str = "", lang: str = "en") -> str:
    """Format a number as the report does.

    English uses a decimal point and comma thousands separators; Dutch a
    decimal comma and dot thousands separators (``40.442``, ``4,89%``).  NaN
    becomes ``"-"``.

    Examples
    --------
    >>> format_number(40442, decimals=0)
    '40,442'
    >>> format_number(4.886, decimals=2, suffix="%", lang="nl")
    '4,89%'
    """
    _check_lang(lang)
    if value is None or not np.isfinite(value):
        return "-"
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text + suffix


def format_table(table: pd.DataFrame, *, lang: str = "en", marker: str = "x") -> pd.DataFrame:
    """The wide table as strings in the report's number format (see :data:`NUMBER_FORMATS`).

    A table released by the disclosure gate (:mod:`cohorts.disclosure`) has a
    ``disclosure`` column; cells with a suppression note there show ``marker``
    instead of a number (an ``empty`` note, no units, shows ``-``).
    """
    tid = str(table["table"].iloc[0])
    decimals, suffix = NUMBER_FORMATS[tid]
    w = wide(table, lang=lang, labels=True)
    out = w.map(lambda v: format_number(v, decimals=decimals, suffix=suffix, lang=lang))
    if "disclosure" in table.columns:
        note = table["disclosure"].fillna("").astype(str)
        flag = table.assign(_flag=note.ne("") & ~note.str.startswith("empty"))
        flagged = wide(flag, column="_flag", lang=lang, labels=True).astype(bool).to_numpy()
        out = out.mask(flagged, marker)
    return out


def _latex_escape(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"), ("#", r"\#"),
                 ("$", r"\$"), (">", r"$>$"), ("<", r"$<$")):
        text = text.replace(a, b)
    return text


def to_latex(
    table: pd.DataFrame, *, lang: str = "en", caption: str | None = None, label: str | None = None, marker: str = "x"
) -> str:
    """A booktabs LaTeX tabular of a tidy table, in the report's layout and number format.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy table from one of the ``table_*`` functions.
    lang : {"en", "nl"}, default "en"
        Labels and number format.
    caption, label : str, optional
        When given, the tabular is wrapped in a ``table`` float with them.
    marker : str, default "x"
        Shown in cells suppressed by the disclosure gate (see :func:`format_table`).

    Returns
    -------
    str
        LaTeX source (needs ``\\usepackage{booktabs}``).
    """
    f = format_table(table, lang=lang, marker=marker)
    head = [_latex_escape(str(f.index.name or ""))] + [_latex_escape(str(c)) for c in f.columns]
    lines = [r"\begin{tabular}{l" + "r" * f.shape[1] + "}", r"\toprule", " & ".join(head) + r" \\", r"\midrule"]
    for idx, row in f.iterrows():
        lines.append(" & ".join([_latex_escape(str(idx))] + [_latex_escape(v) for v in row]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    body = "\n".join(lines)
    if caption is None and label is None:
        return body + "\n"
    parts = [r"\begin{table}[htbp]", r"\centering", r"\small"]
    if caption is not None:
        parts.append(r"\caption{" + _latex_escape(caption) + "}")
    if label is not None:
        parts.append(r"\label{" + label + "}")
    parts += [r"\resizebox{\linewidth}{!}{%", body + "}", r"\end{table}"]
    return "\n".join(parts) + "\n"
