/* SPDX-License-Identifier: MIT */
/*
 * The NDP adapter in the kernel datapath: the same rules, verdicts and reasons as ndp-adapter.ts
 * beside it (RFC 4861 NS/NA, validation of 7.1.1 and 7.1.2 including the ICMPv6 checksum, RFC 1624
 * checksum updates that keep a bad checksum bad).
 *
 * The option walk, the checksum and the rewrite of link-layer options run under bpf_loop with a
 * bound no IPv6 payload can reach (8192 units of 8 octets cover the 65,535-byte maximum), so the
 * verifier's bound changes no verdict: there is no option count past which the kernel answers
 * differently from the TypeScript engine.
 */
#ifndef INTRACLUSTER_NDP_BPF_H
#define INTRACLUSTER_NDP_BPF_H

#include "cluster.bpf.h"

#define IPV6_HLEN 40
#define IP6_PLEN 4
#define IP6_NEXT 6
#define IP6_HOPS 7
#define IP6_SRC 8
#define IP6_DST 24
#define ICMP_CODE 1
#define ICMP_CSUM 2
#define ICMP_FLAGS 4
#define ICMP_TARGET 8
#define ICMP_OPTIONS 24
#define ND_NS 135
#define ND_NA 136
#define NA_SOLICITED 0x40
#define NA_OVERRIDE 0x20
#define OPT_SLL 1
#define OPT_TLL 2
#define ND_UNITS_MAX 8192
/* Synthesized NA: IPv6 header + NA (24) + TLLAO (8). */
#define NA_REPLY_ICMP_LEN 32

/* Result of nd_check (NdCheck of adapters/ndp/icmpv6.ts): 0 OK, else the reason. */
struct nd {
	__u32 ip;
	__u32 icmp;
	/* End of the ICMPv6 message (from the Payload Length, not the frame length). */
	__u32 end;
	__u32 type;
	/* First Ethernet address of the message's own link-layer option (SLLAO in NS, TLLAO in NA), or -1. */
	__s32 lla;
	/* Some own link-layer option of 8 octets carries the cluster MAC. */
	__u32 lla_cluster;
};

static __always_inline int is_extension_header(__u32 p)
{
	return p == 0 || p == 43 || p == 44 || p == 50 || p == 51 || p == 60 || p == 135 || p == 139 || p == 140;
}

static __always_inline int unspecified6(const __u8 *p)
{
	__u64 a, b;
	__builtin_memcpy(&a, p, 8);
	__builtin_memcpy(&b, p + 8, 8);
	return (a | b) == 0;
}

/* RFC 4291 2.7.1: ff02::1:ffXX:XXXX. */
static __always_inline int solicited_node(const __u8 *p)
{
	if (p[0] != 0xff || p[1] != 0x02)
		return 0;
	for (int i = 2; i < 11; i++)
		if (p[i])
			return 0;
	return p[11] == 0x01 && p[12] == 0xff;
}

/* ---- the option walk (RFC 4861 4.6 lengths, 7.1 validity) ---- */

struct opt_walk {
	const struct frame *f;
	__u32 o;
	__u32 end;
	__u32 own;
	__u32 bad;	/* an option of length 0 or running past the message */
	__u32 sllao;	/* some SLLAO (NS from :: must have none) */
	__u32 lla_bad;	/* an own option that is not 8 octets */
	__s32 lla;
	__u32 lla_cluster;
};

static long opt_step(__u64 i, void *ctx)
{
	struct opt_walk *w = ctx;
	__u32 o = w->o;
	if (o >= w->end)
		return 1;
	if (o + 2 > w->end) {
		w->bad = 1;
		return 1;
	}
	__u8 *p = pkt(w->f, o, 2);
	if (!p) {
		w->bad = 1;
		return 1;
	}
	__u32 t = p[0], units = p[1];
	if (units == 0 || o + units * 8 > w->end) {
		w->bad = 1;
		return 1;
	}
	if (t == OPT_SLL)
		w->sllao = 1;
	if (t == w->own) {
		if (units != 1)
			w->lla_bad = 1;
		else {
			if (w->lla < 0)
				w->lla = (__s32)(o + 2);
			__u8 *m = pkt(w->f, o + 2, 6);
			if (m && mac_eq(m, w->f->cfg->cluster_mac))
				w->lla_cluster = 1;
		}
	}
	w->o = o + units * 8;
	return 0;
}

