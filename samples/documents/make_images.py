"""Writes the sample document images (run once; the files are committed).

Tiny real images made by hand so that nothing but Python is needed: a PNG
(zlib), a baseline JPEG (two flat 8x8 blocks, standard DC table), a GIF
(fixed-width LZW), two PNG signatures, and a text file named .jpg that
Ferry must refuse by its content.  python3 make_images.py
"""
import struct
import zlib


def png(path, width, height, pixel):
    rows = b"".join(
        b"\0" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def jpeg(path, means):
    """A grey baseline JPEG of len(means) 8x8 blocks side by side, each flat."""
    dc_bits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    dc_vals = list(range(12))
    codes, code, k = {}, 0, 0
    for length, n in enumerate(dc_bits, start=1):
        for _ in range(n):
            codes[dc_vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    bits = ""
    prev = 0
    for m in means:
        dc = 8 * (m - 128)
        diff, prev = dc - prev, dc
        cat = abs(diff).bit_length()
        c, length = codes[cat]
        bits += format(c, "0%db" % length)
        if cat:
            v = diff if diff > 0 else diff + (1 << cat) - 1
            bits += format(v, "0%db" % cat)
        bits += "0"  # end of block: the AC table's one code
    bits += "1" * (-len(bits) % 8)
    data = bytearray()
    for i in range(0, len(bits), 8):
        b = int(bits[i:i + 8], 2)
        data.append(b)
        if b == 0xFF:
            data.append(0)
    seg = lambda marker, body: marker + struct.pack(">H", len(body) + 2) + body
    out = b"\xff\xd8"
    out += seg(b"\xff\xe0", b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0")
    out += seg(b"\xff\xdb", b"\0" + b"\x01" * 64)
    out += seg(b"\xff\xc0", struct.pack(">BHHB", 8, 8, 8 * len(means), 1) + b"\x01\x11\0")
    out += seg(b"\xff\xc4", b"\x00" + bytes(dc_bits) + bytes(dc_vals))
    out += seg(b"\xff\xc4", b"\x10" + bytes([1] + [0] * 15) + b"\x00")
    out += seg(b"\xff\xda", b"\x01\x01\x00\x00\x3f\x00")
    out += bytes(data) + b"\xff\xd9"
    with open(path, "wb") as f:
        f.write(out)


def gif(path, width, height, palette, index):
    """A GIF whose LZW codes stay 3 bits wide: a clear code every 2 pixels."""
    pixels = [index(x, y) for y in range(height) for x in range(width)]
    codes = []
    for i in range(0, len(pixels), 2):
        codes.append(4)
        codes.extend(pixels[i:i + 2])
    codes.append(5)
    acc, nbits, data = 0, 0, bytearray()
    for c in codes:
        acc |= c << nbits
        nbits += 3
        while nbits >= 8:
            data.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8
    if nbits:
        data.append(acc)
    blocks = b"".join(bytes([len(data[i:i + 255])]) + bytes(data[i:i + 255])
                      for i in range(0, len(data), 255)) + b"\0"
    out = b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF1, 0, 0)
    out += b"".join(bytes(c) for c in palette)
    out += b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02" + blocks + b"\x3b"
    with open(path, "wb") as f:
        f.write(out)


png("CLD0000001.png", 12, 12, lambda x, y: (40 + 15 * x, 90 + 10 * y, 160))
jpeg("CLD0000002.jpg", [48, 200])
gif("CLD0000003.gif", 8, 8, [(96, 108, 56), (254, 250, 224), (221, 161, 94), (40, 54, 24)],
    lambda x, y: (x // 2 + y // 4) % 4)
line = lambda pts: lambda x, y: (20, 20, 90) if any(
    abs(y - (y0 + (y1 - y0) * (x - x0) / (x1 - x0))) < 0.8
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]) if x0 <= x <= x1) else (255, 255, 255)
png("signatures/CLD0000001.png", 32, 10, line([(1, 7), (8, 2), (15, 8), (24, 3), (31, 7)]))
png("signatures/CLD0000006.png", 32, 10, line([(1, 3), (10, 8), (20, 2), (31, 8)]))
with open("not-a-picture.jpg", "w") as f:
    f.write("A scanned form was expected here; the export holds this note under a .jpg name.\n")
