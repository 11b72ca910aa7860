#!/usr/bin/python3
"""Peer for the pack benchmark: the same decode + RGB + resize to 224x224 (bilinear) of
every file under a class-folder tree, with Pillow (Debian python3-pil, libjpeg-turbo),
in P worker processes. Does not write anything (vidclass-pack also writes the HDF5 pack,
so this peer is favoured). Prints: pack impl=pil procs=P files=N ok=K img_s=X

usage: peer_pack_pil.py DIR PROCS
"""
import os
import sys
import time
from multiprocessing import Pool

from PIL import Image


def load(path):
    try:
        with Image.open(path) as im:
            im.convert("RGB").resize((224, 224), Image.BILINEAR).tobytes()
        return 1
    except Exception:
        return 0


def main(root, procs):
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if not f.endswith(".md"))
    t0 = time.perf_counter()
    with Pool(procs) as pool:
        ok = sum(pool.map(load, files, chunksize=16))
    el = time.perf_counter() - t0
    print(f"pack impl=pil procs={procs} files={len(files)} ok={ok} img_s={ok / el:.1f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
