#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Pixel checks on monitor screendumps (PPM or PNG, as vmctl writes them).

  imgcheck.py size FILE                 -> "W H"
  imgcheck.py frac FILE RRGGBB [TOL]    -> fraction of pixels within TOL of the colour
                                           (sampled on a 4-pixel grid)
  imgcheck.py at FILE X Y               -> "RRGGBB"
  imgcheck.py centred FILE REF          REF appears pixel for pixel in the centre of
                                         FILE and every other pixel of FILE is black
                                         (scaling = center); exit 3 and the first
                                         difference on stderr when not
Exit status 1 and a message on stderr when the file cannot be read.
"""
import struct
import sys
import zlib


def read_ppm(data):
    # P6, maxval 255: header tokens separated by whitespace, then raw RGB.
    fields, pos = [], 2
    while len(fields) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(int(data[start:pos]))
    w, h, maxval = fields
    if maxval != 255:
        raise ValueError("only maxval 255 is supported")
    pix = data[pos + 1:pos + 1 + w * h * 3]
    return w, h, 3, pix


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(data):
    pos, idat, w = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError("only 8-bit RGB/RGBA non-interlaced PNG is supported")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = w * bpp
    out = bytearray(h * stride)
    prev = bytearray(stride)
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xff
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xff
            elif ftype == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 0xff
            elif ftype == 4:
                line[x] = (line[x] + paeth(a, b, c)) & 0xff
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return w, h, bpp, bytes(out)


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"P6":
        return read_ppm(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return read_png(data)
    raise ValueError("neither PPM nor PNG")



def frac(w, h, bpp, pix, want, tol=8, step=4):
    """Fraction of pixels within tol of want (RGB bytes), sampled every
    step-th pixel each way: 4 is enough for whole-monitor patterns and fast
    enough for Python under software emulation."""
    hits = total = 0
    for y in range(0, h, step):
        for x in range(0, w, step):
            o = (y * w + x) * bpp
            total += 1
            hits += all(abs(pix[o + c] - want[c]) <= tol for c in range(3))
    return hits / total

def rgb_rows(w, h, bpp, pix):
    """The image as h rows of packed RGB bytes (alpha dropped)."""
    rows = []
    for y in range(h):
        row = pix[y * w * bpp:(y + 1) * w * bpp]
        if bpp == 4:
            row = bytes(b for i, b in enumerate(row) if i % 4 != 3)
        rows.append(bytes(row))
    return rows


def centred(img, ref):
    """None when ref sits exactly in img's centre (offsets rounded down, as
    a plane placed at (W - w) / 2 is) and the rest is black; else the first
    difference, in words."""
    (w, h, bpp, pix), (rw, rh, rbpp, rpix) = img, ref
    if rw > w or rh > h:
        return "the reference (%dx%d) is larger than the image (%dx%d)" % (rw, rh, w, h)
    x0, y0 = (w - rw) // 2, (h - rh) // 2
    rows, rrows = rgb_rows(w, h, bpp, pix), rgb_rows(rw, rh, rbpp, rpix)
    black = bytes(3 * w)
    for y in range(h):
        row = rows[y]
        if y0 <= y < y0 + rh:
            want = black[:3 * x0] + rrows[y - y0] + black[:3 * (w - x0 - rw)]
        else:
            want = black
        if row != want:
            x = next(i for i in range(len(row)) if row[i] != want[i]) // 3
            return "pixel (%d,%d) is %s, wanted %s (reference %dx%d at (%d,%d) in %dx%d)" % (
                x, y, row[3 * x:3 * x + 3].hex(), want[3 * x:3 * x + 3].hex(),
                rw, rh, x0, y0, w, h)
    return None


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, path = argv[1], argv[2]
    try:
        w, h, bpp, pix = load(path)
    except (OSError, ValueError, zlib.error, struct.error) as e:
        print(f"imgcheck: {path}: {e}", file=sys.stderr)
        return 1
    if cmd == "size":
        print(w, h)
    elif cmd == "at":
        x, y = int(argv[3]), int(argv[4])
        o = (y * w + x) * bpp
        print("%02x%02x%02x" % (pix[o], pix[o + 1], pix[o + 2]))
    elif cmd == "frac":
        want = bytes.fromhex(argv[3])
        tol = int(argv[4]) if len(argv) > 4 else 8
        print("%.4f" % frac(w, h, bpp, pix, want, tol))
    elif cmd == "centred":
        try:
            ref = load(argv[3])
        except (OSError, ValueError, zlib.error, struct.error) as e:
            print(f"imgcheck: {argv[3]}: {e}", file=sys.stderr)
            return 1
        diff = centred((w, h, bpp, pix), ref)
        if diff:
            print(f"imgcheck: {path} does not hold {argv[3]} centred: {diff}", file=sys.stderr)
            return 3
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
