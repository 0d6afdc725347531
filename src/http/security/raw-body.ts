/**
 * Keeping the bytes of a request body as received: SigV4 signs the hash of
 * the raw payload, and a parsed-then-reserialised body is not those bytes.
 * A preParsing hook puts this pass-through stream between the socket and
 * fastify's content-type parser, whatever the content type (JSON, NDJSON),
 * so fastify keeps enforcing its body limit and content-length check.
 */
import { Transform, type TransformCallback } from 'node:stream';

export class RawBodyTap extends Transform {
  private readonly chunks: Buffer[] = [];
  /** Read by fastify's body limit check (it counts bytes on the wire). */
  receivedEncodedLength = 0;

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.chunks.push(buf);
    this.receivedEncodedLength += buf.length;
    callback(null, buf);
  }

  /** The body so far: all of it once fastify has parsed it. */
  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }
}
