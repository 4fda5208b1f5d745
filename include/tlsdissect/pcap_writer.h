/*
 * pcap_writer.h — -w FILE: the packets of the connections shown, written
 * as a pcap file (see src/output/pcap_writer.c for what is held, and the
 * order).  The writer is both a sink stage, placed after the selection,
 * which learns from the events which connections are shown, and the
 * engine's packet observer, which gives it every packet with its
 * connection.
 */
#ifndef TLSDISSECT_PCAP_WRITER_H
#define TLSDISSECT_PCAP_WRITER_H

#include <stddef.h>
#include <stdio.h>

#include "tlsdissect/engine.h"
#include "tlsdissect/model.h"

struct td_pcap_writer;

/* Create the file now (before privileges are dropped); NULL with a one-line err. */
struct td_pcap_writer *td_pcap_writer_open(const char *path, char *err, size_t err_size);

/* The sink stage: events go on to inner, which it does not own. */
struct td_sink *td_pcap_writer_sink(struct td_pcap_writer *w, struct td_sink *inner);

/* For td_engine_config.observer. */
struct td_packet_observer td_pcap_writer_observer(struct td_pcap_writer *w);

/* Write what is pending, close and free; what was not written is said on report. -1: failed. */
int td_pcap_writer_close(struct td_pcap_writer *w, FILE *report);

#endif
