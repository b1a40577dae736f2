#!/usr/bin/env node
/**
 * The `clusterdns` executable: one commander program, one module per subcommand. Each
 * subcommand module exports `register(program)`; the list below is the whole command set.
 */
// First, so that it takes effect before the slower imports below are evaluated.
import '../server/startup-signals.js';
import { Command } from 'commander';
import { register as registerCheck } from './check.js';
import { register as registerConvert } from './convert.js';
import { register as registerLookup } from './lookup.js';
import { register as registerResolvConf } from './resolv-conf.js';
import { register as registerServe } from './serve.js';

const program = new Command();
program
  .name('clusterdns')
  .description('Kubernetes cluster DNS server, configured by a Corefile')
  .showHelpAfterError();

const commands = [registerServe, registerCheck, registerConvert, registerLookup, registerResolvConf];
for (const register of commands) register(program);

await program.parseAsync(process.argv);
