#!/bin/sh
# t0425-profiles.sh - profiles as Snakemake reads them: --profile NAME found
# in ~/.config/krait (or Snakemake's ~/.config/snakemake), KRAIT_PROFILE and
# SNAKEMAKE_PROFILE, --profile none; keys are long option names (dashes or
# underscores), lists and mappings (set-threads, set-resources,
# default-resources, config), $VAR expanded; config.v8+.yaml before
# config.yaml; the workflow profile (profiles/default here or next to the
# rule file, --workflow-profile) overrides the global one and the command
# line overrides both; a bad key is an error at file:line.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
export HOME="$T/home" XDG_CONFIG_HOME=
unset KRAIT_PROFILE SNAKEMAKE_PROFILE
mkdir -p home/.config/krait/laptop home/.config/snakemake/smk w
cat > home/.config/krait/laptop/config.yaml <<'YAML'
cores: 2
keep_going: true
set-threads:
  a: 2
set-resources:
  a:
    mem_mb: 500
default-resources:
  - mem_mb=100
config:
  greeting: hi-$KR_TEST_USER
YAML
cat > w/Snakefile <<'SNAKE'
rule all:
    input: "a.txt", "b.txt"
rule a:
    output: "a.txt"
    shell: "echo {config[greeting]} {threads} {resources.mem_mb} > {output}"
rule b:
    output: "b.txt"
    shell: "echo b {resources.mem_mb} > {output}"
SNAKE
cd w
KR_TEST_USER=bob "$KRAIT" run --profile laptop > run1.out 2>&1; check $? "run --profile laptop"
same "$(cat a.txt)" "hi-bob 2 500" "... config with \$VAR, set-threads and set-resources applied"
same "$(cat b.txt)" "b 100" "... default-resources applied"
grep -q "^Using profile $HOME/.config/krait/laptop for setting default command line arguments." run1.out
check $? "... and it says which profile it used"

rm -f a.txt b.txt
KR_TEST_USER=bob "$KRAIT" run --profile laptop --config greeting=cli --set-threads a=1 > /dev/null 2>&1
same "$(cat a.txt)" "cli 1 500" "the command line overrides the profile"

rm -f a.txt b.txt
KR_TEST_USER=eve KRAIT_PROFILE=laptop "$KRAIT" run > /dev/null 2>&1
same "$(cat a.txt)" "hi-eve 2 500" "KRAIT_PROFILE names the profile"
rm -f a.txt b.txt
KRAIT_PROFILE=laptop "$KRAIT" run --profile none > none.out 2>&1
grep -q "Using profile" none.out; [ $? -ne 0 ]; check $? "--profile none: no profile"
grep -q "greeting" none.out; check $? "... so config[greeting] is missing"

cat > "$HOME/.config/snakemake/smk/config.yaml" <<'YAML'
config: {greeting: from-yaml}
YAML
cat > "$HOME/.config/snakemake/smk/config.v8+.yaml" <<'YAML'
config: {greeting: from-v8}
rerun-incomplete: true
default-resources: [mem_mb=1]
YAML
rm -f a.txt b.txt
SNAKEMAKE_PROFILE=smk "$KRAIT" run -c 1 > smk.out 2>&1; check $? "SNAKEMAKE_PROFILE found in ~/.config/snakemake"
same "$(cat a.txt)" "from-v8 1 1" "... config.v8+.yaml read before config.yaml"
grep -q "config.v8+.yaml:2: 'rerun-incomplete' has no effect in krait; ignored" smk.out
check $? "... a Snakemake-only key is a warning at file:line"

# the workflow profile, next to the rule file, overrides the global one
mkdir -p profiles/default
cat > profiles/default/config.yaml <<'YAML'
set-resources: ["a:mem_mb=700"]
YAML
rm -f a.txt b.txt
KR_TEST_USER=bob "$KRAIT" run --profile laptop > wf.out 2>&1
same "$(cat a.txt)" "hi-bob 2 700" "profiles/default overrides the global profile"
grep -q "^Using workflow specific profile ./profiles/default" wf.out; check $? "... and is named"
rm -f a.txt b.txt
KR_TEST_USER=bob "$KRAIT" run --profile laptop --workflow-profile none > /dev/null 2>&1
same "$(cat a.txt)" "hi-bob 2 500" "--workflow-profile none leaves it out"
cd "$T"
rm -f w/a.txt w/b.txt
KR_TEST_USER=bob "$KRAIT" run --profile laptop -d w > /dev/null 2>&1
same "$(cat w/a.txt)" "hi-bob 2 700" "found next to the rule file with -d"
mkdir -p proj/workflow/profiles/default
cp w/Snakefile proj/workflow/Snakefile
cat > proj/workflow/profiles/default/config.yaml <<'YAML'
config: {greeting: wf}
cores: 1
default-resources:
  mem_mb: 2
YAML
(cd proj && "$KRAIT" run > /dev/null 2>&1)
same "$(cat proj/a.txt)" "wf 1 2" "workflow/profiles/default next to workflow/Snakefile"

# errors
mkdir -p bad1 bad2 bad3
printf 'cores: 2\njbos: 3\n' > bad1/config.yaml
"$KRAIT" plan -s w/Snakefile --profile ./bad1 > /dev/null 2> err1; [ $? -ne 0 ]
check $? "an unknown key fails"
grep -q "bad1/config.yaml:2: profile key 'jbos': unknown option '--jbos'" err1; check $? "... at file:line"
printf 'keep-going: 3\n' > bad2/config.yaml
"$KRAIT" plan -s w/Snakefile --profile ./bad2 > /dev/null 2> err2; [ $? -ne 0 ]
check $? "a switch with a number fails"
grep -q "bad2/config.yaml:1: profile key 'keep-going' is a switch: give true or false" err2
check $? "... saying what to write"
printf '__use_yte__: true\n' > bad3/config.yaml
"$KRAIT" plan -s w/Snakefile --profile ./bad3 > /dev/null 2> err3; [ $? -ne 0 ]
check $? "a YTE profile fails"
grep -q "bad3/config.yaml:1: krait does not support YTE templates" err3; check $? "... naming it"
"$KRAIT" plan -s w/Snakefile --profile nosuch > /dev/null 2> err4; [ $? -ne 0 ]
check $? "an unknown profile name fails"
grep -q "profile 'nosuch' not found (looked in $HOME/.config/krait/nosuch, $HOME/.config/snakemake/nosuch" err4
check $? "... listing where it looked"
echo "1..$n"
