import type { Counter, Gauge, Histogram, Metrics } from '@ferry/telemetry';

export interface GatewayMetrics {
  readonly sessions: Gauge;
  readonly logins: Counter<'result'>;
  readonly transfers: Counter<'direction' | 'result'>;
  readonly bytes: Counter<'direction' | 'result'>;
  readonly transferDuration: Histogram<'direction' | 'result'>;
  readonly eventBufferDepth: Gauge;
  readonly eventsRefused: Counter;
  readonly refusedDataConnections: Counter<'reason'>;
  readonly passivePortsInUse: Gauge;
  readonly passivePortsExhausted: Counter;
  readonly proxyHeadersRejected: Counter<'reason'>;
}

export function gatewayMetrics(metrics: Metrics): GatewayMetrics {
  return {
    sessions: metrics.gauge({ name: 'ferry_gateway_sessions', help: 'Open FTP sessions (logged in)' }),
    logins: metrics.counter({ name: 'ferry_gateway_logins_total', help: 'Login attempts by result', labelNames: ['result'] }),
    transfers: metrics.counter({ name: 'ferry_gateway_transfers_total', help: 'Transfers by direction and result', labelNames: ['direction', 'result'] }),
    bytes: metrics.counter({ name: 'ferry_gateway_transfer_bytes_total', help: 'Bytes moved by direction and result', labelNames: ['direction', 'result'] }),
    transferDuration: metrics.histogram({
      name: 'ferry_gateway_transfer_duration_seconds',
      help: 'Transfer duration',
      labelNames: ['direction', 'result'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
    }),
    eventBufferDepth: metrics.gauge({ name: 'ferry_gateway_event_buffer_depth', help: 'Events waiting to be published' }),
    eventsRefused: metrics.counter({ name: 'ferry_gateway_events_refused_total', help: 'Events refused because the buffer was full' }),
    refusedDataConnections: metrics.counter({ name: 'ferry_gateway_refused_data_connections_total', help: 'Data connections refused', labelNames: ['reason'] }),
    passivePortsInUse: metrics.gauge({ name: 'ferry_gateway_passive_ports_in_use', help: 'Passive ports currently listening' }),
    passivePortsExhausted: metrics.counter({ name: 'ferry_gateway_passive_ports_exhausted_total', help: 'PASV/EPSV refused because every port of the range was taken' }),
    proxyHeadersRejected: metrics.counter({ name: 'ferry_gateway_proxy_headers_rejected_total', help: 'Connections dropped for a missing, bad or untrusted PROXY header', labelNames: ['reason'] }),
  };
}
