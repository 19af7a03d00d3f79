/* SPDX-License-Identifier: MIT */
/*
 * The ARP adapter in the kernel datapath: the same rules, verdicts and reasons as arp-adapter.ts
 * beside it (RFC 826; field numbers of the patent's FIG. 3 in adapters/arp/arp.ts).
 */
#ifndef INTRACLUSTER_ARP_BPF_H
#define INTRACLUSTER_ARP_BPF_H

#include "cluster.bpf.h"

#define ARP_LEN 28
#define ARP_OPER 6
#define ARP_SHA 8
#define ARP_SPA 14
#define ARP_THA 18
#define ARP_TPA 24
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define ETH_MIN_FRAME 60

/* arpCheck: the reason a header is not ours, 0 when it is; *a points at it when it is. */
static __always_inline __u32 arp_check(const struct frame *f, __u8 **a)
{
	__u8 *p = f->l3 + ARP_LEN <= f->len ? pkt(f, f->l3, ARP_LEN) : NULL;
	if (!p)
		return REASON_ARP_TRUNCATED;
	if (rd16(p) != 1 || rd16(p + 2) != ETH_P_IP || p[4] != 6 || p[5] != 4)
		return REASON_ARP_LAYOUT;
	__u32 op = rd16(p + ARP_OPER);
	if (op != ARP_REQUEST && op != ARP_REPLY)
		return REASON_ARP_OPCODE;
	*a = p;
	return 0;
}

static __always_inline int zero_ipv4(const __u8 *p)
{
	return (p[0] | p[1] | p[2] | p[3]) == 0;
}

/*
 * Writes mac into the ARP payload at a + field and returns what that adds to the payload's
 * ones'-complement sum (the changed words, RFC 1624), for arp_csum.
 */
static __always_inline __u32 arp_set_mac(__u8 *a, __u32 field, const __u8 *mac)
{
	__u32 diff = 0;
	for (int i = 0; i < 6; i += 2) {
		diff += (~((__u32)a[field + i] | ((__u32)a[field + i + 1] << 8))) & 0xffff;
		diff += (__u32)mac[i] | ((__u32)mac[i + 1] << 8);
	}
	mac_cp(a + field, mac);
	return diff;
}

/*
 * Keeps a CHECKSUM_COMPLETE receive checksum right after the ARP payload changed (ARP carries no
 * checksum of its own, but the kernel's receive checksum covers the payload). Only received frames
 * carry one: outbound frames need nothing.
 */
static __always_inline void arp_csum(struct frame *f, __u32 diff)
{
	if (f->dir == DIR_INBOUND)
		bpf_csum_update(f->skb, diff);
}

/* Steps 502 (request for us) and the RFC 826 hazard (any other ARP from a member). */
static __always_inline __u32 arp_inbound(struct frame *f, __u8 *a)
{
	if (zero_ipv4(a + ARP_SPA))
		return keep(f, REASON_ARP_PROBE);
	const struct ic_member *s = member4(f, a + ARP_SPA);
	if (!is_member(s))
		return keep(f, REASON_ARP_NON_MEMBER);
	__s32 m = remote_host(f, s);
	if (m < 0)
		return keep(f, REASON_ARP_OWN_ADDRESS);
	int for_us = is_local(f, member4(f, a + ARP_TPA));
	__u32 op = rd16(a + ARP_OPER);
	if (!mac_eq(a + ARP_SHA, f->cfg->cluster_mac)) {
		/* step 510: the member's layer already wrote its dedicated MAC: the exchange is complete */
		if (for_us && op == ARP_REPLY && mac_eq(a + ARP_SHA, s->mac))
			mark_discovered(f, m);
		return keep(f, REASON_ARP_SENDER_NOT_CLUSTER);
	}
	arp_csum(f, arp_set_mac(a, ARP_SHA, s->mac));
	if (for_us && op == ARP_REPLY) {
		/* the replier left the cluster MAC (replyRewrite "receiver"): this completes the exchange */
		mark_discovered(f, m);
		f->reason = REASON_ARP_STEP510_RECEIVER;
	} else
		f->reason = for_us && op == ARP_REQUEST ? REASON_ARP_STEP502 : REASON_ARP_MERGE_HAZARD;
	return V_REWRITE;
}