/* ---- checksums (RFC 4443 2.3, RFC 8200 8.1 pseudo-header) ---- */

struct csum_walk {
	const struct frame *f;
	__u32 o;
	__u32 end;
	__u64 sum;
	__u32 bad;
};

static long csum_step(__u64 i, void *ctx)
{
	struct csum_walk *w = ctx;
	if (w->o >= w->end)
		return 1;
	__u8 *p = pkt(w->f, w->o, 8);
	if (!p) {
		w->bad = 1;
		return 1;
	}
	__u32 a, b;
	__builtin_memcpy(&a, p, 4);
	__builtin_memcpy(&b, p + 4, 4);
	w->sum += bpf_ntohl(a);
	w->sum += bpf_ntohl(b);
	w->o += 8;
	return 0;
}

static __always_inline __u32 fold16(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u32)s;
}

/* Sum of the pseudo-header's addresses (32 bytes at ip + 8). */
static __always_inline __u64 sum_addresses(const __u8 *a)
{
	__u64 s = 0;
	for (int i = 0; i < 32; i += 4) {
		__u32 w;
		__builtin_memcpy(&w, a + i, 4);
		s += bpf_ntohl(w);
	}
	return s;
}

/* icmpv6ChecksumOk for a message of a multiple of 8 bytes (what a walk that found every option valid leaves). */
static __always_inline int icmpv6_checksum_ok(const struct frame *f, __u32 ip, __u32 icmp, __u32 end)
{
	__u8 *h = pkt(f, ip + IP6_SRC, 32);
	if (!h)
		return 0;
	struct csum_walk w = { .f = f, .o = icmp, .end = end, .sum = sum_addresses(h) };
	bpf_loop(ND_UNITS_MAX, csum_step, &w, 0);
	if (w.bad || w.o != end)
		return 0;
	__u32 len = end - icmp;
	w.sum += (len >> 16) + (len & 0xffff) + 58;
	return fold16(w.sum) == 0xffff;
}

/* NdMessage.check: 0 when the frame is an NS/NA we may rewrite, else the reason. */
static __always_inline __u32 nd_check(const struct frame *f, struct nd *nd)
{
	nd->lla = -1;
	nd->lla_cluster = 0;
	__u32 ip = f->l3;
	__u8 *h = ip + IPV6_HLEN <= f->len ? pkt(f, ip, IPV6_HLEN) : NULL;
	if (!h || (h[0] >> 4) != 6)
		return REASON_IPV6_TRUNCATED;
	__u32 end = ip + IPV6_HLEN + rd16(h + IP6_PLEN);
	if (end > f->len)
		return REASON_IPV6_TRUNCATED;
	/* only Hop-by-Hop is walked (RFC 8200 4.1: it can only come first) */
	__u32 icmp = ip + IPV6_HLEN;
	__u32 proto = h[IP6_NEXT];
	if (proto == 0) {
		if (icmp + 8 > end)
			return REASON_IPV6_EXTENSION;
		__u8 *x = pkt(f, icmp, 2);
		if (!x)
			return REASON_IPV6_EXTENSION;
		proto = x[0];
		icmp += ((__u32)x[1] + 1) * 8;
		if (icmp > end)
			return REASON_IPV6_EXTENSION;
	}
	if (proto != 58)
		return is_extension_header(proto) ? REASON_IPV6_EXTENSION : REASON_IPV6_DATA;
	if (icmp + 1 > end)
		return REASON_NDP_SHORT;
	__u8 *m = pkt(f, icmp, 1);
	if (!m)
		return REASON_NDP_SHORT;
	__u32 type = m[0];
	if (type != ND_NS && type != ND_NA)
		return type >= 133 && type <= 137 ? REASON_NDP_NOT_NS_NA : REASON_IPV6_DATA;
	/* the whole message is read: pull it into the linear part if the head pulled before is shorter */
	if (end > (__u32)(f->skb->data_end - f->skb->data))
		bpf_skb_pull_data(f->skb, end);
	nd->ip = ip;
	nd->icmp = icmp;
	nd->end = end;
	nd->type = type;
	/* RFC 4861 7.1.1 / 7.1.2, in the order they are listed there, checksum last (the costly one) */
	h = pkt(f, ip, IPV6_HLEN);
	if (!h)
		return REASON_IPV6_TRUNCATED;
	if (h[IP6_HOPS] != 255)
		return REASON_NDP_HOP_LIMIT;
	if (end - icmp < 24)
		return REASON_NDP_SHORT;
	m = pkt(f, icmp, 24);
	if (!m)
		return REASON_NDP_SHORT;
	if (m[ICMP_CODE] != 0)
		return REASON_NDP_CODE;
	if (m[ICMP_TARGET] == 0xff)
		return REASON_NDP_MULTICAST_TARGET;
	__u32 solicited = m[ICMP_FLAGS] & NA_SOLICITED;
	struct opt_walk w = { .f = f, .o = icmp + ICMP_OPTIONS, .end = end, .own = type == ND_NS ? OPT_SLL : OPT_TLL, .lla = -1 };
	bpf_loop(ND_UNITS_MAX, opt_step, &w, 0);
	if (w.bad)
		return REASON_NDP_OPTION_LENGTH;
	nd->lla = w.lla;
	nd->lla_cluster = w.lla_cluster;
	h = pkt(f, ip, IPV6_HLEN);
	if (!h)
		return REASON_IPV6_TRUNCATED;
	if (type == ND_NS) {
		if (unspecified6(h + IP6_SRC)) {
			if (!solicited_node(h + IP6_DST))
				return REASON_NDP_UNSPECIFIED_NOT_SOLICITED_NODE;
			if (w.sllao)
				return REASON_NDP_UNSPECIFIED_WITH_SLLAO;
		}
	} else if (h[IP6_DST] == 0xff && solicited) {
		return REASON_NDP_MULTICAST_SOLICITED;
	}
	if (!icmpv6_checksum_ok(f, ip, icmp, end))
		return REASON_NDP_CHECKSUM;
	if (w.lla_bad)
		return REASON_NDP_LLA_LENGTH;
	return 0;
}

