#!/usr/bin/python3
"""make_tutorial_model.py BASE_WEIGHTS.h5 OUT.model {tf.keras|keras2.2} [--seed S] [--bn-epsilon E]
                         [--last-dense FILE.h5:GROUP]

Write a Keras HDF5 model file in the layout the reference tutorial's train.py saves with
model.save(args["model"], save_format="h5"): a ResNet50 base (from BASE_WEIGHTS.h5, made by
`vidclass-weights init`) and the tutorial's head

    AveragePooling2D(pool_size=(7, 7)) -> Flatten(name="flatten") -> Dense(512, relu)
    -> Dropout(0.5) -> Dense(3, softmax)

named as TensorFlow 2's tf.keras names them (average_pooling2d, flatten, dense, dropout,
dense_1; keras_version 2.11.0, class "Functional") or as standalone Keras 2.2.4 does
(average_pooling2d_1, flatten, dense_1, dropout_1, dense_2; class "Model"). The file has
the root attributes model_config (JSON), keras_version, backend and training_config, and
every weight under /model_weights with layer_names / weight_names, as Keras writes them
(h5py, fixed-length byte strings). In model_config each layer has its class, its config
(BatchNormalization epsilon as the layout's Keras sets it, or --bn-epsilon) and its
inbound nodes; the base's inbound nodes are simplified to a chain (vidclass reads only the
head's), the head's are exact. The head's weights are drawn from numpy's RandomState(S): Glorot-uniform
kernels, small biases; --last-dense takes the last Dense layer's kernel [512, 3] and bias
[3] from datasets GROUP/kernel and GROUP/bias of FILE.h5 instead (the test fixture fits
them so that the generated weights tell the test clips' scenes apart).
Run with Debian's python3 (python3-h5py, python3-numpy).
"""
import argparse
import json

import h5py
import numpy as np


def base_class(name, keras22):
    """Keras class of a base layer, from its name."""
    if name.startswith("input"):
        return "InputLayer"
    if name.endswith("_pad"):
        return "ZeroPadding2D"
    if keras22:
        if name == "conv1" or name.startswith("res"):
            return "Conv2D"
        if name.startswith("bn"):
            return "BatchNormalization"
        if name.startswith("activation"):
            return "Activation"
        if name.startswith("max_pooling"):
            return "MaxPooling2D"
        if name.startswith("add"):
            return "Add"
    else:
        for suffix, cls in [("_conv", "Conv2D"), ("_bn", "BatchNormalization"), ("_relu", "Activation"),
                            ("_out", "Activation"), ("_pool", "MaxPooling2D"), ("_add", "Add")]:
            if name.endswith(suffix):
                return cls
    raise ValueError("unknown base layer " + name)


