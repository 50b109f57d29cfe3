export { parseGatewayList, GatewayListError, type GatewayEntry } from './gateways.js';
export { renderHaproxyConfig, STATS_USER_VAR, STATS_PASSWORD_VAR, type HaproxySettings } from './render.js';
