package dev.licensegateway.infra;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/** An enum of the contract's vocabulary: each constant has the lowercase name the wire and the database use. */
public interface WireName {

  String wire();

  /** The constant whose wire name is {@code text}, or null. */
  static <E extends Enum<E> & WireName> E parse(Class<E> type, String text) {
    for (E e : type.getEnumConstants()) {
      if (e.wire().equals(text)) {
        return e;
      }
    }
    return null;
  }

  /** The wire names of every constant, in declaration order (for validation messages). */
  static <E extends Enum<E> & WireName> Set<String> names(Class<E> type) {
    Set<String> names = new LinkedHashSet<>();
    Arrays.stream(type.getEnumConstants()).forEach(e -> names.add(e.wire()));
    return names;
  }
}
