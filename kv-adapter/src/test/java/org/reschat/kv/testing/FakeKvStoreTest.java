package org.reschat.kv.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvUnavailableException;
import org.reschat.kv.KvUnconfirmedException;

class FakeKvStoreTest extends KvStoreContract {
  @Override
  protected KvStore newStore() {
    return new FakeKvStore();
  }

  @Override
  protected boolean comparesAtomically() {
    return false; // a decorator: its scripted get and put, one after the other
  }

  @Test
  void scriptedFaultsBehaveAsDocumented() throws KvException {
    FakeKvStore fake = (FakeKvStore) store;
    fake.putMode(FakeKvStore.PutMode.UNCONFIRMED_APPLIED);
    assertThatThrownBy(() -> fake.put("a", "1")).isInstanceOf(KvUnconfirmedException.class);
    assertThat(fake.get("a")).contains("1");

    fake.putMode(FakeKvStore.PutMode.UNCONFIRMED_LOST);
    assertThatThrownBy(() -> fake.put("b", "1")).isInstanceOf(KvUnconfirmedException.class);
    assertThat(fake.get("b")).isEmpty();

    fake.putMode(FakeKvStore.PutMode.UNAVAILABLE);
    assertThatThrownBy(() -> fake.put("c", "1")).isInstanceOf(KvUnavailableException.class);

    fake.putMode(FakeKvStore.PutMode.NORMAL).failNextGets(1);
    assertThatThrownBy(() -> fake.get("a")).isInstanceOf(KvUnavailableException.class);
    assertThat(fake.get("a")).contains("1");

    fake.down(true);
    assertThatThrownBy(() -> fake.get("a")).isInstanceOf(KvUnavailableException.class);
    assertThat(fake.health().reachable()).isFalse();
    fake.tamper("a", "evil");
    fake.down(false);
    assertThat(fake.get("a")).contains("evil");
  }

  @Override
  protected boolean storeCorrupt(String key) {
    ((FakeKvStore) store).corrupt(key);
    return true;
  }

  @Test
  void aGetAllIsOneCountedBatchAndTakesOneScriptedFailure() throws KvException {
    FakeKvStore fake = (FakeKvStore) store;
    fake.put("a", "1");
    fake.failNextGets(1);
    assertThatThrownBy(() -> fake.getAll(java.util.List.of("a", "b"))).isInstanceOf(KvUnavailableException.class);
    assertThat(fake.getAll(java.util.List.of("a", "b"))).containsEntry("a", new org.reschat.kv.KvRead.Value("1"));
    assertThat(fake.getAllCalls()).isEqualTo(2);
    fake.put("a", "2"); // a put repairs a corrupt value
    fake.corrupt("a");
    fake.put("a", "3");
    assertThat(fake.get("a")).contains("3");
  }

  @Test
  void recordingStoreRecordsABatchAsOneCall() throws KvException {
    RecordingKvStore recording = new RecordingKvStore(new FakeKvStore());
    recording.put("k", "value");
    recording.getAll(java.util.List.of("k", "missing", "k"));
    assertThat(recording.count(RecordingKvStore.Op.GET_ALL)).isEqualTo(1);
    assertThat(recording.count(RecordingKvStore.Op.GET)).isZero();
    assertThat(recording.keysRead()).isEqualTo(2);
    assertThat(recording.takeCalls()).containsExactly(
        new RecordingKvStore.Call(RecordingKvStore.Op.PUT, "k", 5, null),
        new RecordingKvStore.Call(RecordingKvStore.Op.GET_ALL, "", 1, null, java.util.List.of("k", "missing")));
  }

  @Test
  void recordingStoreRecordsEveryCallInOrder() throws KvException {
    RecordingKvStore recording = new RecordingKvStore(new FakeKvStore());
    recording.put("k", "value");
    recording.get("k");
    recording.get("missing");
    assertThat(recording.count(RecordingKvStore.Op.GET)).isEqualTo(2);
    assertThat(recording.takeCalls()).containsExactly(
        new RecordingKvStore.Call(RecordingKvStore.Op.PUT, "k", 5, null),
        new RecordingKvStore.Call(RecordingKvStore.Op.GET, "k", 5, null),
        new RecordingKvStore.Call(RecordingKvStore.Op.GET, "missing", -1, null));
    assertThat(recording.takeCalls()).isEmpty();
  }
}
