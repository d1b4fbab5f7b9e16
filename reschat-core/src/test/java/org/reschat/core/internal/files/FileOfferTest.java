package org.reschat.core.internal.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The FILE message body: strict parsing of hostile bytes, and file names that are never paths. */
class FileOfferTest {
  private static final FileOffer OFFER = new FileOffer("report.pdf", 1234, "application/pdf", new byte[32], new byte[32], "Q3");

  @Test
  void roundTrips() {
    assertThat(FileOffer.parse(OFFER.encode())).contains(OFFER);
    assertThat(OFFER.toString()).doesNotContain("AAAA"); // the key is never logged
  }

  @Test
  void refusesWhatIsNotExactlyAnOffer() {
    String good = new String(OFFER.encode(), StandardCharsets.UTF_8);
    for (String bad : new String[] {"", "{}", "[]", good + " x", good.replace("\"v\":1", "\"v\":2"),
        good.replace("\"size\":1234", "\"size\":104857601"), good.replace("\"size\":1234", "\"size\":-1"),
        good.replace("application/pdf", "text/html; charset=x"), good.replace("\"name\":\"report.pdf\"", "\"name\":\"\""),
        good.replace("}", ",\"extra\":1}"), good.replace("\"caption\":\"Q3\"", "\"caption\":3")}) {
      assertThat(FileOffer.parse(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isEmpty();
    }
  }

  @Property(tries = 2000)
  void anyBytesParseOrAreRefusedWithoutThrowing(@ForAll("mutated") byte[] body) {
    FileOffer.parse(body).ifPresent(o -> assertThat(FileOffer.parse(o.encode())).contains(o));
  }

  @Provide
  Arbitrary<byte[]> mutated() {
    byte[] good = OFFER.encode();
    Arbitrary<byte[]> flips = Arbitraries.integers().between(0, good.length - 1).list().ofMaxSize(4).map(ix -> {
      byte[] b = good.clone();
      for (int i : ix) {
        b[i] = (byte) (b[i] ^ (1 << (i % 8)));
      }
      return b;
    });
    return Arbitraries.oneOf(flips, Arbitraries.bytes().array(byte[].class).ofMaxSize(300));
  }

  @Test
  void hostileNamesBecomeOneHarmlessComponent() {
    assertThat(FileNames.safe("../../.ssh/authorized_keys")).isEqualTo("authorized_keys");
    assertThat(FileNames.safe("/etc/passwd")).isEqualTo("passwd");
    assertThat(FileNames.safe("..")).isEqualTo("file");
    assertThat(FileNames.safe("C:\\Windows\\evil.exe")).isEqualTo("evil.exe");
    assertThat(FileNames.safe("in\u202Egnp.exe")).isEqualTo("ingnp.exe"); // a right-to-left override hides .exe
    assertThat(FileNames.safe("bell\u0007\nname\u001b[31m")).isEqualTo("bellname[31m");
    assertThat(FileNames.safe("-rf")).isEqualTo("rf");
    assertThat(FileNames.safe(".bashrc")).isEqualTo("bashrc");
    assertThat(FileNames.safe("é".repeat(200)).getBytes(StandardCharsets.UTF_8)).hasSize(254);
  }

  @Property(tries = 2000)
  void aSafeNameIsAlwaysOneVisibleComponent(@ForAll String name) {
    String safe = FileNames.safe(name);
    assertThat(safe).isNotEmpty().doesNotContain("/", "\\", "\0").isNotIn(".", "..");
    assertThat(safe.codePoints().noneMatch(FileNames::unsafe)).isTrue();
    assertThat(safe.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(FileNames.MAX_NAME_BYTES);
  }
}
