x = 1  # comment ‪ with an embedding
