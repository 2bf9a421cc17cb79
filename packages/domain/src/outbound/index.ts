export { parseIp, formatIp, type IpAddress } from './ip-address';
export { parseCidr, type Cidr } from './cidr';
export { classifyAddress, embeddedIpv4, type AddressClass } from './address-ranges';
export { classifyName, isLoopbackName } from './internal-names';
export { allowEntryProblem, parseAllowList, type AllowList } from './allow-list';
export {
  hostProblem,
  outboundPolicy,
  PUBLIC_ONLY_POLICY,
  resolvedAddressProblem,
  uriHostProblem,
  type OutboundPolicy,
} from './outbound-policy';
