/** A user mistake in a config file or a CLI argument. The message names the key and the reason. */
export class ConfigError extends Error {
  constructor(
    /** Dotted path of the offending key, e.g. `hosts[1].addresses[0]`; empty for the whole file. */
    readonly key: string,
    readonly reason: string,
  ) {
    super(key ? `config: ${key}: ${reason}` : `config: ${reason}`);
    this.name = 'ConfigError';
  }
}

/**
 * A host name that is not one of the config's `hosts[].name` (an engine for it was asked for). The
 * message names the host and the hosts there are; the CLI's `--host NAME` ends up here.
 */
export class UnknownHostError extends ConfigError {
  constructor(
    readonly host: string,
    readonly hosts: readonly string[],
  ) {
    super('', `host "${host}" is not a host of the cluster (hosts: ${hosts.join(', ')})`);
    this.name = 'UnknownHostError';
  }
}

/** Bad input to a parser or builder of frames (never thrown by the engine's hot path). */
export class FrameError extends Error {
  constructor(
    readonly layer: string,
    message: string,
    readonly offset?: number,
    readonly needed?: number,
    readonly available?: number,
  ) {
    super(`${layer}: ${message}`);
    this.name = 'FrameError';
  }
}

/** A wrong command-line invocation: printed as one line, never with a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
