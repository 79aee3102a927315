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
with "..", which would get around the include directories.

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
    print("layers: %s" % ("%d violation(s)" % failures if failures else "direction enforced"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
