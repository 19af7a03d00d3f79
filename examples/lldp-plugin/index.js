// A third-party plug-in for intracluster: an adapter for IEEE 802.1AB LLDP (EtherType 0x88cc).
// Every member's stack sends LLDP with the cluster MAC as source, so the switch's neighbour table
// cannot tell the members apart, and each member hears the others' LLDP as if from itself.
// This adapter gives each member's outbound LLDP the member's own dedicated MAC as Ethernet source,
// and drops inbound LLDP whose source is the cluster MAC.
//
// Load it into the CLI:    intracluster process --require ./examples/lldp-plugin ...
// Check it with vectors:   intracluster golden --require ./examples/lldp-plugin examples/lldp-plugin/golden
'use strict';
const { defineReason, definePlugin, Direction, DISCOVERY_EXEMPT, Verdict } = require('intracluster');

const ETHERTYPE_LLDP = 0x88cc;
/** IEEE 802.1AB 8.5: a TLV header is 7 bits of type and 9 bits of length. */
const TLV_HEADER = 2;

const Truncated = defineReason('lldp.truncated', 'lldp: no room for a TLV header after the EtherType: dropped');
const FromCluster = defineReason(
  'lldp.from-cluster',
  'lldp: inbound LLDP from the cluster MAC (a member, or our own reflected): dropped',
);
const FromNeighbour = defineReason('lldp.from-neighbour', 'lldp: inbound LLDP from a neighbour: unchanged');
const SourceRewritten = defineReason(
  'lldp.source-rewritten',
  "lldp: outbound LLDP: Ethernet source := this host's dedicated MAC",
);

class LldpAdapter {
  constructor() {
    this.name = 'lldp';
    this.etherTypes = [ETHERTYPE_LLDP];
  }

  process(ctx) {
    const f = ctx.frame;
    if (ctx.length < ctx.l3 + TLV_HEADER) {
      ctx.reason = Truncated;
      return Verdict.Drop;
    }
    if (ctx.direction === Direction.Inbound) {
      const fromCluster = sameMac(f, 6, ctx.clusterMac, 0);
      ctx.reason = fromCluster ? FromCluster : FromNeighbour;
      return fromCluster ? Verdict.Drop : Verdict.Pass;
    }
    // the local host's first address carries its dedicated MAC (the shared MAC in shared mode)
    const cluster = ctx.cluster;
    const mac = cluster.addresses[cluster.hosts[ctx.localHost].addressIndices[0]].mac.bytes;
    for (let i = 0; i < 6; i++) f[6 + i] = mac[i];
    ctx.reason = SourceRewritten;
    return Verdict.Rewrite;
  }

  /** Shared mode: LLDP is link-local, never for an IP destination. */
  localDestination() {
    return 0;
  }

  /** Strict sources: LLDP is not data from a member; never held back. */
  sourceMember() {
    return DISCOVERY_EXEMPT;
  }
}

function sameMac(a, ao, b, bo) {
  for (let i = 0; i < 6; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

module.exports = definePlugin({ adapters: [new LldpAdapter()] });
module.exports.LldpAdapter = LldpAdapter;
