#!/usr/bin/env python3
"""cm against lpaq1, zpaq, xz, zstd, brotli and bzip2 in one run: bytes and CPU-seconds per file.

    python3 bench/cm-anchors.py [--levels 1,3,6,9] [--anchors lpaq1-3,lpaq1-6,...] [--old-bench DLL] [--out FILE.md] CORPUS...

CORPUS is calgary (the 14 classic files), canterbury, enwik6 or text16 (16,000,000 bytes of English text
concatenated from ../shared/data, see TEXT16 below), or a folder. Run it through ../shared/tools/heavy.
cm runs in-process in bench/Kolmo.Bench (`cm-quick`: the model and coder without the container, CPU time of the
work only, round trip checked); the others are the system programs (lpaq1 built by ../shared/anchors/lpaq1/build),
timed as child-process CPU time (user + sys) per file, decompression included for cm and lpaq1.
--anchors limits the other compressors to those named (default: all; lpaq1-6 and lpaq1-3 are always run, the speed
columns are ratios to them), so a long run can be split into parts of under ten minutes.
--old-bench DLL adds the first cm model (a Kolmo.Bench.dll built from a commit before the rewrite) at level 6.
"""
import os
import resource
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

DATA = "/work/shared/data"
CALGARY = ["bib", "book1", "book2", "geo", "news", "obj1", "obj2", "paper1", "paper2", "pic", "progc", "progl", "progp", "trans"]
TEXT16 = [f"{DATA}/corpora/large/bible.txt", f"{DATA}/corpora/large/world192.txt", f"{DATA}/corpora/enwik/enwik6",
          *sorted(f"{DATA}/english/{f}" for f in os.listdir(f"{DATA}/english") if f.endswith(".txt")),
          f"{DATA}/corpora/calgary/book1", f"{DATA}/corpora/calgary/book2",
          *[f"{DATA}/corpora/canterbury/{f}" for f in ("alice29.txt", "asyoulik.txt", "lcet10.txt", "plrabn12.txt")]]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = f"{ROOT}/bench/Kolmo.Bench/bin/Release/net10.0/Kolmo.Bench.dll"


