#!/usr/bin/env python3
"""ci-workflow.py - the Terraform pull-request workflow of README "CI"
(tools/ci-examples/terraform-routes.yml) works as written:

  - README.md shows the file verbatim, and it is valid YAML (python3-yaml)
    for GitHub Actions: vnetsim is checked out from its own repository and
    built there, terraform's wrapper is off (show -json must print bare
    JSON), diff writes --junit;
  - its `plan`, `import` and `diff` steps, run as GitHub runs them (bash -e
    -o pipefail) in a workspace laid out as the checkouts leave it, with a
    stand-in `terraform` that prints the fixtures (base: the state, head: the
    plan that adds a UDR) and the vnetsim built here: every step exits 0,
    diff.json names exactly the NICs the UDR moves (web-a, web-b) and
    diff.xml fails their group;
  - a stack that is new in the pull request (no base folder): the steps
    pass and every NIC of the plan is new;
  - a malformed plan fails the import step (exit 2 reaches the job).

  ci-workflow.py VNETSIM SOURCE_ROOT
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

import yaml

WORKSPACES = []

FAKE_TERRAFORM = """#!/bin/sh
# terraform stand-in: -chdir=DIR init|plan ...|show -json tfplan
dir=${1#-chdir=}
case "$2" in
init) ;;
plan) : > "$dir/tfplan" ;;
show)
	[ -f "$dir/tfplan" ] || { echo "no tfplan in $dir" >&2; exit 1; }
	case "$dir" in base/*) cat "$FAKE_TF_BASE" ;; *) cat "$FAKE_TF_HEAD" ;; esac ;;
*) echo "fake terraform: $*" >&2; exit 1 ;;
esac
"""


def check(cond, what):
    if not cond:
        print(f"ci-workflow.py: {what}", file=sys.stderr)
        sys.exit(1)


def steps_by_id(wf):
    return {s["id"]: s for s in wf["jobs"]["routes"]["steps"] if "id" in s}


def shape(wf, text, readme):
    check(text in readme, "README.md does not show tools/ci-examples/terraform-routes.yml verbatim")
    # PyYAML reads the key `on` as True (YAML 1.1).
    on = wf.get("on", wf.get(True))
    check("pull_request" in on, "the workflow does not run on pull requests")
    steps = wf["jobs"]["routes"]["steps"]
    outs = [s for s in steps if s.get("uses", "").startswith("actions/checkout")]
    own = [s for s in outs if "repository" in s.get("with", {})]
    check(len(own) == 1 and own[0]["with"].get("path") == "vnetsim",
          "vnetsim is not checked out from its own repository into vnetsim/")
    build = [s for s in steps if "tools/setup.sh" in s.get("run", "")]
    check(build and "cd vnetsim" in build[0]["run"], "vnetsim is not built in its own checkout")
    tf = [s for s in steps if s.get("uses", "").startswith("hashicorp/setup-terraform")]
    check(tf and tf[0]["with"].get("terraform_wrapper") is False,
          "setup-terraform's wrapper must be off (show -json is read as JSON)")
    ids = steps_by_id(wf)
    check(set(ids) >= {"plan", "import", "diff"}, "steps plan, import, diff missing")
    check("--junit" in ids["diff"]["run"], "diff does not write --junit")
    check("terraform" in ids["plan"]["run"] and "show -json" in ids["plan"]["run"],
          "the plan step does not run terraform show -json")


def run_steps(wf, vnetsim, base, head, new_stack=False):
    """Runs the plan, import and diff steps; returns (exit of the first that
    failed or 0, the workspace)."""
    ws = tempfile.mkdtemp(prefix="vnetsim-ci-")
    WORKSPACES.append(ws)
    stack = wf["env"]["STACK"]
    for side in ("base", "head"):
        if side == "head" or not new_stack:
            os.makedirs(os.path.join(ws, side, stack))
    os.makedirs(os.path.join(ws, "vnetsim", "build", "tools"))
    os.symlink(vnetsim, os.path.join(ws, "vnetsim", "build", "tools", "vnetsim"))
    bindir = os.path.join(ws, "bin")
    os.makedirs(bindir)
    fake = os.path.join(bindir, "terraform")
    with open(fake, "w") as f:
        f.write(FAKE_TERRAFORM)
    os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"], STACK=stack,
               FAKE_TF_BASE=base, FAKE_TF_HEAD=head)
    ids = steps_by_id(wf)
    for sid in ("plan", "import", "diff"):
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", ids[sid]["run"]],
                           cwd=ws, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=300)
        if p.returncode != 0:
            return p.returncode, ws, p.stderr
    return 0, ws, ""


def main():
    vnetsim, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    path = os.path.join(root, "tools", "ci-examples", "terraform-routes.yml")
    text = open(path).read()
    wf = yaml.safe_load(text)
    shape(wf, text, open(os.path.join(root, "README.md")).read())
    fx = os.path.join(root, "tests", "import", "fixtures")
    state, udr = os.path.join(fx, "terraform", "state.json"), os.path.join(fx, "terraform", "plan-udr.json")

    rc, ws, err = run_steps(wf, vnetsim, state, udr)
    check(rc == 0, f"a step failed ({rc}): {err}")
    d = json.load(open(os.path.join(ws, "diff.json")))
    names = sorted(n for g in d["groups"] for n in g["nicNames"])
    check(names == ["web-a", "web-b"], f"diff.json names {names}, not web-a and web-b")
    xml = open(os.path.join(ws, "diff.xml")).read()
    check(xml.count('type="RoutesChanged"') == 1, "diff.xml does not fail exactly one group")

    rc, ws, err = run_steps(wf, vnetsim, state, udr, new_stack=True)
    check(rc == 0, f"a new stack fails a step ({rc}): {err}")
    d = json.load(open(os.path.join(ws, "diff.json")))
    check(len(d["nicsOnlyInTo"]) == 7 and not d["nicsOnlyInFrom"], "a new stack's NICs are not all new")

    rc, ws, err = run_steps(wf, vnetsim, state, os.path.join(fx, "bad", "tf-truncated.json"))
    check(rc == 2, f"a malformed plan gives exit {rc}, not 2")
    print("ci-workflow.py: the workflow's steps work as written")


if __name__ == "__main__":
    try:
        main()
    finally:
        for w in WORKSPACES:
            shutil.rmtree(w, ignore_errors=True)
