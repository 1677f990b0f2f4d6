# Reference values for the cohorts.survival tests, computed with R's survival package.
#
# Run from the repository root, after `python tests/reference/make_data.py`:
#     Rscript tests/reference/make_reference.R
# It reads study.csv and rossi.csv beside this script and writes expected_*.csv
# (all numbers at 17 significant digits) and sessionInfo.txt.

suppressPackageStartupMessages(library(survival))
options(digits = 17)

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
study <- read.csv(file.path(here, "study.csv"))
rossi <- read.csv(file.path(here, "rossi.csv"))
toy <- read.csv(file.path(here, "toy.csv"))

fmt <- function(x) sprintf("%.17g", x)  # full precision, no padding
write_ref <- function(df, name) {
  num <- vapply(df, is.numeric, logical(1))
  df[num] <- lapply(df[num], function(x) ifelse(is.na(x), NA, fmt(x)))
  write.csv(df, file.path(here, name), row.names = FALSE, quote = TRUE, na = "")
}

# ---------------------------------------------------------------- Kaplan-Meier
km_rows <- function(fit, model, conf_type) {
  if (is.null(fit$strata)) {
    grp <- rep("all", length(fit$time))
  } else {
    grp <- rep(sub("^.*=", "", names(fit$strata)), fit$strata)
  }
  data.frame(model = model, conf_type = conf_type, group = grp, time = fit$time,
             n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
             surv = fit$surv, std_err = fit$std.err, lower = fit$lower, upper = fit$upper)
}
km_specs <- list(
  study_all = list(f = Surv(duration, event) ~ 1, d = study, w = NULL),
  study_by_high = list(f = Surv(duration, event) ~ high, d = study, w = NULL),
  study_by_cohort = list(f = Surv(duration, event) ~ cohort, d = study, w = NULL),
  study_by_high_weighted = list(f = Surv(duration, event) ~ high, d = study, w = "w"),
  study_by_high_intweighted = list(f = Surv(duration, event) ~ high, d = study, w = "wi"),
  rossi_by_fin = list(f = Surv(week, arrest) ~ fin, d = rossi, w = NULL),
  toy_by_grp = list(f = Surv(time, status) ~ grp, d = toy, w = NULL)
)
km <- list(); med <- list()
for (m in names(km_specs)) {
  s <- km_specs[[m]]
  for (ct in c("log-log", "log", "plain")) {
    if (is.null(s$w)) {
      fit <- survfit(s$f, data = s$d, conf.type = ct)
    } else {
      fit <- survfit(s$f, data = s$d, conf.type = ct, weights = s$d[[s$w]])
    }
    km[[length(km) + 1]] <- km_rows(fit, m, ct)
  }
  tab <- summary(fit)$table
  if (is.null(dim(tab))) tab <- t(as.matrix(tab))
  grp <- if (is.null(fit$strata)) "all" else sub("^.*=", "", names(fit$strata))
  med[[length(med) + 1]] <- data.frame(model = m, group = grp, median = unname(tab[, "median"]))
}
write_ref(do.call(rbind, km), "expected_km.csv")

# survival at chosen horizons, as summary(fit, times = ...) reports it
at <- list()
for (m in c("study_by_high", "rossi_by_fin")) {
  s <- km_specs[[m]]
  fit <- survfit(s$f, data = s$d, conf.type = "log-log")
  hs <- if (startsWith(m, "study")) c(0.5, 1, 2, 3, 3.5, 4, 5, 6, 7) else c(1, 10, 20.5, 52)
  sm <- summary(fit, times = hs, extend = TRUE)
  at[[length(at) + 1]] <- data.frame(model = m, group = sub("^.*=", "", as.character(sm$strata)),
                                     time = sm$time, n_risk = sm$n.risk, surv = sm$surv,
                                     lower = sm$lower, upper = sm$upper)
}
write_ref(do.call(rbind, at), "expected_km_at.csv")
write_ref(do.call(rbind, med), "expected_km_median.csv")

# ---------------------------------------------------------------- log-rank (survdiff, rho = 0)
lr_specs <- list(
  study_high = Surv(duration, event) ~ high,
  study_cohort = Surv(duration, event) ~ cohort,
  study_high_strata_starter = Surv(duration, event) ~ high + strata(starter),
  rossi_fin = Surv(week, arrest) ~ fin,
  rossi_wexp_strata_race_mar = Surv(week, arrest) ~ wexp + strata(race, mar)
)
lr <- list(); lrg <- list()
for (m in names(lr_specs)) {
  d <- if (startsWith(m, "study")) study else rossi
  sd <- survdiff(lr_specs[[m]], data = d, rho = 0)
  df <- length(sd$n) - 1
  lr[[length(lr) + 1]] <- data.frame(model = m, chisq = sd$chisq, df = df,
                                     p = pchisq(sd$chisq, df, lower.tail = FALSE))
  lrg[[length(lrg) + 1]] <- data.frame(model = m, group = sub("^.*=", "", names(sd$n)),
                                       n = as.numeric(sd$n),
                                       observed = if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs,
                                       expected = if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp)
}
write_ref(do.call(rbind, lr), "expected_logrank.csv")
write_ref(do.call(rbind, lrg), "expected_logrank_groups.csv")

