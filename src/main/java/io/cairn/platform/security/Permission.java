package io.cairn.platform.security;

/**
 * MLflow's permission levels, in increasing order of what they allow: read; read and update (log, edit); read,
 * update, delete and grant. {@link #NO_PERMISSIONS} allows nothing, even where the default would.
 */
public enum Permission {
    NO_PERMISSIONS,
    READ,
    EDIT,
    MANAGE;

    /** Whether holding this level allows what {@code needed} allows. */
    public boolean allows(Permission needed) {
        return ordinal() >= needed.ordinal();
    }

    /** The level named by MLflow's wire value ({@code READ}, ...), or a clear error naming the field. */
    public static Permission parse(String value, String field) {
        if (value != null) {
            for (Permission p : values()) {
                if (p.name().equals(value)) {
                    return p;
                }
            }
        }
        throw io.cairn.platform.error.CairnException.invalid("Invalid value '" + value + "' for parameter '" + field
                + "': use one of READ, EDIT, MANAGE, NO_PERMISSIONS.");
    }
}
