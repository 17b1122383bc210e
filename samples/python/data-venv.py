# venv copies its activation scripts from venv/scripts/<common|posix|nt>,
# found with os.path.dirname(__file__); venv/scripts has no __init__.py.
# Prints every file of the environment it made, with its digest (the
# temporary directory's path replaced), links and pyvenv.cfg by name only.
import hashlib, os, sys, tempfile, venv
for prompt in sys.argv[1:]:
    with tempfile.TemporaryDirectory() as d:
        env = os.path.join(d, 'env')
        venv.EnvBuilder(with_pip=False, symlinks=True, prompt=prompt).create(env)
        for root, dirs, files in sorted(os.walk(env)):
            for f in sorted(files):
                p = os.path.join(root, f)
                rel = os.path.relpath(p, d)
                if os.path.islink(p) or f == 'pyvenv.cfg':
                    print(rel)
                    continue
                data = open(p, 'rb').read().replace(d.encode(), b'D')
                print(rel, hashlib.sha256(data).hexdigest()[:16])
