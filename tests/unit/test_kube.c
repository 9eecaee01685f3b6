/*
 * test_kube.c - the kubeconfig reader (src/kubeconfig.c): current-context
 * and an explicit context, a KUBECONFIG list merged first-file-wins,
 * relative paths taken from the file's directory, -data fields decoded,
 * token and tokenFile, the namespace default, the errors that name what is
 * missing (a context, a cluster's server) or refused (an exec plugin), and
 * the in-cluster service account.
 */
#include "kubeconfig.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/kr-kube-XXXXXX";

static char *at(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void put(const char *name, const char *text)
{
    FILE *f = fopen(at(name), "w");
    fputs(text, f);
    fclose(f);
}

int main(void)
{
    struct kr_kubeconfig c;
    struct kr_error e;
    char list[1100];
    int rc;

    if (!mkdtemp(dir))
        return 1;
    mkdir(at("sub"), 0755);
    mkdir(at("sa"), 0755);
    put("sub/tok", "s3cr3t-from-file\n");
    put("sub/config",
        "apiVersion: v1\n"
        "kind: Config\n"
        "current-context: dev\n"
        "contexts:\n"
        "- name: dev\n"
        "  context: {cluster: c1, user: u1, namespace: work}\n"
        "- name: prod\n"
        "  context: {cluster: c2, user: u2}\n"
        "- name: plug\n"
        "  context: {cluster: c1, user: u3}\n"
        "- name: nosrv\n"
        "  context: {cluster: c3, user: u1}\n"
        "clusters:\n"
        "- name: c1\n"
        "  cluster: {server: 'https://127.0.0.1:6443', certificate-authority: ca.crt}\n"
        "- name: c2\n"
        "  cluster:\n"
        "    server: https://prod:443\n"
        "    certificate-authority-data: LS0tLS1CRUdJTi0tLS0t\n"
        "    insecure-skip-tls-verify: true\n"
        "- name: c3\n"
        "  cluster: {certificate-authority: /abs/ca.crt}\n"
        "users:\n"
        "- name: u1\n"
        "  user: {token: abc123}\n"
        "- name: u2\n"
        "  user: {tokenFile: tok, client-certificate: c.crt, client-key-data: a2V5}\n"
        "- name: u3\n"
        "  user:\n"
        "    exec: {command: aws}\n");
    kr_error_clear(&e);
    rc = kr_kube_config_read(at("sub/config"), NULL, &c, &e);
    ok(rc == KR_OK, "current-context read (%s)", e.msg);
    is_str(c.context, "dev", "the current context");
    is_str(c.server, "https://127.0.0.1:6443", "its cluster's server");
    is_str(c.ca_file, at("sub/ca.crt"), "a relative certificate-authority is next to the file");
    is_str(c.token, "abc123", "the user's token");
    is_str(c.ns, "work", "the context's namespace");
    ok(!c.insecure && !c.ca_pem && !c.cert_file, "nothing else set");
    kr_kube_config_free(&c);
    ok(c.token == NULL, "free clears the struct");

    rc = kr_kube_config_read(at("sub/config"), "prod", &c, &e);
    ok(rc == KR_OK, "an explicit context");
    is_str(c.ca_pem, "-----BEGIN-----", "certificate-authority-data decoded");
    ok(c.insecure, "insecure-skip-tls-verify");
    is_str(c.token, "s3cr3t-from-file", "tokenFile read, relative to the file, newline cut");
    is_str(c.cert_file, at("sub/c.crt"), "client-certificate path");
    is_str(c.key_pem, "key", "client-key-data decoded");
    is_str(c.ns, "default", "no namespace: default");
    kr_kube_config_free(&c);

    rc = kr_kube_config_read(at("sub/config"), "nope", &c, &e);
    ok(rc == KR_EUSAGE && strstr(e.msg, "no context 'nope' (contexts: dev, prod, plug, nosrv)"),
       "an unknown context names the known ones: %s", e.msg);
    rc = kr_kube_config_read(at("sub/config"), "plug", &c, &e);
    ok(rc == KR_EUSAGE && strstr(e.msg, "plugin (exec/auth-provider), which krait does not run"),
       "a credential plugin is refused: %s", e.msg);
    rc = kr_kube_config_read(at("sub/config"), "nosrv", &c, &e);
    ok(rc == KR_EUSAGE && strstr(e.msg, "has no server"), "a cluster without server: %s", e.msg);

    /* a list: the first file that has an entry wins; missing files are skipped */
    put("a.yaml", "current-context: other\n"
                  "contexts:\n- name: other\n  context: {cluster: c1, user: u1}\n"
                  "users:\n- name: u1\n  user: {token: first}\n");
    snprintf(list, sizeof list, "%s:%s:%s", at("missing.yaml"), at("a.yaml"), at("sub/config"));
    rc = kr_kube_config_read(list, NULL, &c, &e);
    ok(rc == KR_OK, "a KUBECONFIG list (%s)", e.msg);
    is_str(c.context, "other", "current-context from the first file that sets it");
    is_str(c.token, "first", "the user from the first file that defines it");
    is_str(c.server, "https://127.0.0.1:6443", "the cluster from a later file");
    kr_kube_config_free(&c);

    put("bad.yaml", "contexts: [\n");
    rc = kr_kube_config_read(at("bad.yaml"), NULL, &c, &e);
    ok(rc == KR_EUSAGE && strstr(e.msg, "bad.yaml:"), "bad YAML names the file: %s", e.msg);

    setenv("KUBECONFIG", at("sub/config"), 1);
    rc = kr_kube_config_load("prod", &c, &e);
    ok(rc == KR_OK && !strcmp(c.server, "https://prod:443"), "KUBECONFIG is used");
    kr_kube_config_free(&c);
    unsetenv("KUBECONFIG");

    put("sa/token", "sa-token\n");
    put("sa/namespace", "jobs\n");
    setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    rc = kr_kube_config_incluster(at("sa"), &c, &e);
    ok(rc == KR_OK, "in-cluster service account");
    is_str(c.server, "https://10.0.0.1:443", "server from KUBERNETES_SERVICE_HOST/PORT");
    is_str(c.token, "sa-token", "the service account's token");
    is_str(c.ns, "jobs", "its namespace");
    is_str(c.ca_file, at("sa/ca.crt"), "its CA");
    kr_kube_config_free(&c);
    unsetenv("KUBERNETES_SERVICE_HOST");
    rc = kr_kube_config_incluster(at("sa"), &c, &e);
    ok(rc == KR_NOT_FOUND, "outside a cluster: not found");
    return tap_done();
}
