"""Business logic, one module per job; routes only translate HTTP to these calls.

merchants, keys, events, tickets: the resources merchants manage.
gate: one-time consumption of an entry (`consume`) and safe scan retries.
Slots for the proof engine, once it lands: `issuance` (eligibility, witness, proof-token
minting) and the verify pipeline in `gate` (parse token, expiry, policy, root history, Groth16,
then `consume`). Their routes are not registered until they work.
"""
