/* tests/fuzz/fuzz.h - the libFuzzer entry point every fuzz_<parser>.c defines. */
#ifndef SD_TESTS_FUZZ_H
#define SD_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * A target's own checks (an oracle): left out of the coverage and comparison tracing,
 * whose branches say nothing of the code under test and would only cost time (fuzz_escape
 * spent 45 % of its time tracing its checkers' loops).  ASan and UBSan still check them.
 */
#if defined(__clang__)
#define SD_FUZZ_ORACLE	__attribute__((no_sanitize("coverage")))
#else
#define SD_FUZZ_ORACLE
#endif

#endif /* SD_TESTS_FUZZ_H */
