lock = {"held": True}
with lock:
    pass
