"""The Keras ResNet50 (include_top=False) graph written by hand in PyTorch.

An independent implementation used to (1) generate the committed reference vectors the C
tests compare against (tests/reference/make_reference.py, float64), and (2) serve as the
PyTorch peer in the forward-pass benchmark (bench/peer_torch.py, float32). It reads the
same Keras HDF5 weights file with h5py and follows keras/applications/resnet.py:
conv1_pad(3) -> conv1 7x7/2 -> bn -> relu -> pool1_pad(1) -> max 3x3/2 -> 4 stages of
bottleneck blocks (stride on the first 1x1 conv and on the shortcut), BN eps 1.001e-5.
Keras 2.2 / keras_applications files (layer names conv1, bn_conv1, res2a_branch2a, ...)
are read too, as that code builds the graph: BN eps 1e-3 (Keras's default) and no
padding before the max pool unless the file lists a pool1_pad layer. Inside a layer the
tensors are taken in weight_names order, as Keras's loader does.
Inputs are NHWC arrays (already preprocessed); outputs are returned as NHWC.
Run with Debian's python3 (/usr/bin/python3: python3-torch, python3-h5py).
"""
import h5py
import numpy as np
import torch
import torch.nn.functional as F

EPS = 1.001e-5
STAGES = [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]


def _root(f):
    if "layer_names" in f.attrs or "layer_names0" in f.attrs:
        return f
    return f["model_weights"]


ROLES = {"kernel": 0, "bias": 1, "gamma": 0, "beta": 1, "moving_mean": 2, "moving_variance": 3}


def _names(root):
    return [n.decode() if isinstance(n, bytes) else str(n) for n in root.attrs["layer_names"]]


def _read(root, layer, weight):
    """Weight `weight` of `layer`, by its position in weight_names (Keras's loader)."""
    g = root[layer]
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in g.attrs["weight_names"]]
    return np.asarray(g[names[ROLES[weight]]])


def keras22_name(tf):
    """conv1_conv -> conv1, conv1_bn -> bn_conv1, conv3_block2_1_conv -> res3b_branch2a."""
    if tf == "conv1_conv":
        return "conv1"
    if tf == "conv1_bn":
        return "bn_conv1"
    stage, block, j, kind = tf[4], int(tf.split("_")[1][5:]), int(tf.split("_")[2]), tf.split("_")[3]
    branch = "1" if j == 0 else "2" + "abc"[j - 1]
    return ("bn" if kind == "bn" else "res") + stage + "abcdef"[block - 1] + "_branch" + branch


class KerasResNet50:
    def __init__(self, weights_path, dtype=torch.float64, fold_bn=False):
        self.dtype = dtype
        self.fold_bn = fold_bn
        self.convs = {}
        with h5py.File(weights_path, "r") as f:
            root = _root(f)
            listed = _names(root)
            self.keras22 = "conv1_conv" not in listed
            self.eps = 1e-3 if self.keras22 else EPS
            self.pool_pad = 0 if self.keras22 and "pool1_pad" not in listed else 1
            fname = keras22_name if self.keras22 else (lambda n: n)
            names = ["conv1"]
            for s, (_, blocks, _) in enumerate(STAGES):
                for b in range(1, blocks + 1):
                    for j in ([0, 1, 2, 3] if b == 1 else [1, 2, 3]):
                        names.append(f"conv{s + 2}_block{b}_{j}")
            for n in names:
                k = _read(root, fname(n + "_conv"), "kernel").astype(np.float64)  # HWIO
                bias = _read(root, fname(n + "_conv"), "bias").astype(np.float64)
                bn = [_read(root, fname(n + "_bn"), w).astype(np.float64)
                      for w in ("gamma", "beta", "moving_mean", "moving_variance")]
                w = torch.from_numpy(np.ascontiguousarray(k.transpose(3, 2, 0, 1)))  # OIHW
                b = torch.from_numpy(bias)
                bn = [torch.from_numpy(v) for v in bn]
                if fold_bn:
                    s = bn[0] / torch.sqrt(bn[3] + self.eps)
                    w = w * s[:, None, None, None]
                    b = (b - bn[2]) * s + bn[1]
                    bn = None
                self.convs[n] = (w.to(dtype), b.to(dtype),
                                 None if bn is None else [v.to(dtype) for v in bn])

    def _conv_bn(self, name, x, stride=1, pad=0):
        w, b, bn = self.convs[name]
        y = F.conv2d(x, w, b, stride=stride, padding=pad)
        if bn is not None:
            gamma, beta, mean, var = bn
            y = (y - mean[None, :, None, None]) / torch.sqrt(var + self.eps)[None, :, None, None] \
                * gamma[None, :, None, None] + beta[None, :, None, None]
        return y

    def forward(self, x_nhwc, taps=None):
        """x_nhwc: numpy [n,h,w,3]. Returns the final map NHWC; fills taps{name: NHWC}."""
        def tap(name, t):
            if taps is not None:
                taps[name] = t.permute(0, 2, 3, 1).contiguous().numpy()

        x = torch.from_numpy(np.ascontiguousarray(x_nhwc)).to(self.dtype).permute(0, 3, 1, 2)
        x = F.pad(x, (3, 3, 3, 3))                       # conv1_pad
        x = F.relu(self._conv_bn("conv1", x, stride=2))  # conv1_conv, conv1_bn, conv1_relu
        tap("conv1_relu", x)
        if self.pool_pad:
            x = F.pad(x, (1, 1, 1, 1))                   # pool1_pad: zeros
        x = F.max_pool2d(x, 3, stride=2)                 # pool1_pool, valid
        tap("pool1_pool", x)
        for s, (_, blocks, stride1) in enumerate(STAGES):
            for b in range(1, blocks + 1):
                base = f"conv{s + 2}_block{b}"
                st = stride1 if b == 1 else 1
                sc = self._conv_bn(base + "_0", x, stride=st) if b == 1 else x
                y = F.relu(self._conv_bn(base + "_1", x, stride=st))
                y = F.relu(self._conv_bn(base + "_2", y, pad=1))  # 3x3 "same"
                y = self._conv_bn(base + "_3", y)
                x = F.relu(sc + y)
                tap(base + "_out", x)
        return x.permute(0, 2, 3, 1).contiguous().numpy()

    def torch_forward_nchw(self, x):
        """Benchmark path: NCHW torch tensor in, NCHW out, no taps, no conversions."""
        x = F.pad(x, (3, 3, 3, 3))
        x = F.relu(self._conv_bn("conv1", x, stride=2))
        x = F.max_pool2d(F.pad(x, (1, 1, 1, 1)) if self.pool_pad else x, 3, stride=2)
        for s, (_, blocks, stride1) in enumerate(STAGES):
            for b in range(1, blocks + 1):
                base = f"conv{s + 2}_block{b}"
                st = stride1 if b == 1 else 1
                sc = self._conv_bn(base + "_0", x, stride=st) if b == 1 else x
                y = F.relu(self._conv_bn(base + "_1", x, stride=st))
                y = F.relu(self._conv_bn(base + "_2", y, pad=1))
                x = F.relu(sc + self._conv_bn(base + "_3", y))
        return x


def caffe_preprocess(rgb_u8):
    """keras imagenet_utils mode='caffe': RGB->BGR, subtract BGR means, no scaling."""
    x = rgb_u8[..., ::-1].astype(np.float64)
    return x - np.array([103.939, 116.779, 123.68])
