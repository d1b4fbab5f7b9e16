package org.reschat.core.internal.json;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.Optional;

/**
 * Parses JSON the strict way (RFC 8259: no comments, no unquoted names, nothing after the value) into a
 * Gson tree, with a nesting limit. Used for every file and value this program reads.
 */
public final class StrictJson {
  private static final TypeAdapter<JsonElement> TREE = new Gson().getAdapter(JsonElement.class);

  private StrictJson() {}

  /** The object {@code text} holds, or empty when it is not exactly one strict JSON object. */
  public static Optional<JsonObject> parseObject(String text) {
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setStrictness(Strictness.STRICT);
      reader.setNestingLimit(32);
      if (reader.peek() != JsonToken.BEGIN_OBJECT) {
        return Optional.empty();
      }
      JsonElement element = TREE.read(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        return Optional.empty();
      }
      return Optional.of(element.getAsJsonObject());
    } catch (IOException | JsonParseException | IllegalStateException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The object the UTF-8 {@code bytes} hold, or empty when they are not strict UTF-8 holding exactly one strict JSON object. */
  public static Optional<JsonObject> parseObject(byte[] bytes) {
    return StrictUtf8.decode(bytes).flatMap(StrictJson::parseObject);
  }

  /** The string member {@code name}, or empty when absent or not a string. */
  public static Optional<String> string(JsonObject object, String name) {
    JsonElement e = object.get(name);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
        ? Optional.of(e.getAsString()) : Optional.empty();
  }

  /** The integer member {@code name} within [min, max], or empty. */
  public static Optional<Long> integer(JsonObject object, String name, long min, long max) {
    JsonElement e = object.get(name);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      return Optional.empty();
    }
    try {
      long value = e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
      return value >= min && value <= max ? Optional.of(value) : Optional.empty();
    } catch (ArithmeticException | NumberFormatException ex) {
      return Optional.empty();
    }
  }

  /** The boolean member {@code name}, or empty. */
  public static Optional<Boolean> bool(JsonObject object, String name) {
    JsonElement e = object.get(name);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()
        ? Optional.of(e.getAsBoolean()) : Optional.empty();
  }
}
