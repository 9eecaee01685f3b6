import os
import os.path
from os.path import join as pjoin
P = [os.path.join("a", "b", "c.txt"), os.path.join("a/", "/abs", "x"), os.path.basename("dir/file.tar.gz"),
     os.path.dirname("dir/sub/file"), os.path.splitext("dir/file.tar.gz"), os.path.splitext(".bashrc"),
     os.path.split("a/b/c"), os.path.normpath("a//b/../c/./d"), os.path.exists("tables"),
     os.path.isfile("tables"), os.path.isdir("tables"), pjoin("x", "y"), os.path.relpath("a/b/c", "a"),
     os.path.isabs("/x"), os.environ.get("KRAIT_TEST_SURELY_UNSET", "unset"), os.sep]
rule r:
    output: "o"
    params: p=P
    shell: "true"
