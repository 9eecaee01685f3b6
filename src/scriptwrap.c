/*
 * scriptwrap.c - running `script:` and `run:` jobs. Both go through one
 * small Python program, krait_wrap.py (its source is below), written once
 * into .krait/wrappers/. For each job, krait writes a job file,
 * .krait/jobs/JOB.json, holding the mode, the script path or the run: code
 * (with its file and first line, so tracebacks point into the Snakefile) and
 * the job's context (kr_jobinfo.context_json: input, output, params,
 * wildcards, threads, resources, log, config, rule, attempt, scriptdir); the
 * job's command becomes `python3 .krait/wrappers/krait_wrap.py JOBFILE`.
 *
 * The wrapper builds Snakemake's `snakemake` object (input/output/log/params/
 * wildcards/resources are named lists: index, attribute and iteration work;
 * str() joins with spaces) and then
 *   - .py scripts: runs them with runpy, `snakemake` a global;
 *   - .R scripts: prepends `snakemake <- list(input=list(...), ...)` (a plain
 *     list, so snakemake$input$ref and snakemake$input[[1]]) and runs Rscript;
 *   - .sh scripts: prepends bash associative arrays as Snakemake does
 *     (snakemake_input[0], snakemake_input[ref], snakemake[threads] ...) and
 *     runs bash;
 *   - run: blocks: executes the code in the Snakefile's namespace (the job
 *     file's "pyctx", kr_wf_pyctx_json: Snakemake's predefined imports, the
 *     Snakefile's top-level imports, plain-JSON variables and defs) with
 *     input, output, params, wildcards, threads, resources, log, config,
 *     rule, attempt and shell() over it; shell() formats {input},
 *     {output.x}, {params.p:q}, {X} with the job's names and the caller's
 *     globals and locals and runs bash -euo pipefail, raising on failure;
 *   - onstart/onsuccess/onerror handlers (kr_scriptwrap_handler, mode
 *     "handler"): the body runs as a function of `log` in the same
 *     namespace, with config and shell(); an exception is printed as
 *     Snakemake prints it ("ValueError in file F, line N:") and the exit
 *     status is 1.
 * Named lists in the context are {"positional": [...], "named": {...}} (as
 * kr_wf_job_info writes them); plain JSON lists, objects (name -> value) and
 * {"items": [...], "names": {name: [start, end] | value}} are accepted too.
 */
