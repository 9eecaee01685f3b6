/*
 * kubeconfig.c - reading kubeconfig files and the in-cluster service
 * account (kubeconfig.h). Each file of the list is loaded as a libyaml
 * document; an entry (context, cluster, user) is looked up in the files in
 * order and the first file that has it wins, as kubectl merges them.
 */
#include "kubeconfig.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define KR_KUBE_MAX_FILES 16
#define KR_KUBE_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

struct kfile {
    char *path, *dir;
    yaml_document_t doc;
    bool loaded;
};

struct kdocs {
    struct kfile f[KR_KUBE_MAX_FILES];
    int n;
};

static yaml_node_t *node(struct kfile *f, int i)
{
    return i ? yaml_document_get_node(&f->doc, i) : NULL;
}

/* The value of key `k` in mapping `m`, or NULL. */
static yaml_node_t *get(struct kfile *f, yaml_node_t *m, const char *k)
{
    yaml_node_pair_t *p;
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *key = node(f, p->key);
        if (key && key->type == YAML_SCALAR_NODE && !strcmp((char *)key->data.scalar.value, k))
            return node(f, p->value);
    }
    return NULL;
}

static const char *str(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Walk the entries of list `section` over all files, in order: fn gets
 * each entry's file, node and name; a non-NULL result stops the walk and
 * is returned. */
typedef yaml_node_t *(*entry_fn)(void *ctx, struct kfile *f, yaml_node_t *e, const char *nm);

static yaml_node_t *each_entry(struct kdocs *D, const char *section, entry_fn fn, void *ctx)
{
    int i;
    for (i = 0; i < D->n; i++) {
        struct kfile *f = &D->f[i];
        yaml_node_t *l = get(f, yaml_document_get_root_node(&f->doc), section), *r;
        yaml_node_item_t *it;
        if (!l || l->type != YAML_SEQUENCE_NODE)
            continue;
        for (it = l->data.sequence.items.start; it < l->data.sequence.items.top; it++) {
            yaml_node_t *e = node(f, *it);
            const char *nm = str(get(f, e, "name"));
            if (nm && (r = fn(ctx, f, e, nm)))
                return r;
        }
    }
    return NULL;
}

struct find {
    const char *name, *what;
    struct kfile **in;
    yaml_node_t *out;           /* the entry's `what`, NULL when it has none */
};

static yaml_node_t *find_entry(void *ctx, struct kfile *f, yaml_node_t *e, const char *nm)
{
    struct find *q = ctx;
    if (strcmp(nm, q->name))
        return NULL;
    *q->in = f;
    q->out = get(f, e, q->what);
    return e;                   /* the first file with the name wins */
}

/* The `what` (context, cluster, user) of list `section` named `name`, in
 * the first file that has it; *in is that file. */
static yaml_node_t *named(struct kdocs *D, const char *section, const char *what,
                          const char *name, struct kfile **in)
{
    struct find q = {name, what, in, NULL};
    each_entry(D, section, find_entry, &q);
    return q.out;
}

static yaml_node_t *add_name(void *ctx, struct kfile *f, yaml_node_t *e, const char *nm)
{
    struct kr_buf *b = ctx;
    KR_UNUSED(f);
    KR_UNUSED(e);
    kr_buf_printf(b, "%s%s", b->len ? ", " : "", nm);
    return NULL;
}

/* The names of a section's entries over all files, for messages. */
static char *names_of(struct kdocs *D, const char *section)
{
    struct kr_buf b = KR_BUF_INIT;
    each_entry(D, section, add_name, &b);
    return b.len ? kr_buf_steal(&b) : (kr_buf_free(&b), kr_strdup("none"));
}

/* A path from file f: absolute as given, else relative to f's directory. */
static char *path_in(const struct kfile *f, const char *p)
{
    return p[0] == '/' ? kr_strdup(p) : kr_asprintf("%s/%s", f->dir, p);
}

/* base64 -> bytes, NUL-terminated; NULL when it is not base64. */
static char *unbase64(const char *s)
{
    size_t n = strlen(s), pad = 0;
    unsigned char *out;
    int len;
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        n--;
    if (n % 4)
        return NULL;
    if (n && s[n - 1] == '=')
        pad++;
    if (n > 1 && s[n - 2] == '=')
        pad++;
    out = kr_malloc(n / 4 * 3 + 1);
    len = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
    if (len < 0) {
        kr_free(out);
        return NULL;
    }
    out[len - (int)pad] = '\0';
    return (char *)out;
}

/* A whole small file, trailing newlines cut; NULL with errno. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (!f)
        return NULL;
    buf = kr_malloc(65537);
    n = fread(buf, 1, 65536, f);
    fclose(f);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    return buf;
}

static void free_docs(struct kdocs *D)
{
    int i;
    for (i = 0; i < D->n; i++) {
        if (D->f[i].loaded)
            yaml_document_delete(&D->f[i].doc);
        kr_free(D->f[i].path);
        kr_free(D->f[i].dir);
    }
}

static int load_docs(struct kdocs *D, const char *pathlist, struct kr_error *err)
{
    const char *p = pathlist;
    memset(D, 0, sizeof *D);
    while (*p && D->n < KR_KUBE_MAX_FILES) {
        const char *e = strchr(p, ':');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        struct kfile *f;
        yaml_parser_t yp;
        FILE *fp;
        char *slash;
        if (len == 0) {
            p = e ? e + 1 : p + len;
            continue;
        }
        f = &D->f[D->n];
        f->path = kr_strndup(p, len);
        p = e ? e + 1 : p + len;
        fp = fopen(f->path, "rb");
        if (!fp) {
            if (errno == ENOENT) {      /* kubectl skips missing files of the list */
                kr_free(f->path);
                f->path = NULL;
                continue;
            }
            D->n++;
            return kr_error_set(err, KR_EIO, "kubeconfig %s: %s", f->path, strerror(errno));
        }
        slash = strrchr(f->path, '/');
        f->dir = slash ? kr_strndup(f->path, (size_t)(slash - f->path)) : kr_strdup(".");
        D->n++;
        yaml_parser_initialize(&yp);
        yaml_parser_set_input_file(&yp, fp);
        if (!yaml_parser_load(&yp, &f->doc)) {
            int rc = kr_error_set(err, KR_EUSAGE, "kubeconfig %s:%d: %s", f->path,
                                  (int)yp.problem_mark.line + 1,
                                  yp.problem ? yp.problem : "not valid YAML");
            yaml_parser_delete(&yp);
            fclose(fp);
            return rc;
        }
        f->loaded = true;
        yaml_parser_delete(&yp);
        fclose(fp);
    }
    return D->n ? KR_OK : KR_NOT_FOUND;
}

