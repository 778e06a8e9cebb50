package io.cairn.features;

import io.cairn.platform.error.CairnException;

/** A reference {@code view:feature}, as training sets and online reads name features. */
public record FeatureRef(String view, String feature) {

    public static FeatureRef parse(String ref) {
        int colon = ref == null ? -1 : ref.indexOf(':');
        if (colon <= 0 || colon == ref.length() - 1 || ref.indexOf(':', colon + 1) >= 0) {
            throw CairnException.invalid("Invalid feature reference '" + ref
                    + "': write it as <feature view>:<feature>, e.g. driver_stats:conv_rate.");
        }
        return new FeatureRef(ref.substring(0, colon), ref.substring(colon + 1));
    }

    /** The column name with {@code full_feature_names}: {@code view__feature}. */
    public String fullName() {
        return view + "__" + feature;
    }

    @Override
    public String toString() {
        return view + ":" + feature;
    }
}