# pairwise log-rank tests between cohorts, each pair on its own rows, Holm-adjusted
lv <- sort(unique(study$cohort))
pw <- list()
for (i in seq_along(lv)) for (j in seq_along(lv)) if (i < j) {
  sub <- study[study$cohort %in% c(lv[i], lv[j]), ]
  sd <- survdiff(Surv(duration, event) ~ cohort, data = sub)
  pw[[length(pw) + 1]] <- data.frame(group1 = lv[i], group2 = lv[j], chisq = sd$chisq,
                                     p = pchisq(sd$chisq, 1, lower.tail = FALSE))
}
pw <- do.call(rbind, pw)
pw$p_holm <- p.adjust(pw$p, method = "holm")
pw$p_bh <- p.adjust(pw$p, method = "BH")
write_ref(pw, "expected_logrank_pairwise.csv")

# ---------------------------------------------------------------- Cox (coxph)
study$cohort_f <- factor(study$cohort)
fs <- Surv(duration, event) ~ high + starter + nhg + cohort_f
fr <- Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio
cox_specs <- list(
  study_efron = list(fit = coxph(fs, data = study, ties = "efron")),
  study_breslow = list(fit = coxph(fs, data = study, ties = "breslow")),
  study_strata = list(fit = coxph(Surv(duration, event) ~ high + nhg + cohort_f + strata(starter),
                                  data = study, ties = "efron")),
  study_robust = list(fit = coxph(fs, data = study, ties = "efron", robust = TRUE)),
  study_breslow_robust = list(fit = coxph(fs, data = study, ties = "breslow", robust = TRUE)),
  study_cluster = list(fit = coxph(fs, data = study, ties = "efron", cluster = lender)),
  study_strata_cluster = list(fit = coxph(Surv(duration, event) ~ high + nhg + strata(starter),
                                          data = study, ties = "efron", cluster = lender)),
  rossi_efron = list(fit = coxph(fr, data = rossi, ties = "efron")),
  rossi_breslow = list(fit = coxph(fr, data = rossi, ties = "breslow")),
  rossi_strata = list(fit = coxph(Surv(week, arrest) ~ fin + age + prio + paro + strata(race, wexp),
                                  data = rossi, ties = "efron")),
  rossi_robust = list(fit = coxph(fr, data = rossi, ties = "efron", robust = TRUE))
)
cx <- list(); zp <- list()
for (m in names(cox_specs)) {
  fit <- cox_specs[[m]]$fit
  naive <- if (is.null(fit$naive.var)) fit$var else fit$naive.var
  cx[[length(cx) + 1]] <- data.frame(
    model = m, term = names(coef(fit)), coef = unname(coef(fit)),
    se = sqrt(diag(fit$var)), naive_se = sqrt(diag(naive)),
    loglik_null = fit$loglik[1], loglik = fit$loglik[2],
    concordance = unname(fit$concordance["concordance"]),
    n = fit$n, nevent = fit$nevent, iter = fit$iter)
  if (m %in% c("study_efron", "study_breslow", "study_strata", "rossi_efron", "rossi_breslow", "rossi_strata")) {
    for (tr in c("km", "identity", "rank", "log")) {
      z <- cox.zph(fit, transform = tr)
      zp[[length(zp) + 1]] <- data.frame(model = m, transform = tr, terms = TRUE,
                                         term = rownames(z$table), chisq = z$table[, "chisq"],
                                         df = z$table[, "df"], p = z$table[, "p"])
    }
    z <- cox.zph(fit, transform = "km", terms = FALSE)
    zp[[length(zp) + 1]] <- data.frame(model = m, transform = "km", terms = FALSE,
                                       term = rownames(z$table), chisq = z$table[, "chisq"],
                                       df = z$table[, "df"], p = z$table[, "p"])
  }
}
write_ref(do.call(rbind, cx), "expected_cox.csv")
write_ref(do.call(rbind, zp), "expected_zph.csv")

# ---------------------------------------------------------------- Aalen-Johansen (multi-state survfit)
study$state <- factor(ifelse(study$exit_type == "observed_end", "censor", study$exit_type),
                      levels = c("censor", "arrears", "left"))
