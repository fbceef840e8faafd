#!/usr/bin/env python3
# Usage: python3 dev/generate-powers-of-five.py > Sources/JSON/Generated/PowersOfFive.swift
# Generates the 128-bit truncated powers of five used by the Eisel-Lemire number parser
# (same construction as fast_float's table: q from -342 to 308, most significant bit at bit 127).
out = []
for q in range(-342, 0):
    power5 = 5 ** -q
    z = 0
    while (1 << z) < power5:
        z += 1
    if q >= -27:
        b = z + 127
        c = 2 ** b // power5 + 1
    else:
        b = 2 * z + 2 * 64
        c = 2 ** b // power5 + 1
        while c >= (1 << 128):
            c //= 2
    out.append(c)
for q in range(0, 309):
    power5 = 5 ** q
    while power5 < (1 << 127):
        power5 *= 2
    while power5 >= (1 << 128):
        power5 //= 2
    out.append(power5)
lines = []
for c in out:
    hi, lo = c >> 64, c & ((1 << 64) - 1)
    lines.append(f"    0x{hi:016x}, 0x{lo:016x},")
print("// swift-format-ignore-file")
print("// Generated: 128-bit truncated powers of five, 5^q for q in -342...308, normalised so the")
print("// top bit is set (the table of fast_float / Lemire, \"Number Parsing at a Gigabyte per Second\").")
print("// Each q takes two entries: high 64 bits, then low 64 bits. Do not edit by hand.")
print("enum PowersOfFive {")
print("    static let smallestExponent = -342")
print("    static let largestExponent = 308")
print("    static let table: [UInt64] = [")
print("\n".join(lines))
print("    ]")
print("}")
