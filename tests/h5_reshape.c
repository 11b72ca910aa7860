/* h5_reshape FILE DATASET D0[,D1...] - replace a float dataset of an HDF5 file with a
 * zero-filled one of another shape (the bad-input catalogue's "one tensor of the wrong
 * shape" weights file). Exit 0 on success. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: h5_reshape FILE DATASET D0[,D1...]\n"); return 2; }
    hsize_t dims[8];
    int nd = 0;
    size_t n = 1;
    for (char *s = argv[3], *e; *s && nd < 8; s = *e ? e + 1 : e) {
        dims[nd] = strtoull(s, &e, 10);
        n *= dims[nd++];
    }
    hid_t f = H5Fopen(argv[1], H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0 || H5Ldelete(f, argv[2], H5P_DEFAULT) < 0) { fprintf(stderr, "h5_reshape: cannot open %s:%s\n", argv[1], argv[2]); return 1; }
    float *zeros = calloc(n ? n : 1, sizeof(float));
    hid_t sp = H5Screate_simple(nd, dims, NULL);
    hid_t d = H5Dcreate2(f, argv[2], H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = d >= 0 && H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros) >= 0 ? 0 : 1;
    if (d >= 0) H5Dclose(d);
    H5Sclose(sp);
    if (H5Fclose(f) < 0) rc = 1;
    free(zeros);
    if (rc) fprintf(stderr, "h5_reshape: cannot write %s\n", argv[2]);
    return rc;
}
