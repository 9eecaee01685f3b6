onstart:
    print("starting")
    shell("mkdir -p logs")

onsuccess:
    print("done")

onerror:
    shell("mail -s 'failed' me < {log}")
    # trailing comment inside

x = 1
