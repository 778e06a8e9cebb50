package io.cairn.platform.search;

import java.util.List;

/** One page of a search; {@code nextPageToken} is null on the last page. */
public record Page<T>(List<T> items, String nextPageToken) {
}
