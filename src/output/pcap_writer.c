/*
 * pcap_writer.c — -w FILE: the packets of the connections shown, as a pcap
 * file (libpcap's pcap_dump; the file format of pcap-savefile(5)), so the
 * handshakes picked out of a large capture open in Wireshark.
 *
 * A connection is shown once one of its events gets past the selection
 * (--sni, --conn): the writer's sink stage sits after it.  Until then its
 * packets are held (the SYNs and the ClientHello come before the event
 * that decides); when it is shown they are written, then every later
 * packet of it as it comes.  A connection that is never shown leaves
 * nothing.  Packets of one connection keep their order; a connection's
 * first packets are written when it is chosen, so across connections the
 * file is in decision order (reordercap(1) sorts it by time).  What is
 * held is bounded (HOLD_PACKETS per connection, HOLD_BYTES in all); a
 * packet that finds no room is counted and said at the end.  A pcap file
 * has one link type: the first packet written sets it, packets of another
 * are counted and said.
 */
#include "tlsdissect/pcap_writer.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "conn_map.h"

#define HOLD_PACKETS 64
#define HOLD_BYTES ((size_t)32 << 20)
#define SNAPLEN 262144

struct held_packet {
    struct held_packet *next;
    int dlt;
    td_time_us ts;
    size_t caplen, wire_len;
    uint8_t frame[];
};

struct conn_state {
    uint64_t conn; /* first: conn_map's key */
    bool shown;
    size_t nheld;
    struct held_packet *first, *last;
};

struct td_pcap_writer {
    struct td_sink sink;
    struct td_sink *inner;
    char *path;
    FILE *file;
    pcap_t *dead;
    pcap_dumper_t *dumper;
    int dlt;
    struct td_conn_map conns;
    size_t held_bytes;
    uint64_t written, not_held, other_link;
    int other_dlt;
    bool failed;
};

static void free_held(struct td_pcap_writer *w, struct conn_state *c)
{
    struct held_packet *p = c->first, *next;
    for (; p; p = next) {
        next = p->next;
        w->held_bytes -= p->caplen;
        free(p);
    }
    c->first = c->last = NULL;
    c->nheld = 0;
}

static void release_state(void *elem)
{
    struct conn_state *c = elem;
    struct held_packet *p = c->first, *next;
    for (; p; p = next) {
        next = p->next;
        free(p);
    }
}

static void dump(struct td_pcap_writer *w, int dlt, td_time_us ts, const uint8_t *frame,
                 size_t caplen, size_t wire_len)
{
    struct pcap_pkthdr h;

    if (w->failed)
        return;
    if (w->dumper == NULL) {
        /* the first packet written gives the file its link type */
        w->dlt = dlt;
        if ((w->dead = pcap_open_dead(dlt, SNAPLEN)) == NULL ||
            (w->dumper = pcap_dump_fopen(w->dead, w->file)) == NULL) {
            w->failed = true;
            return;
        }
        w->file = NULL; /* the dumper owns it */
    }
    if (dlt != w->dlt) {
        w->other_link++;
        w->other_dlt = dlt;
        return;
    }
    h.ts.tv_sec = (time_t)(ts / 1000000);
    h.ts.tv_usec = (suseconds_t)(ts % 1000000);
    h.caplen = (bpf_u_int32)(caplen < SNAPLEN ? caplen : SNAPLEN);
    h.len = (bpf_u_int32)wire_len;
    pcap_dump((u_char *)w->dumper, &h, frame);
    w->written++;
}

static void show(struct td_pcap_writer *w, struct conn_state *c)
{
    c->shown = true;
    for (struct held_packet *p = c->first; p; p = p->next)
        dump(w, p->dlt, p->ts, p->frame, p->caplen, p->wire_len);
    free_held(w, c);
}