#include "scriptwrap.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char wrapper_src[] =
    "# krait_wrap.py - runs a job's script: (Python, R, bash) or run: block with a\n"
    "# `snakemake` object built from the job's context (written by krait).\n"
    "# Usage: python3 krait_wrap.py JOBFILE.json\n"
    "# JOBFILE: {\"mode\": \"script\"|\"run\", \"script\": PATH, \"code\": SRC, \"file\": F,\n"
    "#           \"line\": N, \"context\": {input, output, params, wildcards, threads,\n"
    "#           resources, log, config, rule, attempt, scriptdir},\n"
    "#           \"pyctx\": {imports, defs, globals} (run: only; kr_wf_pyctx_json)}\n"
    "#       or {\"mode\": \"handler\", \"name\": \"onsuccess\", \"code\", \"file\", \"line\",\n"
    "#           \"log\": PATH, \"config\": {...}, \"pyctx\": {...}}\n"
    "import json, os, re, runpy, shlex, string, subprocess, sys, tempfile, textwrap, traceback\n"
    "\n"
    "\n"
    "class Namedlist(list):\n"
    "    \"\"\"A list whose items may also have names (Snakemake's Namedlist).\"\"\"\n"
    "\n"
    "    def __init__(self, items=(), names=None):\n"
    "        super().__init__(items)\n"
    "        self._names = dict(names or {})\n"
    "        for k, v in self._names.items():\n"
    "            object.__setattr__(self, k, v)\n"
    "\n"
    "    def __getattr__(self, name):\n"
    "        raise AttributeError(\"no item named %r (have: %s)\" % (name, \", \".join(self._names) or \"none\"))\n"
    "\n"
    "    def __getitem__(self, key):\n"
    "        if isinstance(key, str):\n"
    "            return self._names[key]\n"
    "        return super().__getitem__(key)\n"
    "\n"
    "    def keys(self):\n"
    "        return self._names.keys()\n"
    "\n"
    "    def items(self):\n"
    "        return self._names.items()\n"
    "\n"
    "    def get(self, key, default=None):\n"
    "        return self._names.get(key, default)\n"
    "\n"
    "    def __str__(self):\n"
    "        return \" \".join(str(x) for x in self)\n"
    "\n"
    "    def __format__(self, spec):\n"
    "        return format(str(self), spec)\n"
    "\n"
    "\n"
    "def _flat(v):\n"
    "    return list(v) if isinstance(v, (list, tuple)) else [v]\n"
    "\n"
    "\n"
    "def namedlist(v):\n"
    "    \"\"\"Accepts [..], {\"positional\": [..], \"named\": {name: value}}, {name: value},\n"
    "    or {\"items\": [..], \"names\": {name: value | [start, end]}}.\"\"\"\n"
    "    if v is None:\n"
    "        return Namedlist()\n"
    "    if isinstance(v, list):\n"
    "        return Namedlist(v)\n"
    "    if isinstance(v, dict) and set(v) <= {\"positional\", \"named\"} and v:\n"
    "        names = {k: (Namedlist(x) if isinstance(x, list) else x)\n"
    "                 for k, x in (v.get(\"named\") or {}).items()}\n"
    "        return Namedlist(v.get(\"positional\") or [], names)\n"
    "    if isinstance(v, dict) and \"items\" in v and isinstance(v.get(\"items\"), list):\n"
    "        items = v[\"items\"]\n"
    "        names = {}\n"
    "        for k, r in (v.get(\"names\") or {}).items():\n"
    "            if isinstance(r, list) and len(r) == 2 and all(isinstance(x, int) for x in r):\n"
    "                names[k] = items[r[0]] if r[1] - r[0] == 1 else Namedlist(items[r[0]:r[1]])\n"
    "            else:\n"
    "                names[k] = Namedlist(r) if isinstance(r, list) else r\n"
    "        return Namedlist(items, names)\n"
    "    if isinstance(v, dict):\n"
    "        items = []\n"
    "        names = {}\n"
    "        for k, x in v.items():\n"
    "            items.extend(_flat(x))\n"
    "            names[k] = Namedlist(x) if isinstance(x, list) else x\n"
    "        return Namedlist(items, names)\n"
    "    return Namedlist([v])\n"
    "\n"
    "\n"
    "class Snakemake:\n"
    "    def __init__(self, ctx):\n"
    "        self.input = namedlist(ctx.get(\"input\"))\n"
    "        self.output = namedlist(ctx.get(\"output\"))\n"
    "        self.params = namedlist(ctx.get(\"params\"))\n"
    "        self.wildcards = namedlist(ctx.get(\"wildcards\"))\n"
    "        self.threads = ctx.get(\"threads\", 1)\n"
    "        self.resources = namedlist(ctx.get(\"resources\"))\n"
    "        self.log = namedlist(ctx.get(\"log\"))\n"
    "        self.config = ctx.get(\"config\") or {}\n"
    "        self.rule = ctx.get(\"rule\")\n"
    "        self.attempt = ctx.get(\"attempt\", 1)\n"
    "        self.scriptdir = ctx.get(\"scriptdir\", \"\")\n"
    "        self.bench_iteration = None\n"
    "\n"
    "    def log_fmt_shell(self, stdout=True, stderr=True, append=False):\n"
    "        if not self.log:\n"
    "            return \"\"\n"
    "        lg = shlex.quote(str(self.log[0]))\n"
    "        op = \">>\" if append else \">\"\n"
    "        if stdout and stderr:\n"
    "            return \" %s %s 2>&1\" % (op, lg)\n"
    "        if stdout:\n"
    "            return \" %s %s\" % (op, lg)\n"
    "        if stderr:\n"
    "            return \" 2%s %s\" % (op, lg)\n"
    "        return \"\"\n"
    "\n"
    "\n"
    "class _Formatter(string.Formatter):\n"
    "    def format_field(self, value, spec):\n"
    "        if spec == \"q\":\n"
    "            if isinstance(value, (list, tuple)):\n"
    "                return \" \".join(shlex.quote(str(x)) for x in value)\n"
    "            return shlex.quote(str(value))\n"
    "        if isinstance(value, (list, tuple)) and not spec:\n"
    "            return \" \".join(str(x) for x in value)\n"
    "        return super().format_field(value, spec)\n"
    "\n"
    "\n"
    "def _namespace(job_globals, frame):\n"
    "    ns = dict(job_globals)\n"
    "    if frame is not None:\n"
    "        ns.update(frame.f_globals)\n"
    "        ns.update(frame.f_locals)\n"
    "    return ns\n"
    "\n"
    "\n"
    "_JOB_GLOBALS = {}\n"
    "\n"
    "\n"
    "def shell(cmd, *args, read=False, iterable=False, **kwargs):\n"
    "    \"\"\"Format cmd with the job's names ({input}, {output.x}, {params.p:q}...) and\n"
    "    run it with bash -euo pipefail; raise on failure as Snakemake does.\"\"\"\n"
    "    ns = _namespace(_JOB_GLOBALS, sys._getframe(1))\n"
    "    ns.update(kwargs)\n"
    "    cmd = _Formatter().vformat(textwrap.dedent(cmd).strip(\"\\n\"), args, ns)\n"
    "    if read or iterable:\n"
    "        out = subprocess.run([\"bash\", \"-euo\", \"pipefail\", \"-c\", cmd], check=True,\n"
    "                             stdout=subprocess.PIPE).stdout\n"
    "        if iterable:\n"
    "            return iter(out.decode().splitlines())\n"
    "        return out\n"
    "    subprocess.run([\"bash\", \"-euo\", \"pipefail\", \"-c\", cmd], check=True)\n"
    "\n"
    "\n"
    "# The names snakemake.workflow defines, which a Snakefile (and so its run:\n"
    "# blocks and handlers) uses without importing them.\n"
    "_PREDEFINED = \"\"\"\\\n"
    "import os, sys, re, json, signal, copy, subprocess, urllib\n"
    "from collections import OrderedDict, namedtuple\n"
    "from itertools import filterfalse, chain\n"
    "from functools import partial\n"
    "from operator import attrgetter\n"
    "from pathlib import Path, PosixPath\n"
    "\"\"\"\n"
    "\n"
    "\n"
    "def snakefile_globals(pyctx):\n"
    "    \"\"\"The Snakefile's namespace as krait passes it (kr_wf_pyctx_json): Snakemake's\n"
    "    predefined imports, then the Snakefile's top-level imports, its top-level\n"
    "    variables with plain JSON values and its top-level defs. An import or def\n"
    "    that fails here (a module this python3 lacks, a default argument needing a\n"
    "    name krait left out) is skipped: using the name then raises NameError.\"\"\"\n"
    "    g = {\"__name__\": \"__main__\"}\n"
    "    exec(_PREDEFINED, g)\n"
    "    if isinstance(pyctx, str):\n"
    "        pyctx = json.loads(pyctx)\n"
    "    pyctx = pyctx or {}\n"
    "    for imp in pyctx.get(\"imports\") or ():\n"
    "        try:\n"
    "            exec(compile(imp[\"src\"], imp.get(\"file\", \"Snakefile\"), \"exec\"), g)\n"
    "        except Exception:\n"
    "            pass\n"
    "    g.update(pyctx.get(\"globals\") or {})\n"
    "    for d in pyctx.get(\"defs\") or ():\n"
    "        code = \"\\n\" * max(0, int(d.get(\"line\", 1)) - 1) + d[\"src\"]\n"
    "        try:\n"
    "            exec(compile(code, d.get(\"file\", \"Snakefile\"), \"exec\"), g)\n"
    "        except Exception:\n"
    "            pass\n"
    "    return g\n"
    "\n"
    "\n"
    "def run_handler(job):\n"
    "    \"\"\"onstart/onsuccess/onerror: the body runs as a function of `log` in the\n"
    "    Snakefile's namespace (Snakemake's __onsuccess(log)); an exception is\n"
    "    reported as Snakemake reports it, and the exit status is then 1.\"\"\"\n"
    "    g = snakefile_globals(job.get(\"pyctx\"))\n"
    "    g.update({\"config\": job.get(\"config\") or {}, \"shell\": shell})\n"
    "    _JOB_GLOBALS.update({\"config\": g[\"config\"]})\n"
    "    name = \"__\" + str(job.get(\"name\", \"handler\"))\n"
    "    fname = job.get(\"file\", \"Snakefile\")\n"
    "    line = max(2, int(job.get(\"line\", 2)))\n"
    "    body = textwrap.indent(textwrap.dedent(job[\"code\"]), \"    \") or \"    pass\"\n"
    "    code = \"\\n\" * (line - 2) + \"def %s(log):\\n%s\\n\" % (name, body)\n"
    "    try:\n"
    "        exec(compile(code, fname, \"exec\"), g)\n"
    "        g[name](job.get(\"log\", \"\"))\n"
    "    except Exception as e:\n"
    "        frames = traceback.extract_tb(e.__traceback__)\n"
    "        mine = [f for f in frames if f.filename == fname] or frames[-1:]\n"
    "        at = mine[-1].lineno if mine else line\n"
    "        if isinstance(e, SyntaxError) and e.filename == fname:\n"
    "            at = e.lineno\n"
    "        sys.stderr.write(\"%s in file %s, line %s:\\n%s\\n\" % (type(e).__name__, fname, at, e))\n"
    "        sys.stderr.write(\"\".join(traceback.format_list(mine)))\n"
    "        return 1\n"
    "    return 0\n"
    "\n"
    "\n"
    "def _shim_snakemake():\n"
    "    \"\"\"`from snakemake.shell import shell`, as wrappers and scripts write it, gives\n"
    "    this shell(): a module `snakemake` with a submodule `shell` (Snakemake's own\n"
    "    package, installed or not, is not used: the job runs the same everywhere).\"\"\"\n"
    "    import types\n"
    "    pkg = types.ModuleType(\"snakemake\")\n"
    "    pkg.__path__ = []\n"
    "    sub = types.ModuleType(\"snakemake.shell\")\n"
    "    sub.shell = shell\n"
    "    pkg.shell = sub\n"
    "    sys.modules[\"snakemake\"] = pkg\n"
    "    sys.modules[\"snakemake.shell\"] = sub\n"
    "\n"
    "\n"
    "def _bash_quote(v):\n"
    "    if isinstance(v, (list, tuple)):\n"
    "        v = \" \".join(str(x) for x in v)\n"
    "    return shlex.quote(str(v))\n"
    "\n"
    "\n"
    "def bash_preamble(smk):\n"
    "    out = []\n"
    "    for name in (\"input\", \"output\", \"log\", \"resources\", \"wildcards\", \"params\"):\n"
    "        nl = getattr(smk, name)\n"
    "        parts = []\n"
    "        for i, x in enumerate(nl):\n"
    "            parts.append(\"[%d]=%s\" % (i, _bash_quote(x)))\n"
    "        for k, x in nl.items():\n"
    "            parts.append(\"[%s]=%s\" % (k, _bash_quote(x)))\n"
    "        out.append(\"declare -A snakemake_%s=( %s )\" % (name, \" \".join(parts)))\n"
    "    cfg = \" \".join(\"[%s]=%s\" % (k, _bash_quote(v)) for k, v in (smk.config or {}).items()\n"
    "                   if re.match(r\"^[A-Za-z0-9_.-]+$\", str(k)))\n"
    "    out.append(\"declare -A snakemake_config=( %s )\" % cfg)\n"
    "    main = {\"threads\": smk.threads, \"rule\": smk.rule, \"attempt\": smk.attempt,\n"
    "            \"scriptdir\": smk.scriptdir}\n"
    "    out.append(\"declare -A snakemake=( %s )\" %\n"
    "               \" \".join(\"[%s]=%s\" % (k, _bash_quote(v)) for k, v in main.items()))\n"
    "    return \"\\n\".join(out) + \"\\n\"\n"
    "\n"
    "\n"
    "def _r_value(v):\n"
    "    if isinstance(v, bool):\n"
    "        return \"TRUE\" if v else \"FALSE\"\n"
    "    if v is None:\n"
    "        return \"NULL\"\n"
    "    if isinstance(v, (int, float)):\n"
    "        return repr(v)\n"
    "    if isinstance(v, dict):\n"
    "        return \"list(%s)\" % \", \".join(\"`%s`=%s\" % (k, _r_value(x)) for k, x in v.items())\n"
    "    if isinstance(v, (list, tuple)):\n"
    "        return \"list(%s)\" % \", \".join(_r_value(x) for x in v)\n"
    "    return '\"%s\"' % str(v).replace(\"\\\\\", \"\\\\\\\\\").replace('\"', '\\\\\"')\n"
    "\n"
    "\n"
    "def _r_namedlist(nl):\n"
    "    parts = [_r_value(x) for x in nl]\n"
    "    parts += [\"`%s`=%s\" % (k, _r_value(list(x) if isinstance(x, list) else x)) for k, x in nl.items()]\n"
    "    return \"list(%s)\" % \", \".join(parts)\n"
    "\n"
    "\n"
    "def r_preamble(smk):\n"
    "    fields = [\"input\", \"output\", \"params\", \"wildcards\", \"log\", \"resources\"]\n"
    "    body = \", \".join(\"%s=%s\" % (f, _r_namedlist(getattr(smk, f))) for f in fields)\n"
    "    return (\"snakemake <- list(%s, threads=%s, config=%s, rule=%s, attempt=%s, scriptdir=%s)\\n\"\n"
    "            % (body, _r_value(smk.threads), _r_value(smk.config), _r_value(smk.rule),\n"
    "               _r_value(smk.attempt), _r_value(smk.scriptdir)))\n"
    "\n"
    "\n"
    "def run_with_preamble(prog, preamble, script):\n"
    "    with open(script) as f:\n"
    "        src = f.read()\n"
    "    shebang = \"\"\n"
    "    if src.startswith(\"#!\"):\n"
    "        shebang, _, src = src.partition(\"\\n\")\n"
    "        shebang += \"\\n\"\n"
    "    fd, tmp = tempfile.mkstemp(prefix=\".krait-script-\", suffix=os.path.splitext(script)[1])\n"
    "    try:\n"
    "        with os.fdopen(fd, \"w\") as f:\n"
    "            f.write(shebang + preamble + src)\n"
    "        return subprocess.run([prog, tmp]).returncode\n"
    "    finally:\n"
    "        os.unlink(tmp)\n"
    "\n"
    "\n"
    "def main():\n"
    "    with open(sys.argv[1]) as f:\n"
    "        job = json.load(f)\n"
    "    if job[\"mode\"] == \"handler\":\n"
    "        return run_handler(job)\n"
    "    ctx = job.get(\"context\") or {}\n"
    "    if isinstance(ctx, str):\n"
    "        ctx = json.loads(ctx)\n"
    "    smk = Snakemake(ctx)\n"
    "    names = {\"snakemake\": smk, \"input\": smk.input, \"output\": smk.output,\n"
    "             \"params\": smk.params, \"wildcards\": smk.wildcards, \"threads\": smk.threads,\n"
    "             \"resources\": smk.resources, \"log\": smk.log, \"config\": smk.config,\n"
    "             \"rule\": smk.rule, \"attempt\": smk.attempt, \"shell\": shell}\n"
    "    _JOB_GLOBALS.update(names)\n"
    "    if job[\"mode\"] == \"run\":\n"
    "        # the Snakefile's namespace, the job's names over it (Snakemake's\n"
    "        # run: is a function of them defined in the Snakefile)\n"
    "        g = snakefile_globals(job.get(\"pyctx\"))\n"
    "        g.update(names)\n"
    "        code = \"\\n\" * max(0, int(job.get(\"line\", 1)) - 1) + textwrap.dedent(job[\"code\"])\n"
    "        exec(compile(code, job.get(\"file\", \"Snakefile\"), \"exec\"), g)\n"
    "        return 0\n"
    "    script = job[\"script\"]\n"
    "    ext = os.path.splitext(script)[1].lower()\n"
    "    if ext == \".py\":\n"
    "        _shim_snakemake()\n"
    "        sys.argv = [script]\n"
    "        sys.path.insert(0, os.path.dirname(os.path.abspath(script)))\n"
    /* __file__ is the script's absolute path, as Snakemake's preamble sets it
     * (scripts find files next to themselves with os.path.dirname(__file__)) */
    "        runpy.run_path(os.path.abspath(script), init_globals={\"snakemake\": smk},\n"
    "                       run_name=\"__main__\")\n"
    "        return 0\n"
    "    if ext in (\".r\", \".rscript\"):\n"
    "        return run_with_preamble(\"Rscript\", r_preamble(smk), script)\n"
    "    if ext == \".sh\":\n"
    "        return run_with_preamble(\"bash\", bash_preamble(smk), script)\n"
    "    sys.stderr.write(\"krait: script %s: unsupported type %r (use .py, .R or .sh)\\n\" % (script, ext))\n"
    "    return 2\n"
    "\n"
    "\n"
    "if __name__ == \"__main__\":\n"
    "    try:\n"
    "        sys.exit(main())\n"
    "    except subprocess.CalledProcessError as e:\n"
    "        sys.stderr.write(\"krait: shell command failed with exit code %d: %s\\n\" % (e.returncode, e.cmd[-1]))\n"
    "        sys.exit(1)\n";

