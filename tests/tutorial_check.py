#!/usr/bin/python3
"""tutorial_check.py REF.h5 GROUP RESULTS.h5 CLIPS_DIR - vidclass-batch's results for the
committed clips against predict_video.py's computation (tests/reference/tutorial_ref.h5):
every frame, probabilities within 1e-4, the same smoothed labels, and the 224x224 frames
the same as cv2's (their checksum). Prints one line per clip; exit 1 on any difference."""
import os
import sys

import cv2
import h5py
import numpy as np

ref_path, group, res_path, clips = sys.argv[1:5]
bad = 0
with h5py.File(ref_path, "r") as ref, h5py.File(res_path, "r") as res:
    paths = [p.decode() if isinstance(p, bytes) else p for p in res["videos/path"][:]]
    starts, counts = res["videos/frame_start"][:], res["videos/n_frames"][:]
    for clip in sorted(os.listdir(clips)):
        want = ref[group][clip]
        rows = [i for i, p in enumerate(paths) if os.path.basename(p) == clip]
        if len(rows) != 1:
            print(f"FAIL {clip}: {len(rows)} rows in the results")
            bad += 1
            continue
        s, n = int(starts[rows[0]]), int(counts[rows[0]])
        probs, labels = res["frames/probs"][s:s + n], res["frames/label"][s:s + n]
        idx = res["frames/index"][s:s + n]
        same_n = n == len(want["probs"]) and list(idx) == list(range(n))
        diff = np.abs(probs.astype(np.float64) - want["probs"][:]).max() if same_n else float("inf")
        same_labels = same_n and list(labels) == list(want["labels"][:])
        vs, frames_sum = cv2.VideoCapture(os.path.join(clips, clip)), 0
        while True:
            ok, fr = vs.read()
            if not ok:
                break
            frames_sum += int(cv2.resize(cv2.cvtColor(fr, cv2.COLOR_BGR2RGB), (224, 224)).astype(np.int64).sum())
        ok = same_n and diff <= 1e-4 and same_labels and frames_sum == want.attrs["frames_sum"]
        bad += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {group:9s} {clip:20s} {n} frames (reference {len(want['probs'])}), "
              f"max |p - p_ref| {diff:.2e} (bar 1e-4), labels {'equal' if same_labels else 'DIFFER'} {list(labels)}")
sys.exit(1 if bad else 0)
