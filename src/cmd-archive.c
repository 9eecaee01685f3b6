/*
 * cmd-archive.c - `krait archive FILE [targets] [options] [--with-inputs]`:
 * pack what it takes to run the workflow elsewhere into one archive, to be
 * unpacked with tar (or unzip) and run with `krait run` there.
 *
 * What goes in, each path relative to the workflow directory (the working
 * directory after -d): the rule files that were loaded (the main rule file,
 * every include: and local module snakefile), the configfiles, the files
 * the rule language read with open(), each rule's script: file, the
 * directory of each local wrapper: (a wrapper on the network is not stored:
 * krait downloads no code; a warning says so), the workflow profile
 * (--workflow-profile DIR, else profiles/default here or next to the rule
 * file) when there is one, and with --with-inputs the plan's source inputs
 * (the input files no rule makes; directories whole). A file outside the
 * workflow directory is refused with an error naming it: the unpacked
 * workflow could not find it there anyway.
 *
 * The archive is reproducible: the same workflow gives the same bytes.
 * Entries are sorted by path, only regular files are stored (directories
 * are made by the extractor), mtime is 0 or $SOURCE_DATE_EPOCH, uid/gid 0
 * with empty owner names, permissions 0644 or 0755 (when the file is
 * executable by its owner), and the gzip header carries no timestamp.
 *
 * MANIFEST, the first entry, is a JSON object (keys sorted, 2-space indent):
 *   { "format": "krait-archive/1", "krait_version": str,
 *     "snakefile": str (archive path of the main rule file),
 *     "with_inputs": bool, "containers": [image, ...] (sorted, unique),
 *     "files": [ {"path": str, "role": "rules"|"config"|"read"|"script"|
 *                 "wrapper"|"profile"|"input"}, ... ] (sorted by path) }
 * No date is recorded, so that two runs agree.
 */
#include "config.h"
#include "cli.h"
#include "cmd.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char summary[] =
    "pack the workflow (rule files, configs, scripts, profile) into FILE\n"
    "(.tar.gz, .tgz, .tar.zst, .tar.xz, .tar or .zip; reproducible);\n"
    "--with-inputs adds the plan's source inputs. Unpack with tar and run there.";

/* One file to store: its path in the archive and on disk (both owned). */
struct entry {
    char *name;         /* relative to the workflow directory, normalised */
    char *disk;         /* path to read, relative to the working directory or absolute */
    const char *role;   /* static string, see the MANIFEST description */
};

struct collect {
    struct entry *v;
    size_t n, cap;
    char *root;         /* the workflow directory (getcwd), no trailing slash */
    char *realroot;     /* its realpath */
};

/* Normalise an absolute path lexically ("." and ".." and "//" removed) in
 * place. */
static void normalise(char *p)
{
    char *out = p, *s = p;
    while (*s) {
        char *seg;
        size_t len;
        while (*s == '/')
            s++;
        seg = s;
        while (*s && *s != '/')
            s++;
        len = (size_t)(s - seg);
        if (len == 0 || (len == 1 && seg[0] == '.'))
            continue;
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            while (out > p && *--out != '/')
                ;
            continue;
        }
        *out++ = '/';
        memmove(out, seg, len);
        out += len;
    }
    if (out == p)
        *out++ = '/';
    *out = '\0';
}

/* `abs` relative to `root` ("a/b"), or NULL when it is not below root. */
static const char *below(const char *abs, const char *root)
{
    size_t l = strlen(root);
    if (strncmp(abs, root, l) != 0)
        return NULL;
    if (l == 1)     /* root is "/" */
        return abs[1] ? abs + 1 : NULL;
    return abs[l] == '/' && abs[l + 1] ? abs + l + 1 : NULL;
}

/*
 * The archive name of `path` (relative to the working directory or
 * absolute): its lexical normal form relative to the workflow directory,
 * else (symlinked directories) its real path's relative to the real
 * workflow directory. A kr_malloc'd string, or NULL with err filled when
 * the path lies outside the workflow directory.
 */
