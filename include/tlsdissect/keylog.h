/*
 * keylog.h — TLS secrets from an NSS key log (the SSLKEYLOGFILE format of
 * NSS, OpenSSL, GnuTLS, BoringSSL, Go, curl and the browsers; also the
 * payload of a pcapng Decryption Secrets Block of type TLSK,
 * draft-ietf-opsawg-pcapng §4.7):
 *
 *   # a comment
 *   <LABEL> <client_random: 64 hex digits> <secret: hex>
 *
 * one line each.  Secrets are kept per (client random, label) in a hash
 * table keyed by SipHash under the run's key (keyed_hash.h), so a log of a
 * million lines is looked up in constant time and a hostile log cannot
 * flood one bucket.  Memory is bounded: at most max_entries secrets are
 * kept (each a fixed-size entry); further lines are refused.
 *
 * Nothing here prints: a line that does not parse is handed to the
 * caller's warning callback with its source name and line number, and the
 * rest is still read.  Secrets never leave this module except through
 * td_keylog_secret, into the caller's buffer.
 */
#ifndef TLSDISSECT_KEYLOG_H
#define TLSDISSECT_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/keyed_hash.h"

/* The labels kept (others are ignored: a newer stack's labels must not be errors). */
enum td_keylog_label {
    TD_KEYLOG_CLIENT_RANDOM,                   /* TLS <= 1.2: the 48-byte master secret */
    TD_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET,     /* RFC 8446 §7.1 */
    TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
    TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
    TD_KEYLOG_CLIENT_TRAFFIC_SECRET_0,
    TD_KEYLOG_SERVER_TRAFFIC_SECRET_0,
    TD_KEYLOG_EXPORTER_SECRET,
    TD_KEYLOG_LABELS
};

/* The longest secret: SHA-384 output (TLS 1.3) and the TLS 1.2 master secret are 48 bytes. */
#define TD_KEYLOG_SECRET_MAX 48
/* The longest line read; longer ones are bad lines (a real line is under 230 bytes). */
#define TD_KEYLOG_LINE_MAX 512
/* Default cap on secrets kept: entries are about 100 bytes, so about 100 MiB. */
#define TD_KEYLOG_DEFAULT_MAX_ENTRIES ((size_t)1 << 20)

struct td_keylog;

/* An empty key log under key (copied); NULL when out of memory. */
struct td_keylog *td_keylog_new(const struct td_hash_key *key, size_t max_entries);
void td_keylog_free(struct td_keylog *kl);

/* What one line was. */
enum td_keylog_line_result {
    TD_KEYLOG_LINE_USED,     /* a secret was kept (or replaced an earlier one for the same key) */
    TD_KEYLOG_LINE_SKIPPED,  /* blank, a comment, or a label not kept */
    TD_KEYLOG_LINE_BAD,      /* does not parse: why says how */
    TD_KEYLOG_LINE_FULL,     /* max_entries secrets are kept already */
    TD_KEYLOG_LINE_NO_MEMORY,
};

/*
 * One line (without its newline; a trailing CR is ignored).  On BAD, *why
 * (when why is not NULL) is a static description without any of the
 * line's bytes.
 */
enum td_keylog_line_result td_keylog_add_line(struct td_keylog *kl, const char *line, size_t len,
                                              const char **why);

/* A problem with one line, for the caller to report (source as given to the reader). */
typedef void (*td_keylog_warn_fn)(void *ctx, const char *source, uint64_t line, const char *why);

/*
 * A reader splits a byte stream (a file read in pieces, a DSB payload) into
 * lines for td_keylog_add_line.  It holds one line of at most
 * TD_KEYLOG_LINE_MAX bytes; a longer line is skipped to its end and warned
 * about once.  Bad lines are warned about; after the first FULL line one
 * warning says the rest is refused.  source must outlive the reader.
 */
struct td_keylog_reader {
    struct td_keylog *kl;
    const char *source;
    td_keylog_warn_fn warn;
    void *warn_ctx;
    uint64_t lineno;          /* lines finished so far */
    size_t len;
    bool overlong;
    bool reported_full;
    uint64_t used;            /* lines that gave a secret */
    char line[TD_KEYLOG_LINE_MAX];
};

void td_keylog_reader_init(struct td_keylog_reader *r, struct td_keylog *kl, const char *source,
                           td_keylog_warn_fn warn, void *warn_ctx);
void td_keylog_reader_feed(struct td_keylog_reader *r, const uint8_t *p, size_t n);
/* The input ended: a last line without a newline is read. */
void td_keylog_reader_finish(struct td_keylog_reader *r);

/*
 * Read a key log file.  Returns 0, or -1 when it cannot be opened or read,
 * with one line (naming path and the reason) in err.
 */
int td_keylog_load_file(struct td_keylog *kl, const char *path, td_keylog_warn_fn warn,
                        void *warn_ctx, char *err, size_t err_size);

/*
 * Live capture: read a key log file now, and keep it open to read what is
 * appended later (a browser writes each connection's secrets while its
 * handshake runs).  Same errors as td_keylog_load_file.  The file is opened
 * once, here (before privileges are dropped); a file replaced or truncated
 * under the same path is read again from its start.
 */
int td_keylog_follow_file(struct td_keylog *kl, const char *path, td_keylog_warn_fn warn,
                          void *warn_ctx, char *err, size_t err_size);

/* Read what the followed files gained since the last look; returns the secrets added. */
size_t td_keylog_refresh(struct td_keylog *kl);

/* Whether any file is followed (kl may be NULL). */
bool td_keylog_following(const struct td_keylog *kl);

/*
 * The secret for a client random and label, copied into out (at least
 * TD_KEYLOG_SECRET_MAX bytes); returns its length, or 0 when the log has
 * none.  kl may be NULL (no key log: nothing is known).
 */
size_t td_keylog_secret(struct td_keylog *kl, const uint8_t client_random[32],
                        enum td_keylog_label label, uint8_t *out);

/* The label as the key log spells it ("CLIENT_RANDOM", ...). */
const char *td_keylog_label_name(enum td_keylog_label label);

/* Whether the log has this secret (without copying it). */
bool td_keylog_has(struct td_keylog *kl, const uint8_t client_random[32], enum td_keylog_label label);

/* Whether the log has any secret for this client random. */
bool td_keylog_knows(struct td_keylog *kl, const uint8_t client_random[32]);

/* Secrets kept. */
size_t td_keylog_count(const struct td_keylog *kl);

#endif
