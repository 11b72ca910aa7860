/* test_results_check - assertions on vidclass-batch results files (tests/test_batch.sh).
 *   same A B                  every video exactly once in each; equal status, label, n_frames,
 *                             frame indices and smoothed labels, probabilities within 1e-4
 *   label A PATH_SUFFIX CLASS the video whose path ends with PATH_SUFFIX has video label CLASS
 *   status A PATH_SUFFIX S    ... has status S
 *   changes A PATH_SUFFIX     prints the number of smoothed-label changes between frames
 *   stride A PATH_SUFFIX S N  ... has N frames, with indices 0, S, 2S, ...
 *   show A PATH_SUFFIX        prints "status<TAB>n_frames<TAB>error" of that video
 *   count A                   prints the number of videos, after checking each path is there once
 */
#include "test_util.h"

#include <hdf5.h>
#include <stdint.h>

struct res {
    hsize_t n, nf;
    int C;
    char **path, **cls, **error;
    int8_t *status;
    int32_t *label, *flab;
    int64_t *nfr, *start, *fidx;
    float *probs;
};

static void *rd(hid_t f, const char *name, hid_t t, size_t el, hsize_t *n, hsize_t *n2)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0) { fprintf(stderr, "missing %s\n", name); exit(1); }
    hid_t s = H5Dget_space(d);
    hsize_t dims[2] = { 0, 1 };
    H5Sget_simple_extent_dims(s, dims, NULL);
    void *b = calloc(dims[0] * dims[1] + 1, el);
    if (dims[0]) H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, b);
    *n = dims[0];
    if (n2) *n2 = dims[1];
    H5Sclose(s);
    H5Dclose(d);
    return b;
}

static struct res load(const char *p)
{
    struct res r;
    memset(&r, 0, sizeof r);
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) { fprintf(stderr, "cannot open %s\n", p); exit(1); }
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, H5T_VARIABLE);
    H5Tset_cset(st, H5T_CSET_UTF8);
    hsize_t n, c;
    r.path = rd(f, "videos/path", st, sizeof(char *), &r.n, NULL);
    r.status = rd(f, "videos/status", H5T_NATIVE_INT8, 1, &n, NULL);
    r.error = rd(f, "videos/error", st, sizeof(char *), &n, NULL);
    r.label = rd(f, "videos/label", H5T_NATIVE_INT32, 4, &n, NULL);
    r.nfr = rd(f, "videos/n_frames", H5T_NATIVE_INT64, 8, &n, NULL);
    r.start = rd(f, "videos/frame_start", H5T_NATIVE_INT64, 8, &n, NULL);
    r.fidx = rd(f, "frames/index", H5T_NATIVE_INT64, 8, &r.nf, NULL);
    r.flab = rd(f, "frames/label", H5T_NATIVE_INT32, 4, &n, NULL);
    r.probs = rd(f, "frames/probs", H5T_NATIVE_FLOAT, 4, &n, &c);
    r.C = (int)c;
    hid_t a = H5Aopen(f, "class_names", H5P_DEFAULT);
    hid_t as = H5Aget_space(a);
    hssize_t nc = H5Sget_simple_extent_npoints(as);
    r.cls = calloc((size_t)nc + 1, sizeof(char *)); /* NULL-terminated */
    H5Aread(a, st, r.cls);
    H5Sclose(as);
    H5Aclose(a);
    H5Tclose(st);
    H5Fclose(f);
    return r;
}

static void res_free(struct res *r)
{
    for (hsize_t i = 0; i < r->n; i++) { free(r->path[i]); free(r->error[i]); } /* HDF5's vlen allocator is malloc */
    for (int i = 0; r->cls && r->cls[i]; i++) free(r->cls[i]);
    free(r->path); free(r->error); free(r->cls); free(r->status); free(r->label); free(r->flab);
    free(r->nfr); free(r->start); free(r->fidx); free(r->probs);
}