static char *archive_name(struct collect *c, const char *path, const char *role,
                          struct kr_error *err)
{
    char *abs = path[0] == '/' ? kr_strdup(path) : kr_asprintf("%s/%s", c->root, path);
    char real[PATH_MAX];
    const char *rel;
    char *name = NULL;
    normalise(abs);
    rel = below(abs, c->root);
    if (rel)
        name = kr_strdup(rel);
    else if (realpath(abs, real) && (rel = below(real, c->realroot)))
        name = kr_strdup(rel);
    else
        kr_error_set(err, KR_EUNSUPPORTED, "%s file '%s' is outside the workflow directory %s: "
                     "an unpacked archive could not find it; copy it into the workflow "
                     "directory and refer to it by a relative path", role, path, c->root);
    kr_free(abs);
    return name;
}

static void add_entry(struct collect *c, char *name, const char *disk, const char *role)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 32;
        c->v = kr_realloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n].name = name;
    c->v[c->n].disk = kr_strdup(disk);
    c->v[c->n].role = role;
    c->n++;
}

static int add_path(struct collect *c, const char *path, const char *role,
                    struct kr_error *err);

/* Add every regular file below directory `dir` (symlinks followed). */
static int add_dir(struct collect *c, const char *dir, const char *role, struct kr_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int rc = KR_OK;
    if (!d)
        return kr_error_set(err, KR_EIO, "cannot read directory '%s': %s", dir,
                            strerror(errno));
    while (rc == KR_OK && (de = readdir(d)) != NULL) {
        char *p;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        p = kr_asprintf("%s/%s", dir, de->d_name);
        rc = add_path(c, p, role, err);
        kr_free(p);
    }
    closedir(d);
    return rc;
}

/* Add a file, or every file below a directory. A path that does not exist
 * is an error naming its role. */
static int add_path(struct collect *c, const char *path, const char *role,
                    struct kr_error *err)
{
    struct stat sb;
    char *name;
    if (stat(path, &sb) != 0)
        return kr_error_set(err, KR_EIO, "%s file '%s': %s", role, path, strerror(errno));
    name = archive_name(c, path, role, err);
    if (!name)
        return err->code;
    if (S_ISDIR(sb.st_mode)) {
        int rc = add_dir(c, path, role, err);
        kr_free(name);
        return rc;
    }
    if (!S_ISREG(sb.st_mode)) {
        kr_free(name);
        return kr_error_set(err, KR_EUSAGE, "%s file '%s' is not a regular file or directory",
                            role, path);
    }
    add_entry(c, name, path, role);
    return KR_OK;
}

/* The directory part of `file` with a trailing slash, or "" (kr_malloc'd). */
static char *dir_of(const char *file)
{
    const char *slash = file ? strrchr(file, '/') : NULL;
    return slash ? kr_strndup(file, (size_t)(slash - file + 1)) : kr_strdup("");
}

/* A rule's script: relative to the directory of the file that holds the
 * rule, as krait run resolves it (src/jobprep.c). */
static int add_script(struct collect *c, const struct kr_workflow *wf, const struct kr_rule *r,
                      const char *script, struct kr_error *err)
{
    const char *f = r->file < wf->srcs.n ? wf->srcs.files[r->file].path : wf->snakefile;
    char *dir = dir_of(f);
    char *p = script[0] == '/' ? kr_strdup(script) : kr_asprintf("%s%s", dir, script);
    int rc = add_path(c, p, "script", err);
    if (rc)
        kr_error_prefix(err, "rule %s: ", r->name);
    kr_free(p);
    kr_free(dir);
    return rc;
}

/* Scripts whose path has wildcards: one per job of the rule in the plan;
 * without a plan they cannot be known, which a warning says. */
