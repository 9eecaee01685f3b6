#!/bin/sh
# t0453-archive.sh - krait archive: what goes in (rule files, include:,
# configfile, script:, profiles/default, MANIFEST; source inputs only with
# --with-inputs), round trip (unpack into an empty directory, run there,
# outputs byte for byte those of the original run), reproducibility (two
# archives of the same workflow are the same bytes, for every format, also
# with SOURCE_DATE_EPOCH), and the errors: a file outside the workflow
# directory, an unknown extension, no archive name.
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
kr() { ${KR_VALGRIND:-} "$KRAIT" "$@"; }
top=$PWD

mkdir -p wf/rules wf/scripts wf/data wf/profiles/default
cd wf || exit 1
cat > Snakefile <<'SNAKE'
configfile: "config.yaml"
include: "rules/extra.smk"

rule all:
    input: "out/a.txt", "out/b.txt", "out/c.txt"

rule copy:
    input: "data/{s}.in"
    output: "out/{s}.txt"
    shell: "cat {input} > {output}; echo {config[greet]} >> {output}"
SNAKE
cat > rules/extra.smk <<'SNAKE'
rule scr:
    input: "data/c.raw"
    output: "out/c.txt"
    script: "../scripts/s.py"
SNAKE
echo 'greet: hi' > config.yaml
printf 'import shutil\nshutil.copy(snakemake.input[0], snakemake.output[0])\n' > scripts/s.py
chmod 755 scripts/s.py
echo A > data/a.in; echo B > data/b.in; echo C > data/c.raw; echo junk > data/unused
echo 'latency-wait: 1' > profiles/default/config.yaml

kr archive -q ../w.tar.gz 2>err.txt
check $? "archive .tar.gz"
names=$(tar tzf ../w.tar.gz | tr '\n' ' ')
same "$names" "MANIFEST Snakefile config.yaml profiles/default/config.yaml rules/extra.smk scripts/s.py " \
    "rule files, include, configfile, script, profile and MANIFEST, sorted; no inputs"
meta=$(tar tvzf ../w.tar.gz | awk '{print $1, $2, $4, $5}' | sort -u | tr '\n' ' ')
same "$meta" "-rw-r--r-- 0/0 1970-01-01 00:00 -rwxr-xr-x 0/0 1970-01-01 00:00 " \
    "fixed metadata: 0644/0755, uid/gid 0, mtime 0"
mf=$(tar xzf ../w.tar.gz -O MANIFEST)
case $mf in *'"containers": [],'*'"format": "krait-archive/1"'*'"snakefile": "Snakefile"'*'"with_inputs": false'*) r=0 ;; *) r=1 ;; esac
check $r "MANIFEST names the format, the rule file, with_inputs"
case $mf in *'"path": "scripts/s.py",'*'"role": "script"'*) r=0 ;; *) r=1 ;; esac
check $r "MANIFEST lists the files with their roles"
gz_mtime=$(od -A n -t x1 -j 4 -N 4 ../w.tar.gz | tr -d ' ')
same "$gz_mtime" "00000000" "no timestamp in the gzip header"

sleep 1
touch Snakefile
kr archive -q ../w2.tar.gz 2>>err.txt
cmp -s ../w.tar.gz ../w2.tar.gz
check $? "archiving twice gives the same bytes (.tar.gz)"

for ext in tgz tar.zst tar.xz tar zip; do
    kr archive -q "../x1.$ext" 2>>err.txt && kr archive -q "../x2.$ext" 2>>err.txt &&
        cmp -s "../x1.$ext" "../x2.$ext"
    check $? "archiving twice gives the same bytes (.$ext)"
done
unzip -Z1 ../x1.zip > zl.txt 2>/dev/null || python3 -c 'import zipfile,sys; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' ../x1.zip > zl.txt
same "$(tr '\n' ' ' < zl.txt)" "$names" ".zip holds the same files"
rm -f zl.txt

SOURCE_DATE_EPOCH=1700000000 kr archive -q ../e1.tar.xz 2>>err.txt
SOURCE_DATE_EPOCH=1700000000 kr archive -q ../e2.tar.xz 2>>err.txt
cmp -s ../e1.tar.xz ../e2.tar.xz
check $? "SOURCE_DATE_EPOCH: the same bytes twice"
same "$(tar tvJf ../e1.tar.xz | awk 'NR==1 {print $4}')" "2023-11-14" "SOURCE_DATE_EPOCH sets the mtime"

kr archive -q ../i.tar.gz --with-inputs 2>>err.txt
check $? "archive --with-inputs"
same "$(tar tzf ../i.tar.gz | grep '^data/' | tr '\n' ' ')" "data/a.in data/b.in data/c.raw " \
    "--with-inputs stores the source inputs, not other files"
same "$(tar tzf ../w.tar.gz | grep -c '^data/')" "0" "without --with-inputs no inputs"

