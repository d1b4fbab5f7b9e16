package org.reschat.kv.resilientdb;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import org.reschat.kv.KvCorruptValueException;

/**
 * Reads back the body {@link ResilientDbStore} posts, {@code {"id": KEY, "value": STRING}}, strictly:
 * anything else under a key (another writer's JSON, garbage, an HTML page) is a corrupt value, never a
 * crash and never a wrong value.
 */
final class StoredTransaction {
  private StoredTransaction() {}

  static String parseValue(String key, String body) throws KvCorruptValueException {
    String id = null;
    String value = null;
    try (JsonReader reader = new JsonReader(new StringReader(body))) {
      reader.setStrictness(Strictness.STRICT);
      reader.setNestingLimit(64);
      if (reader.peek() != JsonToken.BEGIN_OBJECT) {
        throw new KvCorruptValueException(key, "it is not a JSON object");
      }
      reader.beginObject();
      while (reader.hasNext()) {
        String name = reader.nextName();
        if (name.equals("id") || name.equals("value")) {
          if ((name.equals("id") ? id : value) != null) {
            throw new KvCorruptValueException(key, "it has two \"" + name + "\" fields");
          }
          if (reader.peek() != JsonToken.STRING) {
            throw new KvCorruptValueException(key, "its \"" + name + "\" is not a string");
          }
          if (name.equals("id")) {
            id = reader.nextString();
          } else {
            value = reader.nextString();
          }
        } else {
          reader.skipValue();
        }
      }
      reader.endObject();
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new KvCorruptValueException(key, "it has data after the JSON object");
      }
    } catch (MalformedJsonException | EOFException | IllegalStateException | NumberFormatException e) {
      throw new KvCorruptValueException(key, "it is not valid JSON");
    } catch (KvCorruptValueException e) {
      throw e;
    } catch (IOException e) {
      throw new KvCorruptValueException(key, "it could not be read as JSON");
    }
    if (id == null) {
      throw new KvCorruptValueException(key, "it has no \"id\"");
    }
    if (!id.equals(key)) {
      throw new KvCorruptValueException(key, "it names another key");
    }
    if (value == null) {
      throw new KvCorruptValueException(key, "it has no string \"value\"");
    }
    return value;
  }
}
