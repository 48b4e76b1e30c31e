/* tests/fuzz/fuzz.h - the libFuzzer entry point every fuzz_<parser>.c defines. */
#ifndef SD_TESTS_FUZZ_H
#define SD_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif /* SD_TESTS_FUZZ_H */
