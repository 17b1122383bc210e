# recorder.py - the Python side of `slim pydeps record`: run a workload and
# write what it imported, opened and loaded as a "# slim-pytrace/1" trace
# (the format is read by pydeps/trace.c).
#
# slim embeds this file (cli/pyrecorder.c) and runs it as
#     PYTHON [PYOPTS] -c <this file> SCRIPT|-m MODULE [ARGS...]
# with SLIM_PYTRACE_OUT naming the trace.  `slim pydeps record
# --print-recorder` prints it, to run where slim is not installed (inside
# an image or a container):
#     python3 recorder.py SCRIPT|-m MODULE [ARGS...]
# writes slim-pytrace.txt in the current directory (or $SLIM_PYTRACE_OUT);
# then `slim pydeps --trace slim-pytrace.txt` reads it.
#
# How: a PEP 578 audit hook collects "open" and "ctypes.dlopen" events; an
# atexit handler adds the files mapped in /proc/self/maps (every shared
# object loaded, by import, ctypes or DT_NEEDED) and writes sys.modules
# (name and __file__), the opened paths and the loaded ones, to a
# temporary name renamed over the trace.  The script runs with exec() (a
# -m module through runpy), so the recorder adds almost no imports of its
# own to the trace.  runpy runs a -m module under the name __main__ and
# takes it out of sys.modules again, so the recorder writes that module's
# real name and file itself.  Names start with _slim so that a workload's
# own globals never meet them.
import sys
def _slim_rec():
 import os
 out = os.path.abspath(os.environ.get('SLIM_PYTRACE_OUT', 'slim-pytrace.txt'))
 seen = {}
 loads = {}
 def hook(ev, args):
  if ev == 'open' and isinstance(args[0], (str, bytes)):
   seen.setdefault(args[0], None)
  elif ev == 'ctypes.dlopen' and isinstance(args[0], (str, bytes)):
   loads.setdefault(os.fsdecode(args[0]), None)
 sys.addaudithook(hook)
 def dump():
  try:
   with open('/proc/self/maps', errors='surrogateescape') as m:
    for l in m:
     l = l.rstrip('\n').split(None, 5)
     if len(l) == 6 and l[5].startswith('/'):
      loads.setdefault(l[5], None)
  except OSError:
   pass
  tmp = out + '.tmp'
  with open(tmp, 'w', encoding='utf-8', errors='surrogateescape') as f:
   f.write('# slim-pytrace/1\n')
   for n, m in sorted(list(sys.modules.items())):
    fp = getattr(m, '__file__', None)
    fp = fp if isinstance(fp, str) else ''
    if n == '__main__' and not fp:
     fp = _slim_main_file
    f.write('module\t%s\t%s\n' % (n, fp.replace('\n', ' ')))
   for n, fp in _slim_extra:
    f.write('module\t%s\t%s\n' % (n, fp))
   for p in list(seen):
    p = os.fsdecode(p)
    if p != tmp and '\n' not in p:
     f.write('open\t%s\n' % os.path.abspath(p))
   for p in list(loads):
    if '/' in p and '\n' not in p:
     f.write('load\t%s\n' % os.path.abspath(p))
  os.replace(tmp, out)
 import atexit
 atexit.register(dump)
_slim_extra = []
# run as a file, python deletes __main__.__file__ when the file's code
# returns (before atexit): the workload's file is kept here too
_slim_main_file = ''
_slim_rec()
del _slim_rec
# run as a file, sys.path[0] is this file's directory; python -m would
# have put the current one there (with -c it already is: '')
_slim_as_file = sys.argv[0] != '-c'
del sys.argv[0]
if not sys.argv:
 sys.exit('usage: python3 recorder.py SCRIPT|-m MODULE [ARGS...]')
if sys.argv[0] == '-m':
 import runpy, importlib.util
 del sys.argv[0]
 if _slim_as_file:
  import os as _os
  sys.path[0] = _os.getcwd()
  del _os
 _n = sys.argv[0]
 _s = importlib.util.find_spec(_n)
 if _s is not None and _s.submodule_search_locations is not None:
  _slim_extra.append((_n, _s.origin or ''))
  _n += '.__main__'
  _s = importlib.util.find_spec(_n)
 if _s is not None and _s.origin:
  sys.modules['__main__'].__file__ = _slim_main_file = _s.origin
  _slim_extra.append((_n, _s.origin))
 runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)
else:
 import os as _os
 _p = sys.argv[0]
 sys.path[0] = _os.path.dirname(_os.path.abspath(_p))
 with open(_p, 'rb') as _f:
  _c = compile(_f.read(), _p, 'exec')
 _g = {'__name__': '__main__', '__file__': _p, '__builtins__': __builtins__}
 sys.modules['__main__'].__file__ = _slim_main_file = _os.path.abspath(_p)
 del _os, _p, _f
 exec(_c, _g)
