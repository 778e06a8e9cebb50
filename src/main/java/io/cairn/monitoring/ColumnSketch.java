package io.cairn.monitoring;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * A summary of one column's values that can be merged with others of its kind: a KLL quantile sketch of its numbers
 * (Apache DataSketches, k = {@value #K}: normalised rank error about 1.3% at 99% confidence), a frequent-items sketch
 * of its text, the count of nulls, and, while there are at most {@value #MAX_EXACT} distinct numbers, their exact
 * counts (so a column of a few integer codes is seen as categorical, and its statistics are exact).
 */
final class ColumnSketch {

    static final int K = 200;
    static final int MAX_EXACT = 64;
    /** Frequent-items map size: it keeps the ~768 most frequent categories exactly enough for drift statistics. */
    static final int ITEMS_MAP_SIZE = 1024;
    private static final ArrayOfStringsSerDe STRINGS = new ArrayOfStringsSerDe();

    private final KllDoublesSketch numbers;
    private final ItemsSketch<String> texts;
    private long nulls;
    private TreeMap<Double, Long> exact = new TreeMap<>();

    ColumnSketch() {
        this(KllDoublesSketch.newHeapInstance(K), new ItemsSketch<>(ITEMS_MAP_SIZE), 0, new TreeMap<>());
    }

    private ColumnSketch(KllDoublesSketch numbers, ItemsSketch<String> texts, long nulls, TreeMap<Double, Long> exact) {
        this.numbers = numbers;
        this.texts = texts;
        this.nulls = nulls;
        this.exact = exact;
    }

    void add(Object value) {
        if (value == null) {
            nulls++;
        } else if (value instanceof Number n) {
            addNumber(n.doubleValue());
        } else if (value instanceof Boolean b) {
            addNumber(b ? 1 : 0);
        } else {
            texts.update(value.toString());
        }
    }

    void addNumber(double v) {
        if (Double.isNaN(v)) {
            nulls++;
            return;
        }
        numbers.update(v);
        if (exact != null) {
            exact.merge(v, 1L, Long::sum);
            if (exact.size() > MAX_EXACT) {
                exact = null;
            }
        }
    }

    void addNull() {
        nulls++;
    }

    void merge(ColumnSketch other) {
        numbers.merge(other.numbers);
        texts.merge(other.texts);
        nulls += other.nulls;
        if (exact != null && other.exact != null) {
            other.exact.forEach((v, c) -> exact.merge(v, c, Long::sum));
            if (exact.size() > MAX_EXACT) {
                exact = null;
            }
        } else {
            exact = null;
        }
    }

    long numberCount() {
        return numbers.getN();
    }

    long textCount() {
        return texts.getStreamLength();
    }

    long nulls() {
        return nulls;
    }

    long count() {
        return numberCount() + textCount() + nulls;
    }

    KllDoublesSketch numbers() {
        return numbers;
    }

    /** Whether the column holds text rather than numbers (the values it holds most of). */
    boolean textual() {
        return textCount() > numberCount();
    }

    /** The exact counts of its numbers while there are at most {@value #MAX_EXACT} distinct ones, else null. */
    Map<Double, Long> exactCounts() {
        return exact;
    }

    /** Whether its numbers are a few integer codes: at most {@code limit} distinct integral values. */
    boolean integerCodes(int limit) {
        return exact != null && !exact.isEmpty() && exact.size() <= limit
                && exact.keySet().stream().allMatch(v -> v == Math.rint(v));
    }

    /** The frequent categories with their estimated counts, most frequent first (no false negatives). */
    List<Map.Entry<String, Long>> categories() {
        List<Map.Entry<String, Long>> out = new ArrayList<>();
        for (ItemsSketch.Row<String> row : texts.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES)) {
            out.add(Map.entry(row.getItem(), row.getEstimate()));
        }
        return out;
    }

    byte[] toBytes() {
        byte[] n = numbers.toByteArray();
        byte[] t = texts.toByteArray(STRINGS);
        int exactSize = exact == null ? -1 : exact.size();
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + n.length + 4 + t.length + 4
                + Math.max(0, exactSize) * 16);
        b.putLong(nulls).putInt(n.length).put(n).putInt(t.length).put(t).putInt(exactSize);
        if (exact != null) {
            exact.forEach((v, c) -> b.putDouble(v).putLong(c));
        }
        return b.array();
    }

    static ColumnSketch fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long nulls = b.getLong();
        byte[] n = new byte[b.getInt()];
        b.get(n);
        byte[] t = new byte[b.getInt()];
        b.get(t);
        int exactSize = b.getInt();
        TreeMap<Double, Long> exact = null;
        if (exactSize >= 0) {
            exact = new TreeMap<>();
            for (int i = 0; i < exactSize; i++) {
                exact.put(b.getDouble(), b.getLong());
            }
        }
        // Heapified copies: a merge target must be updatable, and a read-only wrapped sketch is not.
        KllDoublesSketch numbers = KllDoublesSketch.heapify(Memory.wrap(n));
        ItemsSketch<String> texts = ItemsSketch.getInstance(Memory.wrap(t), STRINGS);
        return new ColumnSketch(numbers, texts, nulls, exact);
    }
}
