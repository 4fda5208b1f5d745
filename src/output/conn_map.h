/*
 * conn_map.h — per-connection state of a writer, found by connection number:
 * open addressing with linear probing and backward-shift deletion, so a run
 * of a million connections keeps only the open ones.  Elements are fixed-size
 * structs whose first member is `uint64_t conn` (0: an empty slot); they move
 * when the table grows or an element is removed, so pointers into it last
 * until the next add or remove.  Private to src/output.
 */
#ifndef TLSDISSECT_OUTPUT_CONN_MAP_H
#define TLSDISSECT_OUTPUT_CONN_MAP_H

#include <stddef.h>
#include <stdint.h>

struct td_conn_map {
    unsigned char *slots;
    size_t elem_size;
    size_t nslots; /* a power of two, or 0 */
    size_t used;
};

void td_conn_map_init(struct td_conn_map *m, size_t elem_size);
/* The element of conn, or NULL. */
void *td_conn_map_find(const struct td_conn_map *m, uint64_t conn);
/* A zeroed element for conn (not yet in the map), or NULL when out of memory. */
void *td_conn_map_add(struct td_conn_map *m, uint64_t conn);
/* Remove an element (the caller released what it owns). */
void td_conn_map_remove(struct td_conn_map *m, void *elem);
/* Call release on every element, then free the table. */
void td_conn_map_free(struct td_conn_map *m, void (*release)(void *elem));

#endif
