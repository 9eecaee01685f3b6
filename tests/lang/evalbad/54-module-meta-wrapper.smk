module bwa_mapping:
    meta_wrapper: "v1.25.0/meta/bio/bwa_mapping"

use rule * from bwa_mapping
