#!/usr/bin/python3
"""PyTorch peer for bench/forward: the same Keras ResNet50 graph (keras_resnet50_torch.py),
BatchNorm folded as we fold it, float32, eval/no_grad, torch.set_num_threads(T).
Prints lines in bench/forward's format with impl=torch.

usage: peer_torch.py WEIGHTS.h5 [-b 1,8,32] [-t 1,2] [-n ITERS] [-w WARMUP]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "reference"))
import torch  # noqa: E402
from keras_resnet50_torch import KerasResNet50  # noqa: E402

GFLOP_IMG = 7.7110  # printed by bench/forward for 224x224 (vc_resnet50_flops)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights")
    ap.add_argument("-b", default="1,8,32")
    ap.add_argument("-t", default="1,2")
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("-w", type=int, default=1)
    a = ap.parse_args()
    net = KerasResNet50(a.weights, dtype=torch.float32, fold_bn=True)
    torch.manual_seed(0)
    for t in [int(v) for v in a.t.split(",")]:
        torch.set_num_threads(t)
        for b in [int(v) for v in a.b.split(",")]:
            x = torch.rand(b, 3, 224, 224) * 250 - 120
            with torch.no_grad():
                for _ in range(a.w):
                    net.torch_forward_nchw(x)
                start = time.perf_counter()
                for _ in range(a.n):
                    y = net.torch_forward_nchw(x).mean(dim=(2, 3))
                el = time.perf_counter() - start
            assert torch.isfinite(y).all()
            img_s = b * a.n / el
            print(f"forward impl=torch threads={t} batch={b} img_s={img_s:.3f} gflops={img_s * GFLOP_IMG:.2f} "
                  f"ms_batch={1e3 * el / a.n:.1f}", flush=True)


if __name__ == "__main__":
    main()