def files_of(corpus, tmp):
    if corpus == "calgary":
        return [f"{DATA}/corpora/calgary/{f}" for f in CALGARY]
    if corpus == "canterbury":
        d = f"{DATA}/corpora/canterbury"
        return sorted(f"{d}/{f}" for f in os.listdir(d) if f != "README.md")
    if corpus == "enwik6":
        return [f"{DATA}/corpora/enwik/enwik6"]
    if corpus == "text16":
        out = f"{tmp}/text16"
        with open(out, "wb") as w:
            left = 16_000_000
            while left > 0:   # the list holds less than 16 MB: it repeats from the start (a long-range match)
                for f in TEXT16:
                    b = open(f, "rb").read()[:left]
                    w.write(b)
                    left -= len(b)
                    if left == 0:
                        break
        return [out]
    return sorted(os.path.join(corpus, f) for f in os.listdir(corpus) if os.path.isfile(os.path.join(corpus, f)))


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_external(cmd_c, cmd_d, f, tmp):
    """cmd_c/cmd_d: functions (in, out) -> argv. Returns (bytes, compress cpu, decompress cpu or None)."""
    out = f"{tmp}/packed"
    back = f"{tmp}/back"
    for p in (out, back):
        if os.path.exists(p):
            os.remove(p)
    t0 = child_cpu()
    subprocess.run(cmd_c(f, out), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t1 = child_cpu()
    size = os.path.getsize(out)
    dcpu = None
    if cmd_d:
        subprocess.run(cmd_d(out, back), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dcpu = child_cpu() - t1
        if open(back, "rb").read() != open(f, "rb").read():
            raise SystemExit(f"round trip failed: {cmd_c(f, out)}")
    return size, t1 - t0, dcpu


def shell(s):
    return lambda i, o: ["sh", "-c", s.format(i=i, o=o)]


def main():
    args = sys.argv[1:]
    levels = [1, 3, 6, 9]
    old = None
    only = None
    out_md = None
    corpora = []
    while args:
        a = args.pop(0)
        if a == "--levels":
            levels = [int(x) for x in args.pop(0).split(",")]
        elif a == "--anchors":
            only = set(args.pop(0).split(",")) | {"lpaq1-3", "lpaq1-6"}
        elif a == "--old-bench":
            old = args.pop(0)
        elif a == "--out":
            out_md = args.pop(0)
        else:
            corpora.append(a)
    lpaq = subprocess.run([f"/work/shared/anchors/lpaq1/build"], capture_output=True, text=True, check=True).stdout.strip()
    externals = [
        *[(f"lpaq1-{l}", (lambda l: lambda i, o: [lpaq, str(l), i, o])(l), lambda i, o: [lpaq, "d", i, o]) for l in (3, 6, 9)],
        ("zpaq-m5", lambda i, o: ["zpaq", "a", o + ".zpaq", i, "-m5", "-t1"], None),
        ("xz-9e", shell("xz -9e -T1 -c {i} > {o}"), None),
        ("zstd-19", shell("zstd -19 --single-thread -q -c {i} > {o}"), None),
        ("brotli-11", shell("brotli -q 11 -c {i} > {o}"), None),
        ("bzip2-9", shell("bzip2 -9 -c {i} > {o}"), None),
    ]
    if only is not None:
        externals = [e for e in externals if e[0] in only]
    lines = []
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    lines.append(f"Commit `{commit}`, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, load {open('/proc/loadavg').read().split()[0]} at start.")
    lines.append("")
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in corpora:
            files = files_of(corpus, tmp)
            names = [os.path.basename(f) for f in files]
            raw = {os.path.basename(f): os.path.getsize(f) for f in files}
            res = {}   # compressor -> file -> (bytes, ccpu, dcpu)
            for name, c, d in externals:
                res[name] = {}
                for f in files:
                    if name == "zpaq-m5":
                        zp = f"{tmp}/packed.zpaq"
                        if os.path.exists(zp):
                            os.remove(zp)
                        t0 = child_cpu()
                        subprocess.run(["zpaq", "a", zp, os.path.basename(f), "-m5", "-t1"], cwd=os.path.dirname(f), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                        res[name][os.path.basename(f)] = (os.path.getsize(zp), child_cpu() - t0, None)
                    else:
                        res[name][os.path.basename(f)] = run_external(c, d, f, tmp)
                print(f"{corpus} {name} done", file=sys.stderr)
            cms = [(f"cm-{l}", BENCH, l) for l in levels] + ([("old-cm-6", old, 6)] if old else [])
            for name, dll, l in cms:
                p = subprocess.run(["dotnet", dll, "cm-quick", str(l), *files], capture_output=True, text=True, check=True)
                res[name] = {}
                for ln in p.stdout.splitlines():
                    t = ln.split()
                    if not t or t[0] in ("TOTAL", "#"):
                        continue
                    if name.startswith("old"):
                        # first model's bench: ideal bytes and MB/s of CPU time
                        res[name][t[0]] = (int(float(t[2])), int(t[1]) / (float(t[5]) * 1e6), None)
                    else:
                        res[name][t[0]] = (int(t[2]), float(t[5]), float(t[7]))
                print(f"{corpus} {name} done", file=sys.stderr)
            order = [c for c, _, _ in cms] + [n for n, _, _ in externals]
            total_raw = sum(raw.values())
            lines.append(f"## {corpus} ({len(files)} files, {total_raw:,} bytes)")
            lines.append("")
            lines.append("Bits per byte per file:")
            lines.append("")
            lines.append("| file | bytes | " + " | ".join(order) + " |")
            lines.append("|---|---:|" + "---:|" * len(order))
            for n in names:
                lines.append(f"| {n} | {raw[n]} | " + " | ".join(f"{8 * res[c][n][0] / raw[n]:.3f}" for c in order) + " |")
            lines.append("")
            lines.append("| compressor | total bytes | bits/byte | compress CPU-s | decompress CPU-s | decompress ÷ compress | speed ÷ lpaq1-6 | speed ÷ lpaq1-3 |")
            lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
            def tot(c):
                b = sum(res[c][n][0] for n in names)
                cc = sum(res[c][n][1] for n in names)
                dd = [res[c][n][2] for n in names]
                return b, cc, (sum(dd) if all(x is not None for x in dd) else None)
            _, l6, _ = tot("lpaq1-6")
            _, l3, _ = tot("lpaq1-3")
            for c in order:
                b, cc, dd = tot(c)
                lines.append(f"| {c} | {b:,} | {8 * b / total_raw:.4f} | {cc:.2f} | {'' if dd is None else f'{dd:.2f}'} | {'' if dd is None else f'{dd / cc:.2f}'} | {l6 / cc:.2f} | {l3 / cc:.2f} |")
            lines.append("")
            xz_worse = {c: [n for n in names if res[c][n][0] >= res["xz-9e"][n][0]] for c in order if c.startswith("cm")} if "xz-9e" in res else {}
            if xz_worse:
                lines.append("Files where cm is not smaller than xz -9e (its own bytes; cm-quick counts no container, the "
                         "container adds 35 bytes + 9 per MiB block): " + "; ".join(f"{c}: {', '.join(v) if v else 'none'}" for c, v in xz_worse.items()))
            lines.append("")
    text = "\n".join(lines)
    print(text)
    if out_md:
        with open(out_md, "a") as w:
            w.write(text + "\n")


if __name__ == "__main__":
    main()
