/* SPDX-License-Identifier: MIT */
/*
 * The kernel datapath's Cluster (src/cluster.ts): the maps the control plane fills from the same
 * parsed config and Cluster as the engine (src/datapath/maps.ts), and the lookups of a frame.
 *
 * A membership change is atomic: everything a frame reads of one membership (config scalars,
 * members by IPv4 and IPv6 address, dedicated MACs, strict-sources state) lives in generation
 * `g` of each map (slot g of the ARRAY_OF_MAPS maps, entry g of ic_config). The control plane
 * fills generation 1 - g, then writes ic_state.gen; a frame reads ic_state.gen once, so it sees
 * one membership whole. Before the next change reuses the older generation it waits until no
 * frame that read it can still run (an update of an ARRAY_OF_MAPS map waits for an RCU grace
 * period, bpf(2) map_update_elem).
 */
#ifndef INTRACLUSTER_CLUSTER_BPF_H
#define INTRACLUSTER_CLUSTER_BPF_H

#include "adapter.bpf.h"

/* ic_config.flags */
#define CFG_VALID 1		/* a membership is installed in this generation */
#define CFG_DEDICATED 2		/* mode "dedicated" (else "shared") */
#define CFG_SHARED_MAC 4	/* mode "shared": shared_mac holds the shared MAC */
#define CFG_SYNTHESIZE 8	/* config synthesize */
#define CFG_STRICT 16		/* config strictSources */
#define CFG_REPLY_AT_SENDER 32	/* config replyRewrite "sender" */
#define CFG_MASK_SOURCE 64	/* config maskSourceMac: masked_mac holds the local host's masked MAC */

struct ic_config {
	__u8 cluster_mac[6];
	__u8 shared_mac[6];
	__u32 flags;
	/* Host index of the local host. */
	__s32 local_host;
	__u32 host_count;
	/* The local host's masked source MAC (Cluster.maskedSourceMac), with CFG_MASK_SOURCE. */
	__u8 masked_mac[6];
	/* How many of local_macs hold the local host's dedicated MACs (0 to 2). */
	__u8 local_mac_count;
	__u8 reserved;
	/*
	 * The local host's first two distinct dedicated MACs (dedicated mode): host_of_mac answers these
	 * without the hash lookup (about 14 ns of the inbound data rewrite's 28, BPF_PROG_TEST_RUN).
	 */
	__u8 local_macs[2][6];
	__u8 reserved2[4];
};

/* A member entry (Cluster.memberIpv4/memberIpv6) or a virtual IP. */
struct ic_member {
	/* Host index, or -1 for a virtual IP that is no member's address. */
	__s32 host;
	/* The dedicated MAC (the shared MAC in shared mode). */
	__u8 mac[6];
	__u8 is_virtual;
	__u8 reserved;
};

struct ic_ipv6_key {
	__u8 addr[16];
};

/* A MAC as a map key: 6 bytes, then 2 zero bytes. */
struct ic_mac_key {
	__u8 mac[6];
	__u8 zero[2];
};

struct ic_state {
	__u32 gen;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__uint(value_size, sizeof(struct ic_state));
} ic_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__uint(value_size, sizeof(struct ic_config));
} ic_config SEC(".maps");

struct ic_members4_inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__uint(value_size, sizeof(struct ic_member));
};

struct ic_members6_inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(struct ic_ipv6_key));
	__uint(value_size, sizeof(struct ic_member));
};

struct ic_macs_inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(struct ic_mac_key));
	__type(value, __s32);
};

/* Strict sources: per host index, 1 once a discovery exchange with that host completed. */
struct ic_strict_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct ic_members4_inner);
} ic_members4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct ic_members6_inner);
} ic_members6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct ic_macs_inner);
} ic_macs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct ic_strict_inner);
} ic_strict SEC(".maps");

/* Per CPU, frames by direction, verdict and reason: index (direction * 4 + verdict) * REASON_COUNT
 * + reason (reasons.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 8 * REASON_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} ic_counters SEC(".maps");

/* The active generation's config and inner maps into f; 0 when no membership is installed. */
static __always_inline int cluster_open(struct frame *f)
{
	__u32 zero = 0;
	struct ic_state *st = bpf_map_lookup_elem(&ic_state, &zero);
	if (!st)
		return 0;
	__u32 g = st->gen & 1;
	const struct ic_config *cfg = bpf_map_lookup_elem(&ic_config, &g);
	if (!cfg || !(cfg->flags & CFG_VALID))
		return 0;
	f->cfg = cfg;
	f->gen = g;
	return 1;
}

