package io.cairn.platform.search;

import io.cairn.platform.error.CairnException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** MLflow-style opaque page tokens: base64 of {@code {"offset": n}}. */
public final class PageToken {

    private static final Pattern OFFSET = Pattern.compile("^\\{\\s*\"offset\"\\s*:\\s*(\\d{1,10})\\s*}$");

    private PageToken() {
    }

    public static int offset(String token) {
        if (token == null || token.isEmpty()) {
            return 0;
        }
        String json;
        try {
            json = new String(Base64.getMimeDecoder().decode(token.replace('-', '+').replace('_', '/')),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw CairnException.invalid("Invalid page token, could not base64-decode '" + token
                    + "'. Pass the next_page_token of a previous response unchanged.");
        }
        Matcher m = OFFSET.matcher(json.trim());
        if (!m.matches()) {
            throw CairnException.invalid("Invalid page token '" + token + "': it does not hold an offset. "
                    + "Pass the next_page_token of a previous response unchanged.");
        }
        long offset = Long.parseLong(m.group(1));
        if (offset > Integer.MAX_VALUE) {
            throw CairnException.invalid("Invalid page token '" + token + "': offset out of range.");
        }
        return (int) offset;
    }

    /** The token for the page after one that started at {@code offset} and returned {@code count} items. */
    public static String next(int offset, int count, boolean more) {
        if (!more) {
            return null;
        }
        String json = "{\"offset\": " + ((long) offset + count) + "}";
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
