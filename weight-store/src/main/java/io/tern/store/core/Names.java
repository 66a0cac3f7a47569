package io.tern.store.core;

import java.util.regex.Pattern;

/**
 * Rules for model and alias names. They become directory and file names under the store root, so they are kept to
 * lower-case letters, digits, '.', '_' and '-', start with a letter or digit, and are at most 64 characters:
 * no separators, no "..", nothing a path could escape with.
 */
public final class Names {
    public static final String RULE = "[a-z0-9][a-z0-9._-]{0,63}";
    private static final Pattern PATTERN = Pattern.compile(RULE);

    private Names() {
    }

    /** The model name, or INVALID naming what is wrong with it. */
    public static String model(String name) {
        return check("model name", name);
    }

    /** The alias name, or INVALID naming what is wrong with it. */
    public static String alias(String name) {
        return check("alias name", name);
    }

    /** A version number given as text ("3"); INVALID unless a positive integer. */
    public static int version(String text) {
        if (text == null || text.isEmpty() || text.length() > 9 || !text.chars().allMatch(Character::isDigit)) {
            throw StoreException.invalid("version '" + text + "' is not a positive integer");
        }
        int v = Integer.parseInt(text);
        if (v < 1) {
            throw StoreException.invalid("version '" + text + "' is not a positive integer");
        }
        return v;
    }

    private static String check(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw StoreException.invalid(what + " is empty");
        }
        if (name.length() > 64) {
            throw StoreException.invalid(what + " is " + name.length() + " characters long, at most 64 allowed");
        }
        if (name.contains("/") || name.contains("\\") || name.contains("..")) {
            throw StoreException.invalid(what + " '" + name + "' contains a path separator or '..'");
        }
        if (!PATTERN.matcher(name).matches()) {
            throw StoreException.invalid(what + " '" + name + "' must match " + RULE
                    + " (lower-case letters, digits, '.', '_', '-'; starting with a letter or digit)");
        }
        return name;
    }
}
