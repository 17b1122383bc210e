# pecan copies its project templates with pkg_resources.resource_listdir /
# resource_string('pecan', 'scaffolds/base/...'); pecan/scaffolds/base has
# no __init__.py.  Prints every file the scaffold made, with its digest
# (the package name is the destination as given, so the run chdirs into a
# temporary directory and names the destination relative to it).
import hashlib, io, os, sys, tempfile
from pecan.scaffolds import BaseScaffold
for name in sys.argv[1:]:
    with tempfile.TemporaryDirectory() as d:
        os.chdir(d)
        BaseScaffold().copy_to(name, out_=io.StringIO())
        for root, dirs, files in sorted(os.walk(name)):
            for f in sorted(files):
                p = os.path.join(root, f)
                print(p, hashlib.sha256(open(p, 'rb').read()).hexdigest()[:16])
        os.chdir('/')
