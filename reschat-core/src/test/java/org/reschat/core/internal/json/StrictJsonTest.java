package org.reschat.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StrictJsonTest {

  @Test
  void bytesThatAreNotUtf8AreNoObjectEvenWhereALaxDecoderWouldReadOne() {
    byte[] good = "{\"v\":1,\"name\":\"é\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(StrictJson.parseObject(good)).hasValueSatisfying(o -> assertThat(o.get("name").getAsString()).isEqualTo("é"));

    byte[] bad = good.clone();
    bad[bad.length - 4] = (byte) 0xff; // the é's first byte: a lax decoder reads U+FFFD and a valid object
    assertThat(StrictJson.parseObject(new String(bad, StandardCharsets.UTF_8))).isPresent();
    assertThat(StrictJson.parseObject(bad)).isEmpty();
    byte[] overlong = {'{', '"', (byte) 0xc0, (byte) 0xaf, '"', ':', '1', '}'}; // '/' encoded in two bytes
    assertThat(StrictJson.parseObject(overlong)).isEmpty();
    assertThat(StrictUtf8.decode(overlong)).isEmpty();
  }

  @Test
  void onlyExactlyOneStrictObjectParses() {
    for (String text : new String[] {"[1]", "{\"a\":1} {}", "{a:1}", "{\"a\":1,}", "// x\n{}", "\"s\"", ""}) {
      assertThat(StrictJson.parseObject(text)).as(text).isEmpty();
    }
    assertThat(StrictJson.parseObject("{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}")).as("nesting limit").isEmpty();
    assertThat(StrictJson.parseObject(" {\"a\":[1,{\"b\":null}]} ")).isPresent();
  }
}
