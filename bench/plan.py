#!/usr/bin/env python3
"""plan.py - how fast krait plans and decides "nothing to do", against Snakemake, make and ninja.

    bench/plan.py [--shapes fan,chain,sweep] [--n 10000,100000] [--tools krait,snakemake,make,ninja]
                  [--krait PATH] [--repeat 3] [--timeout 900] [--workdir DIR] [--json]

For every shape and N it generates the workflow with bench/gen.py (reused when
already there) and measures, in one run, the tools taking turns (the order rotates
each round), the median of --repeat runs:

  plan   planning from scratch, nothing built, no tool state:
           krait plan | snakemake -n --quiet -j1 | make -n | ninja -n
  noop   a run when everything is up to date:
           krait run -c 2 | snakemake -j2 --quiet | make -j2 | ninja -j2

and the peak memory: the largest ru_maxrss (from wait4: the child and the processes
it waited for) of the runs. A forked child starts with the harness's own ~15 MB
counted in its peak, so when a tool stays below that, its first run is repeated
once, untimed, under GNU time (/usr/bin/time -f %M), which forks it from a small
process and reports the true peak.

How the no-op state is prepared (a documented choice): the tree is built once with
`make -j2`. Tools that keep their own state then run once, unmeasured, so their
measured runs are true no-ops: ninja (it has no .ninja_log yet, so this run
rebuilds everything), then krait (`krait run -c 2`: it records its state, or
rebuilds if it does not trust files it did not build itself). Then
`ninja -t restat` records the files' current times in ninja's log. Snakemake needs
no warm-up: without .snakemake metadata it decides by modification times
("Nothing to be done"). Before measuring, the harness checks `make -q` and
`ninja -n` and warns if either still sees work.

Snakemake runs once (not --repeat times) when N >= 50000; it is slow. --timeout
bounds every single command (Snakemake at 100k needs ~80 s per run here).
Missing tools are reported as "not installed"; a tool that fails is reported as
"failed: <tail of its stderr>" and the others go on.

Output: a table with seconds and MB per tool, the ratios snakemake/krait,
ninja/krait, make/krait (time) and krait's peak memory per job; or, with
--json, the same data as JSON on stdout. Progress goes to stderr.
"""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import gen  # noqa: E402

SLOW_SNAKEMAKE_N = 50000

PLAN_CMD = {
    "krait": lambda k: [k, "plan"],
    "snakemake": lambda k: ["snakemake", "-n", "--quiet", "-j1"],
    "make": lambda k: ["make", "-n"],
    "ninja": lambda k: ["ninja", "-n"],
}
NOOP_CMD = {
    "krait": lambda k: [k, "run", "-c", "2"],
    "snakemake": lambda k: ["snakemake", "-j2", "--quiet"],
    "make": lambda k: ["make", "-j2"],
    "ninja": lambda k: ["ninja", "-j2"],
}


def rounds(tools, repeat, n):
    """Yield (round, tool) pairs, rotating the order every round; Snakemake only
    in the first round when n is large."""
    for r in range(repeat):
        k = r % len(tools)
        for t in tools[k:] + tools[:k]:
            if t == "snakemake" and r > 0 and n >= SLOW_SNAKEMAKE_N:
                continue
            yield r, t


def measure_plan(folder, n, tools, paths, args):
    runs = {t: [] for t in tools}
    for r, t in rounds(tools, args.repeat, n):
        if runs[t] and not runs[t][-1].ok:
            continue  # failed once: do not spend time on it again
        bl.reset(folder)
        cmd = PLAN_CMD[t](paths[t])
        res = bl.run(cmd, folder, args.timeout)
        if not runs[t]:
            bl.fix_peak(res, cmd, folder, args.timeout)
        bl.note(f"  plan  {t:9} round {r + 1}: {res.describe() or bl.fmt_secs(res.secs)}")
        runs[t].append(res)
    return {t: bl.summarize(rs) for t, rs in runs.items()}


def prepare_noop(folder, tools, paths, args):
    """Build the tree and warm up the stateful tools; return {tool: failed Result}."""
    failed = {}
    bl.reset(folder)
    bl.note("  noop: building the tree with make -j2 (not timed)")
    res = bl.run(["make", "-j2"], folder, max(args.timeout, 3600))
    if not res.ok:
        return {t: bl.Result("failed", detail="building the tree with make -j2: " + res.describe())
                for t in tools}
    for t in ("ninja", "krait"):
        if t in tools:
            bl.note(f"  noop: warm-up run of {t} (not timed)")
            res = bl.run(NOOP_CMD[t](paths[t]), folder, max(args.timeout, 3600))
            if not res.ok:
                failed[t] = bl.Result(res.status, detail="in the warm-up run: " + res.detail)
    if "ninja" in tools and "ninja" not in failed:
        bl.run(["ninja", "-t", "restat"], folder, args.timeout)
    if "make" in tools and subprocess.run(["make", "-q"], cwd=folder, env=bl.clean_env(),
                                          stdout=subprocess.DEVNULL).returncode != 0:
        bl.note("  WARNING: make -q says the tree is not up to date; make's no-op is not one")
    if "ninja" in tools and "ninja" not in failed:
        r = bl.run(["ninja", "-n"], folder, args.timeout, capture_stdout=True)
        if "no work to do" not in r.stdout:
            bl.note("  WARNING: ninja -n still sees work; ninja's no-op is not one")
    return failed


