"""elfsec.py: the section table of a little-endian ELF64 file held in
memory, for the tests' own checks (stdlib only: the tests run under any
python3, which may lack pyelftools).

  sections(b)      [Sec(index, name, type, offset, size, hdr)] in table
                   order; hdr is the section header's file offset
  section(b, name) the first section of that name, or None
"""
import struct
from collections import namedtuple

Sec = namedtuple('Sec', 'index name type offset size hdr')


def sections(b):
    shoff, = struct.unpack_from('<Q', b, 0x28)
    shes, shn, shstr = struct.unpack_from('<HHH', b, 0x3a)
    stro, = struct.unpack_from('<Q', b, shoff + shstr * shes + 0x18)
    out = []
    for i in range(shn):
        o = shoff + i * shes
        nm, typ = struct.unpack_from('<II', b, o)
        off, size = struct.unpack_from('<QQ', b, o + 0x18)
        out.append(Sec(i, b[stro + nm:b.index(b'\0', stro + nm)], typ, off, size, o))
    return out


def section(b, name):
    return next((s for s in sections(b) if s.name == name), None)
