#!/bin/sh
# t0513-slurm-profile.sh - one rule file, two profiles, no other flag:
# `krait run --profile local` runs the jobs on this machine, `krait run
# --profile slurm` submits them to the real single-node SLURM (executor,
# jobs and per-rule resources from the profile, checked by the job itself
# through scontrol). Brings SLURM up itself; skips when that cannot work.
set -u
. "$KR_SRCDIR/tests/e2e/slurm-lib.sh"
slurm_ensure_up || exit 0
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
export HOME="$T/home" XDG_CONFIG_HOME=
unset KRAIT_PROFILE SNAKEMAKE_PROFILE
mkdir -p home/.config/krait/local home/.config/krait/slurm wf
cat > home/.config/krait/local/config.yaml <<'YAML'
cores: 2
YAML
cat > home/.config/krait/slurm/config.yaml <<'YAML'
executor: slurm
jobs: 4
latency-wait: 10
set-resources:
  where:
    mem_mb: 300
YAML
cat > wf/Snakefile <<'SNAKE'
rule all:
    input: expand("where.{i}.txt", i=range(2))
rule where:
    output: "where.{i}.txt"
    shell:
        "if [ -n \"${{SLURM_JOB_ID:-}}\" ]; then "
        "  echo slurm $(scontrol show job $SLURM_JOB_ID | grep -o 'mem=[0-9]*M' | head -n 1) > {output}; "
        "else echo local > {output}; fi"
SNAKE
cd wf
"$KRAIT" run --profile local > local.out 2>&1; check $? "run --profile local"
same "$(cat where.0.txt where.1.txt | tr '\n' ' ')" "local local " "... the jobs ran on this machine"
rm -f where.*.txt
"$KRAIT" run --profile slurm > slurm.out 2>&1; check $? "run --profile slurm"
sed 's/^/#   /' slurm.out | tail -n 5
same "$(cat where.0.txt where.1.txt | tr '\n' ' ')" "slurm mem=300M slurm mem=300M " \
     "... the jobs ran in SLURM with the profile's resources"
ls .krait/slurm/ 2> /dev/null | grep -q .; check $? "... through batch scripts under .krait/slurm"
echo "1..$n"
