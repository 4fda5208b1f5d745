/*
 * format.h — deterministic formatting helpers shared by the model and the
 * writers: RFC 3339 UTC timestamps (never local time), lowercase hex,
 * and RFC 5952 IPv6 text.
 */
#ifndef TLSDISSECT_FORMAT_H
#define TLSDISSECT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Microseconds since the Unix epoch. */
typedef int64_t td_time_us;

#define TD_TIME_BUF 64
/* "2026-11-22T08:24:49.123456Z" */
const char *td_format_time(td_time_us t, char buf[TD_TIME_BUF]);
/* "2026-11-22T08:24:49Z" from seconds (certificate validity) */
const char *td_format_time_seconds(int64_t secs, char buf[TD_TIME_BUF]);

/* Lowercase hex of n bytes; out must hold 2n+1. Returns out. */
char *td_format_hex(char *out, const uint8_t *in, size_t n);

#define TD_ADDR_BUF 48
/* family 4 or 6; RFC 5952 for IPv6 (inet_ntop does this on glibc). */
const char *td_format_addr(int family, const uint8_t addr[16], char buf[TD_ADDR_BUF]);

#endif
