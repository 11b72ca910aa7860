/* packread.c - open and check a vidclass pack for reading (see packread.h). */
#include "packread.h"

#include "vidclass/status.h"

#include <stdlib.h>
#include <string.h>

void vc_pack_in_close(struct vc_pack_in *p)
{
    if (p->images > 0) H5Dclose(p->images);
    if (p->f > 0) H5Fclose(p->f);
    vc_strlist_free(&p->classes);
    free(p->labels);
    free(p->split);
    memset(p, 0, sizeof *p);
    p->f = p->images = H5I_INVALID_HID;
}

int vc_pack_in_open(const char *path, int max_classes, struct vc_pack_in *p)
{
    memset(p, 0, sizeof *p);
    p->f = p->images = H5I_INVALID_HID;
    int rc = vc_h5_check_file(path, "pack");
    if (rc != VC_OK) return rc;
    p->f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (p->f < 0) return vc_error(VC_ERR_FORMAT, "pack '%s': HDF5 cannot open it", path);
    char fmt[64] = "";
    int64_t size = 0;
    if (vc_h5_read_str_attr(p->f, "format", fmt, sizeof fmt) != VC_OK || strcmp(fmt, "vidclass-pack") != 0)
        rc = vc_error(VC_ERR_FORMAT, "'%s' is not a vidclass pack (no format=\"vidclass-pack\" attribute)", path);
    else if (vc_h5_read_i64_attr(p->f, "image_size", &size) != VC_OK || vc_h5_read_strlist_attr(p->f, "class_names", &p->classes) != VC_OK)
        rc = vc_error(VC_ERR_FORMAT, "pack '%s': %s", path, vc_last_error());
    else if (size < 32 || size > 4096)
        rc = vc_error(VC_ERR_FORMAT, "pack '%s': image_size %lld is outside [32, 4096]", path, (long long)size);
    else if (vc_h5_has_attr(p->f, "resize") && (vc_h5_read_str_attr(p->f, "resize", fmt, sizeof fmt) != VC_OK ||
                                                vc_resize_parse(fmt, &p->resize) != VC_OK))
        rc = vc_error(VC_ERR_FORMAT, "pack '%s': %s", path, vc_last_error());
    else if (p->classes.n < 2 || p->classes.n > max_classes)
        rc = vc_error(VC_ERR_FORMAT, "pack '%s' has %d classes (need 2..%d)", path, p->classes.n, max_classes);
    if (rc != VC_OK) { vc_pack_in_close(p); return rc; }
    p->S = (int)size;
    p->C = p->classes.n;
    if (!vc_h5_has_attr(p->f, "resize")) p->resize = VC_RESIZE_AREA; /* packs before the attribute: swscale's area-like filter */

    hid_t dl = H5Dopen2(p->f, "labels", H5P_DEFAULT), ds = H5Dopen2(p->f, "split", H5P_DEFAULT);
    p->images = H5Dopen2(p->f, "images", H5P_DEFAULT);
    const hsize_t img[4] = { 0, (hsize_t)size, (hsize_t)size, 3 }, one[1] = { 0 };
    hsize_t ni = 0, nl = 0, ns = 0;
    if (dl < 0 || ds < 0 || p->images < 0 || !vc_h5_dims_match(p->images, 4, img, &ni) || !vc_h5_dims_match(dl, 1, one, &nl) ||
        !vc_h5_dims_match(ds, 1, one, &ns) || ni != nl || nl != ns || nl < 1)
        rc = vc_error(VC_ERR_FORMAT, "pack '%s': needs /images [n, %lld, %lld, 3], /labels [n] and /split [n] with "
                      "the same n >= 1", path, (long long)size, (long long)size);
    if (rc == VC_OK) {
        p->n = (int64_t)nl;
        p->labels = malloc(sizeof(int32_t) * (size_t)p->n);
        p->split = malloc((size_t)p->n);
        if (!p->labels || !p->split) rc = VC_NOMEM;
    }
    if (rc == VC_OK && (vc_h5_read_rows(dl, H5T_NATIVE_INT32, 0, (hsize_t)p->n, p->labels) != VC_OK ||
                        vc_h5_read_rows(ds, H5T_NATIVE_UINT8, 0, (hsize_t)p->n, p->split) != VC_OK))
        rc = vc_error(VC_ERR_FORMAT, "pack '%s': cannot read /labels or /split", path);
    for (int64_t i = 0; rc == VC_OK && i < p->n; i++) {
        if (p->labels[i] < 0 || p->labels[i] >= p->C)
            rc = vc_error(VC_ERR_FORMAT, "pack '%s': label %d at row %lld is not a class index", path, p->labels[i], (long long)i);
        else if (p->split[i] > 1)
            rc = vc_error(VC_ERR_FORMAT, "pack '%s': split %d at row %lld is not 0 (train) or 1 (test)", path, p->split[i], (long long)i);
    }
    if (dl >= 0) H5Dclose(dl);
    if (ds >= 0) H5Dclose(ds);
    if (rc != VC_OK) vc_pack_in_close(p);
    return rc;
}
