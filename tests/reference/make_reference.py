#!/usr/bin/python3
"""Write tests/reference/resnet50_ref.h5: inputs and expected outputs of ResNet50.

Not run in CI. Regenerate (after changing the weights generator) with:
    build/bin/vidclass-weights init --seed 1234 --output /tmp/w1234.h5
    build/bin/vidclass-weights init --seed 1234 --layout keras2.2 --output /tmp/w1234_k22.h5
    /usr/bin/python3 tests/reference/make_reference.py /tmp/w1234.h5 tests/reference/resnet50_ref.h5 /tmp/w1234_k22.h5

With the third file (the same tensors in the Keras 2.2 layout) it also writes
/k22/features: the features of /full/input as standalone Keras 2.2 computes them (BN
epsilon 1e-3, max pool without padding).

The expected values come from keras_resnet50_torch.py in float64 (independent of our C
code: different conv algorithm, unfolded BatchNorm, NCHW). The fixture holds no weights:
only per-tensor sums of the weights (/weights_checksums, manifest order) so the C test can
prove it regenerated the same weights file before comparing.
"""
import sys

import h5py
import numpy as np

from keras_resnet50_torch import KerasResNet50, caffe_preprocess, STAGES

SMALL_TAPS = ["conv1_relu", "pool1_pool", "conv2_block1_out", "conv2_block3_out",
              "conv3_block1_out", "conv4_block1_out", "conv5_block1_out", "conv5_block3_out"]


def pattern_images(rng, n, size):
    """Smooth structured images (gradients, blobs, stripes) plus noise, uint8 RGB."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    out = np.zeros((n, size, size, 3))
    for i in range(n):
        for c in range(3):
            f = rng.uniform(1, 6, size=2)
            ph = rng.uniform(0, 6.28, size=2)
            out[i, :, :, c] = (127 + 60 * np.sin(f[0] * 6.28 * xx + ph[0]) * np.cos(f[1] * 6.28 * yy + ph[1])
                               + 50 * (xx - yy) * rng.uniform(-1, 1))
        cy, cx, r = rng.uniform(0.2, 0.8, size=3) * [size, size, 0.3 * size]
        blob = ((yy * size - cy) ** 2 + (xx * size - cx) ** 2) < r ** 2
        out[i][blob] = rng.uniform(0, 255, size=3)
        out[i] += rng.normal(0, 8, size=out[i].shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def weight_checksums(path):
    """float64 sum of each tensor, conv then its BN, in the C loader's manifest order."""
    sums = []
    with h5py.File(path, "r") as f:
        names = f.attrs["layer_names"]
        for ln in names:
            ln = ln.decode() if isinstance(ln, bytes) else str(ln)
            g = f[ln]
            for wn in g.attrs["weight_names"]:
                wn = wn.decode() if isinstance(wn, bytes) else str(wn)
                sums.append(float(np.asarray(g[wn], dtype=np.float64).sum()))
    return np.array(sums)


def main(weights, out, weights_k22=None):
    rng = np.random.RandomState(20261127)
    net = KerasResNet50(weights, fold_bn=False)
    small = pattern_images(rng, 1, 64)
    full = pattern_images(rng, 2, 224)
    taps = {}
    net.forward(caffe_preprocess(small), taps)
    final = net.forward(caffe_preprocess(full))
    comp = dict(compression="gzip", compression_opts=9, shuffle=True)
    with h5py.File(out, "w") as f:
        f.attrs["seed"] = 1234
        f.attrs["preprocess"] = "caffe"
        f.attrs["generator"] = "tests/reference/make_reference.py (PyTorch float64, Keras graph by hand)"
        f.create_dataset("weights_checksums", data=weight_checksums(weights))
        f.create_dataset("small/input", data=small, **comp)
        for name in SMALL_TAPS:
            f.create_dataset("small/" + name, data=taps[name].astype(np.float32), **comp)
        f.create_dataset("full/input", data=full, **comp)
        f.create_dataset("full/output", data=final.astype(np.float32), **comp)
        f.create_dataset("full/features", data=final.mean(axis=(1, 2)).astype(np.float32), **comp)
        if weights_k22:
            k22 = KerasResNet50(weights_k22, fold_bn=False)
            assert k22.keras22 and k22.eps == 1e-3 and k22.pool_pad == 0
            fk = k22.forward(caffe_preprocess(full)).mean(axis=(1, 2))
            f.create_dataset("k22/features", data=fk.astype(np.float32), **comp)
            f["k22"].attrs["bn_epsilon"] = k22.eps
            rel = np.linalg.norm(fk - final.mean(axis=(1, 2))) / np.linalg.norm(fk)
            print(f"keras2.2 features differ from tf.keras's by {rel:.3e} (relative L2)")
    for name in SMALL_TAPS:
        t = taps[name]
        print(f"{name:18s} {str(t.shape):22s} rms {np.sqrt((t ** 2).mean()):10.4f}  nonzero {np.mean(t > 0):.3f}")
    print("final", final.shape, "rms", np.sqrt((final ** 2).mean()), "nonzero", np.mean(final > 0))
    feats = final.mean(axis=(1, 2))
    print("feature corr between the two images:", np.corrcoef(feats)[0, 1])


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
