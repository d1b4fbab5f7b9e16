package org.reschat.benchmarks.yardstick;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.SessionBuilder;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.ecc.ECKeyPair;
import org.signal.libsignal.protocol.groups.GroupCipher;
import org.signal.libsignal.protocol.groups.GroupSessionBuilder;
import org.signal.libsignal.protocol.kem.KEMKeyPair;
import org.signal.libsignal.protocol.kem.KEMKeyType;
import org.signal.libsignal.protocol.message.PreKeySignalMessage;
import org.signal.libsignal.protocol.message.SenderKeyDistributionMessage;
import org.signal.libsignal.protocol.message.SignalMessage;
import org.signal.libsignal.protocol.state.KyberPreKeyRecord;
import org.signal.libsignal.protocol.state.PreKeyBundle;
import org.signal.libsignal.protocol.state.PreKeyRecord;
import org.signal.libsignal.protocol.state.SignedPreKeyRecord;
import org.signal.libsignal.protocol.state.impl.InMemorySignalProtocolStore;

/**
 * libsignal-client (Signal's own library, Maven Central), used here only as a yardstick to measure ResChat
 * against: never a dependency of the product. Two people with a Double Ratchet session (PQXDH, as Signal
 * sets one up today, with in-memory stores) and a SenderKey group session from Alice.
 */
public final class Signal {
  /** The same 100 characters ResChat's figures use. */
  public static final byte[] HUNDRED = ("Hundred characters of plain chat text, the kind people type to each other all day"
      + " long, go!!!!!!!!!!").getBytes(StandardCharsets.UTF_8);

  private final SessionCipher aliceToBob;
  private final SessionCipher bobFromAlice;
  private final GroupCipher aliceGroup;
  private final GroupCipher bobGroupFromAlice;
  private final UUID distribution = UUID.randomUUID();

  public Signal() throws Exception {
    IdentityKeyPair aliceId = IdentityKeyPair.generate();
    IdentityKeyPair bobId = IdentityKeyPair.generate();
    InMemorySignalProtocolStore alice = new InMemorySignalProtocolStore(aliceId, 1);
    InMemorySignalProtocolStore bob = new InMemorySignalProtocolStore(bobId, 2);
    SignalProtocolAddress aliceAt = new SignalProtocolAddress("alice", 1);
    SignalProtocolAddress bobAt = new SignalProtocolAddress("bob", 1);
    ECKeyPair pre = ECKeyPair.generate();
    ECKeyPair signed = ECKeyPair.generate();
    KEMKeyPair kyber = KEMKeyPair.generate(KEMKeyType.KYBER_1024);
    byte[] signedSig = bobId.getPrivateKey().calculateSignature(signed.getPublicKey().serialize());
    byte[] kyberSig = bobId.getPrivateKey().calculateSignature(kyber.getPublicKey().serialize());
    bob.storePreKey(1, new PreKeyRecord(1, pre));
    bob.storeSignedPreKey(2, new SignedPreKeyRecord(2, 0, signed, signedSig));
    bob.storeKyberPreKey(3, new KyberPreKeyRecord(3, 0, kyber, kyberSig));
    new SessionBuilder(alice, bobAt).process(new PreKeyBundle(2, 1, 1, pre.getPublicKey(), 2, signed.getPublicKey(),
        signedSig, bobId.getPublicKey(), 3, kyber.getPublicKey(), kyberSig));
    aliceToBob = new SessionCipher(alice, bobAt);
    bobFromAlice = new SessionCipher(bob, aliceAt);
    // The first exchange both ways, so what is measured is a session under way, not its set-up.
    bobFromAlice.decrypt(new PreKeySignalMessage(aliceToBob.encrypt(HUNDRED).serialize()));
    aliceToBob.decrypt(new SignalMessage(bobFromAlice.encrypt(HUNDRED).serialize()));
    SenderKeyDistributionMessage skdm = new GroupSessionBuilder(alice).create(aliceAt, distribution);
    new GroupSessionBuilder(bob).process(aliceAt, new SenderKeyDistributionMessage(skdm.serialize()));
    aliceGroup = new GroupCipher(alice, aliceAt);
    bobGroupFromAlice = new GroupCipher(bob, aliceAt);
  }

  /** Alice encrypts one message to Bob (Double Ratchet): the bytes Signal would send. */
  public byte[] encrypt() throws Exception {
    return aliceToBob.encrypt(HUNDRED).serialize();
  }

  /** Bob decrypts a message {@link #encrypt} made (in order). */
  public byte[] decrypt(byte[] message) throws Exception {
    return bobFromAlice.decrypt(new SignalMessage(message));
  }

  /** Alice encrypts one message to her group (SenderKey): one ciphertext for every member. */
  public byte[] groupEncrypt() throws Exception {
    return aliceGroup.encrypt(distribution, HUNDRED).serialize();
  }

  /** A member decrypts a message {@link #groupEncrypt} made. */
  public byte[] groupDecrypt(byte[] message) throws Exception {
    return bobGroupFromAlice.decrypt(message);
  }
}