static int add_scripts(struct collect *c, struct kr_workflow *wf, struct kr_dag *dag,
                       struct kr_error *err)
{
    uint32_t i, nj = 0;
    struct kr_job **jobs = dag ? kr_dag_jobs(dag, &nj) : NULL;
    int rc = KR_OK;
    for (i = 0; i < wf->nrules && rc == KR_OK; i++) {
        const struct kr_rule *r = wf->rules[i];
        if (r->wrapper && r->wrapper_url) {
            fprintf(stderr, "krait: warning: rule %s: wrapper '%s' lives at %s: not stored "
                    "(clone the wrappers into the workflow directory and use "
                    "--wrapper-prefix file://DIR/)\n", r->name, r->wrapper, r->wrapper_url);
            continue;
        }
        if (r->wrapper && r->script) {
            /* a local wrapper: its whole directory (meta.yaml, environment.yaml ...) */
            char *dir = dir_of(r->script);
            rc = add_path(c, dir, "wrapper", err);
            if (rc)
                kr_error_prefix(err, "rule %s: ", r->name);
            kr_free(dir);
            continue;
        }
        if (!r->script)
            continue;
        if (!strchr(r->script, '{')) {
            rc = add_script(c, wf, r, r->script, err);
            continue;
        }
        if (!dag)
            fprintf(stderr, "krait: warning: rule %s: script path '%s' has wildcards and "
                    "the workflow could not be planned: the script is not stored\n",
                    r->name, r->script);
    }
    for (i = 0; i < nj && rc == KR_OK; i++) {
        struct kr_job *j = jobs[i];
        struct kr_jobinfo info;
        struct kr_arena a;
        if (!j->rule->script || j->rule->wrapper || !strchr(j->rule->script, '{'))
            continue;
        kr_arena_init(&a);
        memset(&info, 0, sizeof info);
        rc = kr_wf_job_info(wf, j->rule, &j->wc, j->in, j->nin, j->out, j->nout, 1, 1, false,
                            NULL, &a, &info, err);
        if (rc == KR_OK && info.script_path)
            rc = add_script(c, wf, j->rule, info.script_path, err);
        kr_arena_free(&a);
    }
    return rc;
}

/* The plan's source inputs: input files of its jobs that no rule makes. */
static int add_inputs(struct collect *c, struct kr_dag *dag, struct kr_error *err)
{
    uint32_t i, k, nj;
    struct kr_job **jobs = kr_dag_jobs(dag, &nj);
    int rc = KR_OK;
    for (i = 0; i < nj && rc == KR_OK; i++)
        for (k = 0; k < jobs[i]->nin && rc == KR_OK; k++) {
            struct kr_file *f = jobs[i]->infiles[k];
            if (f->producer)
                continue;
            if (strstr(f->path, "://")) {
                fprintf(stderr, "krait: warning: input %s is remote: not stored\n", f->path);
                continue;
            }
            rc = add_path(c, f->path, "input", err);
        }
    return rc;
}

/* The workflow profile: `given` (--workflow-profile DIR, made absolute
 * before -d), none for "none", else as the options find it by default
 * (src/cli.c): profiles/default here, else next to the rule file. */
