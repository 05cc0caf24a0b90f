// `PUT /api/blobs/:sha256`, `HEAD /api/blobs/:sha256` and `GET /api/blobs/:sha256` (issue 15).
//
// A photo goes up before the record that names it, content-addressed. Whole, as one PUT; or in
// pieces, each a PUT with `Content-Range: bytes START-END/TOTAL` whose START is what the server
// holds already (HEAD says how much, in BLOB_RECEIVED_HEADER). A cut connection loses at most the
// piece under way: the next attempt asks HEAD and goes on from there. The server checks the
// SHA-256 once it has every byte, keeps the blob once, and forgets the pieces.

/** HEAD's answer: bytes of this blob the server holds from you (the whole size once complete). */
export const BLOB_RECEIVED_HEADER = 'blob-received';

/** The piece the app sends per request: small enough that a flaky link gets each through. */
export const BLOB_CHUNK_BYTES = 512 * 1024;

/** What a PUT answers: 201 when the blob is complete and kept, 202 while pieces are still missing. */
export interface BlobPutResponse {
  sha256: string;
  received: number;
  total: number;
  complete: boolean;
}
