/*
 * conn_map.c — connection number -> writer state (open addressing, linear
 * probing, backward-shift deletion; Knuth TAOCP vol. 3 §6.4, Algorithm R).
 * Connection numbers come from the engine, never from the wire, so a fixed
 * multiplicative hash is enough.
 */
#include "conn_map.h"

#include <stdlib.h>
#include <string.h>

static uint64_t conn_at(const struct td_conn_map *m, size_t i)
{
    uint64_t conn;
    memcpy(&conn, m->slots + i * m->elem_size, sizeof conn);
    return conn;
}

static unsigned char *slot(const struct td_conn_map *m, size_t i) { return m->slots + i * m->elem_size; }

static size_t home_of(const struct td_conn_map *m, uint64_t conn)
{
    return (size_t)(conn * 0x9e3779b97f4a7c15ull >> 20) & (m->nslots - 1);
}

void td_conn_map_init(struct td_conn_map *m, size_t elem_size)
{
    memset(m, 0, sizeof *m);
    m->elem_size = elem_size;
}

void *td_conn_map_find(const struct td_conn_map *m, uint64_t conn)
{
    if (m->nslots == 0)
        return NULL;
    for (size_t i = home_of(m, conn);; i = (i + 1) & (m->nslots - 1)) {
        uint64_t here = conn_at(m, i);
        if (here == conn)
            return slot(m, i);
        if (here == 0)
            return NULL;
    }
}

static int grow(struct td_conn_map *m)
{
    struct td_conn_map bigger = *m;
    bigger.nslots = m->nslots ? m->nslots * 2 : 256;
    bigger.slots = calloc(bigger.nslots, m->elem_size);
    if (bigger.slots == NULL)
        return -1;
    for (size_t i = 0; i < m->nslots; i++) {
        uint64_t conn = conn_at(m, i);
        if (conn == 0)
            continue;
        size_t j = home_of(&bigger, conn);
        while (conn_at(&bigger, j))
            j = (j + 1) & (bigger.nslots - 1);
        memcpy(slot(&bigger, j), slot(m, i), m->elem_size);
    }
    free(m->slots);
    *m = bigger;
    return 0;
}

void *td_conn_map_add(struct td_conn_map *m, uint64_t conn)
{
    if ((m->used + 1) * 2 > m->nslots && grow(m) != 0)
        return NULL;
    size_t i = home_of(m, conn);
    while (conn_at(m, i))
        i = (i + 1) & (m->nslots - 1);
    memset(slot(m, i), 0, m->elem_size);
    memcpy(slot(m, i), &conn, sizeof conn);
    m->used++;
    return slot(m, i);
}

void td_conn_map_remove(struct td_conn_map *m, void *elem)
{
    size_t i = (size_t)((unsigned char *)elem - m->slots) / m->elem_size, j = i;
    memset(slot(m, i), 0, m->elem_size);
    m->used--;
    for (;;) {
        j = (j + 1) & (m->nslots - 1);
        uint64_t conn = conn_at(m, j);
        if (conn == 0)
            return;
        size_t home = home_of(m, conn);
        /* move j back to i when its home is not in (i, j] cyclically */
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            memcpy(slot(m, i), slot(m, j), m->elem_size);
            memset(slot(m, j), 0, m->elem_size);
            i = j;
        }
    }
}

void td_conn_map_free(struct td_conn_map *m, void (*release)(void *elem))
{
    for (size_t i = 0; i < m->nslots; i++)
        if (conn_at(m, i) && release)
            release(slot(m, i));
    free(m->slots);
    td_conn_map_init(m, m->elem_size);
}
