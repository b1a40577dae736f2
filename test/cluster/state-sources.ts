/**
 * Shared setup of the state-file source tests: options that load every kind unfiltered, and
 * the list of started sources that is closed (with the temp dirs) after each test.
 */
import { afterEach } from 'node:test';
import type { StateFileSource } from '../../src/cluster/state-file-source.js';
import type { SourceOptions } from '../../src/cluster/source.js';
import { removeTempDirs } from './state-fixtures.js';

export const ALL: SourceOptions = {
  kinds: ['Service', 'EndpointSlice', 'Pod', 'Namespace'],
  namespaces: [],
  labelSelector: '',
  namespaceLabelSelector: '',
};

/**
 * Registers an afterEach hook (call at module top level) that closes every source pushed onto
 * the returned list, then removes the temp dirs; returns that list.
 */
export function closeSourcesAfterEach(): StateFileSource[] {
  const sources: StateFileSource[] = [];
  afterEach(async () => {
    for (const source of sources.splice(0)) await source.close();
    await removeTempDirs();
  });
  return sources;
}
