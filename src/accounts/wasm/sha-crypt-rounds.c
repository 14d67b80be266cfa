/*
 * The rounds loop of SHA-crypt ("$5$"/"$6$"), compiled to WebAssembly. It is the part of a password
 * check that costs: 5,000 hashes by default. Done in JavaScript, each hash is a call into
 * node:crypto whose fixed overhead dominates the work; here the loop and both SHA-2 functions
 * (FIPS 180-4) run without leaving the module. No libc: the module imports nothing.
 */
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

/* memory.copy with -mbulk-memory. */
static void copy(u8 *dst, const u8 *src, u32 n) { __builtin_memcpy(dst, src, n); }

/* Big-endian loads and stores; WebAssembly allows unaligned access. */
static inline u64 load64(const u8 *p) {
  u64 v;
  __builtin_memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}
static inline u32 load32(const u8 *p) {
  u32 v;
  __builtin_memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}

/* ---- SHA-512 ---- */
static const u64 K512[80] = {
  0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
  0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
  0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
  0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
  0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
  0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
  0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
  0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
  0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
  0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
  0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
  0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
  0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
  0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
  0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
  0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
  0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
  0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
  0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
  0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL};

static inline u64 rotr64(u64 x, u32 n) { return (x >> n) | (x << (64 - n)); }

static void block512(u64 h[8], const u8 *p) {
  u64 w[80];
  for (u32 t = 0; t < 16; t++) w[t] = load64(p + t * 8);
  for (u32 t = 16; t < 80; t++) {
    u64 s0 = rotr64(w[t - 15], 1) ^ rotr64(w[t - 15], 8) ^ (w[t - 15] >> 7);
    u64 s1 = rotr64(w[t - 2], 19) ^ rotr64(w[t - 2], 61) ^ (w[t - 2] >> 6);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  u64 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (u32 t = 0; t < 80; t++) {
    u64 t1 = k + (rotr64(e, 14) ^ rotr64(e, 18) ^ rotr64(e, 41)) + ((e & f) ^ (~e & g)) + K512[t] + w[t];
    u64 t2 = (rotr64(a, 28) ^ rotr64(a, 34) ^ rotr64(a, 39)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

/* SHA-512 of msg[0..len) into out (64 bytes). `pad` needs room for len + 256 bytes past msg. */
static void sha512(const u8 *msg, u32 len, u8 *out, u8 *pad) {
  u64 h[8] = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
              0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};
  u32 full = len & ~127u;
  for (u32 i = 0; i < full; i += 128) block512(h, msg + i);
  u32 rest = len - full;
  u32 tail = rest < 112 ? 128 : 256;
  copy(pad, msg + full, rest);
  pad[rest] = 0x80;
  for (u32 i = rest + 1; i < tail; i++) pad[i] = 0;
  u64 bits = (u64)len << 3;
  for (u32 j = 0; j < 8; j++) pad[tail - 1 - j] = (u8)(bits >> (8 * j));
  for (u32 i = 0; i < tail; i += 128) block512(h, pad + i);
  for (u32 t = 0; t < 8; t++)
    for (u32 j = 0; j < 8; j++) out[t * 8 + j] = (u8)(h[t] >> (56 - 8 * j));
}

/* ---- SHA-256 ---- */
static const u32 K256[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static inline u32 rotr32(u32 x, u32 n) { return (x >> n) | (x << (32 - n)); }

static void block256(u32 h[8], const u8 *p) {
  u32 w[64];
  for (u32 t = 0; t < 16; t++) w[t] = load32(p + t * 4);
  for (u32 t = 16; t < 64; t++) {
    u32 s0 = rotr32(w[t - 15], 7) ^ rotr32(w[t - 15], 18) ^ (w[t - 15] >> 3);
    u32 s1 = rotr32(w[t - 2], 17) ^ rotr32(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  u32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (u32 t = 0; t < 64; t++) {
    u32 t1 = k + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + ((e & f) ^ (~e & g)) + K256[t] + w[t];
    u32 t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

static void sha256(const u8 *msg, u32 len, u8 *out, u8 *pad) {
  u32 h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  u32 full = len & ~63u;
  for (u32 i = 0; i < full; i += 64) block256(h, msg + i);
  u32 rest = len - full;
  u32 tail = rest < 56 ? 64 : 128;
  copy(pad, msg + full, rest);
  pad[rest] = 0x80;
  for (u32 i = rest + 1; i < tail; i++) pad[i] = 0;
  u64 bits = (u64)len << 3;
  for (u32 j = 0; j < 8; j++) pad[tail - 1 - j] = (u8)(bits >> (8 * j));
  for (u32 i = 0; i < tail; i += 64) block256(h, pad + i);
  for (u32 t = 0; t < 8; t++)
    for (u32 j = 0; j < 4; j++) out[t * 4 + j] = (u8)(h[t] >> (24 - 8 * j));
}

/*
 * Runs `rounds` rounds. On entry `a` holds the digest A (hlen bytes), `p` and `s` the P and S
 * sequences; `scratch` has room for hlen + slen + 2 * plen + 256 bytes. On return `a` holds the
 * final digest. hlen is 64 for SHA-512, 32 for SHA-256.
 */
__attribute__((export_name("rounds")))
void rounds(u32 hlen, u32 count, u8 *a, const u8 *p, u32 plen, const u8 *s, u32 slen, u8 *scratch) {
  u8 *pad = scratch + hlen + slen + 2 * plen;
  for (u32 i = 0; i < count; i++) {
    u32 n = 0;
    if (i & 1) { copy(scratch, p, plen); n = plen; } else { copy(scratch, a, hlen); n = hlen; }
    if (i % 3) { copy(scratch + n, s, slen); n += slen; }
    if (i % 7) { copy(scratch + n, p, plen); n += plen; }
    if (i & 1) { copy(scratch + n, a, hlen); n += hlen; } else { copy(scratch + n, p, plen); n += plen; }
    if (hlen == 64) sha512(scratch, n, a, pad); else sha256(scratch, n, a, pad);
  }
}
