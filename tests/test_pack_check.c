/* test_pack_check - assertions on pack files, driven by tests/test_pack.sh.
 *   test_pack_check fixture PACK       the fixture tree's exact expected content
 *   test_pack_check same PACK_A PACK_B identical /images /labels /split /paths
 *   test_pack_check paths PACK         prints /paths, one per line
 *   test_pack_check skipped PACK       prints "path<TAB>reason" for every skipped file
 *   test_pack_check sports PACK N0 N1 N2 SKIPPED
 *                                      the three-class sports set: rows per class, skipped
 */
#include "test_util.h"

#include <hdf5.h>
#include <stdint.h>

static void *read_all(hid_t f, const char *name, hid_t mtype, size_t elem, hsize_t *n0, size_t *total)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0) {
        CHECK(0, "dataset %s missing", name);
        return NULL;
    }
    hid_t s = H5Dget_space(d);
    hsize_t dims[4] = { 0 };
    int nd = H5Sget_simple_extent_dims(s, dims, NULL);
    size_t n = 1;
    for (int i = 0; i < nd; i++) n *= dims[i];
    void *buf = calloc(n ? n : 1, elem);
    if (n) H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    *n0 = dims[0];
    if (total) *total = n;
    H5Sclose(s);
    H5Dclose(d);
    return buf;
}

static int64_t attr_i64(hid_t f, const char *name)
{
    int64_t v = -1;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    if (a >= 0) { H5Aread(a, H5T_NATIVE_INT64, &v); H5Aclose(a); }
    return v;
}

static char **read_strings(hid_t f, const char *name, hsize_t *n)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8); /* as vidclass writes; HDF5 1.10 will not convert csets */
    char **v = read_all(f, name, t, sizeof(char *), n, NULL);
    H5Tclose(t);
    return v;
}

static void free_strings(char **v, hsize_t n)
{
    for (hsize_t i = 0; v && i < n; i++) free(v[i]); /* HDF5's default vlen allocator is malloc */
    free(v);
}

static void check_fixture(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(f >= 0, "cannot open %s", path);
    if (f < 0) return;
    hsize_t n = 0, nl, ns, np;
    size_t total;
    uint8_t *img = read_all(f, "images", H5T_NATIVE_UINT8, 1, &n, &total);
    int32_t *lab = read_all(f, "labels", H5T_NATIVE_INT32, 4, &nl, NULL);
    uint8_t *split = read_all(f, "split", H5T_NATIVE_UINT8, 1, &ns, NULL);
    char **paths = read_strings(f, "paths", &np);
    CHECK(n == 9 && nl == 9 && ns == 9 && np == 9, "rows: images %llu labels %llu split %llu paths %llu (want 9)",
          (unsigned long long)n, (unsigned long long)nl, (unsigned long long)ns, (unsigned long long)np);
    CHECK(total == 9 * 64 * 64 * 3, "images hold %zu bytes, want 9x64x64x3", total);
    const int32_t want_lab[9] = { 0, 0, 0, 0, 1, 1, 2, 2, 2 };
    for (int i = 0; i < 9 && lab && n == 9; i++)
        CHECK(lab[i] == want_lab[i], "label[%d] = %d, want %d (%s)", i, lab[i], want_lab[i], paths ? paths[i] : "?");
    int test_pc[3] = { 0, 0, 0 };
    for (int i = 0; i < 9 && split && lab && n == 9; i++) test_pc[lab[i]] += split[i];
    CHECK(test_pc[0] == 1 && test_pc[1] == 1 && test_pc[2] == 1, "test per class %d %d %d, want 1 1 1",
          test_pc[0], test_pc[1], test_pc[2]);
    /* class alpha: solid (48,128,192) in PNG (+-2) and JPEG (+-3); gamma: solid (200,40,10) */
    for (int i = 0; i < 9 && img && n == 9; i++) {
        int r = lab[i] == 1 ? 10 : lab[i] == 0 ? 48 : 200, g = lab[i] == 1 ? 200 : lab[i] == 0 ? 128 : 40,
            b = lab[i] == 1 ? 60 : lab[i] == 0 ? 192 : 10;
        int worst = 0;
        for (int p = 0; p < 64 * 64; p++) {
            const uint8_t *q = img + ((size_t)i * 64 * 64 + p) * 3;
            int d = abs(q[0] - r);
            if (abs(q[1] - g) > d) d = abs(q[1] - g);
            if (abs(q[2] - b) > d) d = abs(q[2] - b);
            if (d > worst) worst = d;
        }
        CHECK(worst <= 3, "%s: pixel off by %d", paths ? paths[i] : "?", worst);
    }
    CHECK(attr_i64(f, "n_skipped") == 4, "n_skipped %lld, want 4", (long long)attr_i64(f, "n_skipped"));
    CHECK(attr_i64(f, "image_size") == 64, "image_size %lld", (long long)attr_i64(f, "image_size"));
    hsize_t nsk;
    char **sk = read_strings(f, "skipped/path", &nsk);
    CHECK(nsk == 3, "/skipped/path has %llu entries, want 3 (empty, page, truncated)", (unsigned long long)nsk);
    H5Fclose(f);
    free(img); free(lab); free(split);
    free_strings(paths, np);
    free_strings(sk, nsk);
    printf("fixture pack %s: 9 rows, labels, split, pixels and skip counts as expected\n", path);
}