/*
 * Response synthesizer: the request becomes the reply in place (cluster MAC in the Ethernet
 * source and destination and the target MAC, IPs swapped, the member's dedicated MAC as sender
 * MAC, VLAN tags kept, padded with zeros to the 60-byte minimum). Returns 0 when the packet could
 * not be resized (then nothing is changed).
 */
static __always_inline int arp_synthesize(struct frame *f, const struct ic_member *t)
{
	__u8 mac[6], spa[4], tpa[4];
	mac_cp(mac, t->mac);
	__u32 o = f->l3;
	__u8 *a = pkt(f, o, ARP_LEN);
	if (!a)
		return 0;
	__builtin_memcpy(spa, a + ARP_SPA, 4);
	__builtin_memcpy(tpa, a + ARP_TPA, 4);
	__u32 len = o + ARP_LEN > ETH_MIN_FRAME ? o + ARP_LEN : ETH_MIN_FRAME;
	if (len != f->len) {
		if (bpf_skb_change_tail(f->skb, len, 0))
			return 0;
		f->len = len;
	}
	__u8 *e = pkt(f, 0, 12);
	if (!e)
		return 0;
	mac_cp(e, f->cfg->cluster_mac);
	mac_cp(e + 6, f->cfg->cluster_mac);
	a = pkt(f, o, ARP_LEN);
	if (!a)
		return 0;
	a[ARP_OPER] = 0;
	a[ARP_OPER + 1] = ARP_REPLY;
	mac_cp(a + ARP_SHA, mac);
	__builtin_memcpy(a + ARP_SPA, tpa, 4);
	mac_cp(a + ARP_THA, f->cfg->cluster_mac);
	__builtin_memcpy(a + ARP_TPA, spa, 4);
	/* the padding: at most 60 - (14 + 28) bytes (none once the tags fill the minimum frame) */
	if (o + ARP_LEN == ETH_MIN_FRAME - (ETH_MIN_FRAME - ETH_HLEN - ARP_LEN)) {
		__u8 *z = pkt(f, o + ARP_LEN, ETH_MIN_FRAME - ETH_HLEN - ARP_LEN);
		if (z)
			__builtin_memset(z, 0, ETH_MIN_FRAME - ETH_HLEN - ARP_LEN);
	} else {
		for (__u32 i = 0; i < ETH_MIN_FRAME - ETH_HLEN - ARP_LEN; i++) {
			if (o + ARP_LEN + i >= len)
				break;
			__u8 *z = pkt(f, o + ARP_LEN + i, 1);
			if (!z)
				break;
			*z = 0;
		}
	}
	return 1;
}

