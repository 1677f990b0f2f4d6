# Time the benchmark Cox model (Efron ties) in R, on the same rows as benchmarks/run.py's "cox" stage.
# Usage: Rscript benchmarks/cox.R BUILD_DIR/cohorts.parquet   (reads cox_input.csv written beside it)
# Prints "inner_seconds <s>" for the fit alone, like the Python stages.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
csv <- file.path(dirname(args[1]), "cox_input.csv")
d <- read.csv(csv)
d$cohort <- factor(d$cohort)
t0 <- proc.time()[["elapsed"]]
fit <- coxph(Surv(duration, event) ~ high + starter + nhg + zzp + ltv + interest_rate + cohort,
             data = d, ties = "efron")
cat("inner_seconds", proc.time()[["elapsed"]] - t0, "\n")
