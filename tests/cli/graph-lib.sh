# graph-lib.sh - sourced by the tests/cli/test-graph-*.sh scripts after
# lib.sh: run a command with its stderr sent to a file (or dropped) without
# also swallowing the FAIL line of an expect_rc that wraps it.
# expect_rc 2 err_to err.txt $SLIM ...: the command's stderr goes to err.txt
err_to() { local f=$1; shift; "$@" 2> "$f"; }
# expect_rc 2 quiet $SLIM ...: the command's stderr is dropped
quiet() { "$@" 2> /dev/null; }
