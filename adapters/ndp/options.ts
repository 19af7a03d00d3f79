import { FrameError } from '../../src/errors';

/**
 * Where the options start in each ICMPv6 message that carries Neighbor Discovery options, as bytes
 * from the start of the ICMPv6 header: RFC 4861 4.1 (Router Solicitation, 133), 4.2 (Router
 * Advertisement, 134), 4.3 (Neighbor Solicitation, 135), 4.4 (Neighbor Advertisement, 136), 4.5
 * (Redirect, 137); RFC 3122 2.1 and 2.2 (Inverse ND Solicitation, 141, and Advertisement, 142).
 */
export const ND_OPTIONS_OFFSET: Readonly<Record<number, number>> = Object.freeze({
  133: 8,
  134: 16,
  135: 24,
  136: 24,
  137: 40,
  141: 8,
  142: 8,
});

/** One option of an ND message (RFC 4861 4.6: type, length in units of 8 octets, body). */
export interface NdOptionView {
  readonly type: number;
  /** Offset of the option's type byte from the start of the ICMPv6 header. */
  readonly offset: number;
  /** The option's whole length in bytes (a multiple of 8). */
  readonly length: number;
  /** The bytes after type and length (a view into the message, not a copy). */
  readonly body: Uint8Array;
}

/**
 * The options of an ICMPv6 message (`message` starts at the ICMPv6 header and ends where the IPv6
 * payload ends), for any ND message type in ND_OPTIONS_OFFSET, or at `offset` for another type. A
 * FrameError names the offset of a zero length (RFC 4861 4.6: "nodes MUST silently discard an ND
 * packet that contains an option with length zero"), an option running past the end, or a type
 * with no known options field. Allocates: for tools and tests, not the engine's hot path.
 */
export function* ndOptions(message: Uint8Array, offset?: number): Generator<NdOptionView> {
  if (message.length < 1) throw new FrameError('nd', 'empty ICMPv6 message', 0, 1, 0);
  const start = offset ?? ND_OPTIONS_OFFSET[message[0]];
  if (start === undefined)
    throw new FrameError('nd', `ICMPv6 type ${message[0]} has no known options field (give its offset)`, 0);
  if (start > message.length)
    throw new FrameError(
      'nd',
      `the options of ICMPv6 type ${message[0]} start at ${start}, the message has ${message.length} bytes`,
      start,
      0,
      message.length,
    );
  for (let o = start; o < message.length; ) {
    if (o + 2 > message.length)
      throw new FrameError(
        'nd',
        `option at ${o} cut short: ${message.length - o} of 2 header bytes`,
        o,
        2,
        message.length - o,
      );
    const units = message[o + 1];
    if (units === 0) throw new FrameError('nd', `option at ${o} has length 0`, o + 1);
    const len = units * 8;
    if (o + len > message.length)
      throw new FrameError(
        'nd',
        `option at ${o} is ${len} bytes, ${message.length - o} remain`,
        o,
        len,
        message.length - o,
      );
    yield { type: message[o], offset: o, length: len, body: message.subarray(o + 2, o + len) };
    o += len;
  }
}