/* ca/cert/key: the file form (a path) or the -data form (base64). */
static int pem_pair(struct kfile *f, yaml_node_t *m, const char *key, char **file, char **pem,
                    struct kr_error *err)
{
    char dkey[64];
    const char *v = str(get(f, m, key));
    if (v)
        *file = path_in(f, v);
    snprintf(dkey, sizeof dkey, "%s-data", key);
    v = str(get(f, m, dkey));
    if (v && !(*pem = unbase64(v)))
        return kr_error_set(err, KR_EUSAGE, "kubeconfig %s: %s is not base64", f->path, dkey);
    return KR_OK;
}

int kr_kube_config_read(const char *pathlist, const char *context, struct kr_kubeconfig *out,
                        struct kr_error *err)
{
    struct kdocs D;
    struct kfile *cf = NULL, *kf = NULL, *uf = NULL;
    yaml_node_t *ctx, *cl, *us;
    const char *name = context, *v;
    char *list;
    int i, rc;

    memset(out, 0, sizeof *out);
    rc = load_docs(&D, pathlist, err);
    if (rc) {
        if (rc == KR_NOT_FOUND)
            kr_error_set(err, KR_NOT_FOUND, "kubeconfig %s: no such file", pathlist);
        goto out;
    }
    for (i = 0; i < D.n && !name; i++)
        name = str(get(&D.f[i], yaml_document_get_root_node(&D.f[i].doc), "current-context"));
    if (!name || !*name) {
        rc = kr_error_set(err, KR_EUSAGE, "kubeconfig %s: no current-context; name one "
                          "(--executor-arg context=NAME)", D.f[0].path);
        goto out;
    }
    ctx = named(&D, "contexts", "context", name, &cf);
    if (!ctx) {
        list = names_of(&D, "contexts");
        rc = kr_error_set(err, KR_EUSAGE, "kubeconfig %s: no context '%s' (contexts: %s)",
                          D.f[0].path, name, list);
        kr_free(list);
        goto out;
    }
    out->context = kr_strdup(name);
    out->source = kr_strdup(cf->path);
    v = str(get(cf, ctx, "namespace"));
    out->ns = kr_strdup(v && *v ? v : "default");
    v = str(get(cf, ctx, "cluster"));
    cl = v ? named(&D, "clusters", "cluster", v, &kf) : NULL;
    if (!cl) {
        rc = kr_error_set(err, KR_EUSAGE, "kubeconfig %s: context '%s' names cluster '%s', "
                          "which no file defines", cf->path, name, v ? v : "");
        goto out;
    }
    v = str(get(kf, cl, "server"));
    if (!v || !*v) {
        rc = kr_error_set(err, KR_EUSAGE, "kubeconfig %s: the cluster of context '%s' has no "
                          "server", kf->path, name);
        goto out;
    }
    out->server = kr_strdup(v);
    v = str(get(kf, cl, "insecure-skip-tls-verify"));
    out->insecure = v && !strcmp(v, "true");
    rc = pem_pair(kf, cl, "certificate-authority", &out->ca_file, &out->ca_pem, err);
    if (rc)
        goto out;
    v = str(get(cf, ctx, "user"));
    us = v ? named(&D, "users", "user", v, &uf) : NULL;
    if (v && !us) {
        rc = kr_error_set(err, KR_EUSAGE, "kubeconfig %s: context '%s' names user '%s', which "
                          "no file defines", cf->path, name, v);
        goto out;
    }
    if (!us)
        goto out;           /* no credentials: an unauthenticated server */
    if (get(uf, us, "exec") || get(uf, us, "auth-provider")) {
        rc = kr_error_set(err, KR_EUSAGE, "kubeconfig %s: user '%s' gets its credentials from a "
                          "plugin (exec/auth-provider), which krait does not run: give it a "
                          "token, tokenFile or client certificate", uf->path, v);
        goto out;
    }
    if ((v = str(get(uf, us, "token"))) && *v) {
        out->token = kr_strdup(v);
    } else if ((v = str(get(uf, us, "tokenFile"))) && *v) {
        char *p = path_in(uf, v);
        out->token = slurp(p);
        if (!out->token)
            rc = kr_error_set(err, KR_EIO, "kubeconfig %s: tokenFile %s: %s", uf->path, p,
                              strerror(errno));
        kr_free(p);
        if (rc)
            goto out;
    }
    rc = pem_pair(uf, us, "client-certificate", &out->cert_file, &out->cert_pem, err);
    if (!rc)
        rc = pem_pair(uf, us, "client-key", &out->key_file, &out->key_pem, err);
out:
    free_docs(&D);
    if (rc)
        kr_kube_config_free(out);
    return rc;
}

