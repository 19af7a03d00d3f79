export { ArpAdapter, ArpReason } from './arp-adapter';
