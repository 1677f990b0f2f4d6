"""AFM study on interest-only mortgages and their refinancing risk at maturity (in progress).

Not registered in :data:`cohorts.studies.REGISTRY` until it provides what a study must
(``docs/studies.md``).  The specification is the method checklist of the study's targets
(``docs/io_refinancing.md``).
"""
