/**
 * Imported first by the CLI entry, before the modules that take time to load: a SIGHUP that
 * arrives while the process is still starting (a ConfigMap update at boot) must not kill it,
 * which is the default action. `serve` installs its reload handler once it can reload.
 */
function ignoreHangupWhileStarting(): void {
  // Nothing to reload yet: the configuration being loaded is already the newest.
}

process.on('SIGHUP', ignoreHangupWhileStarting);
