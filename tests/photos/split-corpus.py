#!/usr/bin/env python3
"""Splits the labelled corpus into the folders a photographer would give
`validator calibrate`, the same way tests/validator_calibrate_test.cc does:

  tests/photos/split-corpus.py build/tests/photos/corpus OUT
  build/validator/validator calibrate OUT/good --bad OUT/bad

OUT/good: the photos made to be good (kind "positive", or "good") that no
label fails; OUT/bad: every photo whose label fails a check that can send a
student back. Photos that only a warn-only check fails (a beanie, a navy top:
the operator decides) are in neither. Symbolic links, not copies.
"""
import json
import os
import sys

WARN_ONLY = ("headwear", "clothing_style", "file_size")


def main():
    corpus, out = os.path.abspath(sys.argv[1]), sys.argv[2]
    labels = json.load(open(os.path.join(corpus, "labels.json")))["images"]
    for sub in ("good", "bad"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    counts = {"good": 0, "bad": 0}
    for img in labels:
        fails = any(v == "fail" for k, v in img["expect"].items() if k not in WARN_ONLY)
        warns = any(v == "fail" for k, v in img["expect"].items() if k in WARN_ONLY)
        if warns and not fails:
            continue
        good = img.get("kind") == "positive" or img.get("good", False)
        if not fails and not good:
            continue
        sub = "bad" if fails else "good"
        link = os.path.join(out, sub, img["file"])
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.join(corpus, img["file"]), link)
        counts[sub] += 1
    print("good: %d, bad: %d" % (counts["good"], counts["bad"]))


main()
