#!/usr/bin/python3
"""archive_check.py MODE ... - independent checks of vidclass-batch's archive output
(docs/formats.md "Results file", "Segments", "Exports"), with h5py, numpy, ffprobe and
Python's csv/json modules. Exit status 0 when the check holds; a line says what was found.

  vfr RESULTS NAME CLIP          /frames/time of video NAME == ffprobe's pts_time of every
                                 frame of CLIP (within 1 ms), and /videos/duration > 0
  segments RESULTS               every video's /segments rows cover its classified frames
                                 once, in order, and equal the run-length encoding of
                                 /frames/label merged as the file's min_segment says
  csv|json RESULTS TABLE FILE    the export FILE of TABLE read back equals the datasets
  boundary RESULTS NAME          prints the first frame number whose smoothed label
                                 differs from the first frame's (-1: none)
  overlay VIDEO green|white      the text colour is present in the top-left corner of
                                 frame 10 (cv2 reads the labelled copy) and not elsewhere
"""
import csv
import json
import subprocess
import sys

import h5py
import numpy as np


def video_rows(f, name):
    paths = [p.decode() if isinstance(p, bytes) else p for p in f["videos/path"][:]]
    for v, p in enumerate(paths):
        if p == name or p.endswith("/" + name):
            s = int(f["videos/frame_start"][v])
            return v, slice(s, s + int(f["videos/n_frames"][v]))
    sys.exit(f"no video {name} in the results")


def check_vfr(res, name, clip):
    with h5py.File(res) as f:
        v, rows = video_rows(f, name)
        t = f["frames/time"][rows]
        dur = float(f["videos/duration"][v])
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time",
                          "-of", "csv=p=0", clip], capture_output=True, text=True, check=True).stdout.splitlines()
    fields = [line.split(",")[0].strip() for line in out]  # a frame with side data adds empty fields
    ref = np.array([float(x) for x in fields if x and x != "N/A"])
    if len(ref) != len(t):
        sys.exit(f"{len(t)} frame times, ffprobe lists {len(ref)} frames")
    err = float(np.max(np.abs(ref - t))) if len(t) else 0.0
    steps = sorted({round(float(d), 4) for d in np.diff(ref)})
    print(f"{len(t)} frames, frame intervals {steps} s, max |time - pts_time| = {err * 1e3:.3f} ms, duration {dur:.3f} s")
    sys.exit(0 if err < 1e-3 and dur > 0 else 1)


def merge_short(runs, min_seconds):
    """runs: list of [label, first_row, last_row, t0, t1]; the documented rule, written
    from the documentation: shortest first, into the longer neighbour (the earlier on a
    tie), neighbours of one label become one; a single run stays."""
    runs = [list(r) for r in runs]
    while len(runs) > 1:
        lengths = [r[4] - r[3] for r in runs]
        i = min(range(len(runs)), key=lambda k: (lengths[k], k))
        if lengths[i] >= min_seconds:
            break
        if i == 0:
            into = 1
        elif i == len(runs) - 1:
            into = i - 1
        else:
            into = i - 1 if lengths[i - 1] >= lengths[i + 1] else i + 1
        a, b = min(i, into), max(i, into)
        merged = [runs[into][0], runs[a][1], runs[b][2], runs[a][3], runs[b][4]]
        runs[a:b + 1] = [merged]
        k = a  # coalesce with equal-label neighbours
        while k + 1 < len(runs) and runs[k + 1][0] == runs[k][0]:
            runs[k] = [runs[k][0], runs[k][1], runs[k + 1][2], runs[k][3], runs[k + 1][4]]
            del runs[k + 1]
        while k > 0 and runs[k - 1][0] == runs[k][0]:
            runs[k - 1] = [runs[k][0], runs[k - 1][1], runs[k][2], runs[k - 1][3], runs[k][4]]
            del runs[k]
            k -= 1
    return runs


def check_segments(res):
    with h5py.File(res) as f:
        min_seg = float(f.attrs["min_segment"])
        seg = {k: f["segments/" + k][:] for k in f["segments"]}
        n_videos = len(f["videos/path"])
        total = 0
        for v in range(n_videos):
            s0, n = int(f["videos/frame_start"][v]), int(f["videos/n_frames"][v])
            idx, lab = f["frames/index"][s0:s0 + n], f["frames/label"][s0:s0 + n]
            t, conf = f["frames/time"][s0:s0 + n], f["frames/confidence"][s0:s0 + n]
            dur, fps = float(f["videos/duration"][v]), float(f["videos/fps"][v])
            mine = np.nonzero(seg["video"] == v)[0]
            if n == 0:
                if len(mine):
                    sys.exit(f"video {v} has no frames but {len(mine)} segments")
                continue
            runs, start = [], 0
            for i in range(1, n + 1):
                if i == n or lab[i] != lab[start]:
                    end_t = t[i] if i < n else (dur if dur > t[n - 1] else t[n - 1] + (1 / fps if fps > 0 else 0))
                    runs.append([int(lab[start]), start, i - 1, float(t[start]), float(end_t)])
                    start = i
            want = merge_short(runs, min_seg) if min_seg > 0 else runs
            if len(mine) != len(want):
                sys.exit(f"video {v}: {len(mine)} segments, want {len(want)}")
            if list(mine) != list(range(mine[0], mine[0] + len(mine))):
                sys.exit(f"video {v}: its segments are not consecutive rows")
            for k, r in zip(mine, want):
                got = (int(seg["label"][k]), int(seg["start_frame"][k]), int(seg["end_frame"][k]),
                       float(seg["start_time"][k]), float(seg["end_time"][k]))
                exp = (r[0], int(idx[r[1]]), int(idx[r[2]]), r[3], r[4])
                if got != exp:
                    sys.exit(f"video {v} segment {k}: {got}, want {exp}")
                m = lab[r[1]:r[2] + 1] == r[0]
                c = float(np.mean(conf[r[1]:r[2] + 1][m].astype(np.float64)))
                if abs(float(seg["confidence"][k]) - c) > 1e-6:
                    sys.exit(f"video {v} segment {k}: confidence {seg['confidence'][k]}, want {c}")
            # cover: first starts at the first frame, each next starts right after
            if int(seg["start_frame"][mine[0]]) != int(idx[0]) or int(seg["end_frame"][mine[-1]]) != int(idx[-1]):
                sys.exit(f"video {v}: segments do not span its frames")
            total += len(mine)
        if total != len(seg["video"]):
            sys.exit(f"{len(seg['video'])} segment rows, {total} belong to videos")
    print(f"{n_videos} videos, {total} segments: the run-length encoding of /frames/label"
          + (f", runs under {min_seg} s merged" if min_seg > 0 else "") + ", every frame covered once, in order")