aj <- list()
for (spec in list(list(m = "study_all", f = Surv(duration, state) ~ 1),
                  list(m = "study_by_high", f = Surv(duration, state) ~ high))) {
  fit <- survfit(spec$f, data = study, id = id)
  grp <- if (is.null(fit$strata)) rep("all", length(fit$time)) else
    rep(sub("^.*=", "", names(fit$strata)), fit$strata)
  k <- match("arrears", fit$states)
  aj[[length(aj) + 1]] <- data.frame(
    model = spec$m, group = grp, time = fit$time, n_risk = fit$n.risk[, 1],
    cif = fit$pstate[, k], std_err = fit$std.err[, k],
    lower = fit$lower[, k], upper = fit$upper[, k],
    cif_left = fit$pstate[, match("left", fit$states)])
}
write_ref(do.call(rbind, aj), "expected_cif.csv")

# ---------------------------------------------------------------- discrete-time (glm on person-years)
pp <- study[rep(seq_len(nrow(study)), study$duration), c("id", "duration", "event", "high", "starter", "nhg", "cohort")]
pp$period <- ave(pp$id, pp$id, FUN = seq_along)
pp$y <- as.integer(pp$event == 1 & pp$period == pp$duration)
disc <- list()
for (lk in c("cloglog", "logit")) {
  g <- glm(y ~ 0 + factor(period) + high + starter + nhg + factor(cohort),
           family = binomial(link = lk), data = pp, control = glm.control(epsilon = 1e-14, maxit = 100))
  cf <- summary(g)$coefficients
  disc[[length(disc) + 1]] <- data.frame(model = paste0("study_", lk), term = rownames(cf),
                                         coef = cf[, 1], se = cf[, 2], loglik = as.numeric(logLik(g)),
                                         n_person_years = nrow(pp))
}
write_ref(do.call(rbind, disc), "expected_discrete.csv")

# ================================================================ inference: intervals, z, p, tests
# Everything below only adds files; the sections above are unchanged.

# ---------------------------------------------------------------- Cox: summary(coxph) inference
# conf.int: exp(coef) with Wald limits exp(coef -/+ qnorm(1 - (1 - level) / 2) se), se robust if the fit is;
# z and two-sided p as summary() prints them ("Pr(>|z|)"); level .95 for every model, also .90 for two.
ci <- list(); ct <- list()
for (m in names(cox_specs)) {
  fit <- cox_specs[[m]]$fit
  for (level in if (m %in% c("study_efron", "rossi_efron")) c(0.95, 0.90) else 0.95) {
    s <- summary(fit, conf.int = level)
    cf <- s$coefficients
    ci[[length(ci) + 1]] <- data.frame(
      model = m, level = level, term = rownames(cf), coef = cf[, "coef"],
      exp_coef = s$conf.int[, "exp(coef)"], lower = s$conf.int[, 3], upper = s$conf.int[, 4],
      z = cf[, "z"], p = cf[, "Pr(>|z|)"])
  }
  # the tests summary() prints, from the unrounded fit components (summary() rounds the Wald statistic)
  df <- sum(!is.na(coef(fit)))
  tests <- c(likelihood_ratio = -2 * (fit$loglik[1] - fit$loglik[2]), wald = unname(fit$wald.test),
             score = unname(fit$score))
  if (!is.null(fit$rscore)) tests["robust_score"] <- fit$rscore
  ct[[length(ct) + 1]] <- data.frame(model = m, test = names(tests), statistic = unname(tests), df = df,
                                     p = pchisq(unname(tests), df, lower.tail = FALSE))
}
write_ref(do.call(rbind, ci), "expected_cox_ci.csv")
write_ref(do.call(rbind, ct), "expected_cox_tests.csv")

# ---------------------------------------------------------------- discrete-time: Wald intervals, z, p
# The same glm fits as expected_discrete.csv; intervals are confint.default() (Wald, normal quantile),
# not the profile-likelihood confint() of MASS.
dci <- list()
for (lk in c("cloglog", "logit")) {
  g <- glm(y ~ 0 + factor(period) + high + starter + nhg + factor(cohort),
           family = binomial(link = lk), data = pp, control = glm.control(epsilon = 1e-14, maxit = 100))
  cf <- summary(g)$coefficients
  for (level in c(0.95, 0.90)) {
    w <- confint.default(g, level = level)
    dci[[length(dci) + 1]] <- data.frame(model = paste0("study_", lk), level = level, term = rownames(cf),
                                         coef = cf[, 1], lower = w[, 1], upper = w[, 2],
                                         exp_lower = exp(w[, 1]), exp_upper = exp(w[, 2]),
                                         z = cf[, "z value"], p = cf[, "Pr(>|z|)"])
  }
}
write_ref(do.call(rbind, dci), "expected_discrete_ci.csv")