static int add_profile(struct collect *c, const struct kr_workflow *wf, const char *given,
                       struct kr_error *err)
{
    struct stat sb;
    char *dir, *p;
    int rc = KR_OK;
    if (given)
        return strcmp(given, "none") ? add_path(c, given, "profile", err) : KR_OK;
    dir = dir_of(wf->snakefile);
    if (stat("profiles/default", &sb) == 0 && S_ISDIR(sb.st_mode)) {
        rc = add_path(c, "profiles/default", "profile", err);
    } else {
        p = kr_asprintf("%sprofiles/default", dir);
        if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
            rc = add_path(c, p, "profile", err);
        kr_free(p);
    }
    kr_free(dir);
    return rc;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sort by name and drop duplicates (the first role seen stays). */
static void sort_unique(struct collect *c)
{
    size_t i, o = 0;
    qsort(c->v, c->n, sizeof *c->v, cmp_entry);
    for (i = 0; i < c->n; i++) {
        if (o && !strcmp(c->v[o - 1].name, c->v[i].name)) {
            kr_free(c->v[i].name);
            kr_free(c->v[i].disk);
            continue;
        }
        c->v[o++] = c->v[i];
    }
    c->n = o;
}

/* The MANIFEST text (kr_malloc'd, see the top of this file). */
static char *manifest(const struct collect *c, const struct kr_workflow *wf, bool with_inputs)
{
    json_t *m = json_object(), *files = json_array(), *imgs = json_array();
    const char **v = kr_calloc(wf->nrules + 1, sizeof *v);
    size_t i, n = 0;
    char *dump, *out, *sf;
    struct kr_error e;
    for (i = 0; i < wf->nrules; i++)
        if (wf->rules[i]->container)
            v[n++] = wf->rules[i]->container;
    if (wf->container)
        v[n++] = wf->container;
    qsort(v, n, sizeof *v, cmp_str);
    for (i = 0; i < n; i++)
        if (!i || strcmp(v[i - 1], v[i]))
            json_array_append_new(imgs, json_string(v[i]));
    kr_free((void *)v);
    for (i = 0; i < c->n; i++) {
        json_t *f = json_object();
        json_object_set_new(f, "path", json_string(c->v[i].name));
        json_object_set_new(f, "role", json_string(c->v[i].role));
        json_array_append_new(files, f);
    }
    kr_error_clear(&e);
    sf = archive_name((struct collect *)c, wf->snakefile, "rule", &e);
    json_object_set_new(m, "format", json_string("krait-archive/1"));
    json_object_set_new(m, "krait_version", json_string(PACKAGE_VERSION));
    json_object_set_new(m, "snakefile", json_string(sf ? sf : wf->snakefile));
    json_object_set_new(m, "with_inputs", json_boolean(with_inputs));
    json_object_set_new(m, "containers", imgs);
    json_object_set_new(m, "files", files);
    kr_free(sf);
    dump = json_dumps(m, JSON_SORT_KEYS | JSON_INDENT(2));
    json_decref(m);
    out = kr_asprintf("%s\n", dump ? dump : "{}");
    free(dump);
    return out;
}

/* Does `s` end with `suffix`? */
static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Choose format and filter from the file name. KR_EUSAGE for an unknown
 * extension; KR_EUNSUPPORTED when this libarchive lacks the compressor. */
static int set_format(struct archive *a, const char *file, struct kr_error *err)
{
    int r;
    if (ends_with(file, ".zip")) {
        r = archive_write_set_format_zip(a);
        return r == ARCHIVE_OK ? KR_OK
                               : kr_error_set(err, KR_EUNSUPPORTED, "zip: %s",
                                              archive_error_string(a));
    }
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK)
        return kr_error_set(err, KR_EUNSUPPORTED, "tar: %s", archive_error_string(a));
    if (ends_with(file, ".tar.gz") || ends_with(file, ".tgz")) {
        r = archive_write_add_filter_gzip(a);
        if (r == ARCHIVE_OK)
            r = archive_write_set_options(a, "gzip:!timestamp");
    } else if (ends_with(file, ".tar.zst")) {
        r = archive_write_add_filter_zstd(a);
    } else if (ends_with(file, ".tar.xz")) {
        r = archive_write_add_filter_xz(a);
    } else if (ends_with(file, ".tar")) {
        r = ARCHIVE_OK;
    } else {
        return kr_error_set(err, KR_EUSAGE, "%s: unknown archive type: the name must end with "
                            ".tar.gz, .tgz, .tar.zst, .tar.xz, .tar or .zip", file);
    }
    if (r != ARCHIVE_OK)
        return kr_error_set(err, KR_EUNSUPPORTED, "%s: %s", file, archive_error_string(a));
    return KR_OK;
}

/* The mtime of every entry: $SOURCE_DATE_EPOCH when it is a number, else 0. */
static time_t fixed_mtime(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    char *end;
    long long v;
    if (!s || !*s)
        return 0;
    errno = 0;
    v = strtoll(s, &end, 10);
    return (*end || errno || v < 0) ? 0 : (time_t)v;
}

/* A new archive entry of a regular file with the fixed metadata. */
static struct archive_entry *fixed_entry(const char *name, int64_t size, int mode,
                                         time_t mtime)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, (mode_t)mode);
    archive_entry_set_size(e, (la_int64_t)size);
    archive_entry_set_mtime(e, mtime, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_set_uname(e, "");
    archive_entry_set_gname(e, "");
    return e;
}

/* The MANIFEST entry, from memory. */
static int write_text(struct archive *a, const char *name, const char *text, time_t mtime,
                      struct kr_error *err)
{
    size_t len = strlen(text);
    struct archive_entry *e = fixed_entry(name, (int64_t)len, 0644, mtime);
    int rc = KR_OK;
    if (archive_write_header(a, e) != ARCHIVE_OK ||
        archive_write_data(a, text, len) != (la_ssize_t)len)
        rc = kr_error_set(err, KR_EIO, "writing %s: %s", name, archive_error_string(a));
    archive_entry_free(e);
    return rc;
}

/* One file, streamed in chunks (inputs may be large). Its mode is 0755
 * when its owner may execute it, else 0644. A file that changes size while
 * it is read is an error. */
