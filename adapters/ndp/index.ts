export { NdpAdapter, NdpReason } from './ndp-adapter';
