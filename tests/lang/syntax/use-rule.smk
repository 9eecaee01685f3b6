rule base:
    input: "a"
    output: "b"
    shell: "cp {input} {output}"

use rule base as derived with:
    input: "c"
    output: "d"

use rule base as plain

use rule * from other as other_*

use rule base from other
