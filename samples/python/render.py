"""Workload for the pydeps pruning proof: render a Jinja2 template.

usage: render.py TEMPLATE DATA.json
"""
import json
import os
import sys

from jinja2 import Environment, FileSystemLoader, select_autoescape

tpl, data = sys.argv[1], sys.argv[2]
env = Environment(loader=FileSystemLoader(os.path.dirname(os.path.abspath(tpl))),
                  autoescape=select_autoescape(["html"]))
with open(data, encoding="utf-8") as f:
    ctx = json.load(f)
print(env.get_template(os.path.basename(tpl)).render(**ctx))
