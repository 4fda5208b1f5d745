/*
 * pcap-loop.c — the benchmark's floor: read a capture with libpcap, the
 * fastest way libpcap offers (pcap_fopen_offline on a FILE with a 1 MiB
 * stdio buffer), and touch the headers of every frame, nothing else.
 * tlsdissect is measured against this loop in the same run
 * (tools/bench/run.py), so the ratio stays honest on any machine.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

struct totals {
    uint64_t packets;
    uint64_t bytes;
    uint64_t sum;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct totals *t = (struct totals *)user;
    t->packets++;
    t->bytes += h->caplen;
    /* read the headers' bytes so the loop does what a dissector must */
    for (uint32_t i = 0; i < h->caplen && i < 64; i++)
        t->sum += bytes[i];
}

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    struct totals t = {0, 0, 0};
    static char buffer[1 << 20];
    pcap_t *p;
    FILE *f;

    if (argc != 2) {
        fprintf(stderr, "usage: pcap-loop FILE\n");
        return 2;
    }
    f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    setvbuf(f, buffer, _IOFBF, sizeof buffer);
    p = pcap_fopen_offline(f, err);
    if (p == NULL) {
        fprintf(stderr, "pcap-loop: %s\n", err);
        return 1;
    }
    if (pcap_loop(p, -1, on_packet, (u_char *)&t) == -1) {
        fprintf(stderr, "pcap-loop: %s\n", pcap_geterr(p));
        return 1;
    }
    pcap_close(p);
    printf("%llu packets, %llu bytes (%llu)\n", (unsigned long long)t.packets,
           (unsigned long long)t.bytes, (unsigned long long)(t.sum & 0xff));
    return 0;
}