static long find(const struct res *r, const char *suffix)
{
    long hit = -1;
    for (hsize_t i = 0; i < r->n; i++) {
        size_t lp = strlen(r->path[i]), ls = strlen(suffix);
        if (lp >= ls && strcmp(r->path[i] + lp - ls, suffix) == 0) {
            CHECK(hit < 0, "%s appears twice", suffix);
            hit = (long)i;
        }
    }
    CHECK(hit >= 0, "no video ending in %s", suffix);
    return hit;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "see the header of test_results_check.c\n"); return 2; }
    struct res a = load(argv[2]);
    if (strcmp(argv[1], "same") == 0 && argc == 4) {
        struct res b = load(argv[3]);
        CHECK(a.n == b.n && a.nf == b.nf, "%llu/%llu videos, %llu/%llu frames", (unsigned long long)a.n,
              (unsigned long long)b.n, (unsigned long long)a.nf, (unsigned long long)b.nf);
        double worst = 0;
        for (hsize_t i = 0; i < a.n; i++) {
            long j = find(&b, a.path[i]);
            if (j < 0) continue;
            CHECK(a.status[i] == b.status[j] && a.label[i] == b.label[j] && a.nfr[i] == b.nfr[j],
                  "%s: status %d/%d label %d/%d frames %lld/%lld", a.path[i], a.status[i], b.status[j], a.label[i],
                  b.label[j], (long long)a.nfr[i], (long long)b.nfr[j]);
            for (int64_t k = 0; k < a.nfr[i] && a.nfr[i] == b.nfr[j]; k++) {
                int64_t fa = a.start[i] + k, fb = b.start[j] + k;
                CHECK(a.fidx[fa] == b.fidx[fb] && a.flab[fa] == b.flab[fb], "%s frame %lld differs", a.path[i], (long long)k);
                for (int c = 0; c < a.C; c++) {
                    double d = fabs(a.probs[fa * a.C + c] - b.probs[fb * b.C + c]);
                    if (d > worst) worst = d;
                }
            }
        }
        printf("%llu videos, %llu frames: same results up to row order (max prob difference %.2e)\n",
               (unsigned long long)a.n, (unsigned long long)a.nf, worst);
        CHECK(worst < 1e-4, "probabilities differ by %.3g", worst);
        res_free(&b);
    } else if (strcmp(argv[1], "label") == 0 && argc == 5) {
        long i = find(&a, argv[3]);
        if (i >= 0) CHECK(a.label[i] >= 0 && strcmp(a.cls[a.label[i]], argv[4]) == 0, "%s: label %d (%s), want %s",
                          argv[3], a.label[i], a.label[i] >= 0 ? a.cls[a.label[i]] : "-", argv[4]);
    } else if (strcmp(argv[1], "status") == 0 && argc == 5) {
        long i = find(&a, argv[3]);
        if (i >= 0) CHECK(a.status[i] == atoi(argv[4]), "%s: status %d, want %s", argv[3], a.status[i], argv[4]);
    } else if (strcmp(argv[1], "changes") == 0 && argc == 4) {
        long i = find(&a, argv[3]);
        int ch = 0;
        for (int64_t k = 1; i >= 0 && k < a.nfr[i]; k++) ch += a.flab[a.start[i] + k] != a.flab[a.start[i] + k - 1];
        printf("%d\n", ch);
        res_free(&a);
        return g_failures ? 1 : 0;
    } else if (strcmp(argv[1], "count") == 0 && argc == 3) {
        for (hsize_t i = 0; i < a.n; i++)
            for (hsize_t j = i + 1; j < a.n; j++) CHECK(strcmp(a.path[i], a.path[j]) != 0, "%s twice", a.path[i]);
        if (g_failures == 0) printf("%llu\n", (unsigned long long)a.n);
        res_free(&a);
        return g_failures ? 1 : 0;
    } else if (strcmp(argv[1], "show") == 0 && argc == 4) {
        long i = find(&a, argv[3]);
        if (i >= 0) printf("%d\t%lld\t%s\n", a.status[i], (long long)a.nfr[i], a.error[i]);
    } else if (strcmp(argv[1], "stride") == 0 && argc == 6) {
        long i = find(&a, argv[3]);
        int s = atoi(argv[4]);
        if (i >= 0) {
            CHECK(a.nfr[i] == atoll(argv[5]), "%s: %lld frames, want %s", argv[3], (long long)a.nfr[i], argv[5]);
            for (int64_t k = 0; k < a.nfr[i]; k++) CHECK(a.fidx[a.start[i] + k] == k * s, "frame %lld index %lld", (long long)k, (long long)a.fidx[a.start[i] + k]);
        }
    } else {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    res_free(&a);
    return test_finish("test_results_check");
}
