/*
 * kubeconfig.h - where a Kubernetes API server is and how to authenticate
 * to it, read as kubectl reads it: the files in KUBECONFIG (a ':' list,
 * first file wins for each entry and for current-context), else
 * ~/.kube/config, else the in-cluster service account
 * (KUBERNETES_SERVICE_HOST/PORT and /var/run/secrets/kubernetes.io/
 * serviceaccount). The one reader the Kubernetes executor uses: no copy
 * per backend.
 *
 * Secrets: the token and the client key are held in memory only; nothing
 * here prints them, and kr_kube_config_free wipes them.
 */
#ifndef KR_KUBECONFIG_H
#define KR_KUBECONFIG_H

#include "kr.h"

struct kr_kubeconfig {
    char *context;          /* the context used ("in-cluster" for the service account) */
    char *source;           /* the file it came from, for messages */
    char *server;           /* https://HOST:PORT */
    char *ca_file;          /* certificate-authority, absolute, or NULL */
    char *ca_pem;           /* certificate-authority-data, decoded, or NULL */
    bool insecure;          /* insecure-skip-tls-verify */
    char *token;            /* bearer token (token, or tokenFile's content), or NULL */
    char *cert_file, *key_file;     /* client-certificate / client-key, absolute, or NULL */
    char *cert_pem, *key_pem;       /* their -data forms, decoded, or NULL */
    char *ns;               /* the context's namespace, else "default" */
};

/*
 * Load the configuration for `context` (NULL: current-context) from
 * KUBECONFIG or ~/.kube/config, else the in-cluster service account when
 * KUBERNETES_SERVICE_HOST is set. Relative paths in a file are relative to
 * that file's directory, as kubectl takes them. KR_OK with *out filled
 * (kr_kube_config_free it); KR_NOT_FOUND when there is no configuration at
 * all; KR_EUSAGE for a missing context/cluster/user, a server-less
 * cluster, or a credential plugin (exec:, auth-provider:) krait does not
 * run; KR_EIO for an unreadable file. err names the file and the entry.
 */
int kr_kube_config_load(const char *context, struct kr_kubeconfig *out, struct kr_error *err);

/* The same from an explicit list of files (a KUBECONFIG value). */
int kr_kube_config_read(const char *pathlist, const char *context, struct kr_kubeconfig *out,
                        struct kr_error *err);

/* The in-cluster configuration from the service account directory `sadir`
 * (token, ca.crt, namespace) and KUBERNETES_SERVICE_HOST/PORT. */
int kr_kube_config_incluster(const char *sadir, struct kr_kubeconfig *out,
                             struct kr_error *err);

void kr_kube_config_free(struct kr_kubeconfig *c);

#endif