/* The member entry or virtual IP of the IPv4 address at p (4 bytes), or NULL. */
static __always_inline const struct ic_member *member4(const struct frame *f, const __u8 *p)
{
	void *m = bpf_map_lookup_elem(&ic_members4, &f->gen);
	if (!m)
		return NULL;
	__u32 k;
	__builtin_memcpy(&k, p, 4);
	return bpf_map_lookup_elem(m, &k);
}

static __always_inline const struct ic_member *member6(const struct frame *f, const __u8 *p)
{
	void *m = bpf_map_lookup_elem(&ic_members6, &f->gen);
	if (!m)
		return NULL;
	struct ic_ipv6_key k;
	__builtin_memcpy(k.addr, p, 16);
	return bpf_map_lookup_elem(m, &k);
}

static __always_inline int is_member(const struct ic_member *m)
{
	return m && m->host >= 0;
}
static __always_inline int is_virtual(const struct ic_member *m)
{
	return m && m->is_virtual;
}

/* FrameContext.isLocalMember: the entry is one of the local host's addresses. */
static __always_inline int is_local(const struct frame *f, const struct ic_member *m)
{
	return m && m->host >= 0 && m->host == f->cfg->local_host;
}

/* FrameContext.remoteHost: host index of another member's entry, else -1. */
static __always_inline __s32 remote_host(const struct frame *f, const struct ic_member *m)
{
	if (!m || m->host < 0 || m->host == f->cfg->local_host)
		return -1;
	return m->host;
}

/*
 * Cluster.hostOfMac: host whose dedicated MAC is at p, or -1 (always -1 in shared mode, whose map
 * is empty). Dedicated MACs are group addresses (the config refuses others), so a unicast MAC needs
 * no lookup.
 */
static __always_inline __s32 host_of_mac(const struct frame *f, const __u8 *p)
{
	if (!(p[0] & 1))
		return -1;
	/* the same answer as the lookup below: local_macs are rows of ic_macs with the local host */
	if (f->cfg->local_mac_count > 0 && mac_eq(p, f->cfg->local_macs[0]))
		return f->cfg->local_host;
	if (f->cfg->local_mac_count > 1 && mac_eq(p, f->cfg->local_macs[1]))
		return f->cfg->local_host;
	void *m = bpf_map_lookup_elem(&ic_macs, &f->gen);
	if (!m)
		return -1;
	struct ic_mac_key k = {};
	mac_cp(k.mac, p);
	__s32 *h = bpf_map_lookup_elem(m, &k);
	return h ? *h : -1;
}

/* FrameContext.markDiscovered. */
static __always_inline void mark_discovered(const struct frame *f, __s32 host)
{
	if (host < 0)
		return;
	void *m = bpf_map_lookup_elem(&ic_strict, &f->gen);
	if (!m)
		return;
	__u32 k = (__u32)host;
	__u32 *d = bpf_map_lookup_elem(m, &k);
	if (d)
		*d = 1;
}

static __always_inline int discovered(const struct frame *f, __s32 host)
{
	if (host < 0)
		return 0;
	void *m = bpf_map_lookup_elem(&ic_strict, &f->gen);
	if (!m)
		return 0;
	__u32 k = (__u32)host;
	__u32 *d = bpf_map_lookup_elem(m, &k);
	return d && *d == 1;
}

/*
 * FrameContext.destinationReachesMembersOnly: the Ethernet destination is one only members accept
 * (the cluster MAC, the dedicated MAC of entry `to`, another member's dedicated MAC, the shared MAC).
 */
static __always_inline int reaches_members_only(const struct frame *f, const __u8 *dst, const struct ic_member *to)
{
	if (mac_eq(dst, f->cfg->cluster_mac) || mac_eq(dst, to->mac))
		return 1;
	if (f->cfg->flags & CFG_SHARED_MAC)
		return mac_eq(dst, f->cfg->shared_mac);
	return host_of_mac(f, dst) >= 0;
}

#endif
