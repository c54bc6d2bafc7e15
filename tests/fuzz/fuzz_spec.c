// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for config.json: parse, serialize, free. Whatever parses must serialize, the
 * text written must parse back, and serializing that must give the same text (the round trip the
 * unit tests check on known configs, here on every input the fuzzer finds).
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude -Isrc
 *        tests/fuzz/fuzz_spec.c src/lib/spec*.c src/lib/mount_opts.c src/lib/error.c -ljansson
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vessel/vessel.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vsl_error err = {0};
    struct vsl_spec *spec = NULL, *again = NULL;
    char *json = NULL, *json2 = NULL;

    if (vsl_spec_parse((const char *)data, size, "fuzz.json", &spec, &err) < 0)
        return 0;
    if (vsl_spec_to_json(spec, &json, &err) < 0)
        abort(); /* a parsed spec always serializes */
    if (vsl_spec_parse(json, strlen(json), "fuzz.json", &again, &err) < 0)
        abort(); /* what we write, we read */
    if (vsl_spec_to_json(again, &json2, &err) < 0 || strcmp(json, json2) != 0)
        abort(); /* and it reads back to the same spec */
    free(json);
    free(json2);
    vsl_spec_free(spec);
    vsl_spec_free(again);
    return 0;
}
