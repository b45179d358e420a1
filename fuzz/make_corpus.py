#!/usr/bin/env python3
"""make_corpus.py DIR — writes the seed corpus of npy_fuzz into DIR (created if missing).

The seeds are small .npy files built byte for byte as NumPy's np.save writes them
(version 1.0, 2.0 and 3.0 preambles, every element type the reader knows, 0-d, 1-d,
empty and 3-d shapes) plus header variants and broken files (fortran order,
big-endian, truncated data, a bad length), so the fuzzer starts from every branch of
the parser. Pure Python: no NumPy needed.
"""
import os
import struct
import sys


def header(descr, shape, fortran=False):
    shape_text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    text = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape_text)
    if shape:
        text += " " * (21 - len(str(shape[0])))
    return text


def npy(text, data=b"", major=1, align=True):
    raw = text.encode("latin1")
    prefix = 10 if major == 1 else 12
    hlen = len(raw) + 1
    pad = (64 - (prefix + hlen) % 64) if align else 0
    raw += b" " * pad + b"\n"
    length = struct.pack("<H" if major == 1 else "<I", len(raw))
    return b"\x93NUMPY" + bytes([major, 0]) + length + raw + data


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "corpus"
    os.makedirs(out, exist_ok=True)
    sizes = {"<f2": 2, "<f4": 4, "<f8": 8, "<i4": 4, "<i8": 8, "|u1": 1, "|b1": 1}
    seeds = {}
    for descr, size in sizes.items():
        for shape in [(), (5,), (3, 4), (0,), (2, 0, 3), (2, 1, 3)]:
            data = bytes((7 * i + 3) % 256 for i in range(count(shape) * size))
            name = "%s_%s" % (descr[1:], "x".join(map(str, shape)) or "scalar")
            seeds[name] = npy(header(descr, shape), data)
    seeds["v2"] = npy(header("<f4", (2,)), b"\0" * 8, major=2)
    seeds["v3"] = npy(header("<i8", (1,)), b"\0" * 8, major=3)
    seeds["unaligned_dq"] = npy('{"shape": (2,), "descr": "<i4", "fortran_order": False}', b"\1" * 8, align=False)
    seeds["long_dims"] = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 1L), }", b"\0" * 8)
    seeds["fortran"] = npy(header("<f4", (2, 2), fortran=True), b"\0" * 16)
    seeds["big_endian"] = npy(header(">f4", (2,)), b"\0" * 8)
    seeds["structured"] = npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", b"\0" * 4)
    seeds["truncated_data"] = npy(header("<f8", (3, 3)), b"\0" * 17)
    seeds["huge_shape"] = npy(header("<f4", (4294967296, 4294967296)))
    seeds["bad_length"] = b"\x93NUMPY\x01\x00\xff\xff{'descr'"
    for name, data in seeds.items():
        with open(os.path.join(out, name + ".npy"), "wb") as f:
            f.write(data)
    print("make_corpus: %d seeds in %s" % (len(seeds), out))


if __name__ == "__main__":
    main()
