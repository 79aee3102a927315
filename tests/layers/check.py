#!/usr/bin/env python3
"""check.py - proves that the build enforces the layers' direction.

    commands (tools/cli) -> studies -> replay -> rules (models/) -> engine (sim/)

Every layer is a library whose include directory is its own folder; the
layers below come in through meson dependencies, the ones above never do.
This test takes the exact compile command that the build uses for one source
file of each layer (from compile_commands.json), and compiles a probe with it:

- a probe that includes a header of the same layer and one of each layer
  below must compile (the control: a test that could not pass is no proof);
- a probe that includes a header of any layer above must fail, with the
  compiler saying the header was not found.

It also reads every source file: no `#include` may climb out of its folder
with "..", which would get around the include directories; and JSON stays at
the edges: no file of the engine, the rules or the studies includes cJSON or
names a cJSON identifier outside comments (the replay layer's input and edit
boundary and the commands are the only users).  The control for that scan:
it must find cJSON in the replay layer.

    check.py BUILD_DIR SOURCE_ROOT
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

LAYERS = [  # bottom to top: (name, folder, a header of it)
    ("engine", "sim", "prefix.h"),
    ("rules", "models/rules", "effective.h"),
    ("replay", "models/replay", "run.h"),
    ("studies", "models/studies", "study.h"),
    ("commands", "tools/cli", "cli.h"),
]


def command_for(commands, src_root, folder):
    """The build's compile command (argv, cwd) for a .c file of folder."""
    want = os.path.join(src_root, folder) + os.sep
    for c in commands:
        f = os.path.normpath(os.path.join(c["directory"], c["file"]))
        if f.startswith(want) and os.path.dirname(f) + os.sep == want and f.endswith(".c"):
            argv = c.get("arguments") or shlex.split(c["command"])
            return argv, c["directory"], c["file"]
    return None


def probe(argv, cwd, src, headers, tmp):
    """Compile a probe that includes headers, with argv's flags in place of src."""
    path = os.path.join(tmp, "probe.c")
    with open(path, "w") as f:
        for h in headers:
            f.write('#include "%s"\n' % h)
        f.write("int probe_unused_symbol(void);\nint probe_unused_symbol(void) { return 0; }\n")
    out = []
    skip = False
    for a in argv:  # drop the output, dependency-file and source arguments
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MQ", "-MT"):
            skip = True
            continue
        if a == src or a.endswith(os.sep + os.path.basename(src)) and a.endswith(".c"):
            continue
        if a in ("-c", "-MD"):
            continue
        out.append(a)
    out += ["-fsyntax-only", path]
    r = subprocess.run(out, cwd=cwd, capture_output=True, text=True)
    return r.returncode, r.stderr


NO_CJSON = ["sim", "models/rules", "models/studies"]  # JSON stays at the edges
CJSON_CONTROL = "models/replay"                        # must be found using it
CJSON_WORD = re.compile(r"\bcJSON\w*|cjson/")


def strip_comments(text):
    """C text without its comments (string and character literals are kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))  # keep line numbers
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text[i] in "\"'":
            j = i + 1
            while j < n and text[j] != text[i] and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def cjson_uses(src_root, folder):
    """(path, line, text) of every cJSON include or identifier in folder's C files."""
    found = []
    for dirpath, _, names in os.walk(os.path.join(src_root, folder)):
        for n in sorted(names):
            if not n.endswith((".c", ".h")):
                continue
            p = os.path.join(dirpath, n)
            with open(p, encoding="utf-8", errors="replace") as f:
                code = strip_comments(f.read())
            for ln, line in enumerate(code.split("\n"), 1):
                if CJSON_WORD.search(line):
                    found.append((os.path.relpath(p, src_root), ln, line.strip()))
    return found


def check_cjson(src_root):
    """Failures of the JSON-at-the-edges rule (see the module comment)."""
    failures = 0
    for folder in NO_CJSON:
        uses = cjson_uses(src_root, folder)
        for path, ln, line in uses:
            print("FAIL %s:%d: cJSON outside the input layer and the commands: %s"
                  % (path, ln, line))
        failures += len(uses)
        if not uses:
            print("ok   %s: no cJSON" % folder)
    if not cjson_uses(src_root, CJSON_CONTROL):
        print("FAIL control: the scan finds no cJSON in %s, which parses with it" % CJSON_CONTROL)
        failures += 1
    return failures


def main():
    build, src_root = sys.argv[1], os.path.abspath(sys.argv[2])
    with open(os.path.join(build, "compile_commands.json")) as f:
        commands = json.load(f)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, folder, _) in enumerate(LAYERS):
            found = command_for(commands, src_root, folder)
            if not found:
                print("FAIL %s: no compile command for a .c file in %s" % (name, folder))
                failures += 1
                continue
            argv, cwd, src = found
            allowed = [h for _, _, h in LAYERS[: i + 1]]
            rc, err = probe(argv, cwd, src, allowed, tmp)
            if rc != 0:
                print("FAIL %s: its own and lower headers %s do not compile:\n%s"
                      % (name, allowed, err))
                failures += 1
            else:
                print("ok   %s: includes %s" % (name, ", ".join(allowed)))
            for upper, _, h in LAYERS[i + 1:]:
                rc, err = probe(argv, cwd, src, [h], tmp)
                if rc == 0 or "No such file" not in err and "not found" not in err:
                    print("FAIL %s: including %s's %s %s" % (
                        name, upper, h, "compiled" if rc == 0 else "failed otherwise:\n" + err))
                    failures += 1
                else:
                    print("ok   %s: including %s's %s fails (not found)" % (name, upper, h))
    climb = re.compile(r'^\s*#\s*include\s*"[^"]*\.\.[/\\]')
    for _, folder, _ in LAYERS:
        for dirpath, _, names in os.walk(os.path.join(src_root, folder)):
            for n in names:
                if not n.endswith((".c", ".h")):
                    continue
                p = os.path.join(dirpath, n)
                with open(p, encoding="utf-8", errors="replace") as f:
                    for ln, line in enumerate(f, 1):
                        if climb.match(line):
                            print("FAIL %s:%d: include climbs out of its folder: %s"
                                  % (os.path.relpath(p, src_root), ln, line.strip()))
                            failures += 1
    failures += check_cjson(src_root)
    print("layers: %s" % ("%d violation(s)" % failures if failures else "direction enforced"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
