/*
 * format.c — RFC 3339 timestamps in UTC, hex, and addresses (RFC 5952).
 */
#include "tlsdissect/format.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <time.h>

static const char *format_tm(int64_t secs, long usec, int with_usec, char buf[TD_TIME_BUF])
{
    struct tm tm;
    time_t t = (time_t)secs;
    if (gmtime_r(&t, &tm) == NULL) {
        snprintf(buf, TD_TIME_BUF, "invalid");
        return buf;
    }
    if (with_usec)
        snprintf(buf, TD_TIME_BUF, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
    else
        snprintf(buf, TD_TIME_BUF, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

const char *td_format_time(td_time_us t, char buf[TD_TIME_BUF])
{
    int64_t secs = t / 1000000;
    long usec = (long)(t % 1000000);
    if (usec < 0) {
        usec += 1000000;
        secs -= 1;
    }
    return format_tm(secs, usec, 1, buf);
}

const char *td_format_time_seconds(int64_t secs, char buf[TD_TIME_BUF])
{
    return format_tm(secs, 0, 0, buf);
}

char *td_format_hex(char *out, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
    return out;
}

const char *td_format_addr(int family, const uint8_t addr[16], char buf[TD_ADDR_BUF])
{
    if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, TD_ADDR_BUF) == NULL)
        snprintf(buf, TD_ADDR_BUF, "?");
    return buf;
}
