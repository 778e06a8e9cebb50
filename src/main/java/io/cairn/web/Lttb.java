package io.cairn.web;

/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): keeps the first and last point and, from each of
 * {@code threshold - 2} equal buckets between them, the point that forms the largest triangle with the point kept
 * from the bucket before and the mean of the bucket after, so peaks and troughs survive where averaging would flatten
 * them. Hand-written: it is twenty lines and the Java libraries that have it bring a charting stack with them.
 * Non-finite values are never chosen as a bucket's point unless the whole bucket is non-finite, so one NaN does not
 * poison the triangle areas.
 */
final class Lttb {

    private Lttb() {
    }

    /** Indices of the points to keep, ascending; all of them when there are no more than {@code threshold}. */
    static int[] select(long[] xs, double[] ys, int threshold) {
        int n = xs.length;
        if (threshold >= n || threshold < 3) {
            int[] all = new int[n];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] kept = new int[threshold];
        kept[0] = 0;
        double bucketSize = (double) (n - 2) / (threshold - 2);
        int a = 0;
        for (int bucket = 0; bucket < threshold - 2; bucket++) {
            int start = (int) Math.floor(bucket * bucketSize) + 1;
            int end = (int) Math.floor((bucket + 1) * bucketSize) + 1;
            // The mean of the next bucket (the last point for the final bucket).
            int nextStart = end;
            int nextEnd = Math.min((int) Math.floor((bucket + 2) * bucketSize) + 1, n);
            double meanX = 0;
            double meanY = 0;
            int counted = 0;
            for (int i = nextStart; i < nextEnd; i++) {
                if (Double.isFinite(ys[i])) {
                    meanX += xs[i];
                    meanY += ys[i];
                    counted++;
                }
            }
            if (counted == 0) {
                meanX = xs[n - 1];
                meanY = Double.isFinite(ys[n - 1]) ? ys[n - 1] : 0;
            } else {
                meanX /= counted;
                meanY /= counted;
            }
            double ax = xs[a];
            double ay = Double.isFinite(ys[a]) ? ys[a] : meanY;
            double best = -1;
            int chosen = start;
            for (int i = start; i < end; i++) {
                if (!Double.isFinite(ys[i])) {
                    continue;
                }
                double area = Math.abs((ax - meanX) * (ys[i] - ay) - (ax - xs[i]) * (meanY - ay));
                if (area > best) {
                    best = area;
                    chosen = i;
                }
            }
            kept[bucket + 1] = chosen;
            a = chosen;
        }
        kept[threshold - 1] = n - 1;
        return kept;
    }
}