# round trip: run here, then unpack the archive with its inputs elsewhere and run there
kr run -q -c 1 >run.txt 2>&1
check $? "the original run"
mkdir "$top/unpacked" && (cd "$top/unpacked" && tar xzf ../i.tar.gz && kr run -q -c 1 >run.txt 2>&1)
check $? "run in the unpacked archive"
r=0
for f in out/a.txt out/b.txt out/c.txt; do cmp -s "$f" "$top/unpacked/$f" || r=1; done
check $r "outputs byte for byte those of the original run"
(cd "$top/unpacked" && kr archive -q ../again.tar.gz --with-inputs 2>/dev/null)
cmp -s ../i.tar.gz ../again.tar.gz
check $? "archiving the unpacked workflow gives the same archive"

# container images, in a workflow of its own (a run would pull them)
printf 'container: "docker://z:1"\nrule all:\n    container: "docker://a:2"\n    shell: "true"\n' > C.smk
kr archive -q -s C.smk ../c.tar 2>>err.txt
same "$(tar xf ../c.tar -O MANIFEST | tr -d ' \n' | sed 's/"files".*//')" \
    '{"containers":["docker://a:2","docker://z:1"],' "MANIFEST lists the container images, sorted"

# a file outside the workflow directory
echo 'k: 1' > "$top/outside.yaml"
printf 'configfile: "%s"\nrule all:\n    shell: "true"\n' "$top/outside.yaml" > Outside.smk
kr archive -s Outside.smk ../o.tar.gz 2>o.err
r=$?
same "$r" "1" "a file outside the workflow directory: exit 1"
grep -q "config file '$top/outside.yaml' is outside the workflow directory" o.err
check $? "... and the error names the file"
test ! -e ../o.tar.gz && test ! -e ../o.tar.gz.tmp
check $? "... and leaves no archive"

kr archive ../w.rar 2>u.err
same "$?" "2" "unknown extension: usage error"
grep -q "unknown archive type" u.err
check $? "... saying which names are known"
kr archive 2>/dev/null
same "$?" "2" "no archive name: usage error"

# a module's snakefile and its script (next to it), --workflow-profile DIR,
# a directory() input stored whole; -d with relative paths
mkdir -p "$top/m/mod/scripts" "$top/m/prof" "$top/m/indir/sub" && cd "$top/m" || exit 1
cat > mod/Snakefile <<'SNAKE'
rule m:
    input: "indir"
    output: "x.out"
    script: "scripts/m.py"
SNAKE
echo 'open(snakemake.output[0], "w").write("m")' > mod/scripts/m.py
printf 'module other:\n    snakefile: "mod/Snakefile"\nuse rule * from other as o_*\nrule all:\n    input: "x.out"\n' > Snakefile
echo 'latency-wait: 1' > prof/config.yaml
echo 1 > indir/one; echo 2 > indir/sub/two
cd "$top" || exit 1
kr archive -q m.tar -d m --workflow-profile m/prof --with-inputs 2>>err.txt
same "$(tar tf m.tar | tr '\n' ' ')" "MANIFEST Snakefile indir/one indir/sub/two mod/Snakefile mod/scripts/m.py prof/config.yaml " \
    "module snakefile and script, --workflow-profile DIR, a directory input, with -d"

# wrapper: a local wrapper's whole directory; one on the network is not stored
if command -v python3 >/dev/null 2>&1; then
    mkdir -p "$top/w/wr/v1/up/test" && cd "$top/w" || exit 1
    printf 'from snakemake.shell import shell\nshell("tr a-z A-Z < {snakemake.input[0]} > {snakemake.output[0]}")\n' \
        > wr/v1/up/wrapper.py
    echo 'name: up' > wr/v1/up/meta.yaml
    echo data > wr/v1/up/test/in.txt
    echo hello > in.txt
    printf 'rule all:\n    input: "o.txt", "n.txt"\nrule up:\n    input: "in.txt"\n    output: "o.txt"\n    wrapper: "file:wr/v1/up"\nrule net:\n    output: "n.txt"\n    wrapper: "v9/bio/x"\n' > Snakefile
    kr archive -q ../wr.tar.gz 2>wr.err
    check $? "archive a workflow with wrappers"
    same "$(tar tzf ../wr.tar.gz | tr '\n' ' ')" "MANIFEST Snakefile wr/v1/up/meta.yaml wr/v1/up/test/in.txt wr/v1/up/wrapper.py " \
        "a local wrapper's directory is stored whole"
    grep -q "rule net: wrapper 'v9/bio/x' lives at https://.*: not stored" wr.err
    check $? "a wrapper on the network: a warning, not stored"
else
    echo "ok $((n = n + 1)) # SKIP python3 missing (wrappers)"
fi

echo "1..$n"