/* ---- rewriting the message's own link-layer options (RFC 1624 eqn. 3 per changed word) ---- */

static __always_inline __u32 csum_adjust(__u32 hc, __u32 m, __u32 m2)
{
	__u32 s = (~hc & 0xffff) + (~m & 0xffff) + m2;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

struct lla_walk {
	const struct frame *f;
	__u32 o;
	__u32 end;
	__u32 own;
	__u32 hc;
	__u32 done;
	__u8 mac[6];
};

static long lla_step(__u64 i, void *ctx)
{
	struct lla_walk *w = ctx;
	__u32 o = w->o;
	if (o >= w->end)
		return 1;
	__u8 *p = pkt(w->f, o, 8);
	if (!p)
		return 1;
	__u32 units = p[1];
	if (units == 0)
		return 1;
	if (p[0] == w->own && units == 1 && mac_eq(p + 2, w->f->cfg->cluster_mac)) {
		for (int j = 0; j < 6; j += 2) {
			__u32 m = rd16(p + 2 + j);
			__u32 m2 = ((__u32)w->mac[j] << 8) | w->mac[j + 1];
			if (m != m2)
				w->hc = csum_adjust(w->hc, m, m2);
			p[2 + j] = w->mac[j];
			p[3 + j] = w->mac[j + 1];
		}
		w->done = 1;
	}
	w->o = o + units * 8;
	return 0;
}

/*
 * Writes `mac` into every occurrence of the message's own link-layer option that carries the
 * cluster MAC, updating the checksum incrementally. Returns 0 when there was none.
 */
static __always_inline int rewrite_cluster_lla(const struct frame *f, const struct nd *nd, const __u8 *mac)
{
	if (!nd->lla_cluster)
		return 0;
	__u8 *c = pkt(f, nd->icmp + ICMP_CSUM, 2);
	if (!c)
		return 0;
	struct lla_walk w = { .f = f, .o = nd->icmp + ICMP_OPTIONS, .end = nd->end, .own = nd->type == ND_NS ? OPT_SLL : OPT_TLL, .hc = rd16(c) };
	mac_cp(w.mac, mac);
	bpf_loop(ND_UNITS_MAX, lla_step, &w, 0);
	c = pkt(f, nd->icmp + ICMP_CSUM, 2);
	if (!c)
		return 0;
	c[0] = w.hc >> 8;
	c[1] = w.hc & 0xff;
	return w.done;
}

/* ---- the rules ---- */

/* Step 502 analogue and the cache-update hazard: any NS from a member, whatever its target. */
static __always_inline __u32 ndp_inbound_ns(struct frame *f, struct nd *nd)
{
	__u8 *h = pkt(f, nd->ip, IPV6_HLEN);
	__u8 *m = pkt(f, nd->icmp, 24);
	if (!h || !m)
		return keep(f, REASON_IPV6_TRUNCATED);
	if (unspecified6(h + IP6_SRC))
		return keep(f, REASON_NDP_DAD);
	const struct ic_member *s = member6(f, h + IP6_SRC);
	if (!is_member(s))
		return keep(f, is_virtual(s) ? REASON_NDP_VIRTUAL_SOURCE : REASON_NDP_NON_MEMBER);
	if (remote_host(f, s) < 0)
		return keep(f, REASON_NDP_OWN_ADDRESS);
	int for_us = is_local(f, member6(f, m + ICMP_TARGET));
	if (!rewrite_cluster_lla(f, nd, s->mac))
		return keep(f, REASON_NDP_SENDER_NOT_CLUSTER);
	f->reason = for_us ? REASON_NDP_STEP502 : REASON_NDP_NS_HAZARD;
	return V_REWRITE;
}

/*
 * The Override hazard (RFC 4861 7.2.5): Linux applies an NA with the Override flag to its entry for
 * the NA's target, from whatever source, so the rule keys on the target: an NA advertising another
 * member's address with the cluster MAC gets that member's dedicated MAC, whoever sent it. A target
 * the config does not list, from a member's source, gets the source's dedicated MAC.
 */
static __always_inline __u32 ndp_inbound_na(struct frame *f, struct nd *nd)
{
	__u8 *h = pkt(f, nd->ip, IPV6_HLEN);
	__u8 *m = pkt(f, nd->icmp, 24);
	if (!h || !m)
		return keep(f, REASON_IPV6_TRUNCATED);
	const struct ic_member *t = member6(f, m + ICMP_TARGET);
	if (is_virtual(t))
		return keep(f, REASON_NDP_VIRTUAL_TARGET);
	const struct ic_member *s = member6(f, h + IP6_SRC);
	const struct ic_member *a = t;
	if (!is_member(a)) {
		if (!is_member(s))
			return keep(f, is_virtual(s) ? REASON_NDP_VIRTUAL_SOURCE : REASON_NDP_NON_MEMBER);
		a = s;
	}
	__s32 mh = remote_host(f, a);
	if (mh < 0)
		return keep(f, REASON_NDP_OWN_ADDRESS);
	/* the exchange with member mh completes only with its own solicited NA to this host */
	int exchange = is_member(s) && s->host == mh && (m[ICMP_FLAGS] & NA_SOLICITED) && is_local(f, member6(f, h + IP6_DST));
	__u8 mac[6];
	mac_cp(mac, a->mac);
	if (rewrite_cluster_lla(f, nd, mac)) {
		/* a solicited NA to us left with the cluster MAC (replyRewrite "receiver"): exchange complete */
		if (exchange)
			mark_discovered(f, mh);
		f->reason = REASON_NDP_OVERRIDE_HAZARD;
		return V_REWRITE;
	}
	/* step 510 analogue: a solicited NA to us whose TLLAO the member's layer already set (step 508) */
	if (exchange && nd->lla >= 0) {
		__u8 *l = pkt(f, (__u32)nd->lla, 6);
		if (l && mac_eq(l, mac))
			mark_discovered(f, mh);
	}
	return keep(f, REASON_NDP_SENDER_NOT_CLUSTER);
}

/* Step 508 analogue: our NA for our own address, sent to a member. */
static __always_inline __u32 ndp_outbound_na(struct frame *f, struct nd *nd)
{
	__u8 *h = pkt(f, nd->ip, IPV6_HLEN);
	__u8 *m = pkt(f, nd->icmp, 24);
	if (!h || !m)
		return keep(f, REASON_IPV6_TRUNCATED);
	const struct ic_member *own = member6(f, m + ICMP_TARGET);
	if (!is_local(f, own))
		return keep(f, REASON_NDP_NA_NOT_OWN);
	if (!nd->lla_cluster)
		return keep(f, REASON_NDP_OUTBOUND_UNCHANGED);
	const struct ic_member *to = member6(f, h + IP6_DST);
	__s32 mh = remote_host(f, to);
	if (mh < 0)
		return keep(f, REASON_NDP_NA_TO_NON_MEMBER);
	__u8 *e = pkt(f, 0, 6);
	if (!e || !reaches_members_only(f, e, to))
		return keep(f, REASON_NDP_NA_SEEN_BY_NON_MEMBERS);
	mark_discovered(f, mh);
	if (!(f->cfg->flags & CFG_REPLY_AT_SENDER))
		return keep(f, REASON_NDP_STEP508_RECEIVER);
	__u8 mac[6];
	mac_cp(mac, own->mac);
	rewrite_cluster_lla(f, nd, mac);
	f->reason = REASON_NDP_STEP508;
	return V_REWRITE;
}

/* The synthesized NA's IPv6 header and ICMPv6 message, built on the stack then stored. */
struct na_reply {
	__u8 ip[IPV6_HLEN];
	__u8 icmp[NA_REPLY_ICMP_LEN];
};

/*
 * Response synthesizer, NDP form: the NS becomes, in place, a solicited NA (RFC 4861 7.2.4: S=1,
 * O=1, R=0, hop limit 255) from the member's address to the NS's source, TLLAO = the member's
 * dedicated MAC, cluster MAC in the Ethernet source and destination, VLAN tags kept. Returns 0 when
 * the packet could not be resized (then nothing is changed).
 */
static __always_inline int ndp_synthesize(struct frame *f, struct nd *nd, const struct ic_member *t)
{
	struct na_reply r = {};
	__u8 *h = pkt(f, nd->ip, IPV6_HLEN);
	__u8 *m = pkt(f, nd->icmp, 24);
	if (!h || !m)
		return 0;
	r.ip[0] = 0x60;
	r.ip[IP6_PLEN + 1] = NA_REPLY_ICMP_LEN;
	r.ip[IP6_NEXT] = 58;
	r.ip[IP6_HOPS] = 255;
	__builtin_memcpy(r.ip + IP6_SRC, m + ICMP_TARGET, 16);
	__builtin_memcpy(r.ip + IP6_DST, h + IP6_SRC, 16);
	r.icmp[0] = ND_NA;
	r.icmp[ICMP_FLAGS] = NA_SOLICITED | NA_OVERRIDE;
	__builtin_memcpy(r.icmp + ICMP_TARGET, m + ICMP_TARGET, 16);
	r.icmp[ICMP_OPTIONS] = OPT_TLL;
	r.icmp[ICMP_OPTIONS + 1] = 1;
	mac_cp(r.icmp + ICMP_OPTIONS + 2, t->mac);
	__u64 s = sum_addresses(r.ip + IP6_SRC);
	for (int i = 0; i < NA_REPLY_ICMP_LEN; i += 4) {
		__u32 w;
		__builtin_memcpy(&w, r.icmp + i, 4);
		s += bpf_ntohl(w);
	}
	s += NA_REPLY_ICMP_LEN + 58;
	__u32 c = ~fold16(s) & 0xffff;
	r.icmp[ICMP_CSUM] = c >> 8;
	r.icmp[ICMP_CSUM + 1] = c & 0xff;
	__u32 len = f->l3 + sizeof r;
	if (len != f->len) {
		if (bpf_skb_change_tail(f->skb, len, 0))
			return 0;
		f->len = len;
	}
	if (bpf_skb_store_bytes(f->skb, f->l3, &r, sizeof r, 0))
		return 0;
	__u8 *e = pkt(f, 0, 12);
	if (!e)
		return 0;
	mac_cp(e, f->cfg->cluster_mac);
	mac_cp(e + 6, f->cfg->cluster_mac);
	return 1;
}

/* Our own NS: the member's layer does the step 502 analogue; with `synthesize` we answer it here. */
static __always_inline __u32 ndp_outbound_ns(struct frame *f, struct nd *nd)
{
	__u8 *h = pkt(f, nd->ip, IPV6_HLEN);
	__u8 *m = pkt(f, nd->icmp, 24);
	if (!h || !m)
		return keep(f, REASON_IPV6_TRUNCATED);
	if (unspecified6(h + IP6_SRC))
		return keep(f, REASON_NDP_DAD);
	if (f->cfg->flags & CFG_SYNTHESIZE) {
		const struct ic_member *t = member6(f, m + ICMP_TARGET);
		__s32 mh = remote_host(f, t);
		if (mh >= 0 && ndp_synthesize(f, nd, t)) {
			mark_discovered(f, mh);
			f->reason = REASON_NDP_SYNTHESIZED;
			return V_REPLY;
		}
	}
	return keep(f, REASON_NDP_OUTBOUND_UNCHANGED);
}

/* ProtocolAdapter.process for EtherType 0x86DD. */
static __always_inline __u32 ndp_process(struct frame *f)
{
	struct nd nd = {};
	__u32 bad = nd_check(f, &nd);
	if (bad)
		return keep(f, bad);
	if (nd.type == ND_NS)
		return f->dir == DIR_INBOUND ? ndp_inbound_ns(f, &nd) : ndp_outbound_ns(f, &nd);
	return f->dir == DIR_INBOUND ? ndp_inbound_na(f, &nd) : ndp_outbound_na(f, &nd);
}

/* Offset of an ICMPv6 header with its type byte inside the payload, else -1 (icmpv6Offset). */
static __always_inline __s32 icmpv6_offset(const struct frame *f, __u8 **hdr)
{
	__u32 ip = f->l3;
	__u8 *h = ip + IPV6_HLEN <= f->len ? pkt(f, ip, IPV6_HLEN) : NULL;
	*hdr = h;
	if (!h || (h[0] >> 4) != 6)
		return -2; /* not even an IPv6 header (ipv6Check) */
	__u32 end = ip + IPV6_HLEN + rd16(h + IP6_PLEN);
	if (end > f->len)
		return -1;
	__u32 p = ip + IPV6_HLEN;
	__u32 proto = h[IP6_NEXT];
	if (proto == 0) {
		if (p + 8 > end)
			return -1;
		__u8 *x = pkt(f, p, 2);
		if (!x)
			return -1;
		proto = x[0];
		p += ((__u32)x[1] + 1) * 8;
		if (p > end)
			return -1;
	}
	if (p >= end || proto != 58)
		return -1;
	return (__s32)p;
}

/* Shared mode: the NS target for an NS, else the IPv6 destination. 1 ours, 0 not, -1 cannot tell. */
static __always_inline int ndp_local_destination(const struct frame *f)
{
	__u8 *h;
	__s32 icmp = icmpv6_offset(f, &h);
	if (icmp == -2 || !h)
		return -1;
	if (icmp >= 0) {
		__u8 *t = pkt(f, (__u32)icmp, 1);
		if (t && t[0] == ND_NS) {
			__u32 end = f->l3 + IPV6_HLEN + rd16(h + IP6_PLEN);
			if ((__u32)icmp + ICMP_OPTIONS > end)
				return -1;
			__u8 *m = pkt(f, (__u32)icmp, 24);
			if (!m)
				return -1;
			return is_local(f, member6(f, m + ICMP_TARGET));
		}
	}
	h = pkt(f, f->l3, IPV6_HLEN);
	if (!h)
		return -1;
	return is_local(f, member6(f, h + IP6_DST));
}

/* data.other-member: IPv6 other than Neighbor Discovery (ICMPv6 133 to 137) whose IPv6
 * destination is another member's address (the decode's discoveryFrame and destinationAddress). */
static __always_inline int ndp_other_member_destination(const struct frame *f)
{
	__u8 *h;
	__s32 icmp = icmpv6_offset(f, &h);
	if (icmp == -2 || !h)
		return 0;
	if (icmp >= 0) {
		__u8 *t = pkt(f, (__u32)icmp, 1);
		if (t && t[0] >= 133 && t[0] <= 137)
			return 0;
	}
	h = pkt(f, f->l3, IPV6_HLEN);
	if (!h)
		return 0;
	return remote_host(f, member6(f, h + IP6_DST)) >= 0;
}

/* Strict sources: Neighbor Discovery (ICMPv6 133 to 137) is exempt; anything else by IPv6 source. */
static __always_inline __s32 ndp_source_member(const struct frame *f)
{
	__u8 *h;
	__s32 icmp = icmpv6_offset(f, &h);
	if (icmp == -2 || !h)
		return -1;
	if (icmp >= 0) {
		__u8 *t = pkt(f, (__u32)icmp, 1);
		if (t && t[0] >= 133 && t[0] <= 137)
			return DISCOVERY_EXEMPT;
	}
	h = pkt(f, f->l3, IPV6_HLEN);
	if (!h)
		return -1;
	return remote_host(f, member6(f, h + IP6_SRC));
}

#endif