static int write_file(struct archive *a, const struct entry *en, time_t mtime,
                      struct kr_error *err)
{
    FILE *f = fopen(en->disk, "rb");
    struct archive_entry *e = NULL;
    struct stat sb;
    char *chunk = NULL;
    int64_t total = 0;
    size_t n;
    int rc = KR_OK;
    if (!f)
        return kr_error_set(err, KR_EIO, "cannot open '%s': %s", en->disk, strerror(errno));
    if (fstat(fileno(f), &sb) != 0) {
        rc = kr_error_set(err, KR_EIO, "cannot stat '%s': %s", en->disk, strerror(errno));
        goto out;
    }
    e = fixed_entry(en->name, (int64_t)sb.st_size, (sb.st_mode & S_IXUSR) ? 0755 : 0644,
                    mtime);
    if (archive_write_header(a, e) != ARCHIVE_OK) {
        rc = kr_error_set(err, KR_EIO, "writing %s: %s", en->name, archive_error_string(a));
        goto out;
    }
    chunk = kr_malloc(1 << 16);
    while ((n = fread(chunk, 1, 1 << 16, f)) > 0) {
        if (archive_write_data(a, chunk, n) != (la_ssize_t)n) {
            rc = kr_error_set(err, KR_EIO, "writing %s: %s", en->name,
                              archive_error_string(a));
            goto out;
        }
        total += (int64_t)n;
    }
    if (ferror(f))
        rc = kr_error_set(err, KR_EIO, "cannot read '%s': %s", en->disk, strerror(errno));
    else if (total != (int64_t)sb.st_size)
        rc = kr_error_set(err, KR_EIO, "'%s' changed while it was archived", en->disk);
out:
    kr_free(chunk);
    if (e)
        archive_entry_free(e);
    fclose(f);
    return rc;
}

/* Write the collected files to `file` (written to FILE.tmp, then renamed,
 * so a failure leaves no half archive). */
static int write_archive(const char *file, const struct collect *c, const char *mf,
                         struct kr_error *err)
{
    struct archive *a = archive_write_new();
    char *tmp = kr_asprintf("%s.tmp", file);
    time_t mtime = fixed_mtime();
    size_t i;
    int rc = set_format(a, file, err);
    if (rc)
        goto out;
    if (archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
        rc = kr_error_set(err, KR_EIO, "cannot create '%s': %s", tmp, archive_error_string(a));
        goto out;
    }
    rc = write_text(a, "MANIFEST", mf, mtime, err);
    for (i = 0; i < c->n && rc == KR_OK; i++)
        rc = write_file(a, &c->v[i], mtime, err);
    if (archive_write_close(a) != ARCHIVE_OK && rc == KR_OK)
        rc = kr_error_set(err, KR_EIO, "writing '%s': %s", tmp, archive_error_string(a));
    if (rc == KR_OK && rename(tmp, file) != 0)
        rc = kr_error_set(err, KR_EIO, "cannot rename '%s' to '%s': %s", tmp, file,
                          strerror(errno));
    if (rc)
        unlink(tmp);
out:
    archive_write_free(a);
    kr_free(tmp);
    return rc;
}

/* Everything the archive holds, into c (c->root set). */
static int collect_all(struct collect *c, struct kr_workflow *wf, struct kr_dag *dag,
                       bool with_inputs, const char *wf_profile, struct kr_error *err)
{
    size_t i;
    int rc = KR_OK;
    for (i = 0; i < wf->srcs.n && rc == KR_OK; i++) {
        /* sources added from memory (evaluate(), --default-resources) have
         * made-up names that are no files */
        struct stat sb;
        const char *p = wf->srcs.files[i].path;
        if (strstr(p, "://") || stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        rc = add_path(c, p, "rules", err);
    }
    for (i = 0; i < wf->nconfigfiles && rc == KR_OK; i++)
        rc = add_path(c, wf->configfiles[i], "config", err);
    for (i = 0; i < wf->nreadfiles && rc == KR_OK; i++)
        rc = add_path(c, wf->readfiles[i], "read", err);
    if (rc == KR_OK)
        rc = add_scripts(c, wf, dag, err);
    if (rc == KR_OK)
        rc = add_profile(c, wf, wf_profile, err);
    if (rc == KR_OK && with_inputs)
        rc = add_inputs(c, dag, err);
    return rc;
}

/* The value of --workflow-profile in argv (the last one), or NULL; a
 * relative directory is made absolute against `cwd`, as the option parser
 * reads it before -d applies (kr_malloc'd). */
static char *workflow_profile_arg(int argc, char **argv, const char *cwd)
{
    const char *v = NULL;
    int i;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--workflow-profile") && i + 1 < argc)
            v = argv[++i];
        else if (!strncmp(argv[i], "--workflow-profile=", 19))
            v = argv[i] + 19;
    }
    if (!v)
        return NULL;
    return v[0] == '/' || !strcmp(v, "none") ? kr_strdup(v) : kr_asprintf("%s/%s", cwd, v);
}

