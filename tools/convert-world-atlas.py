#!/usr/bin/env python3
"""Converts Natural Earth country shapes, as packaged in the npm registry's `world-atlas`
package (TopoJSON), into assets/world.bin, the compact file sco-bot embeds for /map.

Usage (run once; the output is committed):
    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 tools/convert-world-atlas.py /tmp/package assets/world.bin

What it keeps: every country of the 1:110m file, plus the countries of the 1:50m file that
the 1:110m file lacks (small states such as Bahrain and the Maldives), each joined by its
ISO 3166-1 numeric code (`id` in world-atlas; 0 where Natural Earth gives none, e.g. Kosovo).
Borders are Natural Earth's default depiction (disputed areas such as Kashmir and Aksai Chin
as Natural Earth draws them).

Format (little endian):
    b"SCOWORLD", u8 format version (1)
    u16 length, UTF-8 note naming the data's origin and version
    u16 country count; per country:
        u16 ISO numeric code (0 = none), u8 scale (110 or 50), u16 ring count; per ring:
            u16 point count, then points as zigzag varints of (lon, lat) in 1/100 degree,
            the first absolute, the rest as differences from the previous point.
Rings are drawn with the even-odd rule, so holes need no marking.
"""

import json
import struct
import sys


def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring(arcs, indexes):
    out = []
    for i in indexes:
        pts = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        out.extend(pts if not out else pts[1:])
    return out


def rings_of(arcs, geom):
    if geom["type"] == "Polygon":
        polys = [geom["arcs"]]
    elif geom["type"] == "MultiPolygon":
        polys = geom["arcs"]
    else:
        return []
    return [ring(arcs, r) for poly in polys for r in poly]


def quantise(points):
    q = []
    for lon, lat in points:
        p = (round(lon * 100), round(lat * 100))
        if not q or q[-1] != p:
            q.append(p)
    if len(q) > 1 and q[0] == q[-1]:
        q.pop()
    return q


def varint(n):
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = z & 0x7F
        z >>= 7
        if z:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def countries(path):
    topo = json.load(open(path))
    arcs = decode_arcs(topo)
    for g in topo["objects"]["countries"]["geometries"]:
        code = int(g["id"]) if g.get("id") else 0
        yield code, g["properties"].get("name", ""), rings_of(arcs, g)


def main(src, dst):
    version = json.load(open(f"{src}/package.json"))["version"]
    small = list(countries(f"{src}/countries-110m.json"))
    have = {code for code, _, _ in small if code}
    extra = [c for c in countries(f"{src}/countries-50m.json") if c[0] and c[0] not in have]
    out = bytearray(b"SCOWORLD")
    out.append(1)
    note = (f"Natural Earth 1:110m admin 0 countries (+1:50m for {len(extra)} small ones), "
            f"public domain, via world-atlas {version} (ISC)").encode()
    out += struct.pack("<H", len(note)) + note
    entries = [(c, 110, r) for c, _, r in small] + [(c, 50, r) for c, _, r in extra]
    out += struct.pack("<H", len(entries))
    for code, scale, rings in entries:
        rings = [q for q in (quantise(r) for r in rings) if len(q) >= 3]
        out += struct.pack("<HBH", code, scale, len(rings))
        for r in rings:
            out += struct.pack("<H", len(r))
            px = py = 0
            for x, y in r:
                out += varint(x - px) + varint(y - py)
                px, py = x, y
    open(dst, "wb").write(out)
    print(f"{dst}: {len(entries)} countries ({len(extra)} from 1:50m), {len(out)} bytes")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
