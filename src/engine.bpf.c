// SPDX-License-Identifier: MIT
/*
 * The kernel datapath: one host's cluster layer as tc clsact programs on the host's own interface
 * (patent: the layer between the NIC and the protocol stack). `ingress` is inbound (wire to stack),
 * `egress` is outbound (stack to wire). Same rules, verdicts, bytes and reasons as Engine.process
 * (src/engine.ts) and the adapters (adapters/<family>/<family>.bpf.h beside their TypeScript).
 *
 * Return codes let other tc programs run: pass and rewrite return TC_ACT_UNSPEC (the next filter,
 * or the stack), drop TC_ACT_SHOT, a synthesized reply TC_ACT_REDIRECT to the interface's own
 * ingress (bpf_redirect with BPF_F_INGRESS), so the stack receives the answer and nothing reaches
 * the wire. Heartbeats (EtherType 0x886F) are a family of the same dispatch, as in the engine:
 * inbound they pass to the control plane, which reads them from a packet socket; outbound (from the
 * local stack) they are dropped.
 *
 * Each program leaves the verdict in skb->cb[0] and the reason (reasons.h) in skb->cb[1]: the test
 * harness (src/datapath/) reads them back from BPF_PROG_TEST_RUN; the stack never reads the tc
 * scratch area.
 */
#include "adapter.bpf.h"
#include "cluster.bpf.h"
#include "arp/arp.bpf.h"
#include "ndp/ndp.bpf.h"
#include "membership/heartbeat.bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define ETH_P_8021AD_OLD 0x9100
/* At most this many stacked tags are walked (MAX_VLAN_TAGS in src/frame/ethernet.ts), a tag the
 * kernel holds in the skb's metadata included; deeper stacks pass untouched. */
#define MAX_VLAN_TAGS 8
/* Bytes pulled into the linear part before parsing (headers of every frame we read). */
#define PULL_HEAD 256

static __always_inline int is_tpid(__u32 t)
{
	return t == ETH_P_8021Q || t == ETH_P_8021AD || t == ETH_P_8021AD_OLD;
}

/*
 * etherTypeOffset: offset of the EtherType naming the L3 protocol, or -1 when the tag stack is cut
 * short or deeper than MAX_VLAN_TAGS.
 */
static __always_inline __s32 ether_type_offset(struct frame *f)
{
	__u32 off = 12;
	__u32 tags = f->skb->vlan_present ? 1 : 0;
#pragma unroll
	for (int i = 0; i <= MAX_VLAN_TAGS; i++) {
		__u8 *p = pkt(f, off, 2);
		if (!p)
			return -1;
		if (!is_tpid(rd16(p)))
			return (__s32)off;
		if (tags == MAX_VLAN_TAGS)
			return -1;
		tags++;
		off += 4;
		if (off + 2 > f->len)
			return -1;
	}
	return -1;
}

/* Adapters by EtherType. */
#define ADAPTER_NONE 0
#define ADAPTER_ARP 1
#define ADAPTER_NDP 2
#define ADAPTER_HEARTBEAT 3

static __always_inline int adapter_of(__u32 et)
{
	if (et == ETH_P_ARP || et == ETH_P_IP)
		return ADAPTER_ARP;
	if (et == ETH_P_IPV6)
		return ADAPTER_NDP;
	if (et == ETH_P_NLB_HEARTBEAT)
		return ADAPTER_HEARTBEAT;
	return ADAPTER_NONE;
}

static __always_inline int local_destination(struct frame *f, int adapter)
{
	if (adapter == ADAPTER_ARP)
		return arp_local_destination(f);
	if (adapter == ADAPTER_NDP)
		return ndp_local_destination(f);
	return -1;
}

/* data.other-member: IP data (not a discovery message) to the cluster MAC for another member's address. */
static __always_inline int other_member_data(struct frame *f)
{
	__u8 *d = pkt(f, 0, 6);
	if (!d || !mac_eq(d, f->cfg->cluster_mac))
		return 0;
	if (f->ether_type == ETH_P_IP)
		return arp_other_member_destination(f);
	if (f->ether_type == ETH_P_IPV6)
		return ndp_other_member_destination(f);
	return 0;
}

static __always_inline __s32 source_member(struct frame *f, int adapter)
{
	if (adapter == ADAPTER_ARP)
		return arp_source_member(f);
	if (adapter == ADAPTER_NDP)
		return ndp_source_member(f);
	return -1;
}

/*
 * A frame for this host's intracluster MAC: strict sources first (0: drop, reason set), then
 * destination := cluster MAC and packet type := host (the stack, still in unicast mode, accepts it;
 * TCP takes PACKET_HOST frames only).
 */
static __always_inline int to_local_stack(struct frame *f, int adapter, __u32 reason)
{
	if (f->cfg->flags & CFG_STRICT) {
		__s32 s = source_member(f, adapter);
		if (s != DISCOVERY_EXEMPT) {
			if (s < 0) {
				f->reason = REASON_STRICT_UNKNOWN_SENDER;
				return 0;
			}
			if (!discovered(f, s)) {
				f->reason = REASON_STRICT_NO_DISCOVERY;
				return 0;
			}
		}
	}
	__u8 *d = pkt(f, 0, 6);
	if (!d)
		return 0;
	mac_cp(d, f->cfg->cluster_mac);
	if (f->skb->pkt_type != PACKET_HOST)
		bpf_skb_change_type(f->skb, PACKET_HOST);
	f->reason = reason;
	return 1;
}

