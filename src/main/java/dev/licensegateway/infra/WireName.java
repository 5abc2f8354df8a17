package dev.licensegateway.infra;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * An enum of the contract's vocabulary. Its wire name, the one the API and the database use,
 * is the constant's name in lowercase ({@code BILLING_SUSPENDED} is {@code billing_suspended})
 * unless the enum says otherwise.
 */
public interface WireName {

  String name();

  default String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The constant whose wire name is {@code text}, or null. */
  static <E extends Enum<E> & WireName> E parse(Class<E> type, String text) {
    for (E e : type.getEnumConstants()) {
      if (e.wire().equals(text)) {
        return e;
      }
    }
    return null;
  }

  /** The constant of a stored name; throws for any other (schema constraints hold the stored ones). */
  static <E extends Enum<E> & WireName> E of(Class<E> type, String text) {
    E value = parse(type, text);
    if (value == null) {
      throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + text);
    }
    return value;
  }

  /** The wire names of every constant, in declaration order (for validation messages). */
  static <E extends Enum<E> & WireName> Set<String> names(Class<E> type) {
    Set<String> names = new LinkedHashSet<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.wire());
    }
    return names;
  }
}
