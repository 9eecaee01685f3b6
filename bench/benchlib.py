"""benchlib - what bench/plan.py and bench/run_jobs.py share.

Finding the tools, running one command with a timeout while measuring its wall
time and peak memory (ru_maxrss from wait4, which covers the child and the
processes it waited for), preparing a generated workflow folder, and printing
plain-text tables. A tool that is missing, fails or times out becomes a Result
with that status; nothing here raises for a misbehaving tool.
Python 3 standard library only.
"""

import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import gen

ALL_TOOLS = ("krait", "snakemake", "make", "ninja")


def tool_path(name, krait=None):
    """Absolute path of NAME's executable, or None when it is not installed.

    For krait: the --krait argument if given, else ./krait, else krait on PATH."""
    if name == "krait":
        if krait:
            if os.sep not in krait and not os.path.exists(krait):
                return shutil.which(krait)
            ok = os.path.isfile(krait) and os.access(krait, os.X_OK)
            return os.path.abspath(krait) if ok else None
        if os.path.isfile("krait") and os.access("krait", os.X_OK):
            return os.path.abspath("krait")
        return shutil.which("krait")
    return shutil.which(name)


def clean_env():
    """The environment for the tools: without make's variables from an outer make."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


class Result:
    """One run: status is 'ok', 'failed', 'timeout', 'not installed' or 'skipped'."""

    def __init__(self, status, secs=None, maxrss_kb=None, detail="", stdout=""):
        self.status = status
        self.secs = secs
        self.maxrss_kb = maxrss_kb
        self.detail = detail
        self.stdout = stdout

    @property
    def ok(self):
        return self.status == "ok"

    def describe(self):
        """'failed: <stderr tail>' and the like; '' for ok."""
        if self.ok:
            return ""
        return f"{self.status}: {self.detail}" if self.detail else self.status


def _tail(f, limit=300):
    """The last LIMIT bytes of the open file F, on one line."""
    f.flush()
    size = f.seek(0, os.SEEK_END)
    f.seek(max(0, size - limit))
    text = f.read().decode("utf-8", "replace")
    return " | ".join(line.strip() for line in text.strip().splitlines() if line.strip())


def run(cmd, cwd, timeout=None, capture_stdout=False):
    """Run CMD in CWD; return a Result with wall seconds and peak RSS (KiB).

    stdout goes to /dev/null (or is kept, up to 64 KiB, with capture_stdout);
    stderr is kept in a temporary file and its tail is the detail of a failure.
    On timeout the whole process group is killed."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        try:
            t0 = time.perf_counter()
            p = subprocess.Popen(cmd, cwd=cwd, env=clean_env(), stdin=subprocess.DEVNULL,
                                 stdout=out if capture_stdout else subprocess.DEVNULL,
                                 stderr=err, start_new_session=True)
        except OSError as e:
            return Result("failed", detail=f"cannot start {cmd[0]}: {e.strerror}")
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            while True:
                try:
                    _, status, ru = os.wait4(p.pid, 0)
                    break
                except InterruptedError:
                    continue
        finally:
            if timer:
                timer.cancel()
        secs = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        # Children left behind in the group (a tool's stray jobs) must not linger.
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        text = ""
        if capture_stdout:
            out.seek(0)
            text = out.read(65536).decode("utf-8", "replace")
        tail = _tail(err)
        if timed_out.is_set():
            return Result("timeout", secs, ru.ru_maxrss, f"after {timeout:g} s; {tail}".rstrip("; "))
        if p.returncode != 0:
            how = (f"exit {p.returncode}" if p.returncode > 0 else f"signal {-p.returncode}")
            return Result("failed", secs, ru.ru_maxrss, f"{how}; {tail}" if tail else how, text)
        return Result("ok", secs, ru.ru_maxrss, stdout=text)


