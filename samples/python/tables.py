"""Workload for the pydeps pruning proof, standard library only: load a CSV
into an in-memory SQLite database, aggregate it, and print the result as
JSON or as a MIME e-mail (the e-mail path imports its modules only when
asked, so a trace of the JSON run never sees them).

usage: tables.py FILE.csv json|email
"""
import csv
import sqlite3
import sys


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def aggregate(data):
    db = sqlite3.connect(":memory:")
    db.execute("create table t (k text, v real)")
    db.executemany("insert into t values (?, ?)", [(r["key"], float(r["value"])) for r in data])
    return db.execute("select k, count(*), sum(v), avg(v) from t group by k order by k").fetchall()


def as_json(agg):
    import json
    return json.dumps([{"key": k, "n": n, "sum": s, "avg": round(a, 3)} for k, n, s, a in agg], indent=1)


def as_email(agg):
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText
    from email.utils import formataddr
    import textwrap
    m = MIMEMultipart(boundary="slim-boundary")
    m["From"] = formataddr(("slim", "slim@example.org"))
    m["Subject"] = "totals"
    body = "\n".join(f"{k:10} {n:4} {s:10.2f}" for k, n, s, _ in agg)
    m.attach(MIMEText(textwrap.indent(body, "  "), "plain", "utf-8"))
    return m.as_string()


agg = aggregate(rows(sys.argv[1]))
print(as_json(agg) if sys.argv[2] == "json" else as_email(agg))
