#!/usr/bin/env python3
"""Summarise the measurements an unfinished `kolmo igpt` run has stored (OUT/checkpoints/*/step-*.json):
every checkpoint's test bits/dim and probe accuracies, and Spearman rho(-bits/dim, probe accuracy) over the trained
seed-0 AR checkpoints with a 95% percentile bootstrap over test images (1,000 resamples; each resample re-scores every
checkpoint's bits and accuracy on the same images), the method the finished run reports. Usage: partial_summary.py OUT"""
import glob, json, random, sys

def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r

def spearman(x, y):
    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / (sxx * syy) ** 0.5 if sxx > 0 and syy > 0 else float("nan")

out = sys.argv[1]
raw = json.load(open(f"{out}/checkpoints/raw-pixels.json"))
print(f"raw pixels: {100 * raw['testAccuracy'] if 'testAccuracy' in raw else 100 * raw['layers'][0]['testAccuracy']:.2f} %")
points = []
for f in sorted(glob.glob(f"{out}/checkpoints/*/step-*.json")):
    d = json.load(open(f))
    m = d["measurement"]
    lay = lambda p: " ".join(f"{100 * l['testAccuracy']:.2f}" for l in p["layers"])
    print(f"{m['objective']} {m['size']} s{m['seedIndex']} step {m['step']:5d} epochs {m['epochs']:.1f} bits/dim {m['testBits']:.4f} "
          f"mean {100 * m['mean']['testAccuracy']:.2f} (layer {m['mean']['bestLayer']}; layers {lay(m['mean'])}) "
          f"grid {100 * m['grid']['testAccuracy']:.2f} (layer {m['grid']['bestLayer']}; layers {lay(m['grid'])}) "
          f"train CPU-s {m['trainCpuSeconds']:.0f} measure CPU-s {m['measureCpuSeconds']:.0f}")
    if m["objective"] == "ar" and m["seedIndex"] == 0 and m["step"] > 0:
        points.append(d)
n = len(points[0]["imageBits"]) if points else 0
for key, name in (("meanCorrect", "mean"), ("gridCorrect", "grid 2x2")):
    if len(points) < 2:
        break
    x = [-d["measurement"]["testBits"] for d in points]
    y = [d["measurement"]["mean" if key == "meanCorrect" else "grid"]["testAccuracy"] for d in points]
    rho = spearman(x, y)
    rng = random.Random(1)
    boot = []
    for _ in range(1000):
        idx = [rng.randrange(n) for _ in range(n)]
        bx = [-sum(d["imageBits"][i] for i in idx) / n for d in points]
        by = [sum(d[key][i] == "1" for i in idx) / n for d in points]
        r = spearman(bx, by)
        if r == r:
            boot.append(r)
    boot.sort()
    lo, hi = boot[int(0.025 * len(boot))], boot[int(0.975 * len(boot)) - 1]
    print(f"Spearman rho(-bits/dim, {name} probe) over {len(points)} trained seed-0 AR checkpoints: {rho:.3f} (95% bootstrap {lo:.2f} .. {hi:.2f})")
