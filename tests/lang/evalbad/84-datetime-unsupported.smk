import datetime
start = datetime.datetime.utcnow()
