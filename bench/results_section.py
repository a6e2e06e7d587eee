#!/usr/bin/env python3
"""Rewrites one section of bench/results.md, leaving every other section as it is.

    python3 bench/results_section.py NAME FILE [RESULTS]

The section is the text between the lines `<!-- NAME:begin -->` and `<!-- NAME:end -->`; it is replaced by FILE's
content. A section that is not there yet is appended (the file is created with a title if missing). run.sh writes
`availability`, waitingroom.sh writes `waitingroom`, hotonsale.sh writes `hotonsale`.
"""
import os
import re
import sys

name, fragment_path = sys.argv[1], sys.argv[2]
results_path = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.md")
begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
fragment = open(fragment_path, encoding="utf-8").read().strip("\n")
block = f"{begin}\n{fragment}\n{end}"

text = open(results_path, encoding="utf-8").read() if os.path.exists(results_path) else "# Benchmark results\n"
pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
if pattern.search(text):
    text = pattern.sub(lambda _: block, text, count=1)
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
tmp = results_path + ".tmp"
with open(tmp, "w", encoding="utf-8") as f:
    f.write(text if text.endswith("\n") else text + "\n")
os.replace(tmp, results_path)
