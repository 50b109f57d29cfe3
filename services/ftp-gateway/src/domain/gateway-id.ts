/** A gateway id from an instance id when GATEWAY_ID is unset: lowercase, NATS-subject safe, starting with a letter or digit. */
export function gatewayIdFromInstance(instance: string): string {
  const id = instance
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63);
  return id === '' ? 'gateway' : id;
}
