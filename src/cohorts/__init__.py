"""cohorts: survival analysis of Dutch mortgage arrears.

Pipeline (one module per stage, pure DataFrame -> DataFrame functions):

raw extracts or synthetic twin -> :mod:`cohorts.contracts` (validate) ->
:mod:`cohorts.link` (loan parts -> mortgages -> households) ->
:mod:`cohorts.cohort` (origination cohorts, finances at t+1, follow-up) ->
:mod:`cohorts.norms` (Trhk lending norm) -> :mod:`cohorts.survival`.

Files are read and written only by :mod:`cohorts.io` and the CLI.
"""

__version__ = "0.1.0"
