"""Workload for the pydeps pruning proof: highlight a file with pygments.

usage: highlight.py FILE LEXER|guess [html|terminal]
"""
import sys

from pygments import highlight
from pygments.lexers import get_lexer_by_name, guess_lexer

path, lexer = sys.argv[1], sys.argv[2]
fmt = sys.argv[3] if len(sys.argv) > 3 else "html"
with open(path, encoding="utf-8") as f:
    text = f.read()
lx = guess_lexer(text) if lexer == "guess" else get_lexer_by_name(lexer)
if fmt == "html":
    from pygments.formatters import HtmlFormatter
    out = highlight(text, lx, HtmlFormatter(linenos=True))
else:
    from pygments.formatters import TerminalFormatter
    out = highlight(text, lx, TerminalFormatter())
print(lx.name)
print(out)
