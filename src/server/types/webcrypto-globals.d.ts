// The domain names WebCrypto types as browsers do (global CryptoKey, JsonWebKey); on Node they
// live in node:crypto's webcrypto namespace. These aliases let the same domain code compile here.
type CryptoKey = import('node:crypto').webcrypto.CryptoKey;
type JsonWebKey = import('node:crypto').webcrypto.JsonWebKey;
