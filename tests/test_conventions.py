#!/usr/bin/env python3
"""test_conventions.py BIN_DIR SOURCE_DIR - every tool against the one convention README.md
states, and README's tool table, docs/configs.md and each tool's --help against each other:

1. each tool: --help (exit 0, stdout only), --version (exit 0, stdout only, the documented
   fields), an unknown flag (exit 2, stderr only), a config with a YAML syntax error (exit 2,
   file:line:col) and a config whose own section holds a bad value (exit 2, naming
   section.key: the tool reads that section), and the flags README's table lists for it;
2. the option names: every key docs/configs.md lists for a section is a flag in the tool's
   --help, and every tool-specific flag in --help is a key there.
Prints one line per check and "N passed, M failed"; exit 1 on any failure."""
import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile

BIN, SRC = sys.argv[1], sys.argv[2]
TMP = tempfile.mkdtemp(prefix="vc-conv-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)  # also when a check fails
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
passed = failed = 0


def check(cond, name, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok:  ", name)
    else:
        failed += 1
        print("FAIL:", name, detail)


def run(tool, *args):
    p = subprocess.run([os.path.join(BIN, tool), *args], capture_output=True, text=True, env=ENV, timeout=120)
    return p.returncode, p.stdout, p.stderr


# the tables of README.md and docs/configs.md
readme = open(os.path.join(SRC, "README.md")).read()
rows = re.findall(r"^\| `(vidclass-[a-z]+)` \| [^|]+ \| ([^|]+) \| ([^|]+) \|$", readme, re.M)
check(len(rows) == 7, "README's tool table lists the 7 tools", str(rows))
configs = open(os.path.join(SRC, "docs", "configs.md")).read()
keys = {}
for m in re.finditer(r"^## `([a-z]+):`(?: and `([a-z]+):`)? \((vidclass-[a-z]+)", configs, re.M):
    body = configs[m.end():].split("\n## ", 1)[0]
    for sec in filter(None, m.group(1, 2)):
        rows_ = re.findall(r"^\| `([a-z0-9_]+)` \|(?: (export|merge|both) \|)?", body, re.M)
        keys[sec] = (m.group(3), {k for k, where in rows_ if where in ("", "both", sec)})

GENERIC = {"help", "version", "config", "quiet", "verbose", "log-time"}
ALIAS = {("predict", "video_output"): "output"}  # the tutorial's -o/--output
SUB = {"weights": ["init"], "export": ["export"], "merge": ["merge"]}  # the subcommand that reads a section
BAD_KEY = {"weights": "seed", "embed": "size", "pack": "size", "train": "epochs", "run": "window", "predict": "size",
           "export": "force", "merge": "dedupe"}


def help_flags(text):
    """Flags in the option column: at a line's start or after two spaces (two per line)."""
    return set(re.findall(r"(?:^\s*|\s\s)(?:-[a-z], )?--([a-z0-9][a-z0-9-]*)", text, re.M))


for tool, section, flags in rows:
    secs = re.findall(r"`([a-z]+):`", section)
    pre = SUB.get(secs[0], []) if secs else []
    rc, out, err = run(tool, *pre, "--help")
    check(rc == 0 and out and not err, f"{tool} --help: exit 0, stdout only", f"rc {rc} stderr {err[:200]!r}")
    listed = help_flags(out) | set(re.findall(r"--([a-z][a-z-]*)", out))
    for f in re.findall(r"--([a-z-]+)|-([a-z])\b", flags):
        name = f[0] or {"q": "quiet", "v": "verbose"}[f[1]]
        check(name in listed, f"{tool} --help lists --{name} (README)")
    rc, out, err = run(tool, "--version")
    check(rc == 0 and not err and re.match(rf"{tool} \(vidclass\) \d+\.\d+\.\d+\n", out) and
          all(k in out for k in ("git revision:", "build:", "OpenBLAS:", "FFmpeg:", "HDF5:", "MPI:")),
          f"{tool} --version: exit 0, stdout only, the documented fields", f"rc {rc} {out[:120]!r} {err[:200]!r}")
    rc, out, err = run(tool, *pre, "--no-such-flag")
    check(rc == 2 and not out and "no-such-flag" in err, f"{tool}: an unknown flag is exit 2 on stderr",
          f"rc {rc} stdout {out[:100]!r} stderr {err[:200]!r}")
    for sec in secs:
        pre = SUB.get(sec, [])
        cfg = os.path.join(TMP, f"{sec}_syntax.yaml")
        open(cfg, "w").write(f"{sec}:\n  a: [1\n")
        rc, out, err = run(tool, *pre, "--config", cfg)
        check(rc == 2 and not out and re.search(r"_syntax\.yaml:\d+:\d+: ", err),
              f"{tool} {' '.join(pre)}: a YAML syntax error is exit 2 with file:line:col", f"rc {rc} {err[:200]!r}")
        cfg = os.path.join(TMP, f"{sec}_bad.yaml")
        open(cfg, "w").write(f"{sec}:\n  {BAD_KEY[sec]}: abc\n")
        rc, out, err = run(tool, *pre, "--config", cfg)
        check(rc == 2 and f"'{sec}.{BAD_KEY[sec]}'" in err or f"{BAD_KEY[sec]}' must be" in err,
              f"{tool} {' '.join(pre)} --config reads its {sec}: section", f"rc {rc} {err[:200]!r}")
        other = "run" if sec != "run" else "pack"
        cfg = os.path.join(TMP, f"{sec}_other.yaml")
        open(cfg, "w").write(f"{other}:\n  {BAD_KEY[other]}: 1\n")
        rc, out, err = run(tool, *pre, "--config", cfg)
        check(rc == 2 and f"no '{sec}:' section" in err, f"{tool} {' '.join(pre)}: a config without its section is exit 2",
              f"rc {rc} {err[:200]!r}")
        # the option names, both ways
        doc_tool, doc_keys = keys.get(sec, (None, set()))
        check(doc_tool == tool, f"docs/configs.md has a {sec}: section for {tool}")
        rc, out, err = run(tool, *pre, "--help")
        hf_all = help_flags(out)
        hf = hf_all - GENERIC
        for k in sorted(doc_keys):
            f = ALIAS.get((sec, k), k.replace("_", "-"))
            check(f in hf_all or "no-" + f in hf_all, f"{sec}.{k} (docs/configs.md) is --{f} in {tool} --help")
        if len(secs) > 1:
            continue  # one --help for several sections: each flag belongs to one of them
        back = {ALIAS.get((sec, k), k.replace("_", "-")): k for k in doc_keys}
        for f in sorted(hf):
            base = f[3:] if f.startswith("no-") and f[3:] in back else f
            check(base in back, f"{tool} --{f} is a key of {sec}: in docs/configs.md")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
