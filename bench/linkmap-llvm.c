/* A program that pulls a large part of LLVM 14's static archives in through
 * the C API (every target, the JIT-free code generator), so that its linker
 * maps are tens of megabytes: the input of bench/linkmap.sh. */
#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/IRReader.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	LLVMInitializeAllTargetInfos();
	LLVMInitializeAllTargets();
	LLVMInitializeAllTargetMCs();
	LLVMInitializeAllAsmPrinters();
	LLVMInitializeAllAsmParsers();
	LLVMModuleRef m = LLVMModuleCreateWithName("bench");
	LLVMTypeRef ft = LLVMFunctionType(LLVMInt32Type(), NULL, 0, 0);
	LLVMValueRef f = LLVMAddFunction(m, "f", ft);
	LLVMBuilderRef b = LLVMCreateBuilder();
	LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlock(f, "entry"));
	LLVMBuildRet(b, LLVMConstInt(LLVMInt32Type(), (unsigned long long)argc, 0));
	char *err = NULL;
	LLVMVerifyModule(m, LLVMReturnStatusAction, &err);
	LLVMDisposeMessage(err);
	const char *triple = argc > 1 ? argv[1] : "x86_64-pc-linux-gnu";
	LLVMTargetRef t;
	if (LLVMGetTargetFromTriple(triple, &t, &err) == 0) {
		LLVMTargetMachineRef tm = LLVMCreateTargetMachine(t, triple, "", "",
			LLVMCodeGenLevelDefault, LLVMRelocPIC, LLVMCodeModelDefault);
		LLVMPassBuilderOptionsRef o = LLVMCreatePassBuilderOptions();
		LLVMRunPasses(m, "default<O2>", tm, o);
		LLVMMemoryBufferRef out;
		if (!LLVMTargetMachineEmitToMemoryBuffer(tm, m, LLVMObjectFile, &err, &out))
			printf("%zu\n", LLVMGetBufferSize(out));
	}
	return 0;
}
