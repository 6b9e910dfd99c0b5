"""Prints the medians of two equally long lists of figures and their ratio, for the bench scripts.

usage: compare_medians.py "FORMAT" A1 A2 ... B1 B2 ...
FORMAT is a str.format template with {a}, {b} and {ratio}."""
import statistics
import sys

template, values = sys.argv[1], [float(v) for v in sys.argv[2:]]
half = len(values) // 2
a, b = statistics.median(values[:half]), statistics.median(values[half:])
print(template.format(a=a, b=b, ratio=a / b))
