/*
 * profile.h - execution profiles as Snakemake reads them: a directory whose
 * config.yaml (or config.vN+.yaml) gives default values for command-line
 * options, one key per long option name. A global profile (--profile NAME,
 * or KRAIT_PROFILE / SNAKEMAKE_PROFILE) describes a place to compute (a
 * laptop, a SLURM cluster); a workflow profile (--workflow-profile DIR,
 * default profiles/default in the working directory or next to the
 * Snakefile) tunes one workflow. The options of the command line override
 * the workflow profile, which overrides the global one (cli.c applies them
 * in that order). This module only finds and reads profiles; it knows no
 * option but the structured ones it flattens.
 */
#ifndef KR_PROFILE_H
#define KR_PROFILE_H

#include "kr.h"

/* One option from a profile, as it would be written on the command line:
 * `--name value`; value is NULL for a boolean (then flag says which). */
struct kr_profile_arg {
    const char *name;       /* long option name, '_' turned into '-' */
    const char *value;      /* NULL for a boolean */
    bool flag;              /* the boolean's value when value is NULL */
    bool scalar;            /* the key's YAML value was one scalar */
    int line;               /* 1-based line of the value in file */
};

struct kr_profile {
    char *dir;              /* the profile directory as found */
    char *file;             /* the config file read */
    struct kr_profile_arg *args;
    uint32_t nargs;
    char **names;           /* the option names the args point at */
    uint32_t nnames;
};

/*
 * Find the global profile `name`: a path (absolute, relative, or an
 * existing directory) is taken as given; a bare name is looked up in
 * $XDG_CONFIG_HOME/krait (default ~/.config/krait), ~/.config/snakemake,
 * /etc/xdg/krait and /etc/xdg/snakemake. On KR_OK *dir is a new string
 * (caller frees); KR_NOT_FOUND with err listing the places looked at.
 */
int kr_profile_find(const char *name, char **dir, struct kr_error *err);

/*
 * Read the profile in directory `dir` into *p (zeroed first): its
 * config.vN+.yaml with the highest N up to 8, else config.yaml. Scalars
 * have $VAR and ${VAR} replaced from the environment (unknown ones kept,
 * as Python's os.path.expandvars does); a sequence gives one value per
 * item; a mapping gives KEY=VALUE per item, and set-resources' nested
 * mappings give RULE:RESOURCE=VALUE. KR_OK; KR_EIO (unreadable, no config
 * file) or KR_EPARSE (bad YAML, a value of the wrong shape) with err naming
 * file:line. kr_profile_free in every case.
 */
int kr_profile_read(const char *dir, struct kr_profile *p, struct kr_error *err);

void kr_profile_free(struct kr_profile *p);

#endif