static __always_inline __u32 decide(struct frame *f)
{
	/* IEEE 802.3: a source address is never a group address. Never emit one, never deliver one. */
	__u8 *e = pkt(f, 0, ETH_HLEN);
	if (!e) {
		f->reason = REASON_FRAME_TRUNCATED;
		return V_PASS;
	}
	if (e[6] & 1) {
		f->reason = REASON_FRAME_MULTICAST_SOURCE;
		return V_DROP;
	}
	__s32 et = ether_type_offset(f);
	if (et < 0) {
		f->reason = REASON_FRAME_TRUNCATED;
		return V_PASS;
	}
	__u8 *t = pkt(f, (__u32)et, 2);
	if (!t) {
		f->reason = REASON_FRAME_TRUNCATED;
		return V_PASS;
	}
	f->et = (__u32)et;
	f->ether_type = rd16(t);
	f->l3 = (__u32)et + 2;
	int adapter = adapter_of(f->ether_type);
	int rewritten = 0;

	if (f->dir == DIR_INBOUND) {
		__u8 *d = pkt(f, 0, 6);
		if (!d)
			return V_PASS;
		/* only group destinations can be a dedicated or the shared MAC (both are group addresses) */
		if (!(d[0] & 1)) {
		} else if (f->cfg->flags & CFG_DEDICATED) {
			/* steps 510, 702, 706: our dedicated MAC -> cluster MAC; another member's -> not ours */
			__s32 h = host_of_mac(f, d);
			if (h >= 0) {
				if (h != f->cfg->local_host) {
					f->reason = REASON_DATA_NOT_FOR_THIS_HOST;
					return V_DROP;
				}
				if (!to_local_stack(f, adapter, REASON_DATA_DEDICATED_TO_CLUSTER))
					return V_DROP;
				rewritten = 1;
			}
		} else if ((f->cfg->flags & CFG_SHARED_MAC) && mac_eq(d, f->cfg->shared_mac)) {
			/* shared mode: one intracluster MAC for all; filter by IP destination */
			int local = local_destination(f, adapter);
			if (local == 0) {
				f->reason = REASON_SHARED_NOT_FOR_THIS_HOST;
				return V_DROP;
			}
			if (local < 0) {
				f->reason = REASON_SHARED_UNDETERMINED;
				return V_DROP;
			}
			if (!to_local_stack(f, adapter, REASON_SHARED_TO_CLUSTER))
				return V_DROP;
			rewritten = 1;
		}
	}

	if (adapter != ADAPTER_NONE) {
		__u32 core_reason = f->reason;
		__u32 v;
		if (adapter == ADAPTER_ARP)
			v = arp_process(f);
		else if (adapter == ADAPTER_NDP)
			v = ndp_process(f);
		else
			v = heartbeat_process(f);
		if (v != V_PASS)
			return v;
		if (rewritten)
			f->reason = core_reason;
		/*
		 * data.other-member: with masking every member receives the non-members' frames to the
		 * cluster MAC; IP data for another member's address is that member's. The engine decides
		 * it before the adapter, which passes such a frame untouched (it is no discovery message
		 * and its destination is unicast, so no rule above rewrote it): the same verdict here,
		 * where the verifier has the adapter's paths behind it.
		 */
		else if (f->dir == DIR_INBOUND && (f->cfg->flags & CFG_MASK_SOURCE) && other_member_data(f)) {
			f->reason = REASON_DATA_OTHER_MEMBER;
			return V_DROP;
		}
	} else if (!rewritten) {
		f->reason = REASON_FRAME_NO_ADAPTER;
	}
	return rewritten ? V_REWRITE : V_PASS;
}

/*
 * egress.mask-source: a frame the stack sends from the cluster MAC leaves from the local host's
 * masked MAC (a learning switch never learns the cluster MAC); a pass becomes a rewrite with this
 * rule's reason, a rewrite keeps its rule's.
 */
static __always_inline __u32 mask_source(struct frame *f, __u32 v)
{
	__u8 *e = pkt(f, 0, ETH_HLEN);
	if (!e || !mac_eq(e + 6, f->cfg->cluster_mac))
		return v;
	mac_cp(e + 6, f->cfg->masked_mac);
	if (v == V_PASS)
		f->reason = REASON_EGRESS_MASK_SOURCE;
	return V_REWRITE;
}

