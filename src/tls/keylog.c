/*
 * keylog.c — the NSS key log format
 * (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/,
 * RFC 9850 "The SSLKEYLOGFILE Format for TLS"): one secret per line,
 * `LABEL SP client_random_hex SP secret_hex`, `#` starts a comment.
 *
 * The table: entries in one array (grown by doubling up to max_entries),
 * found through an open-addressed slot array (linear probing, at most half
 * full) that holds each entry's index and its SipHash (keyed_hash.h) of
 * client random and label: a probe compares hashes in the slots and reads
 * an entry only when one matches, and growing re-places slots without
 * hashing again (a million-line log is a million random reads otherwise).
 * A second line for the same
 * random and label replaces the secret (the newest line wins, as in a log
 * appended to by a stack that retried).
 *
 * Followed files (live capture) stay open; td_keylog_refresh reads only
 * the bytes appended since the last look, so a connection whose secrets
 * are not known yet costs a read(2) that returns nothing, not a re-read.
 */
#include "tlsdissect/keylog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define NO_ENTRY UINT32_MAX

struct entry {
    uint8_t random[32];
    uint8_t label;
    uint8_t len;
    uint8_t secret[TD_KEYLOG_SECRET_MAX];
};

struct slot {
    uint64_t hash;  /* of the entry's random and label */
    uint32_t index; /* into entries; NO_ENTRY: empty */
};

/* A file read again as it grows (live capture). */
struct followed {
    char *path;
    int fd;
    dev_t dev;
    ino_t ino;
    uint64_t offset;                 /* bytes read so far */
    td_keylog_warn_fn warn;
    void *warn_ctx;
    struct td_keylog_reader reader;  /* keeps a line whose newline is not written yet */
};

struct td_keylog {
    struct td_keyed_hash *hasher;
    struct followed *followed;
    size_t nfollowed;
    struct entry *entries;
    size_t count, cap, max;
    struct slot *slots;
    size_t nslots; /* a power of two, at least twice count */
};

