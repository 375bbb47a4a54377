package dev.ppml.keys;

import java.io.IOException;

/**
 * A master key could not be obtained or used: unknown key URI scheme, missing or unreadable
 * keystore, a key broker that refused or could not be reached.
 *
 * <p>Messages name the key URI and say what to do. They never contain key material, tokens or
 * credentials, and causes that might (for example parser errors quoting their input) are not
 * chained.
 */
public class KeyServiceException extends IOException {
    private static final long serialVersionUID = 1L;

    public KeyServiceException(String message) {
        super(message);
    }

    public KeyServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