/* Step 508 (our reply to a member) and the response synthesizer. */
static __always_inline __u32 arp_outbound(struct frame *f, __u8 *a)
{
	__u32 op = rd16(a + ARP_OPER);
	if (op == ARP_REPLY) {
		/* arp.probe-reply-to-cluster: the prober's sender MAC is the cluster MAC, which a switch sends
		 * back out of the port it came in on; broadcast reaches the prober (RFC 5227 2.6) */
		__u8 *e = pkt(f, 0, 6);
		if (e && zero_ipv4(a + ARP_TPA) && mac_eq(e, f->cfg->cluster_mac)) {
			for (int i = 0; i < 6; i++)
				e[i] = 0xff;
			f->reason = REASON_ARP_PROBE_REPLY_BROADCAST;
			return V_REWRITE;
		}
		const struct ic_member *own = member4(f, a + ARP_SPA);
		if (!is_local(f, own))
			return keep(f, REASON_ARP_REPLY_NOT_OWN);
		if (!mac_eq(a + ARP_SHA, f->cfg->cluster_mac))
			return keep(f, REASON_ARP_OUTBOUND_UNCHANGED);
		const struct ic_member *to = member4(f, a + ARP_TPA);
		__s32 m = remote_host(f, to);
		if (m < 0)
			return keep(f, REASON_ARP_REPLY_TO_NON_MEMBER);
		/* RFC 826 merge rule: a reply to a member sent where non-members receive it keeps the cluster MAC */
		if (!e || !reaches_members_only(f, e, to))
			return keep(f, REASON_ARP_REPLY_SEEN_BY_NON_MEMBERS);
		mark_discovered(f, m);
		if (!(f->cfg->flags & CFG_REPLY_AT_SENDER)) {
			/* the patent's alternative: the requester's layer writes our dedicated MAC */
			if (mac_eq(a + ARP_THA, f->cfg->cluster_mac))
				return keep(f, REASON_ARP_STEP508_RECEIVER);
			arp_csum(f, arp_set_mac(a, ARP_THA, f->cfg->cluster_mac));
			f->reason = REASON_ARP_STEP508_RECEIVER;
			return V_REWRITE;
		}
		__u32 diff = arp_set_mac(a, ARP_SHA, own->mac);
		arp_csum(f, diff + arp_set_mac(a, ARP_THA, f->cfg->cluster_mac));
		f->reason = REASON_ARP_STEP508;
		return V_REWRITE;
	}
	if ((f->cfg->flags & CFG_SYNTHESIZE) && !zero_ipv4(a + ARP_SPA)) {
		const struct ic_member *t = member4(f, a + ARP_TPA);
		__s32 m = remote_host(f, t);
		if (m >= 0 && arp_synthesize(f, t)) {
			mark_discovered(f, m);
			f->reason = REASON_ARP_SYNTHESIZED;
			return V_REPLY;
		}
	}
	return keep(f, REASON_ARP_OUTBOUND_UNCHANGED);
}

/* ProtocolAdapter.process for EtherTypes 0x0806 and 0x0800. */
static __always_inline __u32 arp_process(struct frame *f)
{
	if (f->ether_type != ETH_P_ARP)
		return keep(f, REASON_IPV4_DATA);
	__u8 *a = NULL;
	__u32 bad = arp_check(f, &a);
	if (bad || !a)
		return keep(f, bad);
	return f->dir == DIR_INBOUND ? arp_inbound(f, a) : arp_outbound(f, a);
}

/* ipv4Check: version 4, IHL >= 5, 20 bytes in the frame. */
static __always_inline __u8 *ipv4_header(const struct frame *f)
{
	__u8 *p = f->l3 + 20 <= f->len ? pkt(f, f->l3, 20) : NULL;
	if (!p || (p[0] >> 4) != 4 || (p[0] & 0x0f) < 5)
		return NULL;
	return p;
}

/* Shared mode: is the ARP target IP / IPv4 destination one of ours? 1 yes, 0 no, -1 cannot tell. */
static __always_inline int arp_local_destination(const struct frame *f)
{
	if (f->ether_type == ETH_P_ARP) {
		__u8 *a = NULL;
		if (arp_check(f, &a) || !a)
			return -1;
		return is_local(f, member4(f, a + ARP_TPA));
	}
	__u8 *ip = ipv4_header(f);
	if (!ip)
		return -1;
	return is_local(f, member4(f, ip + 16));
}

/* data.other-member: IPv4 data (not ARP) whose IPv4 destination is another member's address. */
static __always_inline int arp_other_member_destination(const struct frame *f)
{
	if (f->ether_type != ETH_P_IP)
		return 0;
	__u8 *ip = ipv4_header(f);
	if (!ip)
		return 0;
	return remote_host(f, member4(f, ip + 16)) >= 0;
}

/* Strict sources: host index of the member that sent this frame, -1, or DISCOVERY_EXEMPT for ARP. */
static __always_inline __s32 arp_source_member(const struct frame *f)
{
	if (f->ether_type == ETH_P_ARP)
		return DISCOVERY_EXEMPT;
	__u8 *ip = ipv4_header(f);
	if (!ip)
		return -1;
	return remote_host(f, member4(f, ip + 12));
}

#endif
