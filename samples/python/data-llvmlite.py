# llvmlite loads its C library binding/libllvmlite.so with ctypes.CDLL
# (importlib.resources.path); the .so exports no PyInit_libllvmlite.
import sys
import llvmlite.binding as llvm
llvm.initialize()
llvm.initialize_native_target()
llvm.initialize_native_asmprinter()
for n in sys.argv[1:]:
    ir = 'define i32 @f(i32 %%x) {\n  %%y = mul i32 %%x, %s\n  ret i32 %%y\n}\n' % n
    m = llvm.parse_assembly(ir)
    m.verify()
    print(n, [f.name for f in m.functions], str(m).count('mul'))
