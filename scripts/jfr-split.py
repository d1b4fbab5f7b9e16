#!/usr/bin/env python3
"""Shares of JFR execution samples by the innermost primitive on the stack (README, Performance).

jfr print --json --stack-depth 96 --events jdk.ExecutionSample X.jfr > X.json; scripts/jfr-split.py X.json [N]
"""
import json,sys,collections
d=json.load(open(sys.argv[1]))
ev=d['recording']['events']
def names(fr): return [f['method']['type']['name'].replace('/','.')+'.'+f['method']['name'] for f in fr]
def has(ns,*keys): return any(k in n for n in ns for k in keys)
def cat(ns):
    if has(ns,'rfc8032','Ed25519Signer','Ed25519PrivateKeyParameters','Ed25519PublicKeyParameters'):
        if has(ns,'SHA512','LongDigest','SHA5'): return 'Ed25519: SHA-512'
        which='verify' if has(ns,'verify','Verify') else 'sign'
        return 'Ed25519 '+which+': curve'
    if has(ns,'rfc7748','XDH','X25519'): return 'X25519'
    if has(ns,'ChaCha','Poly1305'): return 'ChaCha20-Poly1305'
    if has(ns,'HMac','Hmac','HKDF','Hkdf','SHA256','SHA2','Sha.'): return 'HKDF/HMAC/SHA-256'
    if has(ns,'Base64'): return 'base64'
    if has(ns,'Json','json'): return 'JSON'
    if has(ns,'Padding','Pad.','pad'): return 'padding'
    if has(ns,'SecureRandom','NativePRNG','DRBG'): return 'random'
    n=ns[0]
    if 'arraycopy' in n or 'copyOf' in n or 'ByteArrayOutputStream' in n or 'Arrays.fill' in n: return 'copying/fill'
    return 'other'
res=collections.Counter(); other=collections.Counter(); rc=collections.Counter(); threads=collections.Counter()
for e in ev:
    v=e['values']; ns=names(v['stackTrace']['frames'])
    threads[v['sampledThread']['javaName'] if v.get('sampledThread') else '?']+=1
    c=cat(ns); res[c]+=1
    if c=='other':
        # first reschat frame
        rf=next((n for n in ns if 'reschat' in n), ns[0]); other[ns[0]+'  <- '+rf]+=1
tot=sum(res.values()); print(f'== {sys.argv[1]}: {tot} samples; threads', threads.most_common(4))
for k,v in res.most_common(): print(f'  {100*v/tot:5.1f}% {k}')
print('  top "other":')
for k,v in other.most_common(int(sys.argv[2]) if len(sys.argv)>2 else 12): print(f'    {100*v/tot:5.1f}% {k}')