static int archive_run(int argc, char **argv)
{
    struct kr_cli cli;
    struct kr_error err;
    struct kr_workflow *wf = NULL;
    struct kr_dag *dag = NULL;
    struct collect c;
    char cwd[PATH_MAX], real[PATH_MAX];
    char *file = NULL, *mf = NULL, *wfprof = NULL;
    size_t i;
    int rc, status = 0;

    memset(&c, 0, sizeof c);
    kr_error_clear(&err);
    rc = kr_cli_parse(argc, argv, KR_CLI_ARCHIVE, &cli, &err);
    if (rc) {
        status = kr_cli_fail(&err);
        fprintf(stderr, "Run `krait archive --help` for the options.\n");
        goto out;
    }
    if (cli.help) {
        kr_cli_usage(stdout, "archive FILE", summary, KR_CLI_ARCHIVE);
        goto out;
    }
    if (!cli.plan.ntargets) {
        fprintf(stderr, "krait: error: archive: name the archive to write (e.g. "
                        "krait archive wf.tar.gz)\nRun `krait archive --help` for the options.\n");
        status = 2;
        goto out;
    }
    /* the archive name is the first word; what follows are targets. It is
     * taken relative to where krait was started, before -d. */
    if (!getcwd(cwd, sizeof cwd)) {
        kr_error_set(&err, KR_EIO, "cannot find the working directory: %s", strerror(errno));
        status = kr_cli_fail(&err);
        goto out;
    }
    file = cli.plan.targets[0][0] == '/' ? kr_strdup(cli.plan.targets[0])
                                          : kr_asprintf("%s/%s", cwd, cli.plan.targets[0]);
    wfprof = workflow_profile_arg(argc, argv, cwd);
    memmove(cli.plan.targets, cli.plan.targets + 1, --cli.plan.ntargets * sizeof(char *));
    {
        struct archive *probe = archive_write_new();
        rc = set_format(probe, file, &err);
        archive_write_free(probe);
        if (rc) {
            status = kr_cli_fail(&err);
            goto out;
        }
    }
    rc = kr_cli_chdir(&cli, &err);
    if (rc) {
        status = kr_cli_fail(&err);
        goto out;
    }
    cli.directory = NULL;
    rc = kr_cli_plan(&cli, &wf, &dag, &err);
    if (rc && cli.with_inputs) {
        kr_error_prefix(&err, "--with-inputs needs a plan: ");
        status = kr_cli_fail(&err);
        goto out;
    }
    if (rc) {
        /* without a plan the rule files, configs and scripts are still known */
        kr_error_clear(&err);
        rc = kr_workflow_load(&cli.load, &wf, &err);
        if (rc) {
            status = kr_cli_fail(&err);
            goto out;
        }
    }
    if (!getcwd(cwd, sizeof cwd) || !realpath(cwd, real)) {
        kr_error_set(&err, KR_EIO, "cannot find the working directory: %s", strerror(errno));
        status = kr_cli_fail(&err);
        goto out;
    }
    c.root = kr_strdup(cwd);
    c.realroot = kr_strdup(real);
    rc = collect_all(&c, wf, dag, cli.with_inputs, wfprof, &err);
    if (rc == KR_OK) {
        sort_unique(&c);
        mf = manifest(&c, wf, cli.with_inputs);
        rc = write_archive(file, &c, mf, &err);
    }
    if (rc) {
        status = kr_cli_fail(&err);
        goto out;
    }
    if (!cli.quiet)
        fprintf(stderr, "krait: wrote %s (%zu files and MANIFEST)\n", file, c.n);
out:
    for (i = 0; i < c.n; i++) {
        kr_free(c.v[i].name);
        kr_free(c.v[i].disk);
    }
    kr_free(c.v);
    kr_free(c.root);
    kr_free(c.realroot);
    kr_free(mf);
    kr_free(wfprof);
    kr_free(file);
    kr_dag_free(dag);
    kr_workflow_free(wf);
    kr_cli_free(&cli);
    return status;
}

const struct kr_cmd kr_cmd_archive = {
    .name = "archive",
    .summary = "pack the workflow's files into a reproducible archive",
    .run = archive_run,
};
