# wrap.py OUT SCRIPT ARGS...: run SCRIPT as __main__ and, at exit, write
# sys.modules (name, spec name, __file__) to OUT: the ground truth the
# pydeps trace tests compare slim's readers with.
import atexit, runpy, sys
out = sys.argv[1]; sys.argv = sys.argv[2:]
def dump():
    with open(out, "w") as f:
        for n, m in sorted(sys.modules.items()):
            spec = getattr(m, "__spec__", None)
            f.write("%s\t%s\t%s\n" % (n, spec.name if spec else n, getattr(m, "__file__", None) or ""))
atexit.register(dump)
runpy.run_path(sys.argv[0], run_name="__main__")
