/* SPDX-License-Identifier: MIT */
/*
 * The kernel datapath's FrameContext (src/adapter.ts): what the core and the adapters share about
 * one frame, and bounded packet access. Offsets are packet offsets: on ingress the kernel may have
 * moved the outer VLAN tag into the skb's metadata (skb->vlan_present), so they are 4 less than the
 * TypeScript engine's offsets for the same frame; nothing here depends on the difference.
 */
#ifndef INTRACLUSTER_ADAPTER_BPF_H
#define INTRACLUSTER_ADAPTER_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "reasons.h"

/* Verdicts (src/verdict.ts). */
#define V_PASS 0
#define V_REWRITE 1
#define V_DROP 2
#define V_REPLY 3

#define DIR_INBOUND 0
#define DIR_OUTBOUND 1

/* sourceMember() answer for discovery frames that strict sources never drops (DISCOVERY_EXEMPT). */
#define DISCOVERY_EXEMPT (-2)

/* Packet offsets the verifier accepts with a variable part (MAX_PACKET_OFF less the widest read):
 * a linear packet never holds more, so an offset past it reads as outside the frame. */
#define MAX_OFFSET 0xffbf

struct ic_config;

struct frame {
	struct __sk_buff *skb;
	/* Frame bytes (skb->len): the TypeScript engine's `length` less a tag the kernel holds in metadata. */
	__u32 len;
	/* Offset of the EtherType naming the L3 protocol, and of the L3 header. */
	__u32 et;
	__u32 l3;
	__u32 ether_type;
	__u32 dir;
	__u32 reason;
	const struct ic_config *cfg;
	/* The generation in use (cluster.bpf.h): its inner maps are looked up when a rule needs them. */
	__u32 gen;
};

/* Pointer to n bytes at packet offset off, or NULL when they are not all in the (linear) packet. */
static __always_inline __u8 *pkt(const struct frame *f, __u32 off, __u32 n)
{
	__u8 *d = (__u8 *)(long)f->skb->data;
	__u8 *e = (__u8 *)(long)f->skb->data_end;
	/* opaque to the compiler, so the bound is checked on the register the verifier then adds */
	__u64 o = off;
	asm volatile("" : "+r"(o));
	if (o > MAX_OFFSET)
		return NULL;
	__u8 *p = d + o;
	if (p + n > e)
		return NULL;
	return p;
}

static __always_inline __u32 rd16(const __u8 *p)
{
	return ((__u32)p[0] << 8) | p[1];
}

static __always_inline int mac_eq(const __u8 *a, const __u8 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] && a[4] == b[4] && a[5] == b[5];
}

static __always_inline void mac_cp(__u8 *d, const __u8 *s)
{
	d[0] = s[0];
	d[1] = s[1];
	d[2] = s[2];
	d[3] = s[3];
	d[4] = s[4];
	d[5] = s[5];
}

static __always_inline __u32 keep(struct frame *f, __u32 reason)
{
	f->reason = reason;
	return V_PASS;
}

#endif