static void on_packet(void *ctx, uint64_t conn, int dlt, td_time_us ts, const uint8_t *frame,
                      size_t caplen, size_t wire_len)
{
    struct td_pcap_writer *w = ctx;
    struct conn_state *c;
    struct held_packet *p;

    if (conn == 0)
        return;
    c = td_conn_map_find(&w->conns, conn);
    if (c == NULL && (c = td_conn_map_add(&w->conns, conn)) == NULL) {
        w->not_held++;
        return;
    }
    if (c->shown) {
        dump(w, dlt, ts, frame, caplen, wire_len);
        return;
    }
    if (c->nheld == HOLD_PACKETS || w->held_bytes + caplen > HOLD_BYTES ||
        (p = malloc(sizeof *p + caplen)) == NULL) {
        w->not_held++;
        return;
    }
    p->next = NULL;
    p->dlt = dlt;
    p->ts = ts;
    p->caplen = caplen;
    p->wire_len = wire_len;
    memcpy(p->frame, frame, caplen);
    if (c->last)
        c->last->next = p;
    else
        c->first = p;
    c->last = p;
    c->nheld++;
    w->held_bytes += caplen;
}

static void on_released(void *ctx, uint64_t conn)
{
    struct td_pcap_writer *w = ctx;
    struct conn_state *c = td_conn_map_find(&w->conns, conn);
    if (c == NULL)
        return;
    free_held(w, c);
    td_conn_map_remove(&w->conns, c);
}

static void on_event(struct td_sink *self, const struct td_event *ev)
{
    struct td_pcap_writer *w = (struct td_pcap_writer *)self;
    if (ev->conn) {
        struct conn_state *c = td_conn_map_find(&w->conns, ev->conn->conn);
        if (c && !c->shown)
            show(w, c);
    }
    td_sink_emit(w->inner, ev);
}

struct td_pcap_writer *td_pcap_writer_open(const char *path, char *err, size_t err_size)
{
    struct td_pcap_writer *w = calloc(1, sizeof *w);
    if (w == NULL || (w->path = strdup(path)) == NULL) {
        snprintf(err, err_size, "-w %s: out of memory", path);
        free(w);
        return NULL;
    }
    if ((w->file = fopen(path, "wb")) == NULL) {
        snprintf(err, err_size, "-w %s: %s", path, strerror(errno));
        free(w->path);
        free(w);
        return NULL;
    }
    w->sink.event = on_event;
    td_conn_map_init(&w->conns, sizeof(struct conn_state));
    return w;
}

struct td_sink *td_pcap_writer_sink(struct td_pcap_writer *w, struct td_sink *inner)
{
    w->inner = inner;
    return &w->sink;
}

struct td_packet_observer td_pcap_writer_observer(struct td_pcap_writer *w)
{
    struct td_packet_observer o = {on_packet, on_released, w};
    return o;
}

int td_pcap_writer_close(struct td_pcap_writer *w, FILE *report)
{
    int rc = 0;

    if (w == NULL)
        return 0;
    if (w->dumper == NULL && !w->failed && w->file) {
        /* nothing was shown: still a valid (empty) capture, of Ethernet frames */
        if ((w->dead = pcap_open_dead(DLT_EN10MB, SNAPLEN)) == NULL ||
            (w->dumper = pcap_dump_fopen(w->dead, w->file)) == NULL)
            w->failed = true;
        else
            w->file = NULL;
    }
    if (w->dumper) {
        if (pcap_dump_flush(w->dumper) != 0)
            w->failed = true;
        pcap_dump_close(w->dumper);
    }
    if (w->file)
        fclose(w->file);
    if (w->dead)
        pcap_close(w->dead);
    if (w->failed) {
        fprintf(report, "tlsdissect: -w %s: writing the packets failed\n", w->path);
        rc = -1;
    }
    if (w->not_held)
        fprintf(report, "tlsdissect: -w %s: %llu packets not written: they came before their "
                "connection was shown and there was no room to hold them (%d per connection, "
                "%zu MiB in all)\n", w->path, (unsigned long long)w->not_held, HOLD_PACKETS,
                HOLD_BYTES >> 20);
    if (w->other_link)
        fprintf(report, "tlsdissect: -w %s: %llu packets of link type %d not written: the file "
                "holds link type %d (one per pcap file)\n", w->path,
                (unsigned long long)w->other_link, w->other_dlt, w->dlt);
    td_conn_map_free(&w->conns, release_state);
    free(w->path);
    free(w);
    return rc;
}