def table_columns(f, table):
    """The expected rows of an export, from the datasets."""
    names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["class_names"]]
    lname = lambda l: names[l] if 0 <= l < len(names) else "unknown"
    paths = [p.decode() if isinstance(p, bytes) else p for p in f["videos/path"][:]]
    rows = []
    if table == "videos":
        for v in range(len(paths)):
            err = f["videos/error"][v]
            rows.append({"video": v, "path": paths[v], "status": int(f["videos/status"][v]),
                         "error": err.decode() if isinstance(err, bytes) else err, "label": int(f["videos/label"][v]),
                         "label_name": lname(int(f["videos/label"][v])), "confidence": np.float32(f["videos/confidence"][v]),
                         "n_frames": int(f["videos/n_frames"][v]), "fps": float(f["videos/fps"][v]),
                         "duration": float(f["videos/duration"][v])})
    elif table == "frames":
        probs = f["frames/probs"][:]
        for v in range(len(paths)):
            s0, n = int(f["videos/frame_start"][v]), int(f["videos/n_frames"][v])
            for i in range(s0, s0 + n):
                r = {"video": v, "path": paths[v], "frame": int(f["frames/index"][i]), "time": float(f["frames/time"][i]),
                     "label": int(f["frames/label"][i]), "label_name": lname(int(f["frames/label"][i])),
                     "confidence": np.float32(f["frames/confidence"][i])}
                r.update({"p_" + c: np.float32(probs[i, j]) for j, c in enumerate(names)})
                rows.append(r)
    else:
        for k in range(len(f["segments/video"])):
            v = int(f["segments/video"][k])
            rows.append({"video": v, "path": paths[v], "label": int(f["segments/label"][k]),
                         "label_name": lname(int(f["segments/label"][k])),
                         "start_frame": int(f["segments/start_frame"][k]), "end_frame": int(f["segments/end_frame"][k]),
                         "start_time": float(f["segments/start_time"][k]), "end_time": float(f["segments/end_time"][k]),
                         "confidence": np.float32(f["segments/confidence"][k])})
    return rows


def same_value(want, got):
    if isinstance(want, np.float32):
        return np.float32(float(got)) == want
    if isinstance(want, float):
        return float(got) == want
    if isinstance(want, int):
        return int(got) == want
    return str(got) == want


def check_export(kind, res, table, path):
    with h5py.File(res) as f:
        want = table_columns(f, table)
    with open(path, newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh)) if kind == "csv" else [json.loads(line) for line in fh]
    if len(got) != len(want):
        sys.exit(f"{len(got)} rows read back, the file has {len(want)}")
    for i, (w, g) in enumerate(zip(want, got)):
        if list(w.keys()) != list(g.keys()):
            sys.exit(f"row {i}: columns {list(g.keys())}, want {list(w.keys())}")
        for k in w:
            if not same_value(w[k], g[k]):
                sys.exit(f"row {i} column {k}: {g[k]!r}, want {w[k]!r}")
    print(f"{table} as {kind}: {len(got)} rows x {len(want[0]) if want else 0} columns read back equal to the datasets")


def boundary(res, name):
    with h5py.File(res) as f:
        _, rows = video_rows(f, name)
        lab, idx = f["frames/label"][rows], f["frames/index"][rows]
    ch = np.nonzero(lab != lab[0])[0]
    print(int(idx[ch[0]]) if len(ch) else -1)


def overlay(video, colour):
    import cv2
    cap = cv2.VideoCapture(video)
    for _ in range(10):
        ok, frame = cap.read()
        if not ok:
            sys.exit(f"cannot read frame 10 of {video}")
    h, w = frame.shape[:2]
    b, g, r = (frame[..., i].astype(int) for i in range(3))
    want = (g > 200) & (r < 90) & (b < 90) if colour == "green" else (g > 200) & (r > 200) & (b > 200)
    corner, rest = want[: h // 4, : w // 2].sum(), want[h // 2:, :].sum()
    print(f"{colour} pixels: {corner} in the top-left corner, {rest} in the lower half")
    sys.exit(0 if corner > 50 and rest == 0 else 1)


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "vfr":
        check_vfr(*args)
    elif mode == "segments":
        check_segments(*args)
    elif mode in ("csv", "json"):
        check_export(mode, *args)
    elif mode == "boundary":
        boundary(*args)
    elif mode == "overlay":
        overlay(*args)
    else:
        sys.exit(__doc__)
