#!/usr/bin/python3
"""Export the Keras ResNet50-notop graph (tests/reference/keras_resnet50_torch.py, BatchNorm
folded, float32) to ONNX with torch.onnx.export, for the ONNX Runtime peer (peer_ort.js).
Input "x" NCHW [batch, 3, 224, 224] (batch dynamic), output "y" the 7x7x2048 map, NCHW.

usage: export_onnx.py WEIGHTS.h5 OUT.onnx
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "reference"))
import torch  # noqa: E402
from keras_resnet50_torch import KerasResNet50  # noqa: E402


class Graph(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net.torch_forward_nchw(x)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    net = KerasResNet50(sys.argv[1], dtype=torch.float32, fold_bn=True)
    x = torch.zeros(1, 3, 224, 224)
    with torch.no_grad():
        torch.onnx.export(Graph(net).eval(), x, sys.argv[2], input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=13,
                          do_constant_folding=True)
    print(f"wrote {sys.argv[2]}")


if __name__ == "__main__":
    main()
