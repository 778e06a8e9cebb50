package io.cairn.serving;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.text.NulCheck;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A request's tags: the scalar entries (text, numbers, booleans) of its {@code parameters} object, kept as text with
 * the prediction so monitoring can segment quality by them (say {@code "parameters": {"region": "eu"}}). Objects,
 * arrays, nulls and the protocol's own parameters are not tags. They are bounded because they are stored with every
 * prediction: at most {@value #MAX_TAGS} tags, names of at most {@value #MAX_NAME_LENGTH} characters from letters,
 * digits and {@code _ . - :}, values of at most {@value #MAX_VALUE_LENGTH} characters; anything beyond is a 400
 * rather than silently cut.
 */
public final class RequestTags {

    public static final int MAX_TAGS = 16;
    public static final int MAX_NAME_LENGTH = 64;
    public static final int MAX_VALUE_LENGTH = 256;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1," + MAX_NAME_LENGTH + "}");

    private final Map<String, String> tags = new LinkedHashMap<>(4);
    private final String where;

    /** @param where names the parameters object in messages, e.g. {@code parameters} */
    public RequestTags(String where) {
        this.where = where;
    }

    /** Adds one scalar parameter as a tag, or refuses it with a 400 naming it and the limit it breaks. */
    public void add(String name, String value) {
        if (!NAME.matcher(name).matches()) {
            throw CairnException.invalid(where + " name '" + shortened(name) + "' cannot be a request tag: use 1 to "
                    + MAX_NAME_LENGTH + " letters, digits or _ . - : (scalar parameters are stored as tags).");
        }
        NulCheck.storable(where + "." + name, value);
        if (value.length() > MAX_VALUE_LENGTH) {
            throw CairnException.invalid(where + "." + name + " is " + value.length() + " characters long; a request "
                    + "tag holds at most " + MAX_VALUE_LENGTH + ".");
        }
        if (!tags.containsKey(name) && tags.size() == MAX_TAGS) {
            throw CairnException.invalid(where + " has more than " + MAX_TAGS + " scalar entries; a request carries "
                    + "at most " + MAX_TAGS + " tags.");
        }
        tags.put(name, value);
    }

    /** The tags so far, in the order given; an empty map when there are none. */
    public Map<String, String> toMap() {
        return tags.isEmpty() ? Map.of() : Collections.unmodifiableMap(tags);
    }

    private static String shortened(String name) {
        String n = name.replace('\0', '?');
        return n.length() > MAX_NAME_LENGTH ? n.substring(0, MAX_NAME_LENGTH) + "..." : n;
    }
}
