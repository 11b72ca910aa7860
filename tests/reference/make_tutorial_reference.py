#!/usr/bin/python3
"""Write tests/reference/tutorial_ref.h5: what the reference tutorial's predict_video.py
computes for the committed clips (tests/reference/clips/) with the two generated tutorial
model files, for tests/test_tutorial.sh.

Not run in CI. Regenerate (after changing the weights generator, the model writer or the
clips) with:
    build/bin/vidclass-weights init --seed 1234 --layout tf.keras --output /tmp/w_tf.h5
    build/bin/vidclass-weights init --seed 1234 --layout keras2.2 --output /tmp/w_k22.h5
    /usr/bin/python3 tests/reference/make_tutorial_model.py /tmp/w_tf.h5 /tmp/tf.model tf.keras
    /usr/bin/python3 tests/reference/make_tutorial_model.py /tmp/w_k22.h5 /tmp/k22.model keras2.2
    /usr/bin/python3 tests/reference/make_tutorial_reference.py tests/reference/clips \\
        /tmp/tf.model /tmp/k22.model tests/reference/tutorial_ref.h5

The models' last Dense layer is then fitted here (least squares on the hidden layer's
output, frames of each clip's three scenes -> classes 0, 1, 2) and stored in the fixture
(GROUP/kernel, GROUP/bias), so that random base weights still give a head whose labels
change with the scene; the test writes the model files with it (--last-dense).

predict_video.py, per frame: vs.read() (cv2.VideoCapture) -> cv2.cvtColor(BGR2RGB) ->
cv2.resize((224, 224)).astype("float32") -> minus [123.68, 116.779, 103.939] ->
model.predict -> append to a deque of the last --size predictions -> label = argmax of
their mean. Here the model runs in PyTorch float64 (keras_resnet50_torch.py, reading the
model file's /model_weights as Keras does, BN epsilon and pooling as the layout's Keras
builds them), the head (AveragePooling2D 7x7 on the 7x7 map, Flatten, Dense relu, Dense
softmax; Dropout inactive) in numpy float64. Stored per model and clip: the 224x224 input
frames' checksum, the probabilities [n, 3] and the smoothed labels [n] for --size 5.
"""
import os
import sys
from collections import deque

import cv2
import h5py
import numpy as np
import torch

from keras_resnet50_torch import KerasResNet50

SIZE = 5  # predict_video.py --size: the rolling window (odd: no ties between two scenes)
MEAN = np.array([123.68, 116.779, 103.939])


def head_weights(path, names):
    with h5py.File(path, "r") as f:
        mw = f["model_weights"]
        out = []
        for n in names:
            g = mw[n]
            wn = [w.decode() if isinstance(w, bytes) else str(w) for w in g.attrs["weight_names"]]
            out.append((np.asarray(g[wn[0]], np.float64), np.asarray(g[wn[1]], np.float64)))
    return out


def frames(path):
    vs, out = cv2.VideoCapture(path), []
    while True:
        grabbed, frame = vs.read()
        if not grabbed:
            return np.array(out)
        out.append(cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), (224, 224)))


def hidden(net, dense, rgb):
    """The hidden Dense layer's output for one frame (Dropout is inactive)."""
    x = rgb.astype(np.float32).astype(np.float64) - MEAN
    fmap = net.forward(x[None])[0]                  # 7x7x2048
    h = fmap.mean(axis=(0, 1))                      # AveragePooling2D((7, 7)) + Flatten
    return np.maximum(h @ dense[0][0] + dense[0][1], 0)


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def fit_last(hs, scenes):
    """Least squares: logits +-3 for each frame's scene, on the centred hidden output."""
    H = np.concatenate(hs)
    y = np.concatenate(scenes)
    T = np.where(np.eye(3)[y] > 0, 3.0, -3.0)
    A = np.hstack([H, np.ones((len(H), 1))])
    sol = np.linalg.lstsq(A, T, rcond=1e-6)[0]
    return sol[:-1].astype(np.float32), sol[-1].astype(np.float32)


def main(clips, model_tf, model_k22, out):
    torch.set_num_threads(2)
    models = {"tf.keras": (model_tf, ["dense", "dense_1"]), "keras2.2": (model_k22, ["dense_1", "dense_2"])}
    with h5py.File(out, "w") as f:
        f.attrs["size"] = SIZE
        f.attrs["generator"] = "tests/reference/make_tutorial_reference.py (cv2 frames, PyTorch float64 network)"
        for tag, (path, dense_names) in models.items():
            net, dense = KerasResNet50(path), head_weights(path, dense_names)
            g = f.create_group(tag)
            names = sorted(os.listdir(clips))
            rgbs = [frames(os.path.join(clips, clip)) for clip in names]
            hs = [np.array([hidden(net, dense, fr) for fr in rgb]) for rgb in rgbs]
            # the clips hold three scenes of equal length (the edit-list clip starts inside the first)
            scenes = [np.minimum((np.arange(len(rgb)) + 9 - len(rgb)) // 3, 2) for rgb in rgbs]
            kernel, bias = fit_last(hs, scenes)
            g.create_dataset("kernel", data=kernel)
            g.create_dataset("bias", data=bias)
            g.attrs["hidden_checksum"] = float(dense[0][0].sum() + dense[0][1].sum())
            for clip, rgb, h in zip(names, rgbs, hs):
                probs = softmax(h @ kernel.astype(np.float64) + bias.astype(np.float64))
                q, labels = deque(maxlen=SIZE), []
                for p in probs:
                    q.append(p)
                    labels.append(int(np.argmax(np.array(q).mean(axis=0))))
                means = [np.sort(np.array(probs[max(0, i - SIZE + 1):i + 1]).mean(axis=0)) for i in range(len(probs))]
                margin = min(m[-1] - m[-2] for m in means)
                c = g.create_group(clip)
                c.create_dataset("probs", data=probs.astype(np.float64))
                c.create_dataset("labels", data=np.array(labels, np.int32))
                c.attrs["frames_sum"] = int(rgb.astype(np.int64).sum())
                print(f"{tag:9s} {clip:20s} {len(rgb)} frames, labels {labels}, smallest top-2 margin {margin:.4f}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
