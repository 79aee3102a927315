#!/usr/bin/env python3
"""commands.py - every vnetsim command the README shows runs as written.

Extracts the commands from README.md:
  - every line of a ```sh block whose command is `vnetsim ...` or
    `build/tools/vnetsim ...` (backslash continuations joined; pipes and
    redirections kept), the lines of one block run in order in one folder;
  - the example column of the command table (`vnetsim ...` in backticks).
Each block (and the table, in row order) runs with `sh -c`, line by line, in
a fresh folder that holds the repository's scenarios/, tests/ and tools/
(symbolic links) and build/tools/vnetsim, with build/tools on PATH, exactly as
the README tells a reader to set up.  A command passes when it exits 0 or 1
(1 is "differences found", documented), or with the status a trailing
`# exit N` comment states.  Lines that start another program (GNU parallel,
srun, sbatch, the Azure collector) or carry a `# recipe` comment (they need
Azure, a cluster or a container) are listed, not run.  Fails when no command
was found (the extraction broke).

  commands.py VNETSIM SOURCE_ROOT [--list]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 300


def blocks(text):
    """(kind, [command lines]) per ```sh block and one for the table."""
    out, cur, fence = [], None, False
    table = []
    for line in text.splitlines():
        m = re.match(r"^```(\S*)", line)
        if m and not fence:
            fence, cur = True, ([] if m.group(1) == "sh" else None)
            continue
        if m and fence:
            if cur is not None:
                out.append(("block", join_continuations(cur)))
            fence, cur = False, None
            continue
        if fence:
            if cur is not None:
                cur.append(line)
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) >= 2 and cells[0].startswith("`vnetsim"):
            for ex in re.findall(r"`(vnetsim [^`]+)`", cells[-1]):
                table.append(ex)
    out.append(("table", table))
    return out


def join_continuations(lines):
    cmds, acc = [], ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            acc += line.rstrip()[:-1] + " "
            continue
        acc += line
        if acc.strip() and not acc.strip().startswith("#"):
            cmds.append(acc.strip())
        acc = ""
    return cmds


def is_vnetsim(cmd):
    return (re.match(r"^(build/tools/)?vnetsim\s", cmd) is not None
            and re.search(r"#\s*recipe\b", cmd) is None)


def wanted_status(cmd):
    m = re.search(r"#\s*exit\s+(\d+)\s*$", cmd)
    return {int(m.group(1))} if m else {0, 1}


def sandbox(root, vnetsim):
    d = tempfile.mkdtemp(prefix="vnetsim-readme-")
    for sub in ("scenarios", "tests", "tools"):
        os.symlink(os.path.join(root, sub), os.path.join(d, sub))
    os.makedirs(os.path.join(d, "build", "tools"))
    os.symlink(vnetsim, os.path.join(d, "build", "tools", "vnetsim"))
    return d


def main():
    vnetsim, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    text = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    ran = failed = 0
    for kind, cmds in blocks(text):
        d = sandbox(root, vnetsim)
        env = dict(os.environ, PATH=os.path.join(d, "build", "tools") + os.pathsep + os.environ["PATH"])
        try:
            for cmd in cmds:
                if not is_vnetsim(cmd):
                    if "vnetsim" in cmd:
                        print(f"not run (a recipe for another system): {cmd}")
                    continue
                if "--list" in sys.argv:
                    print(cmd)
                    continue
                try:
                    p = subprocess.run(["sh", "-c", cmd], cwd=d, env=env, timeout=TIMEOUT,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                    rc, err = p.returncode, p.stderr.decode("utf-8", "replace")
                except subprocess.TimeoutExpired:
                    rc, err = "timeout", f"did not end within {TIMEOUT} s"
                ran += 1
                if rc not in wanted_status(cmd):
                    failed += 1
                    tail = "\n    ".join(err.strip().splitlines()[-5:])
                    print(f"FAIL ({kind}): {cmd}\n  exit {rc}\n    {tail}")
                else:
                    print(f"ok (exit {rc}): {cmd}")
        finally:
            shutil.rmtree(d, ignore_errors=True)
    if "--list" in sys.argv:
        return 0
    print(f"{ran} README commands run, {failed} failed")
    if ran < 10:
        print("FAIL: fewer than 10 commands found: the extraction is broken")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
