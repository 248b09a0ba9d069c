#!/usr/bin/env python3
"""Writes bitmap.bin: a 384 x 48 one-bit image (48-byte rows, most significant bit leftmost, 2,304 bytes)."""
W, H = 384, 48
px = [[0] * W for _ in range(H)]


def put(x, y):
    if 0 <= x < W and 0 <= y < H:
        px[y][x] = 1


for y in range(4, 44):              # a rectangle outline
    put(10, y)
    put(150, y)
for x in range(10, 151):
    put(x, 4)
    put(x, 43)
for (cx, cy, r) in [(60, 24, 15), (110, 22, 12), (250, 24, 20), (330, 20, 9)]:   # filled discs
    for y in range(H):
        for x in range(W):
            if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
                put(x, y)
for t in range(H):                  # two diagonals
    put(170 + t, t)
    put(220 - t, t)
for y in range(0, H, 6):            # a dotted grid
    for x in range(290, 380, 4):
        put(x, y)
out = bytearray()
for row in px:
    for b in range(0, W, 8):
        v = 0
        for k in range(8):
            v = (v << 1) | row[b + k]
        out.append(v)
with open('bitmap.bin', 'wb') as f:
    f.write(out)
