"""Workload for the pydeps pruning proof: a Flask app answering requests
through its test client.

usage: webapp.py PATH...
"""
import sys

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/")
def index():
    return "<h1>hello</h1>"


@app.route("/items/<int:n>")
def items(n):
    return jsonify(items=[{"id": i, "sq": i * i} for i in range(n)],
                   q=request.args.get("q", ""))


@app.route("/echo", methods=["POST"])
def echo():
    return jsonify(request.get_json())


with app.test_client() as c:
    for p in sys.argv[1:]:
        if p == "POST":
            r = c.post("/echo", json={"a": [1, 2, 3], "b": "x"})
        else:
            r = c.get(p)
        print(p, r.status_code, r.headers.get("Content-Type"))
        print(r.get_data(as_text=True))
