/* SPDX-License-Identifier: MIT */
/*
 * The heartbeat family in the kernel datapath: the same verdicts and reasons as adapter.ts beside
 * it. Inbound heartbeats (EtherType 0x886F after the tags) pass, so the stack hands them to the
 * attach process's packet socket, the control plane; outbound ones come from the local stack and
 * are dropped, heartbeat.from-stack (the control plane's own leave past tc egress, with
 * PACKET_QDISC_BYPASS: one from the stack would reach the members as if from this layer).
 */
#ifndef INTRACLUSTER_HEARTBEAT_BPF_H
#define INTRACLUSTER_HEARTBEAT_BPF_H

#include "adapter.bpf.h"

/* The heartbeats' EtherType (docs/heartbeat.md) */
#define ETH_P_NLB_HEARTBEAT 0x886F

static __always_inline __u32 heartbeat_process(struct frame *f)
{
	if (f->dir == DIR_OUTBOUND) {
		f->reason = REASON_HEARTBEAT_FROM_STACK;
		return V_DROP;
	}
	return keep(f, REASON_HEARTBEAT_TO_CONTROL_PLANE);
}

#endif