static void check_same(const char *a, const char *b)
{
    hid_t fa = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT), fb = H5Fopen(b, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(fa >= 0 && fb >= 0, "cannot open %s or %s", a, b);
    if (fa < 0 || fb < 0) return;
    const char *names[3] = { "images", "labels", "split" };
    const size_t elem[3] = { 1, 4, 1 };
    const hid_t types[3] = { H5T_NATIVE_UINT8, H5T_NATIVE_INT32, H5T_NATIVE_UINT8 };
    for (int k = 0; k < 3; k++) {
        hsize_t na, nb;
        size_t ta, tb;
        void *va = read_all(fa, names[k], types[k], elem[k], &na, &ta), *vb = read_all(fb, names[k], types[k], elem[k], &nb, &tb);
        CHECK(va && vb && ta == tb && memcmp(va, vb, ta * elem[k]) == 0, "/%s differs", names[k]);
        free(va);
        free(vb);
    }
    hsize_t na, nb;
    char **pa = read_strings(fa, "paths", &na), **pb = read_strings(fb, "paths", &nb);
    CHECK(na == nb, "/paths: %llu vs %llu", (unsigned long long)na, (unsigned long long)nb);
    for (hsize_t i = 0; i < na && i < nb; i++)
        CHECK(strcmp(pa[i], pb[i]) == 0, "/paths[%llu]: %s vs %s", (unsigned long long)i, pa[i], pb[i]);
    H5Fclose(fa);
    H5Fclose(fb);
    free_strings(pa, na);
    free_strings(pb, nb);
    printf("%s and %s: identical images, labels, split and paths (%llu rows)\n", a, b, (unsigned long long)na);
}

/* The sports pack against counts the test took from the folder itself. */
static void check_sports(const char *path, const int want[3], long long want_skipped)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(f >= 0, "cannot open %s", path);
    if (f < 0) return;
    hsize_t n;
    int32_t *lab = read_all(f, "labels", H5T_NATIVE_INT32, 4, &n, NULL);
    int per[3] = { 0, 0, 0 };
    for (hsize_t i = 0; i < n; i++) if (lab[i] >= 0 && lab[i] < 3) per[lab[i]]++;
    long long total = (long long)want[0] + want[1] + want[2];
    CHECK((long long)n == total, "%llu rows, want %lld", (unsigned long long)n, total);
    CHECK(per[0] == want[0] && per[1] == want[1] && per[2] == want[2], "per class %d %d %d, want %d %d %d", per[0], per[1],
          per[2], want[0], want[1], want[2]);
    CHECK(attr_i64(f, "n_skipped") == want_skipped, "n_skipped %lld, want %lld", (long long)attr_i64(f, "n_skipped"), want_skipped);
    H5Fclose(f);
    free(lab);
    printf("sports pack: %llu rows (football %d, tennis %d, weight_lifting %d), %lld skipped\n", (unsigned long long)n,
           per[0], per[1], per[2], want_skipped);
}

static void print_skipped(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(f >= 0, "cannot open %s", path);
    if (f < 0) return;
    hsize_t np = 0, nr = 0;
    char **p = read_strings(f, "skipped/path", &np), **r = read_strings(f, "skipped/reason", &nr);
    for (hsize_t i = 0; p && r && i < np && i < nr; i++) printf("%s\t%s\n", p[i], r[i]);
    H5Fclose(f);
    free_strings(p, np);
    free_strings(r, nr);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "fixture") == 0) check_fixture(argv[2]);
    else if (argc == 4 && strcmp(argv[1], "same") == 0) check_same(argv[2], argv[3]);
    else if (argc == 7 && strcmp(argv[1], "sports") == 0) {
        const int want[3] = { atoi(argv[3]), atoi(argv[4]), atoi(argv[5]) };
        check_sports(argv[2], want, atoll(argv[6]));
    }
    else if (argc == 3 && strcmp(argv[1], "skipped") == 0) { print_skipped(argv[2]); return g_failures ? 1 : 0; }
    else if (argc == 3 && strcmp(argv[1], "paths") == 0) {
        hid_t f = H5Fopen(argv[2], H5F_ACC_RDONLY, H5P_DEFAULT);
        hsize_t n = 0;
        char **p = f >= 0 ? read_strings(f, "paths", &n) : NULL;
        for (hsize_t i = 0; p && i < n; i++) printf("%s\n", p[i]);
        free_strings(p, n);
        if (f >= 0) H5Fclose(f);
        return f >= 0 ? 0 : 1;
    }
    else {
        fprintf(stderr, "usage: test_pack_check fixture P | same A B | sports P\n");
        return 2;
    }
    return test_finish("test_pack_check");
}