def layer_config(cls, name, eps):
    cfg = {"name": name, "trainable": cls != "InputLayer", "dtype": "float32"}
    if cls == "InputLayer":
        cfg.update({"batch_input_shape": [None, 224, 224, 3], "sparse": False})
    elif cls == "ZeroPadding2D":
        p = 3 if name == "conv1_pad" else 1
        cfg.update({"padding": [[p, p], [p, p]], "data_format": "channels_last"})
    elif cls == "BatchNormalization":
        cfg.update({"axis": [3], "momentum": 0.99, "epsilon": eps, "center": True, "scale": True})
    elif cls == "Activation":
        cfg.update({"activation": "relu"})
    elif cls == "MaxPooling2D":
        cfg.update({"pool_size": [3, 3], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"})
    elif cls == "Conv2D":
        cfg.update({"padding": "valid", "data_format": "channels_last", "activation": "linear", "use_bias": True})
    return cfg


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("weights")
    ap.add_argument("out")
    ap.add_argument("naming", choices=["tf.keras", "keras2.2"])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bn-epsilon", type=float, default=None)
    ap.add_argument("--last-dense", default=None)
    a = ap.parse_args()
    k22 = a.naming == "keras2.2"
    eps = a.bn_epsilon if a.bn_epsilon is not None else (1e-3 if k22 else 1.001e-5)
    head_names = (["average_pooling2d_1", "flatten", "dense_1", "dropout_1", "dense_2"] if k22 else
                  ["average_pooling2d", "flatten", "dense", "dropout", "dense_1"])
    rng = np.random.RandomState(a.seed)
    lim1, lim2 = np.sqrt(6 / (2048 + 512)), np.sqrt(6 / (512 + 3))
    w1 = rng.uniform(-lim1, lim1, (2048, 512)).astype(np.float32)
    b1 = rng.uniform(-0.05, 0.05, 512).astype(np.float32)
    w2 = rng.uniform(-lim2, lim2, (512, 3)).astype(np.float32)
    b2 = rng.uniform(-0.05, 0.05, 3).astype(np.float32)
    if a.last_dense:
        path, group = a.last_dense.rsplit(":", 1)
        with h5py.File(path, "r") as f:
            w2, b2 = np.asarray(f[group]["kernel"], np.float32), np.asarray(f[group]["bias"], np.float32)

    with h5py.File(a.weights, "r") as src, h5py.File(a.out, "w") as f:
        base = [n.decode() if isinstance(n, bytes) else str(n) for n in src.attrs["layer_names"]]
        mw = f.create_group("model_weights")
        for name in base:
            src.copy(src[name], mw, name=name)
        for name, w in [(head_names[2], [w1, b1]), (head_names[4], [w2, b2])]:
            g = mw.create_group(name)
            wn = [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()]
            g.attrs["weight_names"] = np.array(wn)
            g.create_dataset(f"{name}/kernel:0", data=w[0])
            g.create_dataset(f"{name}/bias:0", data=w[1])
        for name in [head_names[0], head_names[1], head_names[3]]:
            mw.create_group(name).attrs["weight_names"] = np.array([], dtype=np.float64)
        names = base + head_names
        mw.attrs["layer_names"] = np.array([n.encode() for n in names])
        mw.attrs["backend"] = b"tensorflow"
        mw.attrs["keras_version"] = b"2.2.4" if k22 else b"2.11.0"

        layers, prev = [], None
        for i, name in enumerate(base):
            cls = base_class(name, k22)
            inbound = [] if prev is None else [[[prev, 0, 0, {}]] + ([[base[i - 4], 0, 0, {}]] if cls == "Add" else [])]
            layers.append({"class_name": cls, "config": layer_config(cls, name, eps), "name": name, "inbound_nodes": inbound})
            prev = name
        head = [("AveragePooling2D", {"pool_size": [7, 7], "padding": "valid", "strides": [7, 7], "data_format": "channels_last"}),
                ("Flatten", {"data_format": "channels_last"}),
                ("Dense", {"units": 512, "activation": "relu", "use_bias": True}),
                ("Dropout", {"rate": 0.5, "noise_shape": None, "seed": None}),
                ("Dense", {"units": 3, "activation": "softmax", "use_bias": True})]
        for name, (cls, cfg) in zip(head_names, head):
            layers.append({"class_name": cls, "config": {"name": name, "trainable": True, "dtype": "float32", **cfg},
                           "name": name, "inbound_nodes": [[[prev, 0, 0, {}]]]})
            prev = name
        config = {"class_name": "Model" if k22 else "Functional",
                  "config": {"name": "model_1" if k22 else "model", "layers": layers,
                             "input_layers": [[base[0], 0, 0]], "output_layers": [[prev, 0, 0]]}}
        if not k22:
            config["keras_version"], config["backend"] = "2.11.0", "tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        f.attrs["keras_version"] = b"2.2.4" if k22 else b"2.11.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["training_config"] = json.dumps({"loss": "categorical_crossentropy", "metrics": ["accuracy"],
                                                 "optimizer_config": {"class_name": "SGD", "config": {
                                                     "lr": 1e-4, "momentum": 0.9, "decay": 4e-6}}}).encode()


if __name__ == "__main__":
    main()
