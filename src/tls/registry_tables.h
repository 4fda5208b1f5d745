/*
 * registry_tables.h — layout of the generated code point tables and cipher
 * suite properties (src/tls/registry_tables.c, made by tools/gen-registry.py).
 */
#ifndef TD_REGISTRY_TABLES_H
#define TD_REGISTRY_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/registry.h"

struct td_registry_entry {
    uint16_t value;
    const char *name;
};

struct td_registry_table {
    const struct td_registry_entry *entries; /* sorted by value */
    size_t count;
    unsigned width; /* bytes of the code point on the wire: 1 or 2 */
};

extern const struct td_registry_table td_registry_tables[TD_REG_COUNT];

/* One row per entry of td_registry_tables[TD_REG_CIPHER_SUITES], in the same order. */
extern const struct td_suite_info td_suite_infos[];
extern const size_t td_suite_info_count;

#endif
