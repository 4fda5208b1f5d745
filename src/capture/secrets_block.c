/*
 * secrets_block.c — Decryption Secrets Blocks of a pcapng file
 * (draft-ietf-opsawg-pcapng §4.1 general block structure, §4.7 DSB):
 *
 *   uint32 Block Type; uint32 Block Total Length; body; uint32 Block Total Length
 *   SHB body: uint32 Byte-Order Magic (0x1A2B3C4D); ...
 *   DSB body: uint32 Secrets Type; uint32 Secrets Length; Secrets Data (padded to 32 bits); options
 *
 * Integers are in the byte order of their section, which the Section Header
 * Block's magic gives; each SHB starts a section.  Every read of a block goes
 * through the cursor; blocks other than DSBs are skipped by their length.
 */
#include "tlsdissect/secrets_block.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tlsdissect/cursor.h"

#define SHB_TYPE 0x0A0D0D0Au
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du

/* A value read big-endian by the cursor, in the section's byte order. */
static uint32_t in_order(uint32_t v, bool little_endian)
{
    if (!little_endian)
        return v;
    return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

/* A DSB body (without the trailing length): a TLS key log is handed to fn. */
static bool read_dsb(const uint8_t *body, size_t n, bool le, td_dsb_fn fn, void *ctx)
{
    struct td_cur c = td_cur_make(body, n), data;
    uint32_t type, len;
    if (!td_cur_u32(&c, &type) || !td_cur_u32(&c, &len))
        return false;
    type = in_order(type, le);
    len = in_order(len, le);
    if (!td_cur_sub(&c, len, &data))
        return false;
    if (type == TD_DSB_SECRETS_TLS)
        fn(ctx, td_cur_ptr(&data), td_cur_remaining(&data));
    return type == TD_DSB_SECRETS_TLS;
}

int td_dsb_read(FILE *f, td_dsb_fn fn, void *ctx)
{
    bool le = false, in_section = false;
    int found = 0;
    uint8_t hdr[12];

    for (;;) {
        struct td_cur c;
        uint32_t type, total;
        size_t have = fread(hdr, 1, 8, f), rest;

        if (have < 8)
            break; /* end of file (or a cut block: libpcap says so) */
        c = td_cur_make(hdr, 8);
        td_cur_u32(&c, &type);
        if (type == SHB_TYPE) {
            uint32_t magic;
            struct td_cur m;
            if (fread(hdr + 8, 1, 4, f) != 4)
                break;
            m = td_cur_make(hdr + 8, 4);
            td_cur_u32(&m, &magic);
            if (magic == BYTE_ORDER_MAGIC)
                le = false;
            else if (in_order(magic, true) == BYTE_ORDER_MAGIC)
                le = true;
            else
                break;
            in_section = true;
        } else if (!in_section) {
            break; /* not pcapng */
        }
        td_cur_u32(&c, &total);
        type = in_order(type, le);
        total = in_order(total, le);
        if (total < 12 || total % 4 != 0)
            break;
        rest = total - (type == SHB_TYPE ? 12 : 8); /* bytes after what was read */
        if (type == TD_DSB_BLOCK_TYPE && rest >= 4 && rest - 4 <= TD_DSB_MAX_BLOCK) {
            uint8_t *body = malloc(rest);
            if (body == NULL)
                return -1;
            if (fread(body, 1, rest, f) != rest) {
                free(body);
                break;
            }
            found += read_dsb(body, rest - 4, le, fn, ctx);
            OPENSSL_cleanse(body, rest); /* secrets */
            free(body);
        } else if (fseek(f, (long)rest, SEEK_CUR) != 0) {
            break;
        }
    }
    return ferror(f) ? -1 : found;
}
