/*
 * packread.h - open a vidclass pack (vidclass-pack's output, docs/formats.md) for reading
 * and check it before any use (vidclass internal, never installed): format attribute,
 * image_size, class names, and /images [n, S, S, 3] uint8, /labels [n] with every label a
 * class index, /split [n] with 0/1, all with the same n >= 1. A file that fails any check
 * is VC_ERR_FORMAT with a message naming the file and what is wrong, so later reads of
 * rows can trust the shapes.
 */
#ifndef VIDCLASS_PACKREAD_H
#define VIDCLASS_PACKREAD_H

#include "h5util.h"
#include "vidclass/resize.h"

#include <hdf5.h>
#include <stdint.h>

struct vc_pack_in {
    hid_t             f, images; /* the file and /images, open */
    int               S, C;      /* image side, classes       */
    enum vc_resize_mode resize;  /* how the images were resized */
    struct vc_strlist classes;
    int64_t           n;         /* rows                      */
    int32_t          *labels;    /* [n], in [0, C)            */
    uint8_t          *split;     /* [n], 0 train, 1 test      */
};

/* Open and check; on failure everything is released. max_classes bounds C. */
int vc_pack_in_open(const char *path, int max_classes, struct vc_pack_in *p);

/* Release (safe on a zeroed or failed struct). */
void vc_pack_in_close(struct vc_pack_in *p);

#endif
