import datetime
start = datetime.datetime.fromisoformat("2024-01-02")
