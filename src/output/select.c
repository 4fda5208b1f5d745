/*
 * select.c — --sni GLOB and --conn N[,M...]: only the chosen connections'
 * events reach the writer (the statistics always do, and still count
 * everything read).
 *
 * --conn is decided by the connection number on its first event.  --sni
 * is decided by the server name of the connection's first ClientHello
 * (fnmatch(3), as a shell matches file names; host names are
 * case-insensitive, RFC 4343, so both sides are lower-cased), or, when no
 * ClientHello event comes, by the summary's `sni` at the connection's end;
 * a connection without a server name never matches.  Anomalies of a
 * connection that come before its decision are held (copies: they own
 * their text) and written once it is chosen; at most HELD_MAX per
 * connection, the rest are counted in one last anomaly so nothing
 * disappears silently.
 */
#include "tlsdissect/writers.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn_map.h"

#define HELD_MAX 16

enum verdict { UNDECIDED, CHOSEN, LEFT_OUT };

struct pending {
    uint64_t conn; /* first: conn_map's key */
    enum verdict verdict;
    size_t held, dropped;
    struct td_anomaly *anomalies; /* HELD_MAX, allocated on the first held one */
    td_time_us ts[HELD_MAX];
};

struct selector {
    struct td_sink sink;
    struct td_sink *inner;
    char *sni_glob;            /* lower-cased copy; NULL: any server name */
    const uint64_t *conns;     /* NULL: any connection */
    size_t nconns;
    struct td_conn_map pending;
};

static bool number_chosen(const struct selector *s, uint64_t conn)
{
    if (s->conns == NULL)
        return true;
    for (size_t i = 0; i < s->nconns; i++)
        if (s->conns[i] == conn)
            return true;
    return false;
}

static bool name_chosen(const struct selector *s, const uint8_t *sni, size_t len)
{
    char name[256];
    if (s->sni_glob == NULL)
        return true;
    /* a name with a NUL in it, or longer than a DNS name, matches nothing */
    if (sni == NULL || len == 0 || len >= sizeof name || memchr(sni, 0, len))
        return false;
    for (size_t i = 0; i < len; i++)
        name[i] = (char)tolower(sni[i]);
    name[len] = '\0';
    return fnmatch(s->sni_glob, name, 0) == 0;
}

static void release_pending(void *elem)
{
    free(((struct pending *)elem)->anomalies);
}

/* The verdict is in: write what was held (if chosen), and remember it. */
static void decide(struct selector *s, struct pending *p, const struct td_event *ev, bool chosen)
{
    p->verdict = chosen ? CHOSEN : LEFT_OUT;
    for (size_t i = 0; chosen && i < p->held; i++) {
        struct td_event held = {.type = TD_EV_ANOMALY, .ts = p->ts[i], .conn = ev->conn,
                                .u.anomaly = &p->anomalies[i]};
        td_sink_emit(s->inner, &held);
    }
    if (chosen && p->dropped) {
        struct td_anomaly more = {.kind = TD_ANOM_LIMIT_REACHED};
        snprintf(more.detail, sizeof more.detail,
                 "%zu more anomalies of this connection came before its server name was known "
                 "(--sni holds %d)", p->dropped, HELD_MAX);
        struct td_event e = {.type = TD_EV_ANOMALY, .ts = p->ts[HELD_MAX - 1], .conn = ev->conn,
                             .u.anomaly = &more};
        td_sink_emit(s->inner, &e);
    }
    free(p->anomalies);
    p->anomalies = NULL;
    p->held = p->dropped = 0;
}

static void hold(struct pending *p, const struct td_event *ev)
{
    if (p->anomalies == NULL && (p->anomalies = malloc(HELD_MAX * sizeof *p->anomalies)) == NULL) {
        p->dropped++;
        return;
    }
    if (p->held == HELD_MAX) {
        p->dropped++;
        return;
    }
    p->ts[p->held] = ev->ts;
    p->anomalies[p->held++] = *ev->u.anomaly;
}

static void on_event(struct td_sink *self, const struct td_event *ev)
{
    struct selector *s = (struct selector *)self;
    struct pending *p;

    if (ev->conn == NULL) { /* statistics, and anomalies outside any connection */
        td_sink_emit(s->inner, ev);
        return;
    }
    if (!number_chosen(s, ev->conn->conn))
        return;
    if (s->sni_glob == NULL) {
        td_sink_emit(s->inner, ev);
        return;
    }
    p = td_conn_map_find(&s->pending, ev->conn->conn);
    if (p == NULL && (p = td_conn_map_add(&s->pending, ev->conn->conn)) == NULL)
        return; /* out of memory: the connection is left out */
    if (p->verdict == UNDECIDED) {
        if (ev->type == TD_EV_MESSAGE && ev->u.message->kind == TD_MSG_CLIENT_HELLO) {
            const struct td_client_hello *ch = &ev->u.message->u.client_hello;
            decide(s, p, ev, ch->has_sni && name_chosen(s, ch->sni.data, ch->sni.len));
        } else if (ev->type == TD_EV_CONNECTION) {
            const struct td_conn_summary *sum = ev->u.connection;
            decide(s, p, ev, name_chosen(s, (const uint8_t *)sum->sni, sum->sni_len));
        } else if (ev->type == TD_EV_ANOMALY) {
            hold(p, ev);
            return;
        } else {
            /* a message before any ClientHello (picked up mid-stream): no name yet */
            decide(s, p, ev, false);
        }
    }
    if (p->verdict == CHOSEN)
        td_sink_emit(s->inner, ev);
    if (ev->type == TD_EV_CONNECTION) {
        release_pending(p);
        td_conn_map_remove(&s->pending, p);
    }
}

struct td_sink *td_select_sink_new(struct td_sink *inner, const char *sni_glob,
                                   const uint64_t *conns, size_t nconns)
{
    struct selector *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->sink.event = on_event;
    s->inner = inner;
    if (sni_glob && (s->sni_glob = strdup(sni_glob)) == NULL) {
        free(s);
        return NULL;
    }
    for (char *c = s->sni_glob; c && *c; c++)
        *c = (char)tolower((unsigned char)*c);
    s->conns = conns;
    s->nconns = nconns;
    td_conn_map_init(&s->pending, sizeof(struct pending));
    return &s->sink;
}

void td_select_sink_free(struct td_sink *sink)
{
    struct selector *s = (struct selector *)sink;
    if (s == NULL)
        return;
    td_conn_map_free(&s->pending, release_pending);
    free(s->sni_glob);
    free(s);
}