int kr_kube_config_incluster(const char *sadir, struct kr_kubeconfig *out,
                             struct kr_error *err)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
    char *p;
    memset(out, 0, sizeof *out);
    if (!host || !*host)
        return kr_error_set(err, KR_NOT_FOUND, "not inside a Kubernetes cluster "
                            "(KUBERNETES_SERVICE_HOST is not set)");
    p = kr_asprintf("%s/token", sadir);
    out->token = slurp(p);
    if (!out->token) {
        int rc = kr_error_set(err, KR_EIO, "in-cluster service account: %s: %s", p,
                              strerror(errno));
        kr_free(p);
        return rc;
    }
    kr_free(p);
    out->context = kr_strdup("in-cluster");
    out->source = kr_strdup(sadir);
    out->server = strchr(host, ':') ? kr_asprintf("https://[%s]:%s", host, port ? port : "443")
                                    : kr_asprintf("https://%s:%s", host, port ? port : "443");
    out->ca_file = kr_asprintf("%s/ca.crt", sadir);
    p = kr_asprintf("%s/namespace", sadir);
    out->ns = slurp(p);
    if (!out->ns)
        out->ns = kr_strdup("default");
    kr_free(p);
    return KR_OK;
}

int kr_kube_config_load(const char *context, struct kr_kubeconfig *out, struct kr_error *err)
{
    const char *kc = getenv("KUBECONFIG"), *home = getenv("HOME");
    struct stat sb;
    int rc;
    if (kc && *kc)
        return kr_kube_config_read(kc, context, out, err);
    if (home && *home) {
        char *p = kr_asprintf("%s/.kube/config", home);
        if (stat(p, &sb) == 0) {
            rc = kr_kube_config_read(p, context, out, err);
            kr_free(p);
            return rc;
        }
        kr_free(p);
    }
    rc = kr_kube_config_incluster(KR_KUBE_SA_DIR, out, err);
    if (rc == KR_NOT_FOUND)
        return kr_error_set(err, KR_NOT_FOUND, "no Kubernetes configuration: set KUBECONFIG, "
                            "create ~/.kube/config, or run inside a cluster");
    return rc;
}

static void wipe(char **s)
{
    if (*s) {
        volatile char *p = *s;
        while (*p)
            *p++ = 0;
    }
    kr_free(*s);
    *s = NULL;
}

void kr_kube_config_free(struct kr_kubeconfig *c)
{
    wipe(&c->token);
    wipe(&c->key_pem);
    kr_free(c->context);
    kr_free(c->source);
    kr_free(c->server);
    kr_free(c->ca_file);
    kr_free(c->ca_pem);
    kr_free(c->cert_file);
    kr_free(c->key_file);
    kr_free(c->cert_pem);
    kr_free(c->ns);
    memset(c, 0, sizeof *c);
}