int kr_scriptwrap_install(const char *state_dir, char **path_out, struct kr_error *err)
{
    char *dir = kr_asprintf("%s/wrappers", state_dir);
    char *path = kr_asprintf("%s/krait_wrap.py", dir);
    char *tmp = NULL;
    FILE *f = NULL;
    char buf[sizeof wrapper_src];
    size_t n;
    int rc = KR_OK;

    *path_out = NULL;
    f = fopen(path, "r");
    if (f) {
        n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        f = NULL;
        if (n == sizeof wrapper_src - 1 && !memcmp(buf, wrapper_src, n))
            goto done;   /* already current */
    }
    rc = kr_mkdirs(dir, err);
    if (rc != KR_OK)
        goto out;
    tmp = kr_asprintf("%s.%ld.tmp", path, (long)getpid());
    f = fopen(tmp, "w");
    if (!f || fwrite(wrapper_src, 1, sizeof wrapper_src - 1, f) != sizeof wrapper_src - 1) {
        rc = kr_error_set(err, KR_EIO, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (fclose(f) != 0) {
        f = NULL;
        rc = kr_error_set(err, KR_EIO, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    f = NULL;
    if (rename(tmp, path) != 0) {
        rc = kr_error_set(err, KR_EIO, "cannot rename %s: %s", tmp, strerror(errno));
        goto out;
    }
done:
    *path_out = path;
    path = NULL;
out:
    if (f)
        fclose(f);
    if (tmp && rc != KR_OK)
        unlink(tmp);
    kr_free(tmp);
    kr_free(path);
    kr_free(dir);
    return rc;
}

/* Write `root` to `path`: it holds params and the Snakefile's variables
 * (maybe secrets), so owner-only, also when an older file of the same name
 * had another mode, and never through a symlink. KR_EIO on failure. */
static int write_jobfile(const char *path, json_t *root, struct kr_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || fchmod(fd, 0600) != 0 || json_dumpfd(root, fd, JSON_COMPACT) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return kr_error_set(err, KR_EIO, "cannot write job file %s: %s", path, strerror(e));
    }
    if (close(fd) != 0)
        return kr_error_set(err, KR_EIO, "cannot write job file %s: %s", path,
                            strerror(errno));
    return KR_OK;
}

int kr_scriptwrap_job(const struct kr_scriptwrap_job *j, struct kr_arena *arena,
                      const char **cmd_out, struct kr_error *err)
{
    json_t *root = json_object(), *ctx = NULL;
    json_error_t jerr;
    struct kr_buf cmd = KR_BUF_INIT;
    int rc = KR_OK;

    *cmd_out = NULL;
    if (j->context_json) {
        ctx = json_loads(j->context_json, 0, &jerr);
        if (!ctx) {
            rc = kr_error_set(err, KR_EEXEC, "job context is not valid JSON: %s (line %d)",
                              jerr.text, jerr.line);
            goto out;
        }
    } else {
        ctx = json_object();
    }
    json_object_set_new(root, "mode", json_string(j->code ? "run" : "script"));
    if (j->script)
        json_object_set_new(root, "script", json_string(j->script));
    if (j->code) {
        json_object_set_new(root, "code", json_string(j->code));
        json_object_set_new(root, "file", json_string(j->code_file ? j->code_file : "Snakefile"));
        json_object_set_new(root, "line", json_integer(j->code_line ? j->code_line : 1));
    }
    json_object_set(root, "context", ctx);
    if (j->code && j->pyctx_json) {
        json_t *py = json_loads(j->pyctx_json, 0, &jerr);
        if (py)
            json_object_set_new(root, "pyctx", py);
    }
    rc = write_jobfile(j->jobfile, root, err);
    if (rc != KR_OK)
        goto out;
    kr_buf_puts(&cmd, "python3 ");
    kr_buf_put_squoted(&cmd, j->wrapper);
    kr_buf_putc(&cmd, ' ');
    kr_buf_put_squoted(&cmd, j->jobfile);
    *cmd_out = kr_arena_strdup(arena, kr_buf_cstr(&cmd));
out:
    kr_buf_free(&cmd);
    if (ctx)
        json_decref(ctx);
    json_decref(root);
    return rc;
}

int kr_scriptwrap_handler(const struct kr_scriptwrap_handler *h, struct kr_error *err)
{
    json_t *root = json_object(), *v;
    json_error_t jerr;
    const char *argv[4];
    pid_t pid, w;
    int rc, status = 0;

    json_object_set_new(root, "mode", json_string("handler"));
    json_object_set_new(root, "name", json_string(h->name));
    json_object_set_new(root, "code", json_string(h->code));
    json_object_set_new(root, "file", json_string(h->code_file ? h->code_file : "Snakefile"));
    json_object_set_new(root, "line", json_integer(h->code_line ? h->code_line : 2));
    json_object_set_new(root, "log", json_string(h->log_path ? h->log_path : ""));
    v = h->config_json ? json_loads(h->config_json, 0, &jerr) : NULL;
    json_object_set_new(root, "config", v ? v : json_object());
    v = h->pyctx_json ? json_loads(h->pyctx_json, 0, &jerr) : NULL;
    if (v)
        json_object_set_new(root, "pyctx", v);
    rc = write_jobfile(h->jobfile, root, err);
    json_decref(root);
    if (rc != KR_OK) {
        unlink(h->jobfile);
        return rc;
    }
    argv[0] = "python3";
    argv[1] = h->wrapper;
    argv[2] = h->jobfile;
    argv[3] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        rc = kr_error_set(err, KR_EIO, "%s: cannot start python3: %s", h->name,
                          strerror(errno));
        unlink(h->jobfile);
        return rc;
    }
    if (pid == 0) {
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "krait: %s: cannot run python3: %s\n", h->name, strerror(errno));
        _exit(127);
    }
    do
        w = waitpid(pid, &status, 0);
    while (w < 0 && errno == EINTR);
    unlink(h->jobfile);
    if (w < 0)
        return kr_error_set(err, KR_EIO, "%s: waiting for python3: %s", h->name,
                            strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return KR_OK;
    if (WIFSIGNALED(status))
        return kr_error_set(err, KR_EEXEC, "the %s handler was killed by signal %d", h->name,
                            WTERMSIG(status));
    return kr_error_set(err, KR_EEXEC, "the %s handler failed (exit status %d)", h->name,
                        WEXITSTATUS(status));
}
