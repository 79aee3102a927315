#!/usr/bin/env python3
"""test-summary.py - one summary line from meson's test log.

    tools/test-summary.py [TESTLOG]

TESTLOG defaults to $BUILD_DIR/meson-logs/testlog.json (BUILD_DIR defaults to
build, relative to the repository root). The log has one JSON object per line,
one per test run, with a "result" field: OK, EXPECTEDFAIL, UNEXPECTEDPASS,
FAIL, SKIP, TIMEOUT, ERROR (and INTERRUPT). passed = OK + EXPECTEDFAIL,
skipped = SKIP, failed = everything else, including lines that cannot be read.

The names of the tests that did not pass come first; the LAST line printed is
exactly "N passed, M failed" (", K skipped" appended only when K > 0), which CI
reads, so nothing is printed after it. Exit status 0 when M == 0 and N > 0,
else 1 (a run in which nothing passed proves nothing).
"""

import json
import os
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}


def default_log():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.environ.get("BUILD_DIR") or "build"
    return os.path.join(root, build, "meson-logs", "testlog.json")


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print("usage: tools/test-summary.py [TESTLOG]", file=sys.stderr)
        return 2
    path = argv[1] if len(argv) == 2 else default_log()
    passed = failed = skipped = 0
    not_passed = []
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            for lineno, line in enumerate(log, 1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    result = str(entry["result"])
                    name = str(entry.get("name", "?"))
                except (ValueError, KeyError, TypeError):
                    print("test-summary: %s:%d: not a test result, counted as failed"
                          % (path, lineno), file=sys.stderr)
                    failed += 1
                    continue
                if result in PASSED:
                    passed += 1
                elif result in SKIPPED:
                    skipped += 1
                else:
                    failed += 1
                    not_passed.append((result, name))
    except OSError as err:
        print("test-summary: cannot read %s: %s (did any test run?)"
              % (path, err.strerror or err), file=sys.stderr)
    for result, name in not_passed:
        print("%-14s %s" % (result, name))
    summary = "%d passed, %d failed" % (passed, failed)
    if skipped > 0:
        summary += ", %d skipped" % skipped
    print(summary, flush=True)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