static __always_inline int run(struct __sk_buff *skb, __u32 dir)
{
	struct frame f = { .skb = skb, .len = skb->len, .dir = dir };
	if (!cluster_open(&f)) {
		skb->cb[0] = V_PASS;
		skb->cb[1] = REASON_NONE;
		return TC_ACT_UNSPEC;
	}
	if (skb->data_end - skb->data < skb->len)
		bpf_skb_pull_data(skb, skb->len < PULL_HEAD ? skb->len : PULL_HEAD);
	__u32 v = decide(&f);
	if (dir == DIR_OUTBOUND && (v == V_PASS || v == V_REWRITE) && (f.cfg->flags & CFG_MASK_SOURCE))
		v = mask_source(&f, v);
	__u32 r = f.reason < REASON_COUNT ? f.reason : REASON_NONE;
	/* by direction too: the control plane reports frames by direction, verdict and reason */
	__u32 k = (f.dir * 4 + v) * REASON_COUNT + r;
	__u64 *n = bpf_map_lookup_elem(&ic_counters, &k);
	if (n)
		*n += 1;
	skb->cb[0] = v;
	skb->cb[1] = r;
	if (v == V_DROP)
		return TC_ACT_SHOT;
	if (v == V_REPLY)
		return bpf_redirect(skb->ifindex, BPF_F_INGRESS);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int ingress(struct __sk_buff *skb)
{
	return run(skb, DIR_INBOUND);
}

SEC("tc")
int egress(struct __sk_buff *skb)
{
	return run(skb, DIR_OUTBOUND);
}

/* Test runs: the programs by number (0 ingress, 1 egress, 2 bench_empty) for `test_entry` and `bench_restore`. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u32);
} ic_programs SEC(".maps");

/*
 * Test runs only (never attached): puts a frame where the live kernel has it when tc runs, then
 * runs program cb[1] of ic_programs as attached.
 *  - cb[0] (TPID << 16 | TCI, 0 for none): BPF_PROG_TEST_RUN does not untag frames as the receive
 *    path does (one 802.1Q or 802.1ad tag goes into the skb's metadata before tc ingress); the
 *    harness hands over the frame without that tag and this puts it into the metadata.
 *  - cb[2] (an EtherType, 0 for none): BPF_PROG_TEST_RUN refuses IPv4 and IPv6 frames shorter
 *    than their L3 header, which the live kernel hands to tc like any other; the harness hands
 *    them over with another EtherType and this writes the real one back at offset 12.
 */
SEC("tc")
int test_entry(struct __sk_buff *skb)
{
	__u32 tag = skb->cb[0];
	__u32 prog = skb->cb[1];
	__u32 et = skb->cb[2];
	if (et) {
		__u16 be = bpf_htons(et);
		if (bpf_skb_store_bytes(skb, 12, &be, 2, 0))
			return TC_ACT_SHOT;
	}
	if (tag && bpf_skb_vlan_push(skb, bpf_htons(tag >> 16), tag & 0xffff))
		return TC_ACT_SHOT;
	bpf_tail_call(skb, &ic_programs, prog);
	return TC_ACT_SHOT;
}

/*
 * Benchmarks only (never attached). A test run with `repeat` reuses one packet, so every repeat
 * after the first would see the frame already rewritten: `bench_restore` copies the pristine frame
 * from ic_bench back into the packet, then runs program cb[4] of ic_programs (2: `bench_empty`, the
 * harness alone, whose time is subtracted; cb[4], as the programs write cb[0] and cb[1]).
 */
#define BENCH_FRAME_MAX 256

struct ic_bench_frame {
	__u32 len;
	__u8 bytes[BENCH_FRAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__uint(value_size, sizeof(struct ic_bench_frame));
} ic_bench SEC(".maps");

SEC("tc")
int bench_restore(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct ic_bench_frame *b = bpf_map_lookup_elem(&ic_bench, &zero);
	if (!b)
		return TC_ACT_SHOT;
	__u32 len = b->len;
	if (len < ETH_HLEN || len > BENCH_FRAME_MAX)
		return TC_ACT_SHOT;
	if (skb->len != len && bpf_skb_change_tail(skb, len, 0))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, 0, b->bytes, len, 0))
		return TC_ACT_SHOT;
	bpf_tail_call(skb, &ic_programs, skb->cb[4]);
	return TC_ACT_SHOT;
}

SEC("tc")
int bench_empty(struct __sk_buff *skb)
{
	return TC_ACT_UNSPEC;
}

/*
 * Test runs only (never attached): forgets every completed discovery exchange of the generation in
 * use (strict sources), as a fresh engine, so a batch of test runs can start a frame afresh.
 */
struct strict_reset_ctx {
	void *map;
	__u32 hosts;
};

static long strict_reset_step(__u64 i, void *ctx)
{
	struct strict_reset_ctx *c = ctx;
	if (i >= c->hosts)
		return 1;
	__u32 k = (__u32)i;
	__u32 *d = bpf_map_lookup_elem(c->map, &k);
	if (d)
		*d = 0;
	return 0;
}

SEC("tc")
int strict_reset(struct __sk_buff *skb)
{
	struct frame f = { .skb = skb };
	if (!cluster_open(&f))
		return TC_ACT_UNSPEC;
	struct strict_reset_ctx c = { .map = bpf_map_lookup_elem(&ic_strict, &f.gen), .hosts = f.cfg->host_count };
	if (c.map)
		bpf_loop(1 << 20, strict_reset_step, &c, 0);
	return TC_ACT_UNSPEC;
}
