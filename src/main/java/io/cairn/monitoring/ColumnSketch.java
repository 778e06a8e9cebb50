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
 * A summary of one column's values that merges with others of its kind (windows, replicas): a KLL quantile sketch of
 * its numbers (Apache DataSketches, k = {@value #K} for live traffic: normalised rank error about 0.35% at 99%
 * confidence, against 1.3% at the library's default 200; with k = 400 the PSI of a shift of one standard deviation
 * strayed up to 0.033 from the exact value, with 800 and the reference at {@value #REFERENCE_K} up to 0.011), their
 * count, sum and sum
 * of squares (exact), a frequent-items sketch of its text, the count of nulls, and, while there are at most
 * {@value #MAX_EXACT} distinct numbers, their exact counts (so a column of a few integer codes is seen as
 * categorical, and its statistics are exact). Parts are created when first needed: a numeric column carries no
 * items sketch.
 */
final class ColumnSketch {

    /** k of the sketches of live traffic, one per column and bucket (see the class comment). */
    static final int K = 800;
    /**
     * k of a training set's sketches: built once and stored, so they can afford to be exact up to 4,096 rows and
     * four times as fine above, which halves the error of a statistic between a reference and live traffic.
     */
    static final int REFERENCE_K = 4096;
    static final int MAX_EXACT = 64;
    /** Frequent-items map size: categories beyond ~768 distinct ones are estimates. */
    static final int ITEMS_MAP_SIZE = 1024;
    private static final byte FORMAT = 1;
    private static final ArrayOfStringsSerDe STRINGS = new ArrayOfStringsSerDe();

    private final int k;
    private KllDoublesSketch numbers;
    private ItemsSketch<String> texts;
    private long nulls;
    private double sum;
    private double sumOfSquares;
    private TreeMap<Double, Long> exact = new TreeMap<>();

    ColumnSketch() {
        this(K);
    }

    ColumnSketch(int k) {
        this.k = k;
    }

    void add(Object value) {
        if (value == null) {
            nulls++;
        } else if (value instanceof Number n) {
            addNumber(n.doubleValue());
        } else if (value instanceof Boolean b) {
            addNumber(b ? 1 : 0);
        } else {
            addText(value.toString());
        }
    }

    void addNumber(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            nulls++;
            return;
        }
        if (numbers == null) {
            numbers = KllDoublesSketch.newHeapInstance(k);
        }
        numbers.update(v);
        sum += v;
        sumOfSquares += v * v;
        if (exact != null) {
            exact.merge(v, 1L, Long::sum);
            if (exact.size() > MAX_EXACT) {
                exact = null;
            }
        }
    }

    void addText(String v) {
        if (texts == null) {
            texts = new ItemsSketch<>(ITEMS_MAP_SIZE);
        }
        texts.update(v);
    }

    void addNull() {
        nulls++;
    }

    void merge(ColumnSketch other) {
        if (other.numbers != null) {
            if (numbers == null) {
                numbers = KllDoublesSketch.newHeapInstance(k);
            }
            numbers.merge(other.numbers);
        }
        if (other.texts != null) {
            if (texts == null) {
                texts = new ItemsSketch<>(ITEMS_MAP_SIZE);
            }
            texts.merge(other.texts);
        }
        nulls += other.nulls;
        sum += other.sum;
        sumOfSquares += other.sumOfSquares;
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
        return numbers == null ? 0 : numbers.getN();
    }

    long textCount() {
        return texts == null ? 0 : texts.getStreamLength();
    }

    long nulls() {
        return nulls;
    }

    long count() {
        return numberCount() + textCount() + nulls;
    }

    /** The KLL sketch of the numbers; null when there are none. */
    KllDoublesSketch numbers() {
        return numbers;
    }

    double mean() {
        return sum / numberCount();
    }

    /** The population standard deviation of the numbers. */
    double standardDeviation() {
        long n = numberCount();
        double mean = sum / n;
        return Math.sqrt(Math.max(0, sumOfSquares / n - mean * mean));
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

    /** The frequent categories of its text with their estimated counts, most frequent first. */
    List<Map.Entry<String, Long>> categories() {
        List<Map.Entry<String, Long>> out = new ArrayList<>();
        if (texts == null) {
            return out;
        }
        for (ItemsSketch.Row<String> row : texts.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES)) {
            out.add(Map.entry(row.getItem(), row.getEstimate()));
        }
        return out;
    }

    byte[] toBytes() {
        byte[] n = numbers == null ? new byte[0] : numbers.toByteArray();
        byte[] t = texts == null ? new byte[0] : texts.toByteArray(STRINGS);
        int exactSize = exact == null ? -1 : exact.size();
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 8 + 8 + 4 + n.length + 4 + t.length + 4
                + Math.max(0, exactSize) * 16);
        b.put(FORMAT).putLong(nulls).putDouble(sum).putDouble(sumOfSquares);
        b.putInt(n.length).put(n).putInt(t.length).put(t).putInt(exactSize);
        if (exact != null) {
            exact.forEach((v, c) -> b.putDouble(v).putLong(c));
        }
        return b.array();
    }

    static ColumnSketch fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte format = b.get();
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown column sketch format " + format);
        }
        ColumnSketch s = new ColumnSketch(K);
        s.nulls = b.getLong();
        s.sum = b.getDouble();
        s.sumOfSquares = b.getDouble();
        byte[] n = new byte[b.getInt()];
        b.get(n);
        byte[] t = new byte[b.getInt()];
        b.get(t);
        int exactSize = b.getInt();
        s.exact = null;
        if (exactSize >= 0) {
            s.exact = new TreeMap<>();
            for (int i = 0; i < exactSize; i++) {
                s.exact.put(b.getDouble(), b.getLong());
            }
        }
        // Heapified copies: a merge target must be updatable, and a wrapped sketch is read-only.
        s.numbers = n.length == 0 ? null : KllDoublesSketch.heapify(Memory.wrap(n));
        s.texts = t.length == 0 ? null : ItemsSketch.getInstance(Memory.wrap(t), STRINGS);
        return s;
    }
}
