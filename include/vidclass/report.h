/*
 * vidclass/report.h - evaluation outputs: scikit-learn's classification_report text, the
 * training history as CSV, and the loss/accuracy plot (PLplot, pngcairo device).
 */
#ifndef VIDCLASS_REPORT_H
#define VIDCLASS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Format exactly as sklearn.metrics.classification_report(y_true, y_pred,
 * target_names=names, digits=2, zero_division=0): per-class precision, recall, f1-score,
 * support; accuracy; macro avg; weighted avg. Returns VC_OK or VC_ERR_INVALID_ARG if buf
 * is too small.
 */
int vc_report_classification(const char *const *names, int n_classes, const int32_t *y_true,
                             const int32_t *y_pred, int64_t n, char *buf, size_t len);

struct vc_history {
    int     n_epochs;
    double *loss, *accuracy, *val_loss, *val_accuracy; /* [n_epochs] */
};

/** history.csv: epoch,loss,accuracy,val_loss,val_accuracy (epochs from 1). */
int vc_history_write_csv(const struct vc_history *h, const char *path);

/**
 * plot.png: the four curves against the epoch, as the reference tutorial draws them.
 * PLplot terminates the process on internal fatal errors, so callers make this their last
 * step; the likely failures (no pngcairo driver, unwritable path) are checked first and
 * returned as errors.
 */
int vc_history_plot(const struct vc_history *h, const char *title, const char *path);

#ifdef __cplusplus
}
#endif
#endif
