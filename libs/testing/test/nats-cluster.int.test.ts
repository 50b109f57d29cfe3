import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsCluster, type NatsClusterHandle } from '../src/index.js';
import { firstLine, getJson, isAlive, type Jsz, type Routez, type Varz } from './helpers.js';

describe('startNatsCluster', () => {
  let cluster: NatsClusterHandle;

  beforeAll(async () => {
    cluster = await startNatsCluster();
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('starts three routed nodes that all answer clients', async () => {
    expect(cluster.nodes).toHaveLength(3);
    expect(cluster.urls).toEqual(cluster.nodes.map((node) => node.url));
    for (const node of cluster.nodes) {
      expect((await firstLine(node.port)).startsWith('INFO {')).toBe(true);
      const routez = await getJson<Routez>(`${node.monitorUrl}/routez`);
      expect(routez.num_routes).toBeGreaterThanOrEqual(2);
    }
  });

  it('has a JetStream meta leader that every node agrees on', async () => {
    const leaders = await Promise.all(
      cluster.nodes.map(async (node) => (await getJson<Jsz>(`${node.monitorUrl}/jsz`)).meta_cluster.leader),
    );
    expect(leaders[0]).toBeTruthy();
    expect(new Set(leaders).size).toBe(1);
    const names = await Promise.all(cluster.nodes.map(async (n) => (await getJson<Varz>(`${n.monitorUrl}/varz`)).server_name));
    expect(names).toContain(leaders[0]);
  });

  it('stops every node and removes every store dir', async () => {
    const pids = cluster.nodes.map((node) => node.pid!);
    const dirs = cluster.nodes.map((node) => node.storeDir);
    await cluster.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(dirs.filter((dir) => existsSync(dir))).toEqual([]);
  });
});