def forked_floor_kb():
    """ru_maxrss of a child includes the harness memory it was forked with (a
    Linux process keeps its peak across exec), so values up to about this many
    KiB say only "at most this much"."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + 2048


def exact_peak_kb(cmd, cwd, timeout=None):
    """Peak RSS (KiB) of CMD measured by GNU time, which forks CMD from its own
    small process; None if /usr/bin/time is missing or the run fails."""
    if not os.path.exists("/usr/bin/time"):
        return None
    with tempfile.NamedTemporaryFile("r") as f:
        r = run(["/usr/bin/time", "-f", "%M", "-o", f.name, "--"] + cmd, cwd, timeout)
        if not r.ok:
            return None
        try:
            return int(f.read().split()[-1])
        except (ValueError, IndexError):
            return None


def fix_peak(res, cmd, cwd, timeout=None):
    """If RES's peak memory is below the fork floor, replace it by GNU time's figure
    (one extra, untimed run of CMD)."""
    if res.ok and res.maxrss_kb is not None and res.maxrss_kb <= forked_floor_kb():
        kb = exact_peak_kb(cmd, cwd, timeout)
        if kb is not None:
            res.maxrss_kb = kb
    return res


def summarize(results):
    """Fold the runs of one (tool, measure) into one Result: the median time, the
    largest peak memory, or the first failure."""
    bad = [r for r in results if not r.ok]
    if bad:
        return bad[0]
    if not results:
        return Result("skipped")
    # Peaks at or below the fork floor only bound the truth; the first run's
    # peak was corrected by fix_peak, so it stands for all such runs.
    floor = forked_floor_kb()
    big = [r.maxrss_kb for r in results if r.maxrss_kb > floor]
    r = Result("ok", statistics.median(r.secs for r in results),
               max(big) if big else results[0].maxrss_kb)
    r.runs = [round(x.secs, 4) for x in results]
    return r


def prepare(workdir, shape, n):
    """Generate (or reuse) the workflow SHAPE/N under WORKDIR; return (folder, meta)."""
    d = os.path.join(workdir, f"{shape}_{n}")
    try:
        with open(os.path.join(d, "meta.json")) as f:
            meta = json.load(f)
        if meta.get("shape") == shape and meta.get("n") == n and meta.get("gen") == GEN_STAMP:
            return d, meta
    except (OSError, ValueError):
        pass
    if os.path.exists(d):
        shutil.rmtree(d)
    t0 = time.perf_counter()
    meta = gen.generate(shape, n, d)
    meta["gen"] = GEN_STAMP
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    note(f"generated {d} ({meta['jobs']} jobs) in {time.perf_counter() - t0:.1f} s")
    return d, meta


# Changes when gen.py changes, so stale folders are regenerated.
GEN_STAMP = str(int(os.path.getmtime(gen.__file__)))


def reset(folder):
    """Back to 'nothing built' (clean.sh), then delete the trash. Not timed."""
    r = subprocess.run(["./clean.sh"], cwd=folder)
    if r.returncode != 0:
        raise SystemExit(f"bench: {folder}/clean.sh failed")
    shutil.rmtree(os.path.join(folder, "trash"), ignore_errors=True)


def note(msg):
    """Progress on stderr (stdout is for the table or the JSON)."""
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def fmt_secs(s):
    if s is None:
        return "-"
    if s < 0.1:
        return f"{s * 1000:.1f} ms"
    return f"{s:.3f} s" if s < 10 else f"{s:.1f} s"


def fmt_ratio(a, b):
    """a/b as '12.3x', or '-' when either is missing."""
    if a is None or b is None or b <= 0:
        return "-"
    r = a / b
    return f"{r:.0f}x" if r >= 100 else f"{r:.1f}x" if r >= 10 else f"{r:.2f}x"


def table(headers, rows, out=sys.stdout):
    """Print ROWS (lists of str) under HEADERS, columns aligned, numbers right."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))

    def line(cells):
        parts = []
        for i, c in enumerate(cells):
            left = i < 2 or not c[:1].isdigit()
            parts.append(c.ljust(widths[i]) if left else c.rjust(widths[i]))
        return "  ".join(parts).rstrip()

    print(line(headers), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for row in rows:
        print(line(row), file=out)
