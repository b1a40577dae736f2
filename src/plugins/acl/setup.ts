/**
 * The `acl` plugin: allows, blocks (REFUSED), filters (empty NOERROR) or drops queries by
 * query type and client network, first matching rule first. Decisions that stop a query are
 * counted as CoreDNS counts them (`coredns_acl_{blocked,filtered,dropped}_requests_total`).
 */
import type { PluginSetup } from '../../chain/plugin.js';
import { counter } from '../../metrics/registry.js';
import { parseAcl, type AclAction, type AclConfig } from './acl-config.js';
import { AclHandler } from './acl-handler.js';

const METRIC_NAMES: Record<Exclude<AclAction, 'allow'>, string> = {
  block: 'coredns_acl_blocked_requests_total',
  filter: 'coredns_acl_filtered_requests_total',
  drop: 'coredns_acl_dropped_requests_total',
};

export const setup: PluginSetup<AclConfig> = {
  name: 'acl',
  parse: (directive, block) => parseAcl(directive, block.zones),
  create(config, next, context) {
    const families = Object.entries(METRIC_NAMES).map(([action, name]) => {
      const family = counter(context.metrics, {
        name,
        help: `Counter of DNS requests the acl plugin answered with ${action}.`,
        labelNames: ['server', 'zone'] as const,
      });
      return [action, family] as const;
    });
    const byAction = new Map(families);
    const server = context.block.server;
    return new AclHandler(config, next, (action, zone) => {
      byAction.get(action)?.inc({ server, zone: zone === '' ? '.' : zone + '.' });
    });
  },
};