# ---------------------------------------------------------------- Kaplan-Meier cumulative incidence 1 - S
# summary(fit, times =, extend = TRUE) for each conf.type; cum_inc = 1 - surv, its interval (1 - upper, 1 - lower).
study_starters <- study[study$starter == 1, ]
ci_specs <- list(
  study_all = list(f = Surv(duration, event) ~ 1, d = study, w = NULL),
  study_by_high = list(f = Surv(duration, event) ~ high, d = study, w = NULL),
  study_starters_by_high = list(f = Surv(duration, event) ~ high, d = study_starters, w = NULL),
  study_by_cohort = list(f = Surv(duration, event) ~ cohort, d = study, w = NULL),
  study_by_high_weighted = list(f = Surv(duration, event) ~ high, d = study, w = "w"),
  rossi_by_fin = list(f = Surv(week, arrest) ~ fin, d = rossi, w = NULL)
)
kc <- list()
for (m in names(ci_specs)) {
  s <- ci_specs[[m]]
  hs <- if (startsWith(m, "study")) c(0.5, 1, 2, 3, 3.5, 4, 5, 6, 7) else c(1, 10, 20.5, 52)
  for (ct_ in c("log-log", "log", "plain")) {
    if (is.null(s$w)) {
      fit <- survfit(s$f, data = s$d, conf.type = ct_)
    } else {
      fit <- survfit(s$f, data = s$d, conf.type = ct_, weights = s$d[[s$w]])
    }
    sm <- summary(fit, times = hs, extend = TRUE)
    grp <- if (is.null(sm$strata)) rep("all", length(sm$time)) else sub("^.*=", "", as.character(sm$strata))
    kc[[length(kc) + 1]] <- data.frame(model = m, conf_type = ct_, group = grp, time = sm$time,
                                       n_risk = sm$n.risk, cum_inc = 1 - sm$surv,
                                       cum_inc_lower = 1 - sm$upper, cum_inc_upper = 1 - sm$lower)
  }
}
write_ref(do.call(rbind, kc), "expected_km_cuminc.csv")

# ---------------------------------------------------------------- threshold sweep: above vs within
# The sweep compares "above" (here: high == 1) with "within" per population by a univariable Cox model
# (Efron), the log-rank test, 1 - KM (log-log) and the Aalen-Johansen CIF (log) at times 1..7.
sw <- list(); swc <- list()
for (pop in c("all", "starters")) {
  d <- if (pop == "all") study else study_starters
  fit <- coxph(Surv(duration, event) ~ high, data = d, ties = "efron")
  s <- summary(fit)
  sd <- survdiff(Surv(duration, event) ~ high, data = d)
  sw[[length(sw) + 1]] <- data.frame(population = pop, hr = s$conf.int[1, "exp(coef)"],
                                     hr_lower = s$conf.int[1, 3], hr_upper = s$conf.int[1, 4],
                                     z = s$coefficients[1, "z"], p = s$coefficients[1, "Pr(>|z|)"],
                                     logrank_chisq = sd$chisq,
                                     logrank_p = pchisq(sd$chisq, 1, lower.tail = FALSE))
  ms <- survfit(Surv(duration, state) ~ high, data = d, id = id)
  sm <- summary(ms, times = 1:7, extend = TRUE)
  k <- match("arrears", sm$states)
  swc[[length(swc) + 1]] <- data.frame(population = pop, group = sub("^.*=", "", as.character(sm$strata)),
                                       time = sm$time, cif = sm$pstate[, k],
                                       cif_lower = sm$lower[, k], cif_upper = sm$upper[, k])
}
write_ref(do.call(rbind, sw), "expected_sweep.csv")
write_ref(do.call(rbind, swc), "expected_sweep_cif.csv")

# ---------------------------------------------------------------- log-rank: O - E and its variance per group
lv_ <- list()
for (m in names(lr_specs)) {
  d <- if (startsWith(m, "study")) study else rossi
  sd <- survdiff(lr_specs[[m]], data = d, rho = 0)
  o <- if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs
  e <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
  lv_[[length(lv_) + 1]] <- data.frame(model = m, group = sub("^.*=", "", names(sd$n)),
                                       o_minus_e = o - e, variance = diag(sd$var))
}
write_ref(do.call(rbind, lv_), "expected_logrank_var.csv")

writeLines(capture.output(sessionInfo()), file.path(here, "sessionInfo.txt"))