def measure_noop(folder, n, tools, paths, args):
    failed = prepare_noop(folder, tools, paths, args)
    runs = {t: [] for t in tools if t not in failed}
    for r, t in rounds([t for t in tools if t not in failed], args.repeat, n):
        if runs[t] and not runs[t][-1].ok:
            continue
        cmd = NOOP_CMD[t](paths[t])
        res = bl.run(cmd, folder, args.timeout)
        if not runs[t]:
            bl.fix_peak(res, cmd, folder, args.timeout)
        bl.note(f"  noop  {t:9} round {r + 1}: {res.describe() or bl.fmt_secs(res.secs)}")
        runs[t].append(res)
    out = {t: bl.summarize(rs) for t, rs in runs.items()}
    out.update(failed)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("--shapes", default="fan,chain,sweep")
    ap.add_argument("--n", default="10000,100000", help="comma-separated sizes")
    ap.add_argument("--tools", default=",".join(bl.ALL_TOOLS))
    ap.add_argument("--measures", default="plan,noop", help="plan,noop or one of them")
    ap.add_argument("--krait", help="krait executable (default ./krait, then PATH)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=900, help="seconds per command")
    ap.add_argument("--workdir", default="/tmp/krait-bench",
                    help="where the workflows are generated (default %(default)s)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = ap.parse_args(argv)

    shapes = [s for s in args.shapes.split(",") if s]
    tools = [t for t in args.tools.split(",") if t]
    measures = [m for m in args.measures.split(",") if m]
    try:
        sizes = [int(x) for x in args.n.split(",") if x]
    except ValueError:
        ap.error("--n takes comma-separated integers")
    for s in shapes:
        if s not in gen.SHAPES:
            ap.error(f"unknown shape {s!r}")
    for t in tools:
        if t not in bl.ALL_TOOLS:
            ap.error(f"unknown tool {t!r} (known: {', '.join(bl.ALL_TOOLS)})")
    for m in measures:
        if m not in ("plan", "noop"):
            ap.error(f"unknown measure {m!r}")
    if min(sizes) < 3 or args.repeat < 1:
        ap.error("--n must be >= 3 and --repeat >= 1")

    paths = {t: bl.tool_path(t, args.krait) for t in tools}
    present = [t for t in tools if paths[t]]
    for t in tools:
        bl.note(f"{t}: {paths[t] or 'not installed'}")
    if "noop" in measures and not bl.tool_path("make"):
        bl.note("make is needed to build the tree for the no-op measure; skipping noop")
        measures.remove("noop")
    os.makedirs(args.workdir, exist_ok=True)

    records = []
    for shape in shapes:
        for n in sizes:
            folder, meta = bl.prepare(args.workdir, shape, n)
            bl.note(f"{shape} N={n}: {meta['jobs']} jobs in {folder}")
            for m in measures:
                fn = measure_plan if m == "plan" else measure_noop
                res = fn(folder, n, present, paths, args)
                for t in tools:
                    r = res.get(t) or bl.Result("not installed")
                    records.append({
                        "shape": shape, "n": n, "jobs": meta["jobs"], "measure": m,
                        "tool": t, "status": r.status,
                        "secs": None if r.secs is None else round(r.secs, 4),
                        "runs": getattr(r, "runs", None),
                        "peak_mb": None if r.maxrss_kb is None else round(r.maxrss_kb / 1024, 1),
                        "detail": r.detail or None})
            bl.reset(folder)

    if args.json:
        json.dump({"tools": paths, "repeat": args.repeat, "results": records},
                  sys.stdout, indent=1)
        print()
    else:
        print_table(records, tools)
    return 0


def print_table(records, tools):
    groups = {}
    for rec in records:
        groups.setdefault((rec["shape"], rec["n"], rec["jobs"], rec["measure"]), {})[rec["tool"]] = rec
    headers = ["shape", "N", "measure"] + tools
    ratio_tools = [t for t in ("snakemake", "ninja", "make") if t in tools and "krait" in tools]
    headers += [f"{t}/krait" for t in ratio_tools]
    if "krait" in tools:
        headers.append("krait B/job")
    rows, notes = [], []
    for (shape, n, jobs, measure), by in groups.items():
        row = [shape, str(n), measure]
        for t in tools:
            rec = by[t]
            if rec["status"] == "ok":
                row.append(f"{bl.fmt_secs(rec['secs'])} {rec['peak_mb']:.0f} MB")
            elif rec["status"] == "not installed":
                row.append("not installed")
            else:
                notes.append(f"{t}, {measure} {shape} N={n}: {rec['status']}: {rec['detail'] or ''}")
                row.append(f"{rec['status']} [{len(notes)}]")
        k = by.get("krait", {})
        for t in ratio_tools:
            row.append(bl.fmt_ratio(by[t]["secs"] if by[t]["status"] == "ok" else None,
                                    k.get("secs") if k.get("status") == "ok" else None))
        if "krait" in tools:
            row.append(f"{k['peak_mb'] * 1048576 / jobs:.0f}"
                       if k.get("status") == "ok" and k.get("peak_mb") else "-")
        rows.append(row)
    bl.table(headers, rows)
    print("\ncells: median wall time, peak RSS; ratios are times (>1x: krait is faster)")
    for i, text in enumerate(notes, 1):
        print(f"[{i}] {text}")


if __name__ == "__main__":
    sys.exit(main())
