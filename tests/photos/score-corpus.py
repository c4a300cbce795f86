#!/usr/bin/env python3
"""Scores `validator check --json --all` output against a corpus's labels.json.

  validator check --json --all DIR/*.jpg > results.jsonl   (one JSON object a line)
  tests/photos/score-corpus.py DIR/labels.json results.jsonl [--held_out]

Prints per check: tp/fp/fn/tn (fail = the positive class; a warn-severity fail
is counted apart as "warned", neither a retake nor a pass), then the false-retake
rate over the good photos ("good": made to be accepted, every labelled check pass),
all and held out (people never used to tune), and which check sent each to retake.
The numbers in the README's "Measured on the wider corpus" come from this.
"""
import collections
import json
import sys


# Checks whose every failure is a warning (the operator decides), never a retake.
WARN_CHECKS = ("headwear", "clothing_style", "file_size", "ears_visible", "hair_over_eyebrows")


def main():
    labels = json.load(open(sys.argv[1]))["images"]
    if "--held_out" in sys.argv[3:]:
        labels = [i for i in labels if i.get("held_out")]
    results = {}
    for line in open(sys.argv[2]):
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            results[r["file"].rsplit("/", 1)[-1]] = r
    tally = collections.defaultdict(lambda: collections.Counter())
    good = {"all": [0, 0], "held_out": [0, 0]}
    retake_by = collections.Counter()
    for img in labels:
        r = results.get(img["file"])
        if r is None:
            continue
        got = {c["id"]: c for c in r.get("checks", [])}
        expect = img["expect"]
        for cid, want in expect.items():
            c = got.get(cid)
            if c is None:
                continue
            st = c["status"]
            if st == "undetermined":
                tally[cid]["und"] += 1
            elif st == "fail" and c["severity"] == "warn" and cid not in WARN_CHECKS:
                tally[cid]["warned_" + want] += 1
            elif want == "fail":
                tally[cid]["tp" if st == "fail" else "fn"] += 1
            else:
                tally[cid]["fp" if st == "fail" else "tn"] += 1
        is_good = img.get("good", False) and all(v == "pass" for v in expect.values())
        if is_good:
            for split in ("all", "held_out") if img.get("held_out") else ("all",):
                good[split][0] += 1
                good[split][1] += r["verdict"] == "fail"
            if r["verdict"] == "fail":
                ids = [c["id"] for c in r["checks"] if c["status"] == "fail" and c["severity"] == "reject"]
                retake_by.update(ids)
                print("  retake: %-40s %s" % (img["file"], " ".join(ids)))
    print("%-19s %4s %4s %4s %4s %4s %6s %6s %9s %7s" % ("check", "tp", "fp", "fn", "tn", "und", "warn+", "warn-",
                                                      "precision", "recall"))
    for cid in sorted(tally):
        t = tally[cid]
        p = t["tp"] / (t["tp"] + t["fp"]) if t["tp"] + t["fp"] else 1
        rc = t["tp"] / (t["tp"] + t["fn"] + t["warned_fail"]) if t["tp"] + t["fn"] + t["warned_fail"] else 1
        print("%-19s %4d %4d %4d %4d %4d %6d %6d %9.2f %7.2f" % (cid, t["tp"], t["fp"], t["fn"], t["tn"], t["und"],
                                                           t["warned_fail"], t["warned_pass"], p, rc))
    for split, (n, bad) in good.items():
        print("good photos (%s): %d, sent to retake: %d (%.1f%%)" % (split, n, bad, 100.0 * bad / max(n, 1)))
    print("retakes by check:", dict(retake_by))
    # must-retake defects: labelled fails of the reject-severity checks
    retake = {c: t for c, t in tally.items() if c not in WARN_CHECKS}
    caught = sum(t["tp"] for t in retake.values())
    defects = sum(t["tp"] + t["fn"] + t["warned_fail"] for t in retake.values())
    print("must-retake defects caught by their own check: %d of %d (%.1f%%)" % (caught, defects,
                                                                          100.0 * caught / max(defects, 1)))


main()
