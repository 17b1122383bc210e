/*
 * pyrecorder.c - pydeps/recorder.py, the Python side of `slim pydeps
 * record`, inside the binary: the assembler's .incbin copies the file's
 * bytes at build time (the Makefile makes this object depend on it, so a
 * change rebuilds it) and a NUL ends them, so the recorder is one real
 * Python file that `python3 -m py_compile` checks, passed to python with
 * -c and printed by --print-recorder.
 */
#include "cli.h"

__asm__(".section .rodata\n"
	".global slim_recorder_py\n"
	".type slim_recorder_py, @object\n"
	"slim_recorder_py:\n"
	".incbin \"pydeps/recorder.py\"\n"
	".byte 0\n"
	".size slim_recorder_py, . - slim_recorder_py\n"
	".previous\n");
