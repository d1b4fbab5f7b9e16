package org.reschat.kv.resilientdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.reschat.kv.KvCorruptValueException;
import org.reschat.kv.KvValues;

/** The GET-body parser meets random and mutated bodies: a value or a typed corrupt-value error, nothing else. */
@net.jqwik.api.Tag("slow") // property-based, 2000 tries: left out by mvn -Pfast
class StoredTransactionFuzzTest {

  @Property
  void anyWrittenValueReadsBack(@ForAll String value) throws KvCorruptValueException {
    net.jqwik.api.Assume.that(isWellFormed(value));
    String body = ResilientDbStore.transactionBody("k", value);
    assertThat(ResilientDbStore.parseStoredValue("k", body)).contains(value);
  }

  @Property
  void randomBodiesGiveAValueOrACorruptError(@ForAll("bodies") String body) {
    try {
      Optional<String> value = ResilientDbStore.parseStoredValue("k", body);
      assertThat(value.isEmpty()).isEqualTo(body.isEmpty());
    } catch (KvCorruptValueException e) {
      assertThat(e.key()).isEqualTo("k");
      assertThat(e.getMessage()).startsWith("A value on the store is corrupt: ");
    }
  }

  @Property
  void mutatedValidBodiesGiveAValueOrACorruptError(@ForAll("mutations") String body) {
    try {
      ResilientDbStore.parseStoredValue("k", body);
    } catch (KvCorruptValueException e) {
      assertThat(e.key()).isEqualTo("k");
    }
  }

  @Provide
  Arbitrary<String> bodies() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(200),
        Arbitraries.strings().withChars("{}[]\":,\\ idvalue0123456789truefalsenull").ofMaxLength(80),
        Arbitraries.strings().withChars("[{").ofMinLength(100).ofMaxLength(5000));
  }

  @Provide
  Arbitrary<String> mutations() {
    String valid = ResilientDbStore.transactionBody("k", "some \"value\" ü 😀");
    return Arbitraries.integers().between(0, valid.length() - 1).flatMap(pos ->
        Arbitraries.chars().map(c -> {
          StringBuilder sb = new StringBuilder(valid);
          sb.setCharAt(pos, c);
          return sb.toString();
        }));
  }

  private static boolean isWellFormed(String s) {
    try {
      KvValues.requireValid(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
