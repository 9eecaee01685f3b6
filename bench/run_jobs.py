#!/usr/bin/env python3
"""run_jobs.py - the "run all jobs" benchmark: many trivial jobs on 2 cores.

    bench/run_jobs.py [--shape fan] [--n 10000] [--cores 2] [--tools krait,make,ninja]
                      [--with-snakemake] [--krait PATH] [--repeat 1] [--timeout 1800]
                      [--workdir DIR] [--json]

Generates the workflow with bench/gen.py (default: fan, 10,000 cp jobs + 1 gather)
and, for each tool in turn, resets it to "nothing built" (not timed) and runs
everything:
    krait run -c 2 | make -j2 | ninja -j2 | snakemake -j2 --scheduler greedy --quiet
Snakemake is left out unless --with-snakemake is given: it needs ~5 minutes for
10,000 jobs here (its default ILP scheduler is slower still). After each run the
final file is compared with the first correct one, so a tool that "succeeds"
without doing the work is reported as "wrong output".

Prints the wall time (median of --repeat), the overhead per job (wall / jobs:
the jobs themselves are a cp each, so this is almost all scheduling and process
spawning), and the ratios krait/ninja and krait/make (<1x: krait is faster).
Missing tools are "not installed"; a failing one is "failed: <tail of its stderr>".
"""

import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import gen  # noqa: E402


def command(tool, path, cores):
    return {
        "krait": [path, "run", "-c", str(cores)],
        "make": ["make", f"-j{cores}"],
        "ninja": ["ninja", f"-j{cores}"],
        "snakemake": ["snakemake", f"-j{cores}", "--scheduler", "greedy", "--quiet"],
    }[tool]


def digest(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("--shape", default="fan", choices=gen.SHAPES)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--tools", default="krait,make,ninja")
    ap.add_argument("--with-snakemake", action="store_true", help="also time Snakemake (slow)")
    ap.add_argument("--krait", help="krait executable (default ./krait, then PATH)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    ap.add_argument("--workdir", default="/tmp/krait-bench")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = ap.parse_args(argv)

    tools = [t for t in args.tools.split(",") if t]
    if args.with_snakemake and "snakemake" not in tools:
        tools.append("snakemake")
    for t in tools:
        if t not in bl.ALL_TOOLS:
            ap.error(f"unknown tool {t!r} (known: {', '.join(bl.ALL_TOOLS)})")
    if args.n < 3 or args.repeat < 1 or args.cores < 1:
        ap.error("--n must be >= 3, --repeat and --cores >= 1")

    paths = {t: bl.tool_path(t, args.krait) for t in tools}
    for t in tools:
        bl.note(f"{t}: {paths[t] or 'not installed'}")
    os.makedirs(args.workdir, exist_ok=True)
    folder, meta = bl.prepare(args.workdir, args.shape, args.n)
    jobs = meta["jobs"]
    target = os.path.join(folder, meta["target"])
    bl.note(f"{args.shape} N={args.n}: {jobs} jobs in {folder}, {args.cores} cores")

    present = [t for t in tools if paths[t]]
    runs = {t: [] for t in present}
    reference = None
    for r in range(args.repeat):
        k = r % max(1, len(present))
        for t in present[k:] + present[:k]:
            if runs[t] and not runs[t][-1].ok:
                continue
            bl.reset(folder)
            res = bl.run(command(t, paths[t], args.cores), folder, args.timeout)
            if res.ok:
                d = digest(target)
                if d is None:
                    res = bl.Result("failed", res.secs, res.maxrss_kb,
                                    f"exit 0 but {meta['target']} was not made")
                elif reference is None:
                    reference = (t, d)
                elif d != reference[1]:
                    res = bl.Result("wrong output", res.secs, res.maxrss_kb,
                                    f"{meta['target']} differs from {reference[0]}'s")
            bl.note(f"  {t:9} round {r + 1}: {res.describe() or bl.fmt_secs(res.secs)}")
            runs[t].append(res)
    bl.reset(folder)

    summary = {t: bl.summarize(runs[t]) if t in runs else bl.Result("not installed")
               for t in tools}
    recs = []
    for t in tools:
        s = summary[t]
        recs.append({"tool": t, "status": s.status,
                     "secs": None if s.secs is None else round(s.secs, 3),
                     "runs": getattr(s, "runs", None),
                     "ms_per_job": None if not s.ok else round(s.secs / jobs * 1000, 4),
                     "peak_mb": None if s.maxrss_kb is None else round(s.maxrss_kb / 1024, 1),
                     "detail": s.detail or None})

    def secs(t):
        return summary[t].secs if t in summary and summary[t].ok else None

    ratios = {f"krait/{t}": (secs("krait") / secs(t) if secs("krait") and secs(t) else None)
              for t in ("ninja", "make", "snakemake") if t in tools and "krait" in tools}
    if args.json:
        json.dump({"shape": args.shape, "n": args.n, "jobs": jobs, "cores": args.cores,
                   "repeat": args.repeat, "tools": paths, "results": recs,
                   "ratios": {k: None if v is None else round(v, 4) for k, v in ratios.items()}},
                  sys.stdout, indent=1)
        print()
        return 0

    rows, notes = [], []
    floor = bl.forked_floor_kb()  # below it, a peak is only an upper bound
    for rec in recs:
        if rec["status"] == "ok":
            rows.append([rec["tool"], bl.fmt_secs(rec["secs"]), f"{rec['ms_per_job']:.3f} ms",
                         ("<= " if rec["peak_mb"] * 1024 <= floor else "")
                         + f"{rec['peak_mb']:.0f} MB"])
        else:
            label = rec["status"]
            if rec["status"] != "not installed":
                notes.append(f"{rec['tool']}: {rec['status']}: {rec['detail'] or ''}")
                label += f" [{len(notes)}]"
            rows.append([rec["tool"], label, "-", "-"])
    print(f"run all jobs: {args.shape} N={args.n} ({jobs} jobs), {args.cores} cores, "
          f"median of {args.repeat}")
    bl.table(["tool", "wall", "per job", "peak RSS"], rows)
    for k, v in ratios.items():
        print(f"{k}: {bl.fmt_ratio(v, 1.0) if v is not None else '-'}"
              + ("  (<1x: krait is faster)" if v is not None else ""))
    for i, text in enumerate(notes, 1):
        print(f"[{i}] {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
