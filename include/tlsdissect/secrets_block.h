/*
 * secrets_block.h — the TLS key logs a pcapng file carries in Decryption
 * Secrets Blocks (draft-ietf-opsawg-pcapng §4.7: block type 0x0000000A,
 * secrets type 0x544c534b "TLSK", the payload an NSS key log).  libpcap
 * reads pcapng packets but hands no DSB over, so a small block walker reads
 * the file's block headers first, skipping every other block by its length.
 *
 * Only DSBs are read: the packets are libpcap's.  A file that is not pcapng
 * has none; a walk that meets a malformed block stops there (libpcap then
 * reports the file's fault when it reaches it).
 */
#ifndef TLSDISSECT_SECRETS_BLOCK_H
#define TLSDISSECT_SECRETS_BLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TD_DSB_BLOCK_TYPE 0x0000000Au
#define TD_DSB_SECRETS_TLS 0x544c534bu  /* "TLSK" */
#define TD_DSB_MAX_BLOCK ((size_t)16 << 20) /* a larger DSB is skipped, not buffered */

/* One TLS key log payload, valid during the call. */
typedef void (*td_dsb_fn)(void *ctx, const uint8_t *secrets, size_t len);

/*
 * Walk the pcapng blocks of f from its current position (the file's start)
 * and call fn for each TLS key log DSB.  Returns the number of such blocks,
 * or -1 when the file could not be read (errno set).
 */
int td_dsb_read(FILE *f, td_dsb_fn fn, void *ctx);

#endif