static const char *const label_names[TD_KEYLOG_LABELS] = {
    [TD_KEYLOG_CLIENT_RANDOM] = "CLIENT_RANDOM",
    [TD_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET] = "CLIENT_EARLY_TRAFFIC_SECRET",
    [TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    [TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    [TD_KEYLOG_CLIENT_TRAFFIC_SECRET_0] = "CLIENT_TRAFFIC_SECRET_0",
    [TD_KEYLOG_SERVER_TRAFFIC_SECRET_0] = "SERVER_TRAFFIC_SECRET_0",
    [TD_KEYLOG_EXPORTER_SECRET] = "EXPORTER_SECRET",
};

struct td_keylog *td_keylog_new(const struct td_hash_key *key, size_t max_entries)
{
    struct td_keylog *kl = calloc(1, sizeof *kl);
    if (kl == NULL)
        return NULL;
    /* chain indices are 32-bit */
    kl->max = max_entries == 0 ? 1 : max_entries < NO_ENTRY ? max_entries : NO_ENTRY - 1;
    kl->nslots = 128;
    kl->slots = malloc(kl->nslots * sizeof *kl->slots);
    kl->hasher = td_keyed_hash_new(key);
    if (kl->slots == NULL || kl->hasher == NULL) {
        td_keylog_free(kl);
        return NULL;
    }
    memset(kl->slots, 0xff, kl->nslots * sizeof *kl->slots);
    return kl;
}

void td_keylog_free(struct td_keylog *kl)
{
    if (kl == NULL)
        return;
    if (kl->entries)
        OPENSSL_cleanse(kl->entries, kl->cap * sizeof *kl->entries);
    free(kl->entries);
    free(kl->slots);
    for (size_t i = 0; i < kl->nfollowed; i++) {
        close(kl->followed[i].fd);
        OPENSSL_cleanse(kl->followed[i].reader.line, sizeof kl->followed[i].reader.line);
        free(kl->followed[i].path);
    }
    free(kl->followed);
    td_keyed_hash_free(kl->hasher);
    free(kl);
}

size_t td_keylog_count(const struct td_keylog *kl) { return kl ? kl->count : 0; }

const char *td_keylog_label_name(enum td_keylog_label label)
{
    return (unsigned)label < TD_KEYLOG_LABELS ? label_names[label] : "";
}

static uint64_t hash_of(struct td_keylog *kl, const uint8_t random[32], uint8_t label)
{
    uint8_t key[33];
    memcpy(key, random, 32);
    key[32] = label;
    return td_keyed_hash(kl->hasher, key, sizeof key);
}

/* The slot of (random, label): the one holding its entry, or the empty one it would go in. */
static struct slot *probe(const struct td_keylog *kl, const uint8_t random[32], uint8_t label,
                          uint64_t hash)
{
    size_t mask = kl->nslots - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        struct slot *sl = &kl->slots[i];
        if (sl->index == NO_ENTRY)
            return sl;
        if (sl->hash == hash && kl->entries[sl->index].label == label &&
            memcmp(kl->entries[sl->index].random, random, 32) == 0)
            return sl;
    }
}

static struct entry *find(struct td_keylog *kl, const uint8_t random[32], uint8_t label, uint64_t hash)
{
    struct slot *sl = probe(kl, random, label, hash);
    return sl->index == NO_ENTRY ? NULL : &kl->entries[sl->index];
}

/* Keep the slots at most half full: double them and re-place every slot by its hash. */
static int grow_slots(struct td_keylog *kl)
{
    size_t n = kl->nslots * 2;
    struct slot *grown;
    if (n > SIZE_MAX / sizeof *grown)
        return -1;
    grown = malloc(n * sizeof *grown);
    if (grown == NULL)
        return -1;
    memset(grown, 0xff, n * sizeof *grown);
    for (size_t i = 0; i < kl->nslots; i++) {
        size_t k = (size_t)kl->slots[i].hash & (n - 1);
        if (kl->slots[i].index == NO_ENTRY)
            continue;
        while (grown[k].index != NO_ENTRY)
            k = (k + 1) & (n - 1);
        grown[k] = kl->slots[i];
    }
    free(kl->slots);
    kl->slots = grown;
    kl->nslots = n;
    return 0;
}

static int grow_entries(struct td_keylog *kl)
{
    size_t n = kl->cap ? kl->cap * 2 : 64;
    struct entry *grown;
    if (n > kl->max)
        n = kl->max;
    grown = calloc(n, sizeof *grown);
    if (grown == NULL)
        return -1;
    if (kl->entries) {
        memcpy(grown, kl->entries, kl->count * sizeof *grown);
        OPENSSL_cleanse(kl->entries, kl->cap * sizeof *kl->entries);
        free(kl->entries);
    }
    kl->entries = grown;
    kl->cap = n;
    return 0;
}

static enum td_keylog_line_result store(struct td_keylog *kl, const uint8_t random[32],
                                        uint8_t label, const uint8_t *secret, size_t len)
{
    uint64_t hash = hash_of(kl, random, label);
    struct entry *e = find(kl, random, label, hash);
    if (e == NULL) {
        struct slot *sl;
        if (kl->count >= kl->max)
            return TD_KEYLOG_LINE_FULL;
        if (kl->count == kl->cap && grow_entries(kl) != 0)
            return TD_KEYLOG_LINE_NO_MEMORY;
        if ((kl->count + 1) * 2 > kl->nslots && grow_slots(kl) != 0)
            return TD_KEYLOG_LINE_NO_MEMORY;
        sl = probe(kl, random, label, hash); /* the empty slot it goes in */
        e = &kl->entries[kl->count];
        memcpy(e->random, random, 32);
        e->label = label;
        sl->hash = hash;
        sl->index = (uint32_t)kl->count++;
    }
    memset(e->secret, 0, sizeof e->secret);
    memcpy(e->secret, secret, len);
    e->len = (uint8_t)len;
    return TD_KEYLOG_LINE_USED;
}

/* A hex digit's value plus one; 0 for any other byte (a million-line log is read per byte). */
static const uint8_t hex_value[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* Decode n hex digits (n even) into out; false on a non-hex digit. */
static bool unhex(const char *s, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i += 2) {
        unsigned hi = hex_value[(uint8_t)s[i]], lo = hex_value[(uint8_t)s[i + 1]];
        if (hi == 0 || lo == 0)
            return false;
        out[i / 2] = (uint8_t)((hi - 1) << 4 | (lo - 1));
    }
    return true;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* The next field of line[*at..n): its start and length; *at moves past it and the blanks after. */
static size_t next_field(const char *line, size_t n, size_t *at, const char **start)
{
    size_t i = *at, len;
    /* the field ends at the first space or tab (memchr: a million-line log is long) */
    const char *sp = memchr(line + i, ' ', n - i), *tab = memchr(line + i, '\t', n - i);
    const char *end = sp && (!tab || sp < tab) ? sp : tab ? tab : line + n;
    *start = line + i;
    i = (size_t)(end - line);
    len = i - *at;
    while (i < n && is_blank(line[i]))
        i++;
    *at = i;
    return len;
}

enum td_keylog_line_result td_keylog_add_line(struct td_keylog *kl, const char *line, size_t len,
                                              const char **why)
{
    const char *label, *random_hex, *secret_hex, *extra;
    size_t at = 0, label_len, random_len, secret_len;
    uint8_t random[32], secret[TD_KEYLOG_SECRET_MAX];
    const char *dummy;
    enum td_keylog_line_result rc;
    int kind = -1;

    if (why == NULL)
        why = &dummy;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    while (at < len && is_blank(line[at]))
        at++;
    if (at == len || line[at] == '#')
        return TD_KEYLOG_LINE_SKIPPED;
    label_len = next_field(line, len, &at, &label);
    random_len = next_field(line, len, &at, &random_hex);
    secret_len = next_field(line, len, &at, &secret_hex);
    if (next_field(line, len, &at, &extra) != 0) {
        *why = "more than three fields";
        return TD_KEYLOG_LINE_BAD;
    }
    if (random_len == 0 || secret_len == 0) {
        *why = "fewer than three fields (LABEL CLIENT_RANDOM SECRET)";
        return TD_KEYLOG_LINE_BAD;
    }
    for (int k = 0; k < TD_KEYLOG_LABELS; k++)
        if (strlen(label_names[k]) == label_len && memcmp(label_names[k], label, label_len) == 0)
            kind = k;
    /* NSS's RSA line (what OpenSSL writes for an RSA key exchange): the first
     * 8 bytes of the encrypted premaster secret, not a client random; its
     * connection's CLIENT_RANDOM line follows it */
    if (kind < 0 && label_len == 3 && memcmp(label, "RSA", 3) == 0 && random_len == 16)
        return TD_KEYLOG_LINE_SKIPPED;
    if (random_len != 64) {
        *why = "the client random is not 64 hex digits";
        return TD_KEYLOG_LINE_BAD;
    }
    if (!unhex(random_hex, random_len, random)) {
        *why = "the client random is not hex";
        return TD_KEYLOG_LINE_BAD;
    }
    if (secret_len % 2 != 0) {
        *why = "the secret has an odd number of hex digits";
        return TD_KEYLOG_LINE_BAD;
    }
    if (secret_len > 2 * TD_KEYLOG_SECRET_MAX) {
        *why = "the secret is longer than 48 bytes";
        return TD_KEYLOG_LINE_BAD;
    }
    if (!unhex(secret_hex, secret_len, secret)) {
        *why = "the secret is not hex";
        return TD_KEYLOG_LINE_BAD;
    }
    if (kind < 0) {
        rc = TD_KEYLOG_LINE_SKIPPED; /* a well-formed line with a label we do not use */
    } else if (kind == TD_KEYLOG_CLIENT_RANDOM && secret_len != 96) {
        *why = "a CLIENT_RANDOM master secret is 48 bytes";
        rc = TD_KEYLOG_LINE_BAD;
    } else {
        rc = store(kl, random, (uint8_t)kind, secret, secret_len / 2);
    }
    OPENSSL_cleanse(secret, sizeof secret);
    return rc;
}

void td_keylog_reader_init(struct td_keylog_reader *r, struct td_keylog *kl, const char *source,
                           td_keylog_warn_fn warn, void *warn_ctx)
{
    memset(r, 0, sizeof *r);
    r->kl = kl;
    r->source = source;
    r->warn = warn;
    r->warn_ctx = warn_ctx;
}

static void end_line(struct td_keylog_reader *r)
{
    const char *why = NULL;
    enum td_keylog_line_result rc;

    r->lineno++;
    if (r->overlong) {
        rc = TD_KEYLOG_LINE_BAD;
        why = "line longer than 512 bytes";
    } else {
        rc = td_keylog_add_line(r->kl, r->line, r->len, &why);
    }
    switch (rc) {
    case TD_KEYLOG_LINE_USED:
        r->used++;
        break;
    case TD_KEYLOG_LINE_SKIPPED:
        break;
    case TD_KEYLOG_LINE_BAD:
        if (r->warn)
            r->warn(r->warn_ctx, r->source, r->lineno, why);
        break;
    case TD_KEYLOG_LINE_FULL:
        if (!r->reported_full && r->warn)
            r->warn(r->warn_ctx, r->source, r->lineno,
                    "the key log holds its maximum number of secrets; this and later new "
                    "secrets are ignored");
        r->reported_full = true;
        break;
    case TD_KEYLOG_LINE_NO_MEMORY:
        if (r->warn)
            r->warn(r->warn_ctx, r->source, r->lineno, "out of memory; the secret is ignored");
        break;
    }
    OPENSSL_cleanse(r->line, r->len);
    r->len = 0;
    r->overlong = false;
}

void td_keylog_reader_feed(struct td_keylog_reader *r, const uint8_t *p, size_t n)
{
    while (n > 0) {
        const uint8_t *nl = memchr(p, '\n', n);
        size_t piece = nl ? (size_t)(nl - p) : n, room = sizeof r->line - r->len;
        if (piece > room)
            r->overlong = true; /* the rest of the line is dropped */
        memcpy(r->line + r->len, p, piece < room ? piece : room);
        r->len += piece < room ? piece : room;
        if (nl == NULL)
            return;
        end_line(r);
        p = nl + 1;
        n -= piece + 1;
    }
}

void td_keylog_reader_finish(struct td_keylog_reader *r)
{
    if (r->len > 0 || r->overlong)
        end_line(r);
}

int td_keylog_load_file(struct td_keylog *kl, const char *path, td_keylog_warn_fn warn,
                        void *warn_ctx, char *err, size_t err_size)
{
    struct td_keylog_reader r;
    uint8_t buf[65536];
    size_t n;
    int rc = 0;
    FILE *f = fopen(path, "rb");

    if (f == NULL) {
        snprintf(err, err_size, "--keylog-file %s: %s", path, strerror(errno));
        return -1;
    }
    td_keylog_reader_init(&r, kl, path, warn, warn_ctx);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        td_keylog_reader_feed(&r, buf, n);
    if (ferror(f)) {
        snprintf(err, err_size, "--keylog-file %s: read error: %s", path, strerror(errno));
        rc = -1;
    } else {
        td_keylog_reader_finish(&r);
    }
    OPENSSL_cleanse(buf, sizeof buf);
    fclose(f);
    return rc;
}

size_t td_keylog_secret(struct td_keylog *kl, const uint8_t client_random[32],
                        enum td_keylog_label label, uint8_t *out)
{
    const struct entry *e;
    if (kl == NULL || (unsigned)label >= TD_KEYLOG_LABELS)
        return 0;
    e = find(kl, client_random, (uint8_t)label, hash_of(kl, client_random, (uint8_t)label));
    if (e == NULL)
        return 0;
    memcpy(out, e->secret, e->len);
    return e->len;
}

bool td_keylog_has(struct td_keylog *kl, const uint8_t client_random[32], enum td_keylog_label label)
{
    return kl != NULL && (unsigned)label < TD_KEYLOG_LABELS &&
           find(kl, client_random, (uint8_t)label, hash_of(kl, client_random, (uint8_t)label)) != NULL;
}

bool td_keylog_knows(struct td_keylog *kl, const uint8_t client_random[32])
{
    for (int k = 0; k < TD_KEYLOG_LABELS; k++)
        if (td_keylog_has(kl, client_random, (enum td_keylog_label)k))
            return true;
    return false;
}

/* ---- followed files (live capture) ------------------------------------- */

bool td_keylog_following(const struct td_keylog *kl) { return kl && kl->nfollowed > 0; }

/* Everything the file has beyond what was read; the secrets added. */
static size_t read_appended(struct followed *f)
{
    uint64_t before = f->reader.used;
    uint8_t buf[65536];
    ssize_t n;

    while ((n = read(f->fd, buf, sizeof buf)) > 0) {
        td_keylog_reader_feed(&f->reader, buf, (size_t)n);
        f->offset += (uint64_t)n;
    }
    OPENSSL_cleanse(buf, sizeof buf);
    return (size_t)(f->reader.used - before);
}

/* Read the file from its start again (it was replaced or truncated). */
static void restart(struct td_keylog *kl, struct followed *f, int fd, const struct stat *sb)
{
    if (fd != f->fd) {
        close(f->fd);
        f->fd = fd;
    } else if (lseek(fd, 0, SEEK_SET) < 0) {
        return;
    }
    f->dev = sb->st_dev;
    f->ino = sb->st_ino;
    f->offset = 0;
    td_keylog_reader_init(&f->reader, kl, f->path, f->warn, f->warn_ctx);
}

int td_keylog_follow_file(struct td_keylog *kl, const char *path, td_keylog_warn_fn warn,
                          void *warn_ctx, char *err, size_t err_size)
{
    struct followed *grown, *f;
    struct stat sb;
    /* non-blocking: a named pipe without a writer must not stop the capture */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode))
        errno = EISDIR;
    else if (fd >= 0 && fstat(fd, &sb) == 0)
        errno = 0;
    if (errno != 0) {
        snprintf(err, err_size, "--keylog-file %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    grown = realloc(kl->followed, (kl->nfollowed + 1) * sizeof *grown);
    if (grown == NULL) {
        close(fd);
        snprintf(err, err_size, "--keylog-file %s: out of memory", path);
        return -1;
    }
    kl->followed = grown;
    f = &kl->followed[kl->nfollowed];
    memset(f, 0, sizeof *f);
    if ((f->path = strdup(path)) == NULL) {
        close(fd);
        snprintf(err, err_size, "--keylog-file %s: out of memory", path);
        return -1;
    }
    kl->nfollowed++;
    f->fd = fd;
    f->warn = warn;
    f->warn_ctx = warn_ctx;
    restart(kl, f, fd, &sb);
    read_appended(f);
    return 0;
}

size_t td_keylog_refresh(struct td_keylog *kl)
{
    size_t added = 0;

    for (size_t i = 0; kl && i < kl->nfollowed; i++) {
        struct followed *f = &kl->followed[i];
        struct stat sb;
        if (stat(f->path, &sb) == 0 && (sb.st_dev != f->dev || sb.st_ino != f->ino)) {
            /* a new file under the path (the old one was removed or renamed) */
            int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
            if (fd >= 0)
                restart(kl, f, fd, &sb);
        } else if (fstat(f->fd, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size < f->offset) {
            restart(kl, f, f->fd, &sb); /* truncated: written anew from its start */
        }
        added += read_appended(f);
    }
    return added;
}
