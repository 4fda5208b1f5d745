/*
 * registry.c — code point name and cipher suite property lookup over the
 * generated, sorted tables (IANA TLS registries, RFC 8447).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_tables.h"

static int compare_entry(const void *key, const void *elem)
{
    uint16_t v = *(const uint16_t *)key;
    const struct td_registry_entry *e = elem;
    return (v > e->value) - (v < e->value);
}

const char *td_registry_lookup(enum td_registry reg, uint16_t value)
{
    const struct td_registry_table *t;
    const struct td_registry_entry *e;

    if ((unsigned)reg >= TD_REG_COUNT)
        return NULL;
    t = &td_registry_tables[reg];
    e = bsearch(&value, t->entries, t->count, sizeof *t->entries, compare_entry);
    return e ? e->name : NULL;
}

const char *td_registry_name(enum td_registry reg, uint16_t value, char buf[TD_REG_NAME_BUF])
{
    const char *name = td_registry_lookup(reg, value);
    unsigned width = (unsigned)reg < TD_REG_COUNT ? td_registry_tables[reg].width : 2;

    if (name)
        return name;
    if (width == 1)
        snprintf(buf, TD_REG_NAME_BUF, "0x%02x", (unsigned)value & 0xffu);
    else
        snprintf(buf, TD_REG_NAME_BUF, "0x%04x", (unsigned)value);
    return buf;
}

static int compare_suite(const void *key, const void *elem)
{
    uint16_t v = *(const uint16_t *)key;
    const struct td_suite_info *e = elem;
    return (v > e->value) - (v < e->value);
}

const struct td_suite_info *td_suite_info(uint16_t suite)
{
    return bsearch(&suite, td_suite_infos, td_suite_info_count, sizeof *td_suite_infos,
                   compare_suite);
}

bool td_registry_value(enum td_registry reg, const char *name, uint16_t *value)
{
    const struct td_registry_table *t;
    if ((unsigned)reg >= TD_REG_COUNT)
        return false;
    t = &td_registry_tables[reg];
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->entries[i].name, name) == 0) {
            *value = t->entries[i].value;
            return true;
        }
    return false;
}
