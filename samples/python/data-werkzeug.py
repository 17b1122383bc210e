# werkzeug's debugger serves its CSS and JavaScript with
# pkgutil.get_data(__package__, "shared/" + name); werkzeug/debug/shared has
# no __init__.py.  The test client asks for the resources named.
import hashlib, sys
from werkzeug.debug import DebuggedApplication
from werkzeug.test import Client
from werkzeug.wrappers import Response
app = DebuggedApplication(Response('hello'), evalex=False)
c = Client(app)
for name in sys.argv[1:]:
    r = c.get('/?__debugger__=yes&cmd=resource&f=' + name)
    print(name, r.status, hashlib.sha256(r.data).hexdigest()[:16])
