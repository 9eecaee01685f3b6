rule all:
    input: from_queue([], finish_sentinel=None)
