package org.reschat.core.identity;

import org.reschat.core.internal.identity.Secrets;
import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.crypto.PassphraseBox;
import org.reschat.core.internal.group.Group;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestClients;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * Issue 19 item 12: the identity file's label said v1 and the X25519 private key was also the input of
 * every self-only derivation. Now an identity has a self seed of its own (random for new identities,
 * derived once for old ones) and a version 2 file; and what an old profile holds still opens.
 * {@code legacy/profile-v1.json} was written by ResChat before this change (commit 928639e): identity
 * files of version 1, Alice's group state sealed the old way, and the ledger with pages of version 2.
 */
class IdentityMigrationTest {
  private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();
  private final SecureRandom random = new SecureRandom();

  private static JsonObject fixture() throws Exception {
    try (InputStream in = IdentityMigrationTest.class.getResourceAsStream("/legacy/profile-v1.json")) {
      return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    }
  }

  private static MemoryKvStore ledger(JsonObject fixture) throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    for (Map.Entry<String, com.google.gson.JsonElement> e : fixture.getAsJsonObject("ledger").entrySet()) {
      store.put(e.getKey(), e.getValue().getAsString());
    }
    return store;
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().filter(m -> m.type().equals(Message.TEXT)).map(Message::text).collect(Collectors.toList());
  }

  @Test
  void theSelfSecretOfANewIdentityDoesNotComeFromItsX25519Key() {
    Identity fresh = Identity.generate(random);
    byte[] keys = fresh.exportPrivateKeysUnencrypted();
    assertThat(keys).hasSize(96);
    byte[] context = "reschat/v2 group state".getBytes(StandardCharsets.UTF_8);
    byte[] fromX25519 = Hkdf.sha256(Arrays.copyOfRange(keys, 32, 64), "reschat/v2 self".getBytes(StandardCharsets.UTF_8),
        context, 32);
    assertThat(Secrets.of(fresh).selfSecret(context)).isNotEqualTo(fromX25519);
    // The same two key pairs with another self seed: the same card, other self secrets.
    byte[] otherSeed = keys.clone();
    otherSeed[95] ^= 1;
    Identity twin = Identity.importPrivateKeys(otherSeed);
    assertThat(twin.card()).isEqualTo(fresh.card());
    assertThat(Secrets.of(twin).selfSecret(context)).isNotEqualTo(Secrets.of(fresh).selfSecret(context));
  }

  @Test
  void aNewIdentityFileIsVersionTwoAndItsSealBindsTheVersionTwoLabel() throws Exception {
    Identity fresh = Identity.generate(random);
    String file = IdentityFile.seal(fresh, "pw".toCharArray(), PassphraseBox.Argon2.minimum(random), random);
    JsonObject o = JsonParser.parseString(file).getAsJsonObject();
    assertThat(o.get("version").getAsInt()).isEqualTo(2);
    JsonObject a = o.getAsJsonObject("argon2");
    PassphraseBox.Argon2 params = new PassphraseBox.Argon2(a.get("memoryKiB").getAsInt(), a.get("iterations").getAsInt(),
        a.get("parallelism").getAsInt(), Base64Url.decode(a.get("salt").getAsString()).orElseThrow());
    PassphraseBox.Sealed sealed = new PassphraseBox.Sealed(Base64Url.decode(o.get("nonce").getAsString()).orElseThrow(),
        Base64Url.decode(o.get("sealed").getAsString()).orElseThrow());
    byte[] v2 = ("reschat/v2 identity " + fresh.card()).getBytes(StandardCharsets.UTF_8);
    byte[] v1 = ("reschat/v1 identity " + fresh.card()).getBytes(StandardCharsets.UTF_8);
    assertThat(PassphraseBox.open("pw".toCharArray(), params, v2, sealed)).isEqualTo(fresh.exportPrivateKeysUnencrypted());
    assertThat(PassphraseBox.open("pw".toCharArray(), params, v1, sealed)).isNull();
    assertThat(IdentityFile.upgraded(file, fresh, "pw".toCharArray(), random)).isEmpty();
  }

  @Test
  void aVersionOneFileOpensAndIsUpgradedToTheSameIdentityAndSelfSeed() throws Exception {
    JsonObject f = fixture();
    for (String which : List.of("alice.identity.sealed", "alice.identity.clear")) {
      String old = f.get(which).getAsString();
      assertThat(old).contains("\"version\": 1");
      Identity opened = IdentityFile.open(old, PASSPHRASE);
      String upgraded = IdentityFile.upgraded(old, opened, PASSPHRASE, random).orElseThrow();
      assertThat(upgraded).contains("\"version\": 2").contains("\"name\": \"alice\"");
      assertThat(IdentityFile.needsPassphrase(upgraded)).isEqualTo(IdentityFile.needsPassphrase(old));
      Identity reopened = IdentityFile.open(upgraded, PASSPHRASE);
      assertThat(reopened.card()).isEqualTo(opened.card());
      assertThat(reopened.exportPrivateKeysUnencrypted()).isEqualTo(opened.exportPrivateKeysUnencrypted());
      if (IdentityFile.needsPassphrase(upgraded)) {
        assertThatThrownBy(() -> IdentityFile.open(upgraded, "wrong".toCharArray()))
            .isInstanceOf(org.reschat.core.WrongPassphraseException.class);
      }
    }
  }

  /**
   * The old profile with its old identity file, and again after the file was upgraded, on a device with
   * nothing but the identity: its own old messages (sender copies sealed the old way) and its old group
   * state open; what it writes afterwards opens too, also on a fresh device.
   */
  @Test
  void anOldProfileStillReadsItsOwnOldMessagesAndGroupStateBeforeAndAfterTheUpgrade() throws Exception {
    JsonObject f = fixture();
    MemoryKvStore store = ledger(f);
    String oldFile = f.get("alice.identity.clear").getAsString();
    Identity bob = IdentityFile.open(f.get("bob.identity.clear").getAsString(), null);
    Identity alice = IdentityFile.open(oldFile, null);
    String groupId = f.get("alice.group.id").getAsString();

    try (TestClients clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L))) {
      InMemoryLocalState state = new InMemoryLocalState();
      state.saveGroup(groupId, f.get("alice.group.sealed").getAsString()); // sealed by the old ResChat
      ChatClient old = clients.client(alice, state);
      assertThat(texts(old.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages()))
          .containsExactly("an old hello from alice", "an old reply from bob");
      Group team = TestClients.groups(old).find(groupId).orElseThrow();
      assertThat(team.name()).isEqualTo("old team");
      assertThat(texts(TestClients.groups(old).history(team, HistoryRequest.all()).messages()))
          .containsExactly("an old group message from alice");
      old.send(ChatId.direct(bob.card()), "written after the upgrade");

      Identity upgraded = IdentityFile.open(IdentityFile.upgraded(oldFile, alice, null, random).orElseThrow(), null);
      ChatClient freshDevice = clients.client(upgraded, new InMemoryLocalState());
      assertThat(texts(freshDevice.history(ChatId.direct(bob.card()), HistoryRequest.all()).messages()))
          .containsExactly("an old hello from alice", "an old reply from bob", "written after the upgrade");
      // Bob, on a fresh device too: the old page grew with a committed slot after the old one.
      assertThat(texts(clients.client(bob, new InMemoryLocalState()).history(ChatId.direct(alice.card()), HistoryRequest.all()).messages()))
          .containsExactly("an old hello from alice", "an old reply from bob", "written after the upgrade");
      InMemoryLocalState copied = new InMemoryLocalState();
      copied.saveGroup(groupId, f.get("alice.group.sealed").getAsString());
      assertThat(TestClients.groups(clients.client(upgraded, copied)).find(groupId)).isPresent();
    }
  }

  @Test
  void groupStateIsSealedUnderTheSelfSeedNotTheX25519Key() throws Exception {
    Identity alice = Identity.generate(random);
    Identity bob = Identity.generate(random);
    InMemoryLocalState state = new InMemoryLocalState();
    try (TestClients clients = new TestClients(new MemoryKvStore(), TestClients.ticking(1_800_000_000_000L))) {
      Group g = TestClients.groups(clients.client(alice, state)).create("new team", List.of(bob.card()));
      byte[] sealed = Base64Url.decode(state.group(g.id()).orElseThrow()).orElseThrow();
      byte[] label = "reschat/v2 group state".getBytes(StandardCharsets.UTF_8);
      byte[] aad = g.id().getBytes(StandardCharsets.UTF_8);
      assertThat(new OneTimeKeyAead(Secrets.of(alice).selfSecret(label), label).decrypt(sealed, aad)).isNotEmpty();
      assertThatThrownBy(() -> new OneTimeKeyAead(Secrets.of(alice).legacySelfSecret(label), label).decrypt(sealed, aad))
          .isInstanceOf(OneTimeKeyAead.OpenFailedException.class);
    }
  }
}
