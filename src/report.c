/* report.c - classification report (sklearn layout), history CSV, PLplot figure. */
#include "vidclass/report.h"
#include "vidclass/status.h"

#include <errno.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APPEND(...)                                                              \
    do {                                                                         \
        int w_ = snprintf(buf + off, off < len ? len - off : 0, __VA_ARGS__);    \
        off += (size_t)(w_ > 0 ? w_ : 0);                                        \
    } while (0)

int vc_report_classification(const char *const *names, int nc, const int32_t *y_true,
                             const int32_t *y_pred, int64_t n, char *buf, size_t len)
{
    int64_t *tp = calloc((size_t)nc, sizeof(int64_t)), *pred = calloc((size_t)nc, sizeof(int64_t));
    int64_t *sup = calloc((size_t)nc, sizeof(int64_t));
    if (!tp || !pred || !sup) {
        free(tp); free(pred); free(sup);
        return VC_NOMEM;
    }
    int64_t hits = 0;
    for (int64_t i = 0; i < n; i++) {
        if (y_true[i] < 0 || y_true[i] >= nc || y_pred[i] < 0 || y_pred[i] >= nc) continue;
        sup[y_true[i]]++;
        pred[y_pred[i]]++;
        if (y_true[i] == y_pred[i]) { tp[y_true[i]]++; hits++; }
    }
    int width = (int)strlen("weighted avg");
    for (int c = 0; c < nc; c++)
        if ((int)strlen(names[c]) > width) width = (int)strlen(names[c]);
    size_t off = 0;
    APPEND("%*s  %9s %9s %9s %9s\n\n", width, "", "precision", "recall", "f1-score", "support");
    double mp = 0, mr = 0, mf = 0, wp = 0, wr = 0, wf = 0;
    for (int c = 0; c < nc; c++) {
        double p = pred[c] ? (double)tp[c] / (double)pred[c] : 0.0;
        double r = sup[c] ? (double)tp[c] / (double)sup[c] : 0.0;
        double f = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
        APPEND("%*s  %9.2f %9.2f %9.2f %9lld\n", width, names[c], p, r, f, (long long)sup[c]);
        mp += p; mr += r; mf += f;
        wp += p * (double)sup[c]; wr += r * (double)sup[c]; wf += f * (double)sup[c];
    }
    double total = (double)(n > 0 ? n : 1);
    APPEND("\n%*s  %9s %9s %9.2f %9lld\n", width, "accuracy", "", "", (double)hits / total, (long long)n);
    APPEND("%*s  %9.2f %9.2f %9.2f %9lld\n", width, "macro avg", mp / nc, mr / nc, mf / nc, (long long)n);
    APPEND("%*s  %9.2f %9.2f %9.2f %9lld\n", width, "weighted avg", wp / total, wr / total, wf / total, (long long)n);
    free(tp); free(pred); free(sup);
    return off < len ? VC_OK : vc_error(VC_ERR_INVALID_ARG, "%s: buffer of %zu bytes too small", __func__, len);
}

int vc_history_write_csv(const struct vc_history *h, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return vc_error(VC_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    fprintf(f, "epoch,loss,accuracy,val_loss,val_accuracy\n");
    for (int e = 0; e < h->n_epochs; e++)
        fprintf(f, "%d,%.6f,%.6f,%.6f,%.6f\n", e + 1, h->loss[e], h->accuracy[e], h->val_loss[e], h->val_accuracy[e]);
    if (fclose(f) != 0)
        return vc_error(VC_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    return VC_OK;
}

static int has_pngcairo(void)
{
    const char **menu = NULL, **devs = NULL;
    int n = 64, found = 0;
    menu = calloc((size_t)n, sizeof(char *));
    devs = calloc((size_t)n, sizeof(char *));
    if (menu && devs) {
        plgDevs(&menu, &devs, &n);
        for (int i = 0; i < n; i++)
            if (devs[i] && strcmp(devs[i], "pngcairo") == 0) found = 1;
    }
    free(menu);
    free(devs);
    return found;
}

int vc_history_plot(const struct vc_history *h, const char *title, const char *path)
{
    if (h->n_epochs < 1)
        return vc_error(VC_ERR_INVALID_ARG, "%s: no epochs to plot", __func__);
    FILE *probe = fopen(path, "wb");
    if (!probe)
        return vc_error(VC_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    fclose(probe);
    if (!has_pngcairo())
        return vc_error(VC_ERR_UNSUPPORTED, "PLplot has no pngcairo driver (install plplot-driver-cairo); %s not drawn", path);
    int n = h->n_epochs;
    PLFLT *x = malloc(sizeof(PLFLT) * (size_t)n), *y = malloc(sizeof(PLFLT) * (size_t)n);
    if (!x || !y) {
        free(x); free(y);
        return VC_NOMEM;
    }
    double ymax = 1.0;
    const double *series[4] = { h->loss, h->val_loss, h->accuracy, h->val_accuracy };
    for (int s = 0; s < 4; s++)
        for (int e = 0; e < n; e++)
            if (series[s][e] > ymax) ymax = series[s][e];
    plsdev("pngcairo");
    plsfnam(path);
    plsetopt("geometry", "900x600");
    plscolbg(255, 255, 255);
    plinit();
    plscol0(1, 0, 0, 0);     /* axes: black */
    plscol0(2, 31, 119, 180); /* train loss  */
    plscol0(3, 255, 127, 14); /* val loss    */
    plscol0(4, 44, 160, 44);  /* train acc   */
    plscol0(5, 214, 39, 40);  /* val acc     */
    plcol0(1);
    plenv(n > 1 ? 1 : 0.5, n > 1 ? n : 1.5, 0.0, ymax * 1.05, 0, 2);
    pllab("Epoch #", "Loss/Accuracy", title);
    for (int e = 0; e < n; e++)
        x[e] = e + 1;
    for (int s = 0; s < 4; s++) {
        for (int e = 0; e < n; e++)
            y[e] = series[s][e];
        plcol0(2 + s);
        plwidth(2.0);
        plline(n, x, y);
        if (n == 1)
            plpoin(1, x, y, 17);
    }
    PLINT opt[4] = { PL_LEGEND_LINE, PL_LEGEND_LINE, PL_LEGEND_LINE, PL_LEGEND_LINE };
    PLINT tcol[4] = { 1, 1, 1, 1 }, lcol[4] = { 2, 3, 4, 5 }, lsty[4] = { 1, 1, 1, 1 };
    PLFLT lw[4] = { 2, 2, 2, 2 };
    const char *text[4] = { "train_loss", "val_loss", "train_acc", "val_acc" };
    PLFLT lx, ly;
    pllegend(&lx, &ly, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, PL_POSITION_RIGHT | PL_POSITION_TOP,
             0.02, 0.02, 0.12, 0, 1, 1, 0, 0, 4, opt, 1.0, 1.0, 2.0, 1.0, tcol, text, NULL, NULL, NULL, NULL,
             lcol, lsty, lw, NULL, NULL, NULL, NULL);
    plend();
    free(x);
    free(y);
    return VC_OK;
}
